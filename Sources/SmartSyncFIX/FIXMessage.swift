/// One FIX message: its fields in order, as tag=value pairs (FIX 4.4, tag=value encoding).
///
/// The standard header's BeginString (8), BodyLength (9) and the trailer's CheckSum (10) are not kept as fields:
/// `encoded()` computes them and `FIXParser` checks them. Values are kept as the text on the wire; the venue
/// adapter converts prices and quantities to `Fixed` (never through floating point).
public struct FIXMessage: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public var tag: Int
        public var value: String

        public init(_ tag: Int, _ value: String) {
            self.tag = tag
            self.value = value
        }
    }

    public var beginString: String
    public var fields: [Field]

    public init(beginString: String = FIX.beginString, _ fields: [Field]) {
        self.beginString = beginString
        self.fields = fields
    }

    /// The first value of `tag`, if present.
    public subscript(tag: Int) -> String? { fields.first { $0.tag == tag }?.value }

    /// MsgType (35).
    public var msgType: String? { self[FIX.Tag.msgType] }

    /// The message as bytes on the wire: `8=…|9=…|` + fields + `10=ccc|` (| is SOH, 0x01). A value holding SOH
    /// would break the framing and is refused (FIX's data fields with explicit lengths are not used here).
    public func encoded() throws(FIXError) -> [UInt8] {
        var body: [UInt8] = []
        for field in fields {
            guard field.tag > 0, field.tag != FIX.Tag.beginString, field.tag != FIX.Tag.bodyLength, field.tag != FIX.Tag.checkSum else {
                throw FIXError("tag \(field.tag) is not a body field")
            }
            guard !field.value.isEmpty, !field.value.utf8.contains(FIX.soh) else {
                throw FIXError("tag \(field.tag) must have a value without SOH")
            }
            body += Array("\(field.tag)=".utf8) + Array(field.value.utf8) + [FIX.soh]
        }
        var message = Array("8=\(beginString)".utf8) + [FIX.soh] + Array("9=\(body.count)".utf8) + [FIX.soh] + body
        message += Array("10=\(FIX.checkSum(message))".utf8) + [FIX.soh]
        return message
    }

    /// The message with | for SOH (for logs and tests).
    public var readable: String {
        ((try? encoded()) ?? []).map { $0 == FIX.soh ? "|" : String(UnicodeScalar($0)) }.joined()
    }
}

public struct FIXError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// FIX constants and the checksum.
public enum FIX {
    public static let beginString = "FIX.4.4"
    /// The field separator, SOH.
    public static let soh: UInt8 = 0x01
    /// The largest BodyLength (9) accepted from a peer: 1 MiB.
    public static let maximumBodyLength = 1 << 20

    /// Tags used by the session and the order messages (FIX 4.4 data dictionary numbers).
    public enum Tag {
        public static let beginString = 8
        public static let bodyLength = 9
        public static let checkSum = 10
        public static let msgType = 35
        public static let msgSeqNum = 34
        public static let senderCompID = 49
        public static let targetCompID = 56
        public static let sendingTime = 52
        public static let possDupFlag = 43
        public static let origSendingTime = 122
        public static let gapFillFlag = 123
        public static let newSeqNo = 36
        public static let beginSeqNo = 7
        public static let endSeqNo = 16
        public static let testReqID = 112
        public static let encryptMethod = 98
        public static let heartBtInt = 108
        public static let resetSeqNumFlag = 141
        public static let refSeqNum = 45
        public static let text = 58
    }

    /// Sum of the bytes mod 256, as three digits (FIX 4.4, "CheckSum <10>").
    public static func checkSum(_ bytes: some Sequence<UInt8>) -> String {
        let sum = bytes.reduce(0) { ($0 + Int($1)) & 0xFF }
        return String(repeating: "0", count: sum < 10 ? 2 : sum < 100 ? 1 : 0) + String(sum)
    }
}

/// Splits a byte stream into FIX messages, checking the framing of each: BeginString first, BodyLength second and
/// equal to the body's length, CheckSum last with three digits equal to the sum of the bytes before it.
public enum FIXParser {
    /// The first message in `bytes` and how many bytes it took, or nil while it is incomplete (wait for more).
    /// Throws on bytes that cannot be a message (the session then disconnects: FIX 4.4 says a garbled message is
    /// ignored only when its framing can still be found, which a wrong length or checksum does not allow here).
    public static func parse(_ bytes: ArraySlice<UInt8>) throws(FIXError) -> (message: FIXMessage, length: Int)? {
        var i = bytes.startIndex
        // One tag=value field from i: returns (tag, value bytes, index after SOH), nil if incomplete.
        func field() throws(FIXError) -> (tag: Int, value: ArraySlice<UInt8>, next: Int)? {
            guard let eq = bytes[i...].firstIndex(of: UInt8(ascii: "=")) else { return nil }
            guard let soh = bytes[eq...].firstIndex(of: FIX.soh) else { return nil }
            guard let tag = Int(String(decoding: bytes[i..<eq], as: UTF8.self)), tag > 0 else {
                throw FIXError("bad tag \"\(String(decoding: bytes[i..<eq], as: UTF8.self))\" at byte \(i - bytes.startIndex)")
            }
            return (tag, bytes[(eq + 1)..<soh], soh + 1)
        }
        guard let begin = try field() else { return nil }
        guard begin.tag == FIX.Tag.beginString, !begin.value.isEmpty else { throw FIXError("a message must start with BeginString (8)") }
        i = begin.next
        guard let length = try field() else { return nil }
        guard length.tag == FIX.Tag.bodyLength, let bodyLength = Int(String(decoding: length.value, as: UTF8.self)), bodyLength > 0 else {
            throw FIXError("BodyLength (9) must follow BeginString and be a positive number")
        }
        // No order message is near this; a larger length is garbage (or an attack) and must not be buffered for.
        guard bodyLength <= FIX.maximumBodyLength else { throw FIXError("BodyLength (9) \(bodyLength) is over \(FIX.maximumBodyLength)") }
        let bodyStart = length.next
        let trailerStart = bodyStart + bodyLength
        // The trailer is "10=ccc" and SOH: 7 bytes.
        guard bytes.endIndex >= trailerStart + 7 else { return nil }
        let trailer = bytes[trailerStart..<(trailerStart + 7)]
        guard trailer.starts(with: Array("10=".utf8)), trailer.last == FIX.soh else {
            throw FIXError("BodyLength (9) \(bodyLength) does not end where CheckSum (10) starts")
        }
        let sent = String(decoding: trailer.dropFirst(3).dropLast(), as: UTF8.self)
        let computed = FIX.checkSum(bytes[bytes.startIndex..<trailerStart])
        guard sent == computed else { throw FIXError("CheckSum (10) is \(sent), the bytes sum to \(computed)") }
        var fields: [FIXMessage.Field] = []
        i = bodyStart
        while i < trailerStart {
            guard let f = try field(), f.next <= trailerStart else { throw FIXError("a field runs past the body's end") }
            guard f.tag != FIX.Tag.beginString, f.tag != FIX.Tag.bodyLength, f.tag != FIX.Tag.checkSum else {
                throw FIXError("tag \(f.tag) inside the body")
            }
            fields.append(.init(f.tag, String(decoding: f.value, as: UTF8.self)))
            i = f.next
        }
        guard fields.first?.tag == FIX.Tag.msgType else { throw FIXError("MsgType (35) must be the body's first field") }
        let message = FIXMessage(beginString: String(decoding: begin.value, as: UTF8.self), fields)
        return (message, trailerStart + 7 - bytes.startIndex)
    }
}

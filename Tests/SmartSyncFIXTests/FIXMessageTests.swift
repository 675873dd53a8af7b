import SmartSyncFIX
import Testing

@Suite("FIX tag=value framing")
struct FIXMessageTests {
    static func wire(_ text: String) -> [UInt8] { Array(text.utf8).map { $0 == UInt8(ascii: "|") ? FIX.soh : $0 } }

    /// The Logon example of Wikipedia's "Financial Information eXchange" article (a FIX 4.2 message, same framing):
    /// its BodyLength 65 and CheckSum 062 are computed here independently of the article.
    static let wikipediaLogon = "8=FIX.4.2|9=65|35=A|49=SERVER|56=CLIENT|34=177|52=20090107-18:15:16|98=0|108=30|10=062|"

    @Test func aPublishedExampleEncodesAndParsesToItself() throws {
        let message = FIXMessage(
            beginString: "FIX.4.2",
            [
                .init(35, "A"), .init(49, "SERVER"), .init(56, "CLIENT"), .init(34, "177"), .init(52, "20090107-18:15:16"), .init(98, "0"),
                .init(108, "30"),
            ])
        #expect(try message.encoded() == Self.wire(Self.wikipediaLogon))
        let parsed = try #require(try FIXParser.parse(Self.wire(Self.wikipediaLogon)[...]))
        #expect(parsed.message == message && parsed.length == Self.wikipediaLogon.utf8.count)
        #expect(parsed.message.msgType == "A" && parsed.message[FIX.Tag.heartBtInt] == "30" && parsed.message[999] == nil)
        #expect(message.readable == Self.wikipediaLogon)
    }

    @Test func aStreamIsSplitIntoMessagesAndAPartOneWaits() throws {
        let one = try FIXMessage([.init(35, "0"), .init(34, "2")]).encoded()
        let two = try FIXMessage([.init(35, "D"), .init(11, "L1-7"), .init(38, "1.5")]).encoded()
        var stream = (one + two)[...]
        let first = try #require(try FIXParser.parse(stream))
        #expect(first.message.msgType == "0")
        stream = stream.dropFirst(first.length)
        let second = try #require(try FIXParser.parse(stream))
        #expect(second.message[11] == "L1-7" && second.length == two.count)
        // Every cut of a message short of its end is incomplete, not an error.
        for cut in 0..<two.count { #expect(try FIXParser.parse(two[..<cut]) == nil, "cut at \(cut)") }
    }

    @Test(arguments: [
        ("9=65|8=FIX.4.2|35=A|10=000|", "BeginString"),
        ("8=FIX.4.2|35=A|9=5|10=000|", "BodyLength"),
        ("8=FIX.4.2|9=64|35=A|49=SERVER|56=CLIENT|34=177|52=20090107-18:15:16|98=0|108=30|10=062|", "does not end where CheckSum"),
        ("8=FIX.4.2|9=65|35=A|49=SERVER|56=CLIENT|34=177|52=20090107-18:15:16|98=0|108=30|10=063|", "CheckSum (10) is 063"),
        ("8=FIX.4.2|9=65|35=A|49=SERVER|56=CLIENT|34=178|52=20090107-18:15:16|98=0|108=30|10=062|", "CheckSum (10) is 062"),
        ("8=FIX.4.2|9=10|49=X|35=A|10=225|", "MsgType (35)"),
        ("8=FIX.4.2|9=10|3x=A|35=B|10=009|", "bad tag"),
    ])
    func garbledFramingIsRefusedWithItsReason(_ text: String, _ reason: String) {
        #expect {
            _ = try FIXParser.parse(Self.wire(text)[...])
        } throws: { error in
            (error as? FIXError)?.description.contains(reason) == true
        }
    }

    /// A BodyLength near Int.max would overflow the arithmetic; anything over 1 MiB is refused before buffering.
    @Test func aHugeBodyLengthIsRefused() {
        for length in ["9223372036854775807", "1048577"] {
            #expect {
                _ = try FIXParser.parse(Self.wire("8=FIX.4.4|9=\(length)|35=0|")[...])
            } throws: { error in
                (error as? FIXError)?.description.contains("is over 1048576") == true
            }
        }
    }

    @Test func valuesThatWouldBreakTheFramingAreNotEncoded() {
        #expect(throws: FIXError.self) { _ = try FIXMessage([.init(35, "D"), .init(58, "a\u{01}b")]).encoded() }
        #expect(throws: FIXError.self) { _ = try FIXMessage([.init(35, "D"), .init(58, "")]).encoded() }
        #expect(throws: FIXError.self) { _ = try FIXMessage([.init(35, "D"), .init(10, "000")]).encoded() }
    }

    @Test func checkSumsAreThreeDigits() {
        #expect(FIX.checkSum([1]) == "001" && FIX.checkSum([50, 50]) == "100" && FIX.checkSum([255, 1]) == "000")
    }
}

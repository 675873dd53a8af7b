import SmartSyncCore

/// The FIX 4.4 session layer of an initiator, as a pure state machine: messages and clock ticks in, messages to send
/// and application messages to deliver out. The TCP transport around it sends what it returns and feeds it what
/// arrives; the store keeps `sequence` across restarts (FIX sequence numbers outlive connections).
///
/// What it does (FIX 4.4 session protocol, volume 2): Logon / Logout; Heartbeat every HeartBtInt seconds without
/// other traffic and a TestRequest when the other side is silent for HeartBtInt plus a grace of one fifth of it, then
/// a disconnect if that goes unanswered as long again; MsgSeqNum checked on every message — a gap is asked for
/// again with ResendRequest and what came after it is held back and delivered in order once the gap is filled, a
/// number lower than expected without PossDupFlag ends the session, a PossDup duplicate is dropped; a ResendRequest
/// from the other side is answered with our application messages again (PossDupFlag=Y, OrigSendingTime) and
/// SequenceReset-GapFill over the administrative ones; SequenceReset in gap-fill and in reset mode.
public struct FIXSession: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var senderCompID: String
        public var targetCompID: String
        /// HeartBtInt (108), seconds.
        public var heartbeatSeconds: Int

        public init(senderCompID: String, targetCompID: String, heartbeatSeconds: Int = 30) {
            self.senderCompID = senderCompID
            self.targetCompID = targetCompID
            self.heartbeatSeconds = heartbeatSeconds
        }
    }

    /// The numbers kept across restarts.
    public struct Sequence: Sendable, Hashable {
        /// MsgSeqNum of the next message we send.
        public var nextOutgoing = 1
        /// MsgSeqNum we expect next from the other side.
        public var nextIncoming = 1

        public init(nextOutgoing: Int = 1, nextIncoming: Int = 1) {
            self.nextOutgoing = nextOutgoing
            self.nextIncoming = nextIncoming
        }
    }

    public enum Status: String, Sendable, Hashable {
        case disconnected, logonSent, active, logoutSent
    }

    /// What one step produced.
    public struct Output: Sendable, Hashable {
        /// Messages to write to the connection, in order (already stamped).
        public var send: [FIXMessage] = []
        /// Application messages from the other side, in sequence order, each once.
        public var deliver: [FIXMessage] = []
        /// The connection must be closed, and why.
        public var disconnect: String?
    }

    public let configuration: Configuration
    public private(set) var sequence: Sequence
    public private(set) var status: Status = .disconnected
    /// Application messages we sent, by MsgSeqNum, for answering a ResendRequest.
    public private(set) var sent: [Int: FIXMessage] = [:]
    /// Messages that arrived after a gap, held until it is filled.
    private var held: [Int: FIXMessage] = [:]
    /// Numbers among `held` already processed when they came (a Logon ahead of the expected number).
    private var processedAhead: Set<Int> = []
    /// The gap we asked to be sent again (its end is the number before the first held message), if any.
    public private(set) var resendRequested: ClosedRange<Int>?
    private var lastSent: Int64 = 0
    private var lastReceived: Int64 = 0
    /// When our Logon went out (a venue that never answers it is given up on).
    private var logonSentAt: Int64 = 0
    private var testRequestSent: Int64?

    public init(configuration: Configuration, sequence: Sequence = Sequence(), sent: [Int: FIXMessage] = [:]) {
        self.configuration = configuration
        self.sequence = sequence
        self.sent = sent
    }

    // MARK: Steps

    /// Starts a session on a new connection: the Logon to send. `resetSequence` starts both sides' numbers again
    /// at 1 (ResetSeqNumFlag, 141=Y): for a session's first logon, never to skip a gap.
    public mutating func connect(now: Int64, resetSequence: Bool = false) -> Output {
        status = .logonSent
        logonSentAt = now
        if resetSequence {
            sequence = Sequence()
            sent = [:]
        }
        held = [:]
        processedAhead = []
        resendRequested = nil
        testRequestSent = nil
        lastReceived = now
        var out = Output()
        var logon: [FIXMessage.Field] = [
            .init(35, "A"), .init(FIX.Tag.encryptMethod, "0"), .init(FIX.Tag.heartBtInt, String(configuration.heartbeatSeconds)),
        ]
        if resetSequence { logon.append(.init(FIX.Tag.resetSeqNumFlag, "Y")) }
        out.send.append(stamp(FIXMessage(logon), now: now))
        return out
    }

    /// Stamps an application message (NewOrderSingle, OrderCancelRequest, …) for sending and keeps it for resends.
    /// Its fields are the body after the standard header (MsgType first).
    public mutating func send(_ message: FIXMessage, now: Int64) -> FIXMessage {
        let stamped = stamp(message, now: now)
        sent[Int(stamped[FIX.Tag.msgSeqNum]!)!] = stamped
        return stamped
    }

    /// Asks the other side to end the session.
    public mutating func logout(now: Int64, text: String? = nil) -> Output {
        status = .logoutSent
        var fields: [FIXMessage.Field] = [.init(35, "5")]
        if let text { fields.append(.init(FIX.Tag.text, text)) }
        return Output(send: [stamp(FIXMessage(fields), now: now)])
    }

    /// The connection closed.
    public mutating func disconnected() { status = .disconnected }

    /// The clock moved: a Heartbeat when we were silent, a TestRequest when they were, a disconnect when that
    /// went unanswered.
    public mutating func tick(now: Int64) -> Output {
        var out = Output()
        let interval = Int64(configuration.heartbeatSeconds) * 1000
        if status == .logonSent, now - logonSentAt >= max(interval, 10_000) {
            out.disconnect = "no answer to our Logon in \(max(interval, 10_000) / 1000) s"
            return out
        }
        guard status == .active else { return out }
        if let asked = testRequestSent {
            if now - asked >= interval { out.disconnect = "no answer to a TestRequest in \(configuration.heartbeatSeconds) s" }
        } else if now - lastReceived >= interval + interval / 5 {
            testRequestSent = now
            out.send.append(stamp(FIXMessage([.init(35, "1"), .init(FIX.Tag.testReqID, "T\(now)")]), now: now))
        }
        if out.disconnect == nil, now - lastSent >= interval {
            out.send.append(stamp(FIXMessage([.init(35, "0")]), now: now))
        }
        return out
    }

    /// A message arrived (framing already checked by `FIXParser`).
    public mutating func receive(_ message: FIXMessage, now: Int64) -> Output {
        var out = Output()
        lastReceived = now
        testRequestSent = nil
        guard message[FIX.Tag.senderCompID] == configuration.targetCompID, message[FIX.Tag.targetCompID] == configuration.senderCompID
        else {
            out.disconnect =
                "CompIDs \(message[FIX.Tag.senderCompID] ?? "-")→\(message[FIX.Tag.targetCompID] ?? "-") are not this session's"
            return out
        }
        guard let seq = message[FIX.Tag.msgSeqNum].flatMap({ Int($0) }), seq > 0 else {
            out.disconnect = "a message without MsgSeqNum (34)"
            return out
        }
        // A Logon asking to reset the numbers starts the other side's again at its own (1).
        if message.msgType == "A", message[FIX.Tag.resetSeqNumFlag] == "Y" {
            sequence.nextIncoming = seq
            held = [:]
            processedAhead = []
            resendRequested = nil
        }
        // SequenceReset in reset mode moves the expected number whatever the message's own number is.
        if message.msgType == "4", message[FIX.Tag.gapFillFlag] != "Y" {
            if let new = message[FIX.Tag.newSeqNo].flatMap({ Int($0) }), new >= sequence.nextIncoming {
                sequence.nextIncoming = new
                deliverHeld(into: &out, now: now)
            } else {
                out.disconnect = "SequenceReset to a lower number than expected (\(sequence.nextIncoming))"
            }
            return out
        }
        if seq < sequence.nextIncoming {
            if message[FIX.Tag.possDupFlag] == "Y" { return out }  // a duplicate we already processed
            out.send += logout(now: now, text: "MsgSeqNum too low, expecting \(sequence.nextIncoming) but received \(seq)").send
            out.disconnect = "MsgSeqNum \(seq) lower than expected \(sequence.nextIncoming) without PossDupFlag"
            return out
        }
        if seq > sequence.nextIncoming {
            // A gap: hold this one and ask for what is missing (once per gap). A Logon is processed at once (its
            // number may be ahead after the other side restarted), and the gap is asked for after it.
            held[seq] = message
            // A Logon, a ResendRequest and a Logout are acted on at once (as QuickFIX does): waiting for the gap
            // would deadlock two sides that both wait, or hide why the other side leaves.
            if ["A", "2", "5"].contains(message.msgType) {
                process(message, into: &out, now: now)
                processedAhead.insert(seq)
                if out.disconnect != nil { return out }
            }
            let gap = sequence.nextIncoming...(seq - 1)
            if resendRequested.map({ !$0.contains(gap.lowerBound) }) ?? true {
                resendRequested = gap
                out.send.append(
                    stamp(
                        FIXMessage([.init(35, "2"), .init(FIX.Tag.beginSeqNo, String(gap.lowerBound)), .init(FIX.Tag.endSeqNo, "0")]),
                        now: now))
            }
            return out
        }
        process(message, into: &out, now: now)
        advance(past: message, seq: seq)  // a Logout too: it was in sequence and is answered
        if out.disconnect == nil { deliverHeld(into: &out, now: now) }
        return out
    }

    /// The next number expected after `message` (numbered `seq`) was processed: one more, or a gap fill's NewSeqNo.
    private mutating func advance(past message: FIXMessage, seq: Int) {
        var next = seq + 1
        if message.msgType == "4", let new = message[FIX.Tag.newSeqNo].flatMap({ Int($0) }), new > next { next = new }
        sequence.nextIncoming = max(sequence.nextIncoming, next)
    }

    // MARK: Inside

    /// Handles one message in sequence (the caller then moves `nextIncoming` past it: `advance`).
    private mutating func process(_ message: FIXMessage, into out: inout Output, now: Int64) {
        switch message.msgType {
        case "A":
            if status == .logonSent { status = .active }
        case "0":
            break
        case "1":
            var fields: [FIXMessage.Field] = [.init(35, "0")]
            if let id = message[FIX.Tag.testReqID] { fields.append(.init(FIX.Tag.testReqID, id)) }
            out.send.append(stamp(FIXMessage(fields), now: now))
        case "2":
            out.send += resend(message, now: now)
        case "4":
            break  // a gap fill: the numbers up to NewSeqNo − 1 were administrative, nothing to deliver (`advance`)
        case "5":
            if status != .logoutSent { out.send += logout(now: now).send }
            status = .disconnected
            out.disconnect = "the other side logged out" + (message[FIX.Tag.text].map { ": \($0)" } ?? "")
        default:
            out.deliver.append(message)  // application messages and session-level Reject (3)
        }
    }

    /// What was held behind a gap that is now filled, in order.
    private mutating func deliverHeld(into out: inout Output, now: Int64) {
        while let next = held.removeValue(forKey: sequence.nextIncoming) {
            if processedAhead.remove(sequence.nextIncoming) == nil { process(next, into: &out, now: now) }
            advance(past: next, seq: sequence.nextIncoming)
            if out.disconnect != nil { return }
        }
        held = held.filter { $0.key > sequence.nextIncoming }
        if let asked = resendRequested, sequence.nextIncoming > asked.upperBound { resendRequested = nil }
    }

    /// Our messages from BeginSeqNo to EndSeqNo (0: all) again: application messages with PossDupFlag=Y and their
    /// OrigSendingTime, runs of administrative (or forgotten) ones as one SequenceReset-GapFill each.
    private mutating func resend(_ request: FIXMessage, now: Int64) -> [FIXMessage] {
        guard let begin = request[FIX.Tag.beginSeqNo].flatMap({ Int($0) }), let endField = request[FIX.Tag.endSeqNo].flatMap({ Int($0) })
        else {
            return []
        }
        let last = sequence.nextOutgoing - 1
        let end = endField == 0 || endField > last ? last : endField
        guard begin >= 1, begin <= end else { return [] }
        var out: [FIXMessage] = []
        var gapStart: Int?
        func closeGap(before k: Int) {
            guard let start = gapStart else { return }
            out.append(
                header(
                    FIXMessage([.init(35, "4"), .init(FIX.Tag.gapFillFlag, "Y"), .init(FIX.Tag.newSeqNo, String(k))]), seq: start, now: now,
                    possDup: true))
            gapStart = nil
        }
        for k in begin...end {
            if let original = sent[k] {
                closeGap(before: k)
                var again = original
                again.fields.removeAll {
                    $0.tag == FIX.Tag.possDupFlag || $0.tag == FIX.Tag.origSendingTime || $0.tag == FIX.Tag.sendingTime
                }
                if let at = original[FIX.Tag.sendingTime] {
                    again.fields.insert(.init(FIX.Tag.origSendingTime, at), at: 1)
                }
                again.fields.insert(.init(FIX.Tag.possDupFlag, "Y"), at: 1)
                again.fields.insert(.init(FIX.Tag.sendingTime, FIXTime.format(now)), at: 1)
                out.append(again)
            } else if gapStart == nil {
                gapStart = k
            }
        }
        closeGap(before: end + 1)
        lastSent = now
        return out
    }

    /// The standard header on a new message with the next outgoing number.
    private mutating func stamp(_ message: FIXMessage, now: Int64) -> FIXMessage {
        let seq = sequence.nextOutgoing
        sequence.nextOutgoing += 1
        lastSent = now
        return header(message, seq: seq, now: now, possDup: false)
    }

    private func header(_ message: FIXMessage, seq: Int, now: Int64, possDup: Bool) -> FIXMessage {
        var fields = message.fields
        let type = fields.isEmpty ? FIXMessage.Field(35, "0") : fields.removeFirst()
        var head: [FIXMessage.Field] = [
            type, .init(FIX.Tag.senderCompID, configuration.senderCompID), .init(FIX.Tag.targetCompID, configuration.targetCompID),
            .init(FIX.Tag.msgSeqNum, String(seq)),
        ]
        if possDup { head.append(.init(FIX.Tag.possDupFlag, "Y")) }
        head.append(.init(FIX.Tag.sendingTime, FIXTime.format(now)))
        return FIXMessage(beginString: message.beginString, head + fields)
    }
}

/// UTCTimestamp as FIX writes it: `YYYYMMDD-HH:MM:SS.sss`.
public enum FIXTime {
    public static func format(_ milliseconds: Int64) -> String {
        let t = CivilTime(milliseconds: milliseconds)
        let two = { CivilTime.padded($0, 2) }
        return
            "\(t.year)\(two(t.month))\(two(t.day))-\(two(t.hour)):\(two(t.minute)):\(two(t.second)).\(CivilTime.padded(t.millisecond, 3))"
    }
}

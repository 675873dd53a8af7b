import SmartSyncFIX
import Testing

/// The initiator's session layer against messages a venue sends, with the clock in milliseconds.
@Suite("FIX session")
struct FIXSessionTests {
    static let config = FIXSession.Configuration(senderCompID: "SMARTSYNC", targetCompID: "VENUE", heartbeatSeconds: 30)
    static let t0: Int64 = 1_796_284_800_000  // 2026-12-03 08:00:00 UTC

    /// A message from the venue: MsgType, MsgSeqNum, then `fields`.
    static func venue(_ type: String, _ seq: Int, _ fields: [FIXMessage.Field] = []) -> FIXMessage {
        FIXMessage(
            [.init(35, type), .init(49, "VENUE"), .init(56, "SMARTSYNC"), .init(34, String(seq)), .init(52, "20261203-08:00:00.000")]
                + fields)
    }

    /// A session logged on: our Logon was 1, the venue's Logon 1.
    static func active() -> FIXSession {
        var s = FIXSession(configuration: config)
        _ = s.connect(now: t0)
        let out = s.receive(venue("A", 1, [.init(98, "0"), .init(108, "30")]), now: t0 + 5)
        #expect(s.status == .active && out.send.isEmpty && out.disconnect == nil)
        return s
    }

    static func execution(_ seq: Int, possDup: Bool = false) -> FIXMessage {
        venue("8", seq, (possDup ? [.init(43, "Y")] : []) + [.init(11, "L1-\(seq)"), .init(17, "X\(seq)"), .init(150, "F")])
    }

    @Test func logonCarriesTheStoredNumbersAndHeader() throws {
        var s = FIXSession(configuration: Self.config, sequence: .init(nextOutgoing: 10, nextIncoming: 7))
        let logon = try #require(s.connect(now: Self.t0).send.first)
        #expect(logon.readable.hasPrefix("8=FIX.4.4|9="))
        #expect(logon.fields.map(\.tag).prefix(5) == [35, 49, 56, 34, 52])
        #expect(logon.msgType == "A" && logon[34] == "10" && logon[49] == "SMARTSYNC" && logon[56] == "VENUE")
        #expect(logon[52] == "20261203-08:00:00.000" && logon[108] == "30" && logon[98] == "0")
        #expect(s.status == .logonSent && s.sequence.nextOutgoing == 11)
        _ = s.receive(Self.venue("A", 7), now: Self.t0 + 1)
        #expect(s.status == .active && s.sequence.nextIncoming == 8)
    }

    @Test func heartbeatsTestRequestsAndASilentVenue() throws {
        var s = Self.active()
        #expect(s.tick(now: Self.t0 + 29_000).send.isEmpty)
        // We were silent for 30 s: a Heartbeat.
        let beat = s.tick(now: Self.t0 + 30_000).send
        #expect(beat.map(\.msgType) == ["0"] && beat[0][34] == "2")
        // The venue silent for 30 s + a fifth: a TestRequest; an answer clears it.
        let test = s.tick(now: Self.t0 + 36_005).send
        #expect(test.map(\.msgType) == ["1"])
        _ = s.receive(Self.venue("0", 2, [.init(112, try #require(test[0][112]))]), now: Self.t0 + 36_100)
        // Silent again, asked again, unanswered for 30 s: disconnect.
        let again = s.tick(now: Self.t0 + 72_200).send
        #expect(again.map(\.msgType).contains("1"))
        #expect(s.tick(now: Self.t0 + 102_199).disconnect == nil)
        #expect(s.tick(now: Self.t0 + 102_200).disconnect?.contains("TestRequest") == true)
    }

    @Test func aTestRequestIsAnsweredWithItsID() {
        var s = Self.active()
        let out = s.receive(Self.venue("1", 2, [.init(112, "ping-7")]), now: Self.t0 + 10)
        #expect(out.send.map(\.msgType) == ["0"] && out.send[0][112] == "ping-7" && out.deliver.isEmpty)
    }

    /// 2 arrives, then 5: 3 and 4 are asked for once; 5 waits; 3 comes again (PossDup), 4 is a gap fill; then 5.
    @Test func aGapIsAskedForAndWhatFollowedItWaits() {
        var s = Self.active()
        #expect(s.receive(Self.execution(2), now: Self.t0 + 10).deliver.map { $0[34] } == ["2"])
        let gap = s.receive(Self.execution(5), now: Self.t0 + 20)
        #expect(gap.deliver.isEmpty)
        #expect(gap.send.map(\.msgType) == ["2"] && gap.send[0][7] == "3" && gap.send[0][16] == "0")
        #expect(s.resendRequested == 3...4)
        // 6 also arrives before the resend: held, and the gap is not asked for again.
        let six = s.receive(Self.execution(6), now: Self.t0 + 25)
        #expect(six.send.isEmpty && six.deliver.isEmpty)
        #expect(s.receive(Self.execution(3, possDup: true), now: Self.t0 + 30).deliver.map { $0[34] } == ["3"])
        let filled = s.receive(Self.venue("4", 4, [.init(43, "Y"), .init(123, "Y"), .init(36, "5")]), now: Self.t0 + 40)
        #expect(filled.deliver.map { $0[34] } == ["5", "6"])
        #expect(s.sequence.nextIncoming == 7 && s.resendRequested == nil)
        // A resent copy of what was delivered is dropped.
        #expect(s.receive(Self.execution(5, possDup: true), now: Self.t0 + 50).deliver.isEmpty)
    }

    /// After a restart that lost the venue's last messages: its Logon comes ahead of the number we expect. It is
    /// taken at once, the gap is asked for, and once the gap is filled the Logon's number is not asked for again.
    @Test func aLogonAheadIsTakenAndTheGapBeforeItFilled() {
        var s = FIXSession(configuration: Self.config, sequence: .init(nextOutgoing: 4, nextIncoming: 2))
        _ = s.connect(now: Self.t0)
        let out = s.receive(Self.venue("A", 4, [.init(98, "0"), .init(108, "30")]), now: Self.t0 + 5)
        #expect(s.status == .active)
        #expect(out.send.map(\.msgType) == ["2"] && out.send[0][7] == "2")
        #expect(s.receive(Self.execution(2, possDup: true), now: Self.t0 + 10).deliver.map { $0[34] } == ["2"])
        _ = s.receive(Self.venue("4", 3, [.init(43, "Y"), .init(123, "Y"), .init(36, "4")]), now: Self.t0 + 20)
        #expect(s.sequence.nextIncoming == 5 && s.resendRequested == nil)
        let five = s.receive(Self.execution(5), now: Self.t0 + 30)
        #expect(five.deliver.map { $0[34] } == ["5"] && five.send.isEmpty)
    }

    @Test func aResetLogonStartsBothSidesAtOne() {
        var s = FIXSession(configuration: Self.config, sequence: .init(nextOutgoing: 40, nextIncoming: 30))
        let logon = s.connect(now: Self.t0, resetSequence: true).send[0]
        #expect(logon[34] == "1" && logon[141] == "Y")
        _ = s.receive(Self.venue("A", 1, [.init(141, "Y")]), now: Self.t0 + 1)
        #expect(s.status == .active && s.sequence == .init(nextOutgoing: 2, nextIncoming: 2))
    }

    @Test func aVenueThatNeverAnswersTheLogonIsLeft() {
        var s = FIXSession(configuration: Self.config)
        _ = s.connect(now: Self.t0)
        #expect(s.tick(now: Self.t0 + 29_999).disconnect == nil)
        #expect(s.tick(now: Self.t0 + 30_000).disconnect == "no answer to our Logon in 30 s")
    }

    /// A ResendRequest and a Logout that come ahead of the expected number are acted on at once, not held.
    @Test func aResendRequestOrLogoutAheadIsActedOnAtOnce() {
        var s = Self.active()
        _ = s.send(FIXMessage([.init(35, "D"), .init(11, "L1-1")]), now: Self.t0 + 100)
        let out = s.receive(Self.venue("2", 5, [.init(7, "2"), .init(16, "0")]), now: Self.t0 + 200)
        // Our order again first (the venue asked for it), then our own request for the venue's gap 2…4.
        #expect(out.send.map(\.msgType) == ["D", "2"] && out.send[0][43] == "Y" && out.send[1][7] == "2")
        var t = Self.active()
        let bye = t.receive(Self.venue("5", 9, [.init(58, "session closed for the day")]), now: Self.t0 + 300)
        #expect(bye.disconnect == "the other side logged out: session closed for the day" && bye.send.map(\.msgType) == ["5"])
    }

    @Test func aResetLogonFromTheVenueStartsItsNumbersAgain() {
        var s = Self.active()
        _ = s.receive(Self.execution(2), now: Self.t0 + 10)
        let out = s.receive(Self.venue("A", 1, [.init(141, "Y")]), now: Self.t0 + 20)
        #expect(out.disconnect == nil && out.send.isEmpty && s.sequence.nextIncoming == 2)
        #expect(s.receive(Self.execution(2), now: Self.t0 + 30).deliver.count == 1)
    }

    @Test func aNumberTooLowWithoutPossDupEndsTheSession() {
        var s = Self.active()
        _ = s.receive(Self.execution(2), now: Self.t0 + 10)
        let out = s.receive(Self.execution(2), now: Self.t0 + 20)
        #expect(out.send.map(\.msgType) == ["5"] && out.send[0][58]?.contains("expecting 3 but received 2") == true)
        #expect(out.disconnect != nil && out.deliver.isEmpty)
    }

    /// Our 2 and 3 are orders, 4 a Heartbeat, 5 an order: asked from 2, we send 2 and 3 again as PossDup with their
    /// first SendingTime, a gap fill over 4, then 5.
    @Test func aResendRequestGetsOurOrdersAgainAndAGapFillForTheRest() {
        var s = Self.active()
        let order2 = s.send(FIXMessage([.init(35, "D"), .init(11, "L1-1")]), now: Self.t0 + 100)
        _ = s.send(FIXMessage([.init(35, "D"), .init(11, "L1-2")]), now: Self.t0 + 200)
        #expect(s.tick(now: Self.t0 + 30_200).send.map(\.msgType) == ["0"])
        _ = s.receive(Self.venue("0", 2), now: Self.t0 + 30_300)
        _ = s.send(FIXMessage([.init(35, "F"), .init(11, "L1-3"), .init(41, "L1-2")]), now: Self.t0 + 30_400)
        let out = s.receive(Self.venue("2", 3, [.init(7, "2"), .init(16, "0")]), now: Self.t0 + 31_000)
        #expect(out.send.map(\.msgType) == ["D", "D", "4", "F"])
        #expect(out.send.map { $0[34] } == ["2", "3", "4", "5"])
        #expect(out.send[0][43] == "Y" && out.send[0][122] == order2[52] && out.send[0][52] == "20261203-08:00:31.000")
        #expect(out.send[0][11] == "L1-1" && out.send[2][123] == "Y" && out.send[2][36] == "5")
        #expect(out.send.allSatisfy { (try? $0.encoded()) != nil })
        #expect(s.sequence.nextOutgoing == 6)  // resending takes no new numbers
    }

    @Test func aSequenceResetInResetModeMovesTheExpectedNumber() {
        var s = Self.active()
        _ = s.receive(Self.venue("4", 99, [.init(36, "40")]), now: Self.t0 + 10)
        #expect(s.sequence.nextIncoming == 40)
        #expect(s.receive(Self.execution(40), now: Self.t0 + 20).deliver.count == 1)
        #expect(s.receive(Self.venue("4", 41, [.init(36, "12")]), now: Self.t0 + 30).disconnect != nil)
    }

    @Test func aLogoutIsAnsweredAndEndsTheSession() {
        var s = Self.active()
        let out = s.receive(Self.venue("5", 2, [.init(58, "maintenance")]), now: Self.t0 + 10)
        #expect(out.send.map(\.msgType) == ["5"] && out.disconnect == "the other side logged out: maintenance")
        #expect(s.status == .disconnected && s.sequence.nextIncoming == 3)
    }

    @Test func messagesForAnotherSessionAreRefused() {
        var s = Self.active()
        let stray = FIXMessage([.init(35, "8"), .init(49, "OTHER"), .init(56, "SMARTSYNC"), .init(34, "2")])
        #expect(s.receive(stray, now: Self.t0 + 10).disconnect?.contains("not this session's") == true)
    }

    @Test(arguments: [
        (Int64(0), "19700101-00:00:00.000"), (1_231_352_116_000, "20090107-18:15:16.000"),
        (951_868_799_123, "20000229-23:59:59.123"), (-1_000, "19691231-23:59:59.000"), (1_796_284_800_007, "20261203-08:00:00.007"),
    ])
    func sendingTimesAreUTC(_ ms: Int64, _ text: String) {
        #expect(FIXTime.format(ms) == text)
    }
}

import Foundation
import SmartSyncCore
import SmartSyncFIX
import Testing

/// The initiator against a real FIX 4.4 counterparty: QuickFIX's `executor` (`scripts/fix-venue start`), which
/// fills every limit order whole at its price. Runs when `SMARTSYNC_TEST_FIX` names it (`host:port`, sessions
/// SMARTSYNC → VENUE), as CI does; skipped, saying so, otherwise.
@Suite("FIX venue", .serialized, .timeLimit(.minutes(1)))
struct FIXVenueTests {
    static let address: (host: String, port: Int)? = {
        guard let text = ProcessInfo.processInfo.environment["SMARTSYNC_TEST_FIX"], let colon = text.lastIndex(of: ":"),
            let port = Int(text[text.index(after: colon)...])
        else { return nil }
        return (String(text[..<colon]), port)
    }()
    static let config = FIXSession.Configuration(senderCompID: "SMARTSYNC", targetCompID: "VENUE", heartbeatSeconds: 5)
    static let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }

    static func newOrder(_ id: String, quantity: String, price: String) -> FIXMessage {
        FIXMessage([
            .init(35, "D"), .init(11, id), .init(21, "1"), .init(55, "ETH-USDT"), .init(54, "1"),
            .init(60, FIXTime.format(clock())), .init(38, quantity), .init(40, "2"), .init(44, price), .init(59, "3"),
        ])
    }

    /// The venue's execution report as a `VenueOrder` event: LastQty (32) at LastPx (31), ExecID (17).
    static func fill(_ report: FIXMessage) throws -> VenueOrder.Event {
        let quantity = try Fixed(try #require(report[32]))
        let price = try Fixed(try #require(report[31]))
        return .fill(
            executionID: try #require(report[17]), quantity: quantity, quote: try quantity.multiplied(by: price, .halfEven), fee: .zero)
    }

    /// Logon (resetting the numbers), an order filled, logout; then a restart that lost the venue's last two
    /// messages: the gap is asked for, the venue sends its execution report again (PossDup) and the order state
    /// machine refuses it as an execution already applied; a new order goes through on the same numbers.
    @Test(.enabled(if: address != nil, "SMARTSYNC_TEST_FIX is not set: start scripts/fix-venue and set it to host:port"))
    func anOrderFillsAndAResentReportIsAppliedOnce() async throws {
        let (host, port) = try #require(Self.address)
        let id = "T\(Self.clock())"
        var order = VenueOrder(clientOrderID: id, size: .quantity(try Fixed("1.5")))
        try order.apply(.sent)
        let first = try await FIXInitiator.run(
            host: host, port: port, session: FIXSession(configuration: Self.config), resetSequence: true, clock: Self.clock
        ) { link in
            try await link.loggedOn()
            try await link.send(Self.newOrder(id, quantity: "1.5", price: "2000.25"))
            return try await link.next()
        }
        let report = first.result
        #expect(report.msgType == "8" && report[11] == id && report[39] == "2" && report[150] == "F")
        let (cumQty, avgPx) = (try Fixed(try #require(report[14])), try Fixed(try #require(report[6])))
        let (ordered, price, quote) = (try Fixed("1.5"), try Fixed("2000.25"), try Fixed("3000.375"))
        #expect(cumQty == ordered && avgPx == price)
        try order.apply(try Self.fill(report))
        #expect(order.status == .filled && order.filledQuote == quote)
        // Our Logon and order, their Logon, report and Logout reply.
        #expect(first.sequence.nextOutgoing >= 4 && first.sequence.nextIncoming >= 4)

        // Restart with the venue's last two messages (the report, the Logout) forgotten.
        let lost = FIXSession.Sequence(nextOutgoing: first.sequence.nextOutgoing, nextIncoming: first.sequence.nextIncoming - 2)
        let second = try await FIXInitiator.run(
            host: host, port: port, session: FIXSession(configuration: Self.config, sequence: lost), clock: Self.clock
        ) { link in
            try await link.loggedOn()
            let again = try await link.next()
            let id2 = id + "-2"
            try await link.send(Self.newOrder(id2, quantity: "0.1", price: "1999"))
            let next = try await link.next()
            return (again, next, await link.transcript)
        }
        let (again, next, transcript) = second.result
        #expect(transcript.contains { $0.hasPrefix("out 8=FIX.4.4") && $0.contains("|35=2|") && $0.contains("|7=\(lost.nextIncoming)|") })
        #expect(again[11] == id && again[17] == report[17] && again[43] == "Y")
        var refused: VenueOrderRefusal.Kind?
        do { try order.apply(try Self.fill(again)) } catch let error as VenueOrderRefusal { refused = error.kind }
        #expect(refused == .duplicateExecution)
        #expect(order.filledQuantity == ordered)
        #expect(next[11] == id + "-2" && next[39] == "2" && next[43] == nil)
        #expect(second.sequence.nextIncoming > first.sequence.nextIncoming)
    }

    /// What the executor does not do is refused through FIX, and read as refusals: a market order (it takes limit
    /// orders only) gets a session Reject, an OrderCancelRequest (it has no handler) a BusinessMessageReject.
    @Test(.enabled(if: address != nil, "SMARTSYNC_TEST_FIX is not set: start scripts/fix-venue and set it to host:port"))
    func whatTheVenueRefusesIsReadAsRefusals() async throws {
        let (host, port) = try #require(Self.address)
        let id = "R\(Self.clock())"
        let market = try FIXOrders.newOrderSingle(
            clientOrderID: id, symbol: "ETH-USDT", side: .buy, size: .quantity(Fixed(1)), kind: .market, transactTime: Self.clock())
        let cancel = FIXOrders.cancelRequest(
            clientOrderID: id + "-c", original: id, symbol: "ETH-USDT", side: .buy, quantity: Fixed(1), transactTime: Self.clock())
        let (reports, _, _) = try await FIXInitiator.run(
            host: host, port: port, session: FIXSession(configuration: Self.config), resetSequence: true, clock: Self.clock
        ) { link in
            try await link.loggedOn()
            let sentMarket = try await link.send(market)
            let first = try await link.next()
            let sentCancel = try await link.send(cancel)
            let second = try await link.next()
            return (first, sentMarket[34], second, sentCancel[34])
        }
        let (first, marketSeq, second, cancelSeq) = reports
        let reject = try #require(try FIXOrders.report(first))
        #expect(
            first.msgType == "3" && first[45] == marketSeq
                && reject.refusal?.contains("session Reject of our message \(marketSeq ?? "")") == true)
        let business = try #require(try FIXOrders.report(second))
        #expect(
            second.msgType == "j" && second[45] == cancelSeq && business.refusal?.contains("BusinessMessageReject of our F message") == true
        )
    }

    struct Stop: Error {}

    /// A body that fails ends the connection and the call at once (no task left waiting for the venue).
    @Test(.enabled(if: address != nil, "SMARTSYNC_TEST_FIX is not set: start scripts/fix-venue and set it to host:port"))
    func aFailingBodyClosesTheConnection() async throws {
        let (host, port) = try #require(Self.address)
        let started = ContinuousClock.now
        await #expect(throws: Stop.self) {
            _ = try await FIXInitiator.run(
                host: host, port: port, session: FIXSession(configuration: Self.config), resetSequence: true, clock: Self.clock
            ) { link in
                try await link.loggedOn()
                throw Stop()
            }
        }
        #expect(started.duration(to: .now) < .seconds(5))
    }

    @Test func nobodyListeningIsAnErrorNotAHang() async {
        await #expect(throws: (any Error).self) {
            _ = try await FIXInitiator.run(host: "127.0.0.1", port: 1, session: FIXSession(configuration: Self.config), clock: Self.clock) {
                _ in 0
            }
        }
    }
}

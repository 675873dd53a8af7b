import Foundation
import Logging
import SmartSyncCore
import SmartSyncFIX
import SmartSyncStore
import Testing

@testable import SmartSyncServer

/// The server trading at a real FIX 4.4 counterparty (QuickFIX's `executor`, started by `scripts/fix-venue`, which
/// fills every limit order whole at its limit price): a lead's order goes out, its fill comes back as a lead fill,
/// the copies' merged order goes out immediate-or-cancel at the slippage limit and its fill is allocated to them.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct FIXVenueServiceTests {
    static let venue: String? = ProcessInfo.processInfo.environment["SMARTSYNC_TEST_FIX"]

    @Test func venueAddressesAreReadOrRefusedWithTheReason() throws {
        let address = try FIXVenueAddress("fix://127.0.0.1:5001?sender=SMARTSYNC&target=VENUE")
        #expect(address.host == "127.0.0.1" && address.port == 5001 && address.sender == "SMARTSYNC" && address.target == "VENUE")
        for bad in [
            "tcp://127.0.0.1:5001?sender=A&target=B", "fix://127.0.0.1?sender=A&target=B", "fix://127.0.0.1:0?sender=A&target=B",
            "fix://127.0.0.1:5001?sender=A", "fix://127.0.0.1:5001?sender=A&target=B&colour=red",
        ] {
            #expect(throws: FieldError.self, "\(bad)") { try FIXVenueAddress(bad) }
        }
    }

    @Test func venueMessagesBecomeReports() throws {
        func message(_ fields: [(Int, String)]) -> FIXMessage { FIXMessage(fields.map { FIXMessage.Field($0.0, $0.1) }) }
        // An immediate-or-cancel order's trade report that also ends it: the fill, then the end with CumQty.
        let ioc = FIXVenueService.reports(
            message([(35, "8"), (11, "SS-2"), (17, "9"), (150, "F"), (39, "C"), (32, "0.005"), (31, "50000"), (14, "0.005")]),
            refusedOrder: nil)
        let half = try Fixed("0.005")
        #expect(ioc.map(\.kind) == [.fill, .expired] && ioc[1].cumulativeQuantity == half)
        #expect(ioc[0].executionID == "9" && ioc[0].quantity == half && ioc[0].price == Fixed(50_000))
        #expect(ioc[0].commission == nil)
        // Commission (12): an absolute amount (CommType 3, or none) in USDT (CommCurrency 479, or none) is carried;
        // other forms are not (the fee at the operator's rate is booked).
        func commission(_ extra: [(Int, String)]) -> Fixed? {
            FIXVenueService.reports(
                message([(35, "8"), (11, "SS-5"), (17, "10"), (150, "F"), (39, "2"), (32, "0.005"), (31, "50000")] + extra),
                refusedOrder: nil
            ).first?.commission
        }
        #expect(commission([(12, "0.1875")]) == (try Fixed("0.1875")))
        #expect(commission([(12, "0.1875"), (13, "3"), (479, "USDT")]) == (try Fixed("0.1875")))
        #expect(commission([(12, "0.1"), (13, "2")]) == nil && commission([(12, "0.00001"), (479, "BTC")]) == nil)
        #expect(commission([(12, "abc")]) == nil)
        // A status answer (ExecType I) saying the venue cancelled it: a report that stays quiet if it changes nothing.
        let status = FIXVenueService.reports(message([(35, "8"), (11, "SS-3"), (150, "I"), (39, "4"), (14, "0")]), refusedOrder: nil)
        #expect(status.map(\.kind) == [.cancelled] && status[0].possibleDuplicate == true)
        // A session Reject of our NewOrderSingle names only its number: the order it carried is rejected.
        let reject = FIXVenueService.reports(message([(35, "3"), (45, "7"), (372, "D"), (58, "bad OrdType")]), refusedOrder: "SS-4")
        #expect(reject.map(\.kind) == [.rejected] && reject[0].clientOrderID == "SS-4" && reject[0].reason == "bad OrdType")
        // A refused status request changes nothing.
        #expect(FIXVenueService.reports(message([(35, "j"), (45, "8"), (372, "H"), (380, "3")]), refusedOrder: nil).isEmpty)
    }

    @Test(.enabled(if: venue != nil, "SMARTSYNC_TEST_FIX is not set: start scripts/fix-venue and set it to host:port"))
    func aLeadOrderAndItsCopiesTradeAtTheVenue() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smartsync-fix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        let service = try EngineService(
            databasePath: directory.appendingPathComponent("venue.sqlite").path, logger: Logger(label: "test"), now: clock)
        let btc = try Symbol(
            name: "BTC-USDT", qtyStep: try Fixed("0.00001"), priceTick: try Fixed("0.01"), minQty: try Fixed("0.00001"),
            minNotional: Fixed(5))
        try await service.executeBatch([
            .listSymbol(btc, price: Fixed(50_000), book: nil), .addUser("lead"), .addUser("alice"), .addUser("bob"),
            .deposit(user: "lead", amount: Fixed(20_000)), .deposit(user: "alice", amount: Fixed(1_000)),
            .deposit(user: "bob", amount: Fixed(3_000)),
            .startLeading(user: "lead", portfolio: Fixed(10_000), profitShareRate: nil, slippageLimit: nil, followerLimit: nil),
            .startCopy(StartCopyRequest(copyID: "alice-1", user: "alice", lead: "lead", investment: Fixed(1_000))),
            .startCopy(StartCopyRequest(copyID: "bob-1", user: "bob", lead: "lead", investment: Fixed(3_000))),
        ])
        let text = try #require(Self.venue)
        // Its own session (the executor accepts SMARTSYNC, SMARTSYNC2 and SMARTSYNC3): other suites log on meanwhile.
        let address = try FIXVenueAddress("fix://\(text)?sender=SMARTSYNC2&target=VENUE")
        let adapter = FIXVenueService(service: service, address: address, clock: clock, logger: Logger(label: "venue"))
        let running = Task { try await adapter.run() }
        defer { running.cancel() }
        // The adapter puts the engine on the venue first.
        while service.read({ $0.venueMode }) != .external { try await Task.sleep(for: .milliseconds(5)) }
        // Its client order ids start with the database's own prefix (8 hex digits of its id), on the wire too.
        let prefix = try #require(service.orderIDPrefix)
        #expect(prefix.count == 8 && service.read { $0.venueBook.orderIDPrefix } == prefix)
        func id(_ n: Int) -> String { "\(prefix)-SS-\(n)" }
        #expect(
            try await service.execute(
                .order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quantity: try Fixed("0.02"), limitPrice: Fixed(50_000)))))
        // Lead order id(1) fills at 50,000; the copies' id(2) (0.008 at the 0.5% limit, 50,250) fills there too.
        while service.read({ $0.venueBook.record(id(2))?.order.status != .filled }) { try await Task.sleep(for: .milliseconds(5)) }
        let engine = service.read { $0 }
        #expect(engine.venueBook.record(id(1))?.order.status == .filled && engine.leadFillCount == 1)
        let merged = try #require(engine.venueBook.record(id(2)))
        #expect(merged.immediateOrCancel && merged.limitPrice == Fixed(50_250) && merged.order.filledQuote == Fixed(402))
        // alice: 200 lots for 100.5 USDT + 0.1005 fee; bob: 600 lots for 301.5 + 0.3015.
        let alice = try #require(engine.copy(named: "alice-1"))
        let bob = try #require(engine.copy(named: "bob-1"))
        #expect(engine.leads[0].book[alice.slot].cash == (try Fixed("899.3995")))
        #expect(engine.leads[0].book[bob.slot].cash == (try Fixed("2698.1985")))
        #expect(engine.venueBook.refusals.isEmpty)
        // What the operator's GET /v1/venue shows: the venue, two orders sent, none open, no refusal.
        let view = APIHandlers.venue(engine)
        #expect(view.venue == .external && view.ordersSent == 2)
        #expect(view.open.isEmpty && view.refusals.isEmpty)
        // The venue's number is stored just after its report is applied: wait for the last one (its Logon reply was
        // 1, the two reports 2 and 3).
        while (try await service.venueSessions.load(adapter.sessionName))?.nextIncoming ?? 0 <= 3 {
            try await Task.sleep(for: .milliseconds(2))
        }
        running.cancel()
        _ = try? await running.value
        // The session's numbers and our orders were stored as they went out.
        let kept = try #require(try await service.venueSessions.load(adapter.sessionName))
        #expect(kept.nextOutgoing > 3 && kept.nextIncoming > 3)
        #expect(
            kept.sent.values.contains { $0.contains("\u{1}11=\(id(1))\u{1}") }
                && kept.sent.values.contains { $0.contains("\u{1}11=\(id(2))\u{1}") })

        // A crash between logging an order as sent and storing its message: the order never left. On the next
        // logon (the stored numbers resumed, no reset) it is withdrawn and the lead's money freed.
        #expect(
            try await service.execute(
                .order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quantity: try Fixed("0.01"), limitPrice: Fixed(49_000)))))
        #expect(try await service.execute(.venueSent(clientOrderID: id(3))))
        let again = Task { try await adapter.run() }
        defer { again.cancel() }
        while service.read({ $0.venueBook.record(id(3))?.order.status != .cancelled }) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(service.read { $0.order(id: 2)?.cancelReason?.contains("never reached the venue") } == true)
        // The resumed session trades on: the lead's next order fills.
        #expect(
            try await service.execute(
                .order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .sell, quantity: try Fixed("0.01"), limitPrice: Fixed(50_500))))
        )
        while service.read({ $0.venueBook.record(id(4))?.order.status != .filled }) { try await Task.sleep(for: .milliseconds(5)) }
        // A block order: the lead's market buy and its copies' are one immediate-or-cancel order at the slippage limit,
        // allocated to all of them at the one price the venue filled it at.
        while service.read({ $0.venueBook.isBusy(lead: 0) }) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(try await service.execute(.executionMode(lead: "lead", .block)))
        #expect(try await service.execute(.order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(500)))))
        let block = try #require(service.read { $0.venueBook.orders.last })
        #expect(block.clientOrderID == id(6) && block.block != nil && block.immediateOrCancel)
        while service.read({ $0.venueBook.record(id(6))?.order.status != .filled }) { try await Task.sleep(for: .milliseconds(5)) }
        let filled = service.read { $0 }
        let blockFill = try #require(filled.leadFills.last)
        let done = try #require(filled.venueBook.record(id(6)))
        #expect(blockFill.id == "\(id(6))/block" && blockFill.price == block.limitPrice)
        // Every lot went to the lead or a copy (BTC's step 0.00001 is 1,000 units of 1e-8).
        let copiesLots = done.copies?.lotsGiven ?? 0
        #expect(done.copies?.isReleased == true && done.copies?.slots.isEmpty == true)
        #expect(copiesLots > 0 && blockFill.quantity + Fixed(units: copiesLots * 1_000) == done.order.filledQuantity)
        #expect(filled.order(id: block.block!.order)?.status == .filled && filled.venueBook.refusals.isEmpty)
        // The numbers went on from where they were (a reset would have started them at 1 again).
        while (try await service.venueSessions.load(adapter.sessionName))?.nextIncoming ?? 0 <= kept.nextIncoming {
            try await Task.sleep(for: .milliseconds(2))
        }
        let resumed = try #require(try await service.venueSessions.load(adapter.sessionName))
        #expect(resumed.nextOutgoing > kept.nextOutgoing)
        again.cancel()
        _ = try? await again.value
        // The log replays to the same venue book and books that balance (the audit `smartsync audit` runs).
        let store = try StoreDatabase.openExisting(directory.appendingPathComponent("venue.sqlite").path)
        #expect(try store.verify().isEmpty)
        #expect(store.engine.venueBook == service.read { $0.venueBook })
    }
}

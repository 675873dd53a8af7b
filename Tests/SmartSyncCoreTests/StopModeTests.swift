import SmartSyncCore
import Testing

/// The follower's three ways to stop a copy (docs/rules.md §3, `StopMode`), from DESIGN's example: lead 10,000;
/// copy c1 of 1,000 holding 0.002 BTC (200 lots, cost 100.1) and 899.9 USDT after the lead's 1,000 USDT buy at
/// 50,000. The commands go through `execute`, as the server and scenarios send them: a closing copy is settled after
/// the command that leaves it nothing to sell.
@Suite("Stop modes: sell all, keep the holdings, close only")
struct StopModeTests {
    static func designExample() throws -> Sim { try LifecycleTests.designExample() }

    static func order(_ user: String, _ side: Side, quote: String? = nil, quantity: String? = nil) -> EngineCommand {
        .order(
            OrderRequest(
                user: user, symbol: TestMarket.btc, side: side, quoteAmount: quote.map(fx), quantity: quantity.map(fx)))
    }

    /// keepHoldings sells nothing: the 0.002 BTC moves to the follower's main account with its cost 100.1 (a main
    /// position at 50,050 average), the 899.9 USDT too; nothing was realized, so no profit share.
    @Test("keepHoldings: nothing sold, holdings and cash move to the main account as they are")
    func keepHoldings() throws {
        var sim = try Self.designExample()
        let batches = sim.batches.count
        try sim.engine.execute(.stopCopy(copy: "c1", mode: .keepHoldings), at: sim.next())
        let ref = try sim.ref("c1")
        let copy = sim.engine.leads[0].book[ref.slot]
        #expect(copy.status == .stopped && copy.stopReason == .follower)
        #expect(copy.cash == .zero && copy.holdings.isEmpty && copy.realizedPnl == .zero && copy.profitSharePaid == .zero)
        #expect(sim.batches.count == batches, "keepHoldings sold something")
        #expect(try sim.mainBalance("user-c1") == fx("899.9"))
        #expect(try sim.mainBalance("user-c1", "BTC") == fx("0.002"))
        let u = try #require(sim.engine.user(named: "user-c1"))
        #expect(sim.engine.users[u].positions[TestMarket.btcIndex]?.cost == fx("100.1"))
        // What left the copy: 899.9 cash and 0.002 × 50,000 = 100 of BTC at the mark.
        #expect(copy.totalOut == fx("999.9"))
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// closeOnly: the copy keeps its 200 lots and buys nothing when the lead buys 1,000 more (the lead now holds
    /// 0.04 BTC); money cannot be added. The lead sells 0.02 of 0.04: the copy sells the same half, 100 lots = 0.001
    /// BTC for 50 − fee 0.05 → cash 949.85, still closing (0.001 × 50,000 = 50 ≥ minNotional 5). The lead sells its
    /// last 0.02: the copy sells its last 100 lots for 49.95 → cash 999.8 and nothing held, so the same command stops
    /// it (reason follower). Realized 99.9 − 100.1 = −0.2: no profit share; 999.8 returns to the main account.
    @Test("closeOnly: no buys, follows the lead's sells, stops in the command that empties it")
    func closeOnly() throws {
        var sim = try Self.designExample()
        let ref = try sim.ref("c1")
        try sim.engine.execute(.stopCopy(copy: "c1", mode: .closeOnly), at: sim.next())
        #expect(sim.engine.leads[0].book[ref.slot].status == .closing)
        #expect(sim.engine.leads[0].book.closingCount == 1 && sim.engine.leads[0].book.activeCount == 1)
        #expect(try sim.lots("c1") == 200)
        #expect(sim.engine.copyHistory(ref).contains { $0.kind == .change(.closeOnly) })
        // A snapshot keeps the status and the history item; the count is rebuilt from the status.
        let restored = try Engine(snapshot: sim.engine.snapshotBytes())
        #expect(restored.leads[0].book.closingCount == 1 && restored.leads[0].book[ref.slot].status == .closing)
        #expect(restored.copyHistory(ref) == sim.engine.copyHistory(ref))
        #expect(restored.snapshotBytes() == sim.engine.snapshotBytes())
        // Asked again: refused, naming the field.
        let again = refusal { try sim.engine.execute(.stopCopy(copy: "c1", mode: .closeOnly), at: sim.next()) }
        #expect(again?.field == "mode")

        let batches = sim.batches.count
        try sim.engine.execute(Self.order("lead", .buy, quote: "1000"), at: sim.next())
        #expect(try sim.lots("c1") == 200 && sim.batches.count == batches, "a closing copy bought")
        #expect(try sim.failures("c1").isEmpty, "skipping a closing copy's buy is not a failed copy order")
        #expect(sim.engine.leads[0].positions[TestMarket.btcIndex]?.quantity == fx("0.04"))

        let add = refusal { try sim.engine.execute(.adjustInvestment(copy: "c1", delta: fx("100")), at: sim.next()) }
        #expect(add?.code == .copyNotActive && add?.field == "delta")

        try sim.engine.execute(Self.order("lead", .sell, quantity: "0.02"), at: sim.next())
        #expect(try sim.lots("c1") == 100)
        #expect(try sim.cash("c1") == fx("949.85"))
        #expect(sim.engine.leads[0].book[ref.slot].status == .closing)

        let last = sim.next()
        try sim.engine.execute(Self.order("lead", .sell, quantity: "0.02"), at: last)
        let copy = sim.engine.leads[0].book[ref.slot]
        #expect(copy.status == .stopped && copy.stopReason == .follower && copy.stoppedEvent == last.event)
        #expect(copy.realizedPnl == fx("-0.2") && copy.profitSharePaid == .zero && copy.holdings.isEmpty)
        #expect(try sim.mainBalance("user-c1") == fx("999.8"))
        #expect(sim.engine.leads[0].book.closingCount == 0 && sim.engine.leads[0].book.activeCount == 0)
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// A closing copy with 100 lots left (after the lead sold half): at 5,000 its 0.001 BTC is worth exactly
    /// minNotional 5, still sellable; at 4,999.99 it is worth 4.99999 < 5. It can no longer sell anything, so that price update stops it and the 0.001 BTC moves as
    /// it is (dust) to the main account beside the 949.85 USDT.
    @Test("closeOnly: a copy left with only dust stops and moves it as it is")
    func closeOnlyDust() throws {
        var sim = try Self.designExample()
        let ref = try sim.ref("c1")
        try sim.engine.execute(.stopCopy(copy: "c1", mode: .closeOnly), at: sim.next())
        try sim.engine.execute(Self.order("lead", .sell, quantity: "0.01"), at: sim.next())
        #expect(try sim.lots("c1") == 100 && sim.engine.leads[0].book[ref.slot].status == .closing)
        try sim.engine.execute(.price(symbol: TestMarket.btc, price: fx("5000")), at: sim.next())
        #expect(sim.engine.leads[0].book[ref.slot].status == .closing, "0.001 × 5,000 = 5 is sellable")
        try sim.engine.execute(.price(symbol: TestMarket.btc, price: fx("4999.99")), at: sim.next())
        let copy = sim.engine.leads[0].book[ref.slot]
        #expect(copy.status == .stopped && copy.stopReason == .follower)
        #expect(try sim.mainBalance("user-c1") == fx("949.85"))
        #expect(try sim.mainBalance("user-c1", "BTC") == fx("0.001"))
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// A closing copy can still be ended the other ways: sellAll sells its 200 lots at once (99.9 → 999.8 in all).
    @Test("A closing copy can still sell everything now")
    func closingThenSellAll() throws {
        var sim = try Self.designExample()
        try sim.engine.execute(.stopCopy(copy: "c1", mode: .closeOnly), at: sim.next())
        try sim.engine.execute(.stopCopy(copy: "c1", mode: .sellAll), at: sim.next())
        let ref = try sim.ref("c1")
        #expect(sim.engine.leads[0].book[ref.slot].status == .stopped)
        #expect(try sim.mainBalance("user-c1") == fx("999.8"))
        #expect(sim.engine.leads[0].book.closingCount == 0)
    }

    /// A copy that holds nothing (it started after the lead bought, without buying existing assets) stops at once.
    @Test("closeOnly on a copy that holds nothing stops it at once")
    func closeOnlyFlat() throws {
        var sim = try Self.designExample()
        try sim.copy("late", of: "lead", investment: "500")
        let ref = try sim.ref("late")
        try sim.engine.execute(.stopCopy(copy: "late", mode: .closeOnly), at: sim.next())
        #expect(sim.engine.leads[0].book[ref.slot].status == .stopped && sim.engine.leads[0].book[ref.slot].stopReason == .follower)
        #expect(try sim.mainBalance("user-late") == fx("500"))
    }
}

/// The stop modes at an external venue (DESIGN §3b), from `ExternalVenueTests.market()`: lead 10,000, alice 1,000,
/// bob 3,000. The lead's 0.02 BTC buy at 50,000 fills; the copies' merged buy SS-2 (alice 200 lots, bob 600) is in
/// flight.
@Suite("Stop modes at an external venue")
struct ExternalStopModeTests {
    /// While SS-2 is in flight, keepHoldings is refused (naming `mode`, nothing changed) and closeOnly is accepted
    /// but not settled. SS-2 fills: bob holds 600 lots (0.006 BTC for 300 + 0.3 fee, cash 2,699.7) and stays
    /// closing. The lead sells its 0.02: the merged sell SS-4 (alice 200, bob 600) is in flight, bob still closing.
    /// It fills at 50,000: bob gets 300 − 0.3 = 299.7 → cash 2,999.4, holds nothing, and the venue's report that made
    /// the lead idle stops it (reason follower); realized 299.7 − 300.3 = −0.6, no profit share.
    @Test("keepHoldings waits for the venue; a closing copy is settled on the report that makes its lead idle")
    func stopModesAtTheVenue() throws {
        var sim = try ExternalVenueTests.market()
        try sim.buy("lead", quantity: "0.02", limit: "50000")
        try ExternalVenueTests.fillWhole(&sim, "SS-1", qty: "0.02", px: "50000")
        let before = sim.engine.snapshotBytes()
        let refused = refusal { try sim.engine.execute(.stopCopy(copy: "alice", mode: .keepHoldings), at: sim.next()) }
        #expect(refused?.code == .orderInFlight && refused?.field == "mode")
        #expect(sim.engine.snapshotBytes() == before)

        let bob = try sim.ref("bob")
        try sim.engine.execute(.stopCopy(copy: "bob", mode: .closeOnly), at: sim.next())
        #expect(sim.engine.leads[0].book[bob.slot].status == .closing)
        try ExternalVenueTests.fillWhole(&sim, "SS-2", qty: "0.008", px: "50000")
        #expect(try sim.lots("bob") == 600 && sim.cash("bob") == fx("2699.7"))
        #expect(sim.engine.leads[0].book[bob.slot].status == .closing)

        try sim.sell("lead", quantity: "0.02", limit: "50000")
        try ExternalVenueTests.fillWhole(&sim, "SS-3", qty: "0.02", px: "50000")
        let merged = try #require(sim.engine.venueBook.record("SS-4"))
        #expect(merged.copies?.lots == [200, 600])
        #expect(sim.engine.leads[0].book[bob.slot].status == .closing, "settled while its sell is in flight")
        try ExternalVenueTests.fillWhole(&sim, "SS-4", qty: "0.008", px: "50000")
        let row = sim.engine.leads[0].book[bob.slot]
        #expect(row.status == .stopped && row.stopReason == .follower && row.realizedPnl == fx("-0.6") && row.profitSharePaid == .zero)
        #expect(try sim.mainBalance("user-bob") == fx("2999.4"))
        #expect(sim.engine.audit().problems.isEmpty)
    }
}

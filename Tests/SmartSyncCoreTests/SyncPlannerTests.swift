import Testing

@testable import SmartSyncCore

/// The planner is a function of (copy book, symbol rules, lot values, lead fill) → plan: called on its own with the
/// inputs the engine would gather, it gives DESIGN's numbers, the same plan every time, and reads nothing else.
@Suite struct SyncPlannerTests {
    /// DESIGN's rule with hand numbers: the lead spends 400 of its 10,000 USDT (4%) on BTC at 50,000; the 1,000 USDT
    /// copy buys 4% of its equity, 40 USDT = 80 lots of 0.00001 BTC (0.5 USDT each); the 100 USDT copy's 4 USDT is
    /// below minNotional 5 (it fails, not sent).
    @Test func designExampleAsAFunction() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("c1", of: "lead", investment: "1000")
        try sim.copy("small", of: "lead", investment: "100")
        let engine = sim.engine
        let book = engine.leads[0].book
        let rules = engine.buyRules(symbol: 0, price: fx("50000"), limit: nil)
        #expect(rules.lotPrice == fx("0.5").units && rules.minNotional == fx("5").units && rules.rate == fx("0.001").units)

        func plan(lotValues: [Int64]) throws -> SyncPlan {
            var ws = FanOutWorkspace()
            try SyncPlanner.planBuys(
                book, lead: 0, symbol: 0, price: fx("50000"), rules: rules, lotValues: lotValues,
                target: .ratio(quote: fx("400").units, leadEquity: fx("10000").units), slots: .allActive, controls: [], event: 99,
                workspace: &ws)
            return ws.plan
        }
        let p = try plan(lotValues: engine.lotValues(0, pricing: 0, at: fx("50000")))
        let c1 = try sim.ref("c1").slot
        let small = try sim.ref("small").slot
        #expect(p.slots == [Int32(c1)] && p.lots == [80] && p.totalLots == 80 && p.cappedByCash == [false])
        #expect(p.failures.map(\.slot) == [Int32(small)] && p.failures.map(\.reason) == [.belowMinNotional])
        #expect(p.failures.first?.notional == fx("4") && p.failures.first?.event == 99)
        // The same inputs, the same plan; the engine was not changed by planning.
        let again = try plan(lotValues: engine.lotValues(0, pricing: 0, at: fx("50000")))
        #expect(again.slots == p.slots && again.lots == p.lots && again.failures == p.failures)
        #expect(engine.leads[0].book[c1] == sim.engine.leads[0].book[c1])
    }

    /// Controls as planner input. The lead spends 1,000 of 10,000 (10%) on BTC at 50,000; five copies of 1,000 would
    /// each ask 100 USDT = 200 lots. a has no controls: 200 lots. b copies only ETH: no order, the whole 100 is
    /// sizing, no failure. c caps an order at 30: 60 lots, 70 sizing. d caps BTC's weight at 5%: 5% of its 1,000
    /// equity = 50, so 100 lots, 50 sizing. e caps an order at 4: below minNotional 5, so it fails (4 USDT) with 96
    /// sizing. The controls are met beside the sweep in row order.
    @Test func controlsLimitBuysAndRecordSizing() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        for id in ["a", "b", "c", "d", "e"] { try sim.copy(id, of: "lead", investment: "1000") }
        let engine = sim.engine
        let book = engine.leads[0].book
        let rows = try ["a", "b", "c", "d", "e"].map { try sim.ref($0).slot }
        let controls = [
            BuyControl(row: rows[1], skip: true, maxWeight: nil, maxOrder: .max),
            BuyControl(row: rows[2], skip: false, maxWeight: nil, maxOrder: fx("30").units),
            BuyControl(row: rows[3], skip: false, maxWeight: fx("0.05").units, maxOrder: .max),
            BuyControl(row: rows[4], skip: false, maxWeight: nil, maxOrder: fx("4").units),
        ]
        var ws = FanOutWorkspace()
        try SyncPlanner.planBuys(
            book, lead: 0, symbol: 0, price: fx("50000"), rules: engine.buyRules(symbol: 0, price: fx("50000"), limit: nil),
            lotValues: engine.lotValues(0, pricing: 0, at: fx("50000")),
            target: .ratio(quote: fx("1000").units, leadEquity: fx("10000").units), slots: .allActive, controls: controls, event: 7,
            workspace: &ws)
        let p = ws.plan
        #expect(p.slots == [rows[0], rows[2], rows[3]].map { Int32($0) } && p.lots == [200, 60, 100])
        #expect(p.failures.map(\.slot) == [Int32(rows[4])] && p.failures.first?.notional == fx("4"))
        #expect(p.failures.first?.reason == .belowMinNotional)
        let sizing = Dictionary(uniqueKeysWithValues: p.sizingNotional.map { (Int($0.slot), Fixed(units: $0.notional)) })
        #expect(sizing == [rows[1]: fx("100"), rows[2]: fx("70"), rows[3]: fx("50"), rows[4]: fx("96")])
    }

    /// Sells: the lead's fraction of each copy's holding, rounded down to the step; a copy that holds none is left
    /// out; a share below the minimums fails.
    @Test func sellsAreTheLeadsFraction() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("c1", of: "lead", investment: "1000")
        try sim.copy("c2", of: "lead", investment: "3000")
        try sim.buy("lead", quote: "1000")  // c1 holds 200 lots, c2 600 (DESIGN's 10%)
        let book = sim.engine.leads[0].book
        let (c1, c2) = (try sim.ref("c1").slot, try sim.ref("c2").slot)
        #expect(book[c1].lots(of: SymbolIndex(0)) == 200 && book[c2].lots(of: SymbolIndex(0)) == 600)
        var ws = FanOutWorkspace()
        // The lead sells 0.005 of its 0.02 BTC (a quarter): 50 and 150 lots, 25 and 75 USDT.
        SyncPlanner.planSells(
            book, lead: 0, symbol: 0, price: fx("50000"), lotPrice: fx("0.5").units, minLots: 1, minNotional: fx("5").units,
            fraction: (quantity: fx("0.005").units, held: fx("0.02").units), slots: .allActive, event: 7, workspace: &ws)
        #expect(ws.plan.lots == [50, 150] && ws.plan.failures.isEmpty)
        // A fiftieth: c1's 4 lots (2 USDT) fail below minNotional, c2 sells 12 lots (6 USDT).
        SyncPlanner.planSells(
            book, lead: 0, symbol: 0, price: fx("50000"), lotPrice: fx("0.5").units, minLots: 1, minNotional: fx("5").units,
            fraction: (quantity: fx("0.0004").units, held: fx("0.02").units), slots: .allActive, event: 8, workspace: &ws)
        #expect(ws.plan.lots == [12] && ws.plan.failures.map(\.reason) == [.belowMinNotional])
    }
}

import SmartSyncBench
import SmartSyncCore
import Testing

/// Block orders (DESIGN §3b): the lead's market order and its copies' orders are one order, allocated pro rata at one
/// average price. Golden numbers by hand in the comments (fee 0.1%; BTC-USDT step 0.00001 = one lot, 0.5 USDT at
/// 50,000).
@Suite struct BlockOrderTests {
    /// A lead with 10,000 USDT, alice copying with 1,000 and bob with 3,000, the lead in block mode.
    static func market(book: BookShape? = nil) throws -> Sim {
        var sim = try Sim(btcBook: book)
        try sim.lead("lead", portfolio: "10000", deposit: "20000")
        try sim.copy("alice", of: "lead", investment: "1000")
        try sim.copy("bob", of: "lead", investment: "3000")
        try sim.engine.execute(.executionMode(lead: "lead", .block), at: sim.next())
        return sim
    }

    @Test func theLeadAndItsCopiesAreOneOrderAtOnePrice() throws {
        var sim = try Self.market()
        // The lead asks 1,000 USDT of its 10,000 (r = 0.1): 0.02 BTC for itself, alice 100 USDT (200 lots), bob 300
        // (600 lots); one order of 0.028 BTC fills at 50,000: 1,400 USDT, fee 1.4, split 1.0 / 0.1 / 0.3.
        let result = try sim.buy("lead", quote: "1000")
        #expect(
            result.trades.first?.quantity == fx("0.02") && result.trades.first?.quote == fx("1000") && result.trades.first?.fee == fx("1"))
        #expect(sim.engine.leads[0].cash == fx("8999"))
        #expect(try sim.lots("alice") == 200 && sim.lots("bob") == 600)
        #expect(try sim.cash("alice") == fx("899.9") && sim.cash("bob") == fx("2699.7"))
        // One venue order: the venue's side moved by 1,400 USDT and 0.028 BTC, the fees by 1.4.
        #expect(sim.engine.venueBalances["USDT"] == fx("1400") && sim.engine.venueBalances["BTC"] == fx("-0.028"))
        #expect(sim.engine.feesCollected == fx("1.4"))
        // The copy paid the lead's price: no price difference in its tracking report.
        #expect(sim.engine.tracking(try sim.ref("alice")).priceDifference == .zero)
        #expect(sim.engine.order(id: result.orderID)?.copyFills == 2)
        #expect(sim.engine.audit().balanced)
    }

    @Test func aPartialExecutionGivesEveryoneTheSameFraction() throws {
        // The book holds 0.014 BTC at 50,000: half of the 0.028 asked.
        var sim = try Self.market(book: BookShape(halfSpread: .zero, levelGap: .zero, levelQuantity: fx("0.014"), levels: 1))
        let result = try sim.buy("lead", quote: "1000")
        // Half each: the lead 1,000 lots (500 USDT, fee 0.5), alice 100 (50, fee 0.05), bob 300 (150, fee 0.15).
        #expect(result.trades.first?.quantity == fx("0.01") && result.trades.first?.fee == fx("0.5"))
        #expect(sim.engine.order(id: result.orderID)?.status == .expired)
        #expect(try sim.lots("alice") == 100 && sim.lots("bob") == 300)
        #expect(try sim.cash("alice") == fx("949.95") && sim.cash("bob") == fx("2849.85"))
        // What did not execute is a failed copy order of each copy (no liquidity): 100 and 300 lots, 50 and 150 USDT.
        #expect(sim.engine.failedOrders.map(\.notional) == [fx("50"), fx("150")])
        #expect(sim.engine.failedOrders.allSatisfy { $0.reason == .noLiquidity })
        #expect(sim.engine.audit().balanced)
    }

    @Test func aSellSellsTheSameFractionOfEveryHolding() throws {
        var sim = try Self.market()
        try sim.buy("lead", quote: "1000")
        // The lead sells 0.005 of its 0.02 (a quarter): alice 50 of 200 lots, bob 150 of 600, in one order of
        // 0.007 BTC at 50,000.
        try sim.price(TestMarket.btc, "50000")
        let sell = try sim.sell("lead", quantity: "0.005")
        #expect(sell.trades.first?.quantity == fx("0.005"))
        #expect(try sim.lots("alice") == 150 && sim.lots("bob") == 450)
        #expect(sim.engine.venueBalances["BTC"] == fx("-0.021"))
        #expect(sim.engine.audit().balanced)
    }

    @Test func followIsTheDefaultAndTheOperatorCanChangeIt() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000", deposit: "20000")
        try sim.copy("alice", of: "lead", investment: "1000")
        #expect(sim.engine.executionMode(lead: 0) == .follow)
        try sim.engine.execute(.executionMode(lead: nil, .block), at: sim.next())
        #expect(sim.engine.executionMode(lead: 0) == .block)
        try sim.engine.execute(.executionMode(lead: "lead", .follow), at: sim.next())
        #expect(sim.engine.executionMode(lead: 0) == .follow)
        #expect(throws: EngineError.self) { try sim.engine.execute(.executionMode(lead: "alice", .block), at: sim.next()) }
        // The modes are part of the state a snapshot keeps.
        let restored = try Engine(snapshot: sim.engine.snapshotBytes())
        #expect(restored.executionMode(lead: 0) == .follow && restored.venueBook.defaultExecutionMode == .block)
    }
}

/// Block orders walking a book (several prices, partial executions) against many copies of varied sizes: every
/// order either applies completely or is refused, and the books always balance.
@Suite struct BlockOrderPropertyTests {
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func randomBlockOrdersKeepTheBooksBalanced(_ seed: UInt64) throws {
        var rng = SplitMix(seed: seed)
        var sim = try Sim(btcBook: BookShape(halfSpread: fx("0.0005"), levelGap: fx("0.0003"), levelQuantity: fx("0.013"), levels: 12))
        // A small lead and a few large copies: the copies' part of each order's fee is most of it, where rounding
        // it the wrong way would ask more of them than their own fees allow.
        try sim.lead("lead", portfolio: "2000", deposit: "2000")
        for i in 0..<3 { try sim.copy("c\(i)", of: "lead", investment: String(5_000 + Int(rng.next() % 50_000)) + ".37") }
        try sim.engine.execute(.executionMode(lead: nil, .block), at: sim.next())
        var applied = 0
        for _ in 0..<150 {
            do {
                switch rng.next() % 4 {
                case 0, 1: try sim.buy("lead", quote: String(5 + Int(rng.next() % 300)) + "." + String(rng.next() % 100))
                case 2:
                    let held = sim.engine.leads[0].positions[TestMarket.btcIndex]?.quantity ?? .zero
                    let part = ((try? held.multiplied(by: fx("0.\(1 + rng.next() % 9)"), .down)) ?? .zero).rounded(
                        toStep: fx("0.00001"), .down)
                    if part.isPositive { try sim.sell("lead", quantity: part.description) }
                default: try sim.price(TestMarket.btc, String(45_000 + Int(rng.next() % 10_000)) + "." + String(rng.next() % 100))
                }
                applied += 1
            } catch is EngineError {
                // A refused order (funds, minimums) changes nothing.
            }
            #expect(sim.engine.audit().balanced)
        }
        #expect(applied > 60)
    }
}

import SmartSyncCore
import Testing

/// A lead's statement of profit share earned (`LeadShareStatement`), from its copies' statements.
@Suite("Lead's profit-share statement")
struct LeadShareStatementTests {
    /// Lead 10,000 at a 10% share; c1, c2, c3 of 1,000 each copy its 1,000 USDT BTC buy at 50,000: 0.002 BTC for
    /// 100.1 each. BTC → 60,000. c3 stops (sell all): 0.002 × 60,000 = 120 − fee 0.12 → realized 119.88 − 100.1 =
    /// 19.78, share 10% = 1.978, settled at the stop. Then the lead sells everything: c1 and c2 each realize the same
    /// 19.78 and pay 1.978 after the sale. Earned: 1.978, 3.956, 5.934 — the lead's `profitShareEarned`.
    @Test("Every payment in order with the total after it; a span's opening and closing reconcile")
    func statement() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000", profitShareRate: "0.1")
        for id in ["c1", "c2", "c3"] { try sim.copy(id, of: "lead", investment: "1000") }
        try sim.buy("lead", quote: "1000")
        try sim.price(TestMarket.btc, "60000")
        let stop = sim.next()
        try sim.engine.execute(.stopCopy(copy: "c3"), at: stop)
        let sale = sim.next()
        try sim.engine.execute(.order(OrderRequest(user: "lead", symbol: TestMarket.btc, side: .sell, quantity: fx("0.02"))), at: sale)

        let copies = try ["c1", "c2", "c3"].map { sim.engine.copyStatement(try sim.ref($0)) }
        let all = LeadShareStatement(lead: "lead", copies: copies)
        #expect(all.lines.map(\.copyID) == ["c3", "c1", "c2"])
        #expect(all.lines.map(\.amount) == [fx("1.978"), fx("1.978"), fx("1.978")])
        #expect(all.lines.map(\.atStop) == [true, false, false])
        #expect(all.lines.map(\.earnedAfter) == [fx("1.978"), fx("3.956"), fx("5.934")])
        #expect(all.lines.map(\.event) == [stop.event, sale.event, sale.event])
        #expect(all.opening == .zero && all.closing == fx("5.934"))
        #expect(all.closing == sim.engine.leads[0].profitShareEarned)

        // Split at the sale: the first part holds the stop's payment, the second opens where it closed.
        let first = LeadShareStatement(lead: "lead", copies: copies, to: sale.time)
        let second = LeadShareStatement(lead: "lead", copies: copies, from: sale.time)
        #expect(first.lines.map(\.copyID) == ["c3"] && first.closing == fx("1.978"))
        #expect(second.opening == first.closing && second.lines.count == 2 && second.closing == all.closing)
    }
}

import SmartSyncCore
import Testing

/// Copy lifecycle (DESIGN §3, §3a): stopping, stop loss, dust, stopping leading, adjusting the investment.
/// Each test starts from DESIGN's example: lead 10,000; copy c1 of 1,000 holding 0.002 BTC (cost 100.1) and
/// 899.9 USDT after the lead's 1,000 USDT buy at 50,000.
@Suite("Copy lifecycle")
struct LifecycleTests {
    static func designExample(stopLoss: Threshold? = nil) throws -> Sim {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.user("user-c1", deposit: "1000")
        try sim.engine.startCopy(
            StartCopyRequest(copyID: "c1", user: "user-c1", lead: "lead", investment: fx("1000"), stopLoss: stopLoss),
            at: sim.next())
        try sim.buy("lead", quote: "1000")
        return sim
    }

    /// Stopping sells 0.002 BTC at 50,000: quote 100, fee 0.1 → realized 99.9 − 100.1 = −0.2, no profit share;
    /// cash 899.9 + 99.9 = 999.8 goes back to the follower's main account; the copy account is empty.
    @Test("Stop copying: sell everything, return the cash, keep the history")
    func stopCopy() throws {
        var sim = try Self.designExample()
        try sim.engine.stopCopy("c1", at: sim.next())
        let ref = try sim.ref("c1")
        let book = sim.engine.leads[0].book
        #expect(book[ref.slot].status == .stopped && book[ref.slot].stopReason == .follower)
        #expect(book[ref.slot].cash == .zero && book[ref.slot].holdings.isEmpty)
        #expect(book[ref.slot].realizedPnl == fx("-0.2") && book[ref.slot].feesPaid == fx("0.2"))
        #expect(try sim.mainBalance("user-c1") == fx("999.8"))
        let batch = try #require(sim.batches.last)
        #expect(batch.side == .sell && batch.leadFillID == nil && batch.lots == [200] && batch.leadPrice == fx("50000"))
        // The lead keeps its position; later lead fills ignore the stopped copy.
        #expect(sim.engine.leads[0].positions[TestMarket.btcIndex]?.quantity == fx("0.02"))
        try sim.buy("lead", quote: "1000")
        #expect(sim.batches.last?.side == .sell)
        #expect(refusal { try sim.engine.stopCopy("c1", at: sim.next()) }?.code == .copyNotActive)
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// Stop loss 50 on net invested 1,000: it fires when equity ≤ 950, i.e. 899.9 + 0.002 × p ≤ 950 → p ≤ 25,050.
    /// At 25,050.01 the equity is 950.00002: still running. At 25,050: exactly 950 → sells 0.002 for 50.1, fee
    /// 0.0501 → 949.9499 back to main, reason stopLoss.
    @Test("Total stop loss fires at E ≤ NI − SL, not before")
    func stopLoss() throws {
        var sim = try Self.designExample(stopLoss: .amount(fx("50")))
        let ref = try sim.ref("c1")
        try sim.price(TestMarket.btc, "25050.01")
        #expect(sim.engine.leads[0].book[ref.slot].status == .active)
        try sim.price(TestMarket.btc, "25050")
        let book = sim.engine.leads[0].book
        #expect(book[ref.slot].status == .stopped && book[ref.slot].stopReason == .stopLoss)
        #expect(try sim.mainBalance("user-c1") == fx("949.9499"))
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// At 25,000 the copy's equity is 949.9. A ratio stop loss is of net invested: 5% of 1,000 = 50, so setting it
    /// now (949.9 ≤ 950) fires at once.
    @Test("A stop loss set later that is already breached fires at once")
    func stopLossSetLater() throws {
        var sim = try Self.designExample()
        try sim.price(TestMarket.btc, "25000")
        let ref = try sim.ref("c1")
        #expect(sim.engine.leads[0].book[ref.slot].status == .active)
        try sim.engine.setStopLoss(copy: "c1", .ratio(fx("0.05")), at: sim.next())
        #expect(sim.engine.leads[0].book[ref.slot].stopReason == .stopLoss)
        // 0.002 × 25,000 = 50, fee 0.05 → 899.9 + 49.95.
        #expect(try sim.mainBalance("user-c1") == fx("949.85"))
    }

    /// A copy of 100 buys 0.005 ETH for 10 (cash 89.99). At 800 the holding is worth 4 < minNotional: stopping
    /// cannot sell it, so it moves as it is (dust) to the follower's main account with the cash.
    @Test("Unsellable dust moves to the follower's main account on stop")
    func dustOnStop() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("small", of: "lead", investment: "100")
        try sim.buy("lead", TestMarket.eth, quote: "1000")
        #expect(try sim.quantity("small", TestMarket.ethIndex) == fx("0.005"))
        try sim.price(TestMarket.eth, "800")
        try sim.engine.stopCopy("small", at: sim.next())
        #expect(try sim.quantity("small", TestMarket.ethIndex) == .zero && sim.cash("small") == .zero)
        #expect(try sim.mainBalance("user-small", "ETH") == fx("0.005"))
        #expect(try sim.mainBalance("user-small") == fx("89.99"))
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// The lead stops leading: c1 is liquidated (reason leadStopped, 999.8 to its follower); the portfolio moves as
    /// it is to the lead's main account: 0.02 BTC and 8,999 USDT, nothing sold.
    @Test("Stop leading: copies stop first, the portfolio moves as it is")
    func stopLeading() throws {
        var sim = try Self.designExample()
        try sim.buy("lead", TestMarket.eth, quantity: "0.5", limit: "1900")  // rests, then is cancelled
        try sim.engine.stopLeading(user: "lead", at: sim.next())
        let ref = try sim.ref("c1")
        #expect(sim.engine.leads[0].status == .stopped)
        #expect(sim.engine.leads[0].book[ref.slot].stopReason == .leadStopped)
        #expect(try sim.mainBalance("user-c1") == fx("999.8"))
        #expect(try sim.mainBalance("lead") == fx("8999") && sim.mainBalance("lead", "BTC") == fx("0.02"))
        #expect(sim.engine.restingOrders.isEmpty)
        #expect(refusal { try sim.buy("lead", quote: "100") }?.code == .notLeading)
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// +500: cash 1,399.9, equity 1,499.9. The lead then buys 1,000 with equity 8,999 + 1,000 = 9,999:
    /// n = floor₈(1,000 × 1,499.9 / 9,999) = 150.00500050 → 300 lots (150 + fee 0.15 → cash 1,249.75).
    /// Then −300 comes out of cash: 949.75, net invested 1,000 + 500 − 300 = 1,200.
    @Test("Adjust investment: up sizes later orders from the new equity; down is taken from cash first")
    func adjustInvestment() throws {
        var sim = try Self.designExample()
        try sim.engine.deposit(user: "user-c1", amount: fx("500"), at: sim.next())
        try sim.engine.adjustInvestment(copy: "c1", delta: fx("500"), at: sim.next())
        #expect(try sim.cash("c1") == fx("1399.9") && sim.mainBalance("user-c1") == .zero)
        try sim.buy("lead", quote: "1000")
        #expect(sim.batches.last?.lots == [300])
        #expect(try sim.cash("c1") == fx("1249.75"))
        try sim.engine.adjustInvestment(copy: "c1", delta: fx("-300"), at: sim.next())
        #expect(try sim.cash("c1") == fx("949.75") && sim.mainBalance("user-c1") == fx("300"))
        #expect(try sim.lots("c1") == 500)
        let ref = try sim.ref("c1")
        #expect(sim.engine.leads[0].book.netInvested(ref.slot) == fx("1200"))
        // Leaving less than the minimum investment is refused.
        let error = refusal { try sim.engine.adjustInvestment(copy: "c1", delta: fx("-1100.00000001"), at: sim.next()) }
        #expect(error?.code == .belowMinimumInvestment && error?.field == "delta")
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// Adjust down when cash is short sells the same fraction of every holding, sized by simulating the proceeds
    /// "after fees and any profit share they trigger" (DESIGN §3a). The simulation charges profit share on the
    /// *combined* realized PnL of all the sells, but the sells execute one symbol at a time and each profitable one
    /// pays profit share on its own. With a winner sold before a loser the real cash raised is short of the
    /// simulation, and `raiseCash` stops the process on its precondition.
    ///
    /// Copy c1 (1,000) follows the lead's 40% BTC and 40% ETH buys: 800 lots BTC, 2,000 lots ETH, cash 199.2.
    /// BTC → 75,000 (+50%), ETH → 1,000 (−50%): equity 199.2 + 600 + 200 = 999.2. Adjust −500 needs 300.8 more
    /// than the cash. The simulation settles on selling 304 lots BTC (profit 75.62) and 760 lots ETH (loss 76.228):
    /// combined realized < 0, no profit share, raised 303.696 ≥ 300.8. Executed, the BTC sell alone pays
    /// floor(10% × 75.62) = 7.562 of profit share, so only 296.134 is raised → precondition failure (a crash).
    @Test(
        "Adjust down with a winner and a loser raises the cash it promised")
    func adjustDownMixedPnl() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("c1", of: "lead", investment: "1000")
        try sim.buy("lead", quote: "4000")
        try sim.buy("lead", TestMarket.eth, quote: "4000")
        #expect(try sim.cash("c1") == fx("199.2"))
        try sim.price(TestMarket.btc, "75000")
        try sim.price(TestMarket.eth, "1000")
        try sim.engine.adjustInvestment(copy: "c1", delta: fx("-500"), at: sim.next())
        #expect(try sim.mainBalance("user-c1") == fx("500"))
        #expect(try sim.cash("c1") >= .zero)
        #expect(sim.engine.audit().problems.isEmpty)
    }
}

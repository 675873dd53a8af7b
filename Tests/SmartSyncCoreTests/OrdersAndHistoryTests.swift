import SmartSyncCore
import Testing

/// What the engine keeps about orders, copy changes and time, and the rules new commands must meet (admission).
@Suite("Orders, copy history, returns and admission")
struct OrdersAndHistoryTests {
    /// DESIGN's example: lead 10,000, copy c1 of 1,000; the lead buys 1,000 of BTC at 50,000 → c1 buys 100.
    static func example() throws -> Sim {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("c1", of: "lead", investment: "1000")
        try sim.copy("tiny", of: "lead", investment: "100")
        return sim
    }

    /// A market buy is one order, filled at once: 1,000 USDT at 50,000 buys 0.02 BTC, fee 1; c1's 100 USDT copy
    /// fills, the 100 USDT copy's 10 USDT share fills too (above minNotional 5); both counted on the order.
    @Test("A market order is recorded filled, with its fill and its fan-out")
    func marketOrder() throws {
        var sim = try Self.example()
        let result = try sim.buy("lead", quote: "1000")
        let order = try #require(sim.engine.order(id: result.orderID))
        #expect(order.status == .filled && order.kind == .market && order.account == .portfolio)
        #expect(order.filledQuantity == fx("0.02") && order.filledQuote == fx("1000") && order.fees == fx("1"))
        #expect(order.averagePrice == fx("50000"))
        #expect(order.leadFillIDs == ["o\(result.orderID)-f1"] && order.fills.count == 1)
        #expect(order.copyFills == 2 && order.failedCopyOrders == 0)
        #expect(sim.engine.order(placedAt: order.event)?.id == order.id)
    }

    /// A lead buy of 40 USDT (0.4% of equity): c1's share is 4 USDT and the tiny copy's 0.4 USDT, both below
    /// minNotional 5 → two failed copy orders, no copy fill.
    @Test("Failed copy orders are counted on the order that caused them")
    func failedCount() throws {
        var sim = try Self.example()
        let result = try sim.buy("lead", quote: "40")
        let order = try #require(sim.engine.order(id: result.orderID))
        #expect(order.copyFills == 0 && order.failedCopyOrders == 2)
    }

    /// A limit buy of 0.02 BTC at 49,000 rests (accepted); a thin book is not needed: the mark crossing fills it
    /// whole at the next price update (filled); a second limit is cancelled by its owner; a third is cancelled
    /// when the lead stops leading.
    @Test("Limit orders go accepted → filled, or cancelled by the owner or by the lead stopping")
    func limitOrders() throws {
        var sim = try Self.example()
        let resting = try sim.buy("lead", quantity: "0.02", limit: "49000")
        #expect(sim.engine.order(id: resting.orderID)?.status == .accepted)
        try sim.price(TestMarket.btc, "48900")
        let filled = try #require(sim.engine.order(id: resting.orderID))
        #expect(filled.status == .filled && filled.filledQuantity == fx("0.02") && filled.leadFillIDs.count == 1)
        #expect(filled.copyFills == 2)
        let cancelled = try sim.buy("lead", quantity: "0.01", limit: "40000")
        try sim.engine.cancelOrder(user: "lead", orderID: cancelled.orderID)
        #expect(sim.engine.order(id: cancelled.orderID)?.status == .cancelled)
        #expect(sim.engine.order(id: cancelled.orderID)?.cancelReason == "cancelled by its owner")
        let dropped = try sim.buy("lead", quantity: "0.01", limit: "40000")
        try sim.engine.stopLeading(user: "lead", at: sim.next())
        #expect(sim.engine.order(id: dropped.orderID)?.status == .cancelled)
        #expect(sim.engine.order(id: dropped.orderID)?.cancelReason == "the lead stopped leading")
    }

    @Test("Admission refuses an order that would do nothing and a stop loss above the money at stake")
    func admission() throws {
        var sim = try Self.example()
        // Nothing held: refused, naming the symbol; before, this was "applied" and did nothing.
        let sellNothing = EngineCommand.orderFraction(
            user: "lead", account: .portfolio, symbol: TestMarket.btc, side: .sell, fraction: fx("0.5"))
        let error = refusal { try sim.engine.admit(sellNothing) }
        #expect(error?.code == .insufficientFunds && error?.field == "symbol" && error?.message.contains("holds no BTC") == true)
        // A log written before the rule existed still replays: execute itself keeps the old meaning (a no-op).
        let before = Fingerprint(sim.engine)
        try sim.engine.execute(sellNothing, at: sim.next())
        #expect(Fingerprint(sim.engine) == before)
        // Held, but the share is below the minimums: 1% of 0.0002 BTC rounds to nothing.
        try sim.buy("lead", quote: "10")
        let tinyShare = EngineCommand.orderFraction(
            user: "lead", account: .portfolio, symbol: TestMarket.btc, side: .sell, fraction: fx("0.01"))
        #expect(refusal { try sim.engine.admit(tinyShare) }?.field == "fraction")
        // A share that trades is admitted.
        try sim.engine.admit(.orderFraction(user: "lead", account: .portfolio, symbol: TestMarket.btc, side: .sell, fraction: fx("1")))
        // A stop loss above the investment or the net invested cannot be reached: refused.
        try sim.user("bob", deposit: "500")
        let big = StartCopyRequest(copyID: "b1", user: "bob", lead: "lead", investment: fx("200"), stopLoss: .amount(fx("200.01")))
        #expect(refusal { try sim.engine.admit(.startCopy(big)) }?.field == "stopLoss.amount")
        try sim.engine.admit(
            .startCopy(StartCopyRequest(copyID: "b1", user: "bob", lead: "lead", investment: fx("200"), stopLoss: .amount(fx("200")))))
        #expect(refusal { try sim.engine.admit(.setStopLoss(copy: "c1", .amount(fx("1000.00000001")))) }?.field == "stopLoss.amount")
        try sim.engine.admit(.setStopLoss(copy: "c1", .amount(fx("1000"))))
        try sim.engine.admit(.setStopLoss(copy: "c1", .ratio(fx("1"))))
    }

    /// c1 starts with 1,000 (units 1,000 at NAV 1) and a 30% stop loss; +500 at NAV 1 → 1,500 units; the stop loss
    /// changes to 100 USDT and the take profit to 20%; −200 → 1,300 invested; then it stops.
    @Test("A copy's history: start, changes with net invested after each, stop")
    func history() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.user("u", deposit: "5000")
        try sim.engine.startCopy(
            StartCopyRequest(copyID: "c1", user: "u", lead: "lead", investment: fx("1000"), stopLoss: .ratio(fx("0.3"))), at: sim.next())
        try sim.engine.adjustInvestment(copy: "c1", delta: fx("500"), at: sim.next())
        try sim.engine.setStopLoss(copy: "c1", .amount(fx("100")), at: sim.next())
        try sim.engine.setTakeProfit(copy: "c1", .ratio(fx("0.2")), at: sim.next())
        try sim.engine.adjustInvestment(copy: "c1", delta: fx("-200"), at: sim.next())
        try sim.engine.stopCopy("c1", at: sim.next())
        let items = sim.engine.copyHistory(try sim.ref("c1"))
        #expect(
            items.map(\.kind) == [
                .started(investment: fx("1000")), .change(.startedWith(stopLoss: .ratio(fx("0.3")), takeProfit: nil)),
                .change(.investmentAdded(fx("500"))), .change(.stopLossSet(.amount(fx("100")))), .change(.takeProfitSet(.ratio(fx("0.2")))),
                .change(.investmentRemoved(fx("200"))), .stopped(.follower),
            ])
        #expect(items.map(\.netInvestedAfter).prefix(6) == [fx("1000"), fx("1000"), fx("1500"), fx("1500"), fx("1500"), fx("1300")])
        #expect(items.map(\.event) == items.map(\.event).sorted())
        let events = sim.engine.copyEvents(try sim.ref("c1"))
        #expect(events[1].unitsAfter == fx("1500") && events[4].unitsAfter == fx("1300"))
    }

    /// Money added to a copy is not a gain: across an adjustment its curve's NAV stays, its equity jumps.
    /// c1 holds 0.002 BTC + 899.9; BTC rises to 55,000 → equity 1,009.9, NAV 1.0099; +1,000 → equity 2,009.9,
    /// units 1,000 + 1,000 ÷ 1.0099 = 1,990.19… → NAV still 1.0099 (within the unit rounding).
    @Test("The copy curve's NAV ignores money added; net invested shows it")
    func curveNAV() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.user("u", deposit: "5000")
        try sim.engine.startCopy(StartCopyRequest(copyID: "c1", user: "u", lead: "lead", investment: fx("1000")), at: sim.next())
        try sim.buy("lead", quote: "1000")
        try sim.price(TestMarket.btc, "55000")
        try sim.engine.adjustInvestment(copy: "c1", delta: fx("1000"), at: sim.next())
        try sim.price(TestMarket.btc, "55000.01")
        let curve = sim.engine.copyEquityCurve(try sim.ref("c1"))
        let before = try #require(curve.first { $0.equity == fx("1009.9") })
        let after = try #require(curve.last)
        #expect(before.nav == fx("1.0099") && before.netInvested == fx("1000"))
        #expect(after.netInvested == fx("2000") && after.equity > fx("2009.9"))
        #expect(abs((after.nav - before.nav).units) < 100)
    }

    /// The lead's NAV: 1 until day 10, then BTC +10% on a half-invested portfolio → NAV ≈ 1.05 on day 10; on day
    /// 40 BTC +20% more. Over 7 days (from day 33) the ROI is day 40 ÷ day 10 − 1; over 90 days, the whole life.
    @Test("Lead returns over trailing windows of the engine's clock")
    func returns() throws {
        var engine = try TestMarket.engine()
        let day: Int64 = 86_400_000
        var event = 0
        func at(_ d: Int64) -> Moment {
            event += 1
            return Moment(event: event, time: 1_700_000_000_000 + d * day)
        }
        try engine.execute(.addUser("lead"), at: at(0))
        try engine.execute(.deposit(user: "lead", amount: fx("10000")), at: at(0))
        try engine.execute(
            .startLeading(user: "lead", portfolio: fx("10000"), profitShareRate: nil, slippageLimit: nil, followerLimit: nil), at: at(0))
        try engine.execute(.order(OrderRequest(user: "lead", symbol: TestMarket.btc, side: .buy, quoteAmount: fx("5000"))), at: at(1))
        let rise = at(10)
        try engine.execute(.price(symbol: TestMarket.btc, price: fx("55000")), at: rise)
        let l = 0
        let navDay10 = engine.leadNav(l)
        try engine.execute(.price(symbol: TestMarket.btc, price: fx("66000")), at: at(40))
        let navNow = engine.leadNav(l)
        #expect(engine.now == 1_700_000_000_000 + 40 * day)
        let r = engine.leadReturns(l, windows: [7, 90, nil])
        #expect(r[0].days == 7 && r[0].roi == Engine.ratio(navNow, navDay10) - .one)
        #expect(r[1].roi == navNow - .one && r[2].roi == navNow - .one)
        // PnL over 7 days: the equity change since day 10 (no transfers in between).
        let equityDay10 = try #require(engine.leads[l].curve.last { $0.time <= 1_700_000_000_000 + 33 * day }).equity
        #expect(r[0].pnl == engine.leadEquity(l) - equityDay10)
        #expect(engine.time(ofEvent: rise.event) == 1_700_000_000_000 + 10 * day && engine.time(ofEvent: 99) == nil)
    }
}

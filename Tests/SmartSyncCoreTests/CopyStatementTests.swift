import Testing

@testable import SmartSyncCore

/// A copy's statement with every number worked out by hand (fee 0.1%, profit share 10%).
@Suite("Copy statement")
struct CopyStatementTests {
    /// Commands through `Engine.execute`, one minute apart, as a server applies them (so every event has its time).
    struct Run {
        var engine: Engine
        var event = 0
        var time: Int64 { 1_700_000_000_000 + Int64(event) * 60_000 }

        mutating func callAsFunction(_ command: EngineCommand) throws {
            try engine.execute(command, at: Moment(event: event, time: time))
            event += 1
        }

        /// A user with `amount` USDT in its main account.
        mutating func user(_ id: String, _ amount: String) throws {
            try self(.addUser(id))
            try self(.deposit(user: id, amount: fx(amount)))
        }
    }

    /// Lead 10,000 and a copy `c` of `investment` USDT (its follower deposited `deposit`, else exactly that).
    static func market(copy investment: String, deposit: String? = nil) throws -> (Run, CopyRef) {
        var run = Run(engine: try TestMarket.engine())
        try run.user("lead", "10000")
        try run(.startLeading(user: "lead", portfolio: fx("10000"), profitShareRate: fx("0.1"), slippageLimit: nil, followerLimit: nil))
        try run.user("f", deposit ?? investment)
        try run(.startCopy(StartCopyRequest(copyID: "c", user: "f", lead: "lead", investment: fx(investment))))
        return (run, try #require(run.engine.copy(named: "c")))
    }

    /// Lead 10,000 USDT; a copy of 1,000. The lead buys 5,000 of BTC at 50,000 (half its equity): the copy spends
    /// half of its 1,000, 500 for 0.01 BTC and 0.50 of fee (cost basis 500.50). BTC goes to 60,000; the lead sells
    /// everything: the copy sells 0.01 BTC for 600 less 0.60 of fee, realizing 599.40 − 500.50 = 98.90, of which
    /// 10% (9.89) is the lead's profit share. The follower adds 100 and stops: 1,189.01 is paid out.
    @Test func everyLineWorkedOutByHand() throws {
        var (run, c) = try Self.market(copy: "1000", deposit: "1100")
        try run(.order(OrderRequest(user: "lead", symbol: TestMarket.btc, side: .buy, quoteAmount: fx("5000"))))
        let priceMoved = run.time
        try run(.price(symbol: TestMarket.btc, price: fx("60000")))
        try run(.order(OrderRequest(user: "lead", symbol: TestMarket.btc, side: .sell, quantity: fx("0.1"))))
        try run(.adjustInvestment(copy: "c", delta: fx("100")))
        try run(.stopCopy(copy: "c"))
        let engine = run.engine

        let s = engine.copyStatement(c)
        typealias K = StatementLine.Kind
        #expect(s.lines.map(\.kind) == [K.started, .buy, .sell, .profitShare, .added, .paidOut])
        #expect(s.lines.map(\.cashChange) == ["1000", "-500.5", "599.4", "-9.89", "100", "-1189.01"].map(fx))
        #expect(s.lines.map(\.cashAfter) == ["1000", "499.5", "1098.9", "1089.01", "1189.01", "0"].map(fx))
        let buy = s.lines[1]
        #expect(buy.quantity == fx("0.01") && buy.price == fx("50000") && buy.quote == fx("500") && buy.fee == fx("0.5"))
        #expect(buy.costChange == fx("500.5") && buy.holdingAfter == fx("0.01") && buy.leadPrice == fx("50000") && buy.leadFillID != nil)
        let sell = s.lines[2]
        #expect(sell.quote == fx("600") && sell.fee == fx("0.6") && sell.realizedPnl == fx("98.9") && sell.costChange == fx("-500.5"))
        #expect(sell.holdingAfter == .zero)
        #expect(s.opening == StatementBalance(cash: .zero, holdings: []) && s.closing == StatementBalance(cash: .zero, holdings: []))
        #expect(
            s.totals
                == StatementTotals(
                    moneyIn: fx("1100"), moneyOut: fx("1189.01"), bought: fx("500"), sold: fx("600"), fees: fx("1.1"),
                    profitShare: fx("9.89"), realizedPnl: fx("98.9")))
        // What went in and out adds up: 1,100 in − 1,189.01 out − 500 bought + 600 sold − 1.10 fees − 9.89 share = 0.
        let t = s.totals
        #expect(t.moneyIn - t.moneyOut - t.bought + t.sold - t.fees - t.profitShare == .zero)

        // From the price move on: it opens with the cash and the BTC left after the buy, at its cost basis.
        let later = engine.copyStatement(c, from: priceMoved)
        #expect(
            later.opening
                == StatementBalance(
                    cash: fx("499.5"), holdings: [StatementHolding(symbol: "BTC-USDT", quantity: fx("0.01"), cost: fx("500.5"))]))
        #expect(later.lines.map(\.kind) == [K.sell, .profitShare, .added, .paidOut])
        // Up to it: the start and the buy, closing where the later one opens.
        let earlier = engine.copyStatement(c, to: priceMoved)
        #expect(earlier.lines.map(\.kind) == [K.started, .buy] && earlier.closing == later.opening)
    }

    /// A stop that cannot sell a holding (below the minimum notional) moves it out as it is, at its cost basis.
    @Test func aStopMovesUnsellableAssetsOutAsTheyAre() throws {
        var (run, c) = try Self.market(copy: "100")
        // The copy buys 10% of 100 = 10 USDT of BTC: 0.0002 BTC (20 lots at 0.5) for 10 + 0.01 fee.
        try run(.order(OrderRequest(user: "lead", symbol: TestMarket.btc, side: .buy, quoteAmount: fx("1000"))))
        // BTC falls to 20,000: the copy's 0.0002 BTC is worth 4 USDT, below the 5 USDT minimum notional.
        try run(.price(symbol: TestMarket.btc, price: fx("20000")))
        try run(.stopCopy(copy: "c"))
        let s = run.engine.copyStatement(c)
        typealias K = StatementLine.Kind
        #expect(s.lines.map(\.kind) == [K.started, .buy, .assetsOut, .paidOut])
        let out = s.lines[2]
        #expect(out.symbol == "BTC-USDT" && out.quantity == fx("0.0002") && out.costChange == fx("-10.01") && out.holdingAfter == .zero)
        #expect(s.lines[3].cashChange == fx("-89.99") && s.closing == StatementBalance(cash: .zero, holdings: []))
        #expect(run.engine.user(named: "f").map { run.engine.users[$0].balance("BTC") } == fx("0.0002"))
    }
}

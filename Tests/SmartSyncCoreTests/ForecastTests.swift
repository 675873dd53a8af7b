import Testing

@testable import SmartSyncCore

/// Forecasts worked out by hand (fee 0.1%, minimum notional 5 USDT, minimum investment 100).
@Suite("Forecast")
struct ForecastTests {
    static let day: Int64 = 86_400_000

    /// A lead of 10,000 USDT, holding nothing at the start, and its fills: `spend` USDT of BTC at 50,000, then all of
    /// it sold at `sellAt`; the market's BTC price at the end is `sellAt` too.
    static func input(spend: String, sellAt: String, investment: String) throws -> ForecastInput {
        let quantity = try fx(spend).divided(by: fx("50000"), .down)
        let buyQuote = fx(spend)
        let sellQuote = try quantity.multiplied(by: fx(sellAt), .down)
        let fills = [
            LeadFill(
                id: "o1-f1", lead: 0, symbol: 0, side: .buy, quantity: quantity, quote: buyQuote,
                fee: try buyQuote.multiplied(by: fx("0.001"), .up),
                price: fx("50000"), event: 1, time: day),
            LeadFill(
                id: "o2-f1", lead: 0, symbol: 0, side: .sell, quantity: quantity, quote: sellQuote,
                fee: try sellQuote.multiplied(by: fx("0.001"), .up), price: fx(sellAt), event: 2, time: 2 * day),
        ]
        return ForecastInput(
            settings: Settings(), symbols: [try TestMarket.btcSymbol(), try TestMarket.ethSymbol()], startMarks: [fx("50000"), fx("2000")],
            endMarks: [fx(sellAt), fx("2000")], leadCash: fx("10000"), leadPositions: [:], profitShareRate: fx("0.1"),
            slippageLimit: fx("0.005"), fills: fills, start: 0, end: 3 * day, investment: fx(investment), buyExisting: false)
    }

    /// The lead spends half its equity on BTC and sells it 20% higher. A copy of 1,000 spends 500 (+0.50 fee) on
    /// 0.01 BTC, sells it for 600 (−0.60 fee): realized 98.90, profit share 9.89, equity 1,089.01, ROI 8.901%. The
    /// lead: 10,000 → 10,989 (fees 5 and 6), ROI 9.89%. The gap, −0.989 points, is all profit share: fees cost both
    /// 0.11%.
    /// The market's marks between fills (`prices`). The lead holds 2.5 ETH from before the span (bought at 2,000) and
    /// 5,000 USDT; the copy of 100 starts without buying existing assets, so it holds only cash. ETH then doubles to
    /// 4,000 with no lead fill, and the lead buys 1,500 USDT of BTC at 50,000. As the market had it, the lead's equity is
    /// 5,000 + 2.5 × 4,000 = 15,000, so r = 10% and the copy buys 10 USDT (0.0002 BTC, fee 0.01). Without the prices
    /// ETH would still be marked at 2,000: equity 10,000, r = 15%, 15 USDT (0.0003 BTC, fee 0.015).
    @Test func otherSymbolsAreMarkedAsTheMarketHadThem() throws {
        let fill = LeadFill(
            id: "o1-f1", lead: 0, symbol: 0, side: .buy, quantity: fx("0.03"), quote: fx("1500"), fee: fx("1.5"), price: fx("50000"),
            event: 10, time: 2 * Self.day)
        var input = ForecastInput(
            settings: Settings(), symbols: [try TestMarket.btcSymbol(), try TestMarket.ethSymbol()], startMarks: [fx("50000"), fx("2000")],
            endMarks: [fx("50000"), fx("4000")], leadCash: fx("5000"), leadPositions: [1: fx("2.5")], profitShareRate: fx("0.1"),
            slippageLimit: fx("0.005"), fills: [fill], start: 0, end: 3 * Self.day, investment: fx("100"), buyExisting: false)
        let stale = try Engine.forecast(input)
        #expect(stale.copyFills == 1 && stale.fees == fx("0.015"))
        input.prices = [PricePoint(event: 5, symbol: 1, price: fx("4000")), PricePoint(event: 12, symbol: 1, price: fx("3000"))]
        let marked = try Engine.forecast(input)
        #expect(marked.copyFills == 1 && marked.fees == fx("0.01"), "the price after the fill (event 12) is not used before it")
        #expect(marked.equity == fx("99.99"))  // 90 cash + 0.0002 BTC at 50,000 = 10 − the 0.01 fee
    }

    @Test func aCopyThatTracksExactly() throws {
        let f = try Engine.forecast(try Self.input(spend: "5000", sellAt: "60000", investment: "1000"))
        #expect(f.leadFills == 2 && f.skippedLeadFills == 0 && f.copyFills == 2 && f.failedOrders.isEmpty)
        #expect(f.equity == fx("1089.01") && f.fees == fx("1.1") && f.profitShare == fx("9.89"))
        #expect(f.tracking.copyRoi == fx("0.08901") && f.tracking.leadRoi == fx("0.0989") && f.tracking.gap == fx("-0.00989"))
        #expect(f.tracking.profitShare == fx("-0.00989") && f.gapBeyondProfitShare == .zero)
    }

    /// The lead spends 40 USDT (0.4% of its equity) on BTC and sells it at double: 0.0008 BTC for 40.04, sold for
    /// 79.92 net, ROI 0.3988%. A copy below 1,250 would spend less than the 5 USDT minimum: its buy fails and it
    /// misses the whole gain (a gap of −0.3988 points, beyond 0.2). From 1,250 it buys; the ladder's first such step
    /// is 1,500, which buys 0.00012 BTC for 6, exactly the lead's ratio.
    @Test func smallCopiesMissTradesBelowTheMinimum() throws {
        let small = try Engine.forecast(try Self.input(spend: "40", sellAt: "100000", investment: "1000"))
        #expect(small.failedOrders == [.belowMinNotional: 1] && small.copyFills == 0)
        #expect(
            small.tracking.leadRoi == fx("0.003988") && small.tracking.copyRoi == .zero && small.gapBeyondProfitShare == fx("-0.003988"))
        let input = try Self.input(spend: "40", sellAt: "100000", investment: "1000")
        let ladder = Engine.forecastLadder(minimum: fx("100"))
        #expect(Array(ladder.prefix(8)) == ["100", "150", "200", "300", "500", "750", "1000", "1500"].map(fx))
        #expect(Engine.smallestTracking(input, within: fx("0.002"), ladder: ladder) == fx("1500"))
        var enough = input
        enough.investment = fx("1500")
        let f = try Engine.forecast(enough)
        #expect(f.failedOrders.isEmpty && f.copyFills == 2 && abs(f.gapBeyondProfitShare.units) <= fx("0.002").units)
    }

    /// A lead fill the rebuilt portfolio cannot pay for is skipped and counted, not guessed.
    @Test func fillsThePortfolioCannotPayAreSkipped() throws {
        var input = try Self.input(spend: "5000", sellAt: "60000", investment: "1000")
        input.leadCash = fx("1000")
        let f = try Engine.forecast(input)
        #expect(f.skippedLeadFills == 2 && f.leadFills == 0 && f.copyFills == 0)
    }

    /// A lead holding 0.1 BTC (5,000 of its 10,000) at the start sells it 20% higher, moves 10,000 more into its
    /// portfolio, then spends half of its 20,994 on ETH. A copy of 1,000 buying the lead's holdings at the start:
    /// 0.01 BTC for 500 + 0.50; sold for 600 − 0.60 (realized 98.90, share 9.89): 1,089.01 of cash. The transfer
    /// is replayed where it happened, so the ETH buy is half of the lead's 20,994, and the copy spends half of its
    /// 1,089.01: 544.505 → 2,722 lots of 0.0001 ETH at 2,000 (544.40 + 0.5444 fee). Equity at the end:
    /// 1,089.01 − 544.9444 + 0.2722 × 2,000 = 1,088.4656.
    @Test func holdingsAtTheStartAndATransferOnTheWay() throws {
        let fills = [
            LeadFill(
                id: "o1-f1", lead: 0, symbol: 0, side: .sell, quantity: fx("0.1"), quote: fx("6000"), fee: fx("6"), price: fx("60000"),
                event: 2, time: Self.day),
            LeadFill(
                id: "o2-f1", lead: 0, symbol: 1, side: .buy, quantity: fx("5.2485"), quote: fx("10497"), fee: fx("10.497"),
                price: fx("2000"), event: 4, time: 3 * Self.day),
        ]
        var input = ForecastInput(
            settings: Settings(), symbols: [try TestMarket.btcSymbol(), try TestMarket.ethSymbol()], startMarks: [fx("50000"), fx("2000")],
            endMarks: [fx("60000"), fx("2000")], leadCash: fx("5000"), leadPositions: [0: fx("0.1")], profitShareRate: fx("0.1"),
            slippageLimit: fx("0.005"), fills: fills, start: 0, end: 4 * Self.day, investment: fx("1000"), buyExisting: true)
        input.transfers = [(event: 3, time: 2 * Self.day, amount: fx("10000"))]
        let f = try Engine.forecast(input)
        #expect(f.skippedLeadFills == 0 && f.copyFills == 3 && f.failedOrders.isEmpty)
        #expect(f.equity == fx("1088.4656") && f.profitShare == fx("9.89") && f.fees == fx("1.6444"))
        // Without the transfer the same buy would be 95.5% of the lead's 10,994: the copy would spend 10,497 ×
        // 1,089.01 ÷ 10,994 = 1,039.78 → 5,198 lots (1,039.60 + 1.0396 fee), ending at 48.3704 + 1,039.60.
        input.transfers = []
        let without = try Engine.forecast(input)
        #expect(without.skippedLeadFills == 0 && without.equity == fx("1087.9704"))
    }

    /// A holding below the symbol's minimums at the start cannot be bought again: its value stays cash. A fill's
    /// average price off the tick (an order that walked a book) is replayed on the tick (half-even).
    @Test func dustAtTheStartAndPricesOffTheTick() throws {
        var input = try Self.input(spend: "5000", sellAt: "60000", investment: "1000")
        input.leadPositions = [0: fx("0.00005")]  // 2.50 USDT at 50,000: below the 5 USDT minimum notional
        input.fills[0].price = fx("50000.005")
        let f = try Engine.forecast(input)
        #expect(f.skippedLeadFills == 0 && f.copyFills == 2)
    }
}

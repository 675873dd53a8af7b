/// What a forecast replays: a lead's portfolio at the start of a span, the fills it made since, and a new copy.
public struct ForecastInput: Sendable {
    /// The market's settings (fees, minimum investment) and symbols.
    public var settings: Settings
    public var symbols: [Symbol]
    /// Each symbol's price at the start.
    public var startMarks: [Fixed]
    /// Each symbol's price at the end (the market's marks now).
    public var endMarks: [Fixed]
    /// The lead portfolio at the start: its cash and what it held (quantity by symbol index).
    public var leadCash: Fixed
    public var leadPositions: [Int: Fixed]
    public var profitShareRate: Fixed
    public var slippageLimit: Fixed
    /// The lead's fills since the start, oldest first.
    public var fills: [LeadFill]
    /// Money the lead moved into (positive) or out of (negative) its portfolio since the start, at the event it did.
    public var transfers: [(event: Int, time: Int64, amount: Fixed)] = []
    /// The market's mark prices set since the start, in order (the `prices` history): before each fill, every other
    /// symbol is marked at its last price before the fill, as the market had it. Empty: other symbols keep the last
    /// price the lead traded them at.
    public var prices: [PricePoint] = []
    /// Milliseconds since 1970: the start of the span and its end.
    public var start: Int64
    public var end: Int64
    /// The new copy.
    public var investment: Fixed
    public var buyExisting: Bool

    public init(
        settings: Settings, symbols: [Symbol], startMarks: [Fixed], endMarks: [Fixed], leadCash: Fixed, leadPositions: [Int: Fixed],
        profitShareRate: Fixed, slippageLimit: Fixed, fills: [LeadFill], start: Int64, end: Int64, investment: Fixed,
        buyExisting: Bool
    ) {
        (self.settings, self.symbols, self.startMarks, self.endMarks) = (settings, symbols, startMarks, endMarks)
        (self.leadCash, self.leadPositions, self.profitShareRate, self.slippageLimit) = (
            leadCash, leadPositions, profitShareRate, slippageLimit
        )
        (self.fills, self.start, self.end, self.investment, self.buyExisting) = (fills, start, end, investment, buyExisting)
    }
}

/// What a copy of the investment would have done over the span: its result beside the lead's, where the gap came
/// from, how many copy orders would have failed and why, what it would have paid.
public struct Forecast: Sendable, Hashable {
    public var investment: Fixed
    /// The lead fills replayed, and those the replay could not (the portfolio rebuilt at the start could not pay).
    public var leadFills: Int
    public var skippedLeadFills: Int
    public var copyFills: Int
    /// Copy orders that would have failed, by reason.
    public var failedOrders: [FailedCopyOrder.Reason: Int]
    public var equity: Fixed
    public var fees: Fixed
    public var profitShare: Fixed
    /// The copy's ROI beside the lead's, and the gap split into its parts (DESIGN §5's tracking report).
    public var tracking: TrackingView

    /// The gap without the profit share (which every copy pays by design): how far the copy's result would have been
    /// from the lead's.
    public var gapBeyondProfitShare: Fixed { tracking.gap - tracking.profitShare }
}

extension Engine {
    /// Replays `input` on a scratch engine: the lead portfolio rebuilt as it was at the start (bought at the start's
    /// prices without fees, before the copy exists), the copy started, then each lead fill placed again at its own
    /// price (the lead's symbol marked at the fill's price, on its tick, first; every other symbol at the market's last
    /// price before the fill, from `prices`) and each transfer of the lead at its place among them, and the market's
    /// marks now at the end. No order book is walked: every order fills at the mark. The copy is sized, rounded, capped and refused by the
    /// engine's own rules, so failures and rounding are exact for those prices.
    public static func forecast(_ input: ForecastInput) throws(EngineError) -> Forecast {
        var engine = Engine(settings: input.settings)
        var event = 0
        func at(_ time: Int64) -> Moment {
            defer { event += 1 }
            return Moment(event: event, time: time)
        }
        /// A price on the symbol's tick (a fill's average price walking a book need not be), at least one tick.
        func onTick(_ price: Fixed, _ s: Int) -> Fixed {
            let tick = input.symbols[s].priceTick
            return Fixed.max(price.rounded(toStep: tick, .halfEven), tick)
        }
        for (k, symbol) in input.symbols.enumerated() { try engine.listSymbol(symbol, price: onTick(input.startMarks[k], k)) }
        // The lead at the start: its cash and the holdings' value in, the holdings bought at the start's prices, free.
        // A holding below the symbol's minimums cannot be bought: its value stays cash (the lead's equity is the same).
        var value = input.leadCash
        var holdings: [(Int, Fixed)] = []
        for s in input.leadPositions.keys.sorted() {
            guard let q = input.leadPositions[s], q.isPositive, input.symbols.indices.contains(s) else { continue }
            let symbol = input.symbols[s]
            let worth = symbol.quote(quantity: q, price: engine.venue.marks[s]) ?? .zero
            value += worth
            if q.isMultiple(of: symbol.qtyStep) && q >= symbol.minQty && worth >= symbol.minNotional { holdings.append((s, q)) }
        }
        let fee = input.settings.takerFeeRate
        try engine.addUser("lead")
        try engine.deposit(user: "lead", amount: value, at: at(input.start))
        _ = try engine.startLeading(
            user: "lead", portfolio: value, profitShareRate: input.profitShareRate, slippageLimit: input.slippageLimit, at: at(input.start))
        try engine.updateSettings(takerFeeRate: .zero, minInvestment: nil, maxActiveCopiesPerFollower: nil, defaultFollowerLimit: nil)
        for (s, q) in holdings {
            _ = try engine.placeOrder(
                OrderRequest(user: "lead", symbol: input.symbols[s].name, side: .buy, quantity: q), at: at(input.start))
        }
        try engine.updateSettings(takerFeeRate: fee, minInvestment: nil, maxActiveCopiesPerFollower: nil, defaultFollowerLimit: nil)
        try engine.addUser("copy")
        try engine.deposit(user: "copy", amount: input.investment, at: at(input.start))
        let ref = try engine.startCopy(
            StartCopyRequest(copyID: "forecast", user: "copy", lead: "lead", investment: input.investment, buyExisting: input.buyExisting),
            at: at(input.start))

        // The fills and the transfers in the order they happened (by event).
        var skipped = 0
        var nextTransfer = 0
        let transfers = input.transfers.sorted { $0.event < $1.event }
        func transfersBefore(_ event: Int) {
            while nextTransfer < transfers.count && transfers[nextTransfer].event < event {
                let t = transfers[nextTransfer]
                nextTransfer += 1
                do {
                    if t.amount.isPositive {
                        try engine.deposit(user: "lead", amount: t.amount, at: at(t.time))
                        try engine.transfer(user: "lead", amount: t.amount, .mainToPortfolio, at: at(t.time))
                    } else if t.amount.isNegative {
                        try engine.transfer(
                            user: "lead", amount: Fixed.min(-t.amount, engine.leads[0].cash), .portfolioToMain, at: at(t.time))
                    }
                } catch {}
            }
        }
        // The market's marks as they were before each fill: only each symbol's last price counts, so a long history
        // costs one pass, and each fill at most one price update per other symbol.
        var nextPrice = 0
        var marketMarks = [Fixed?](repeating: nil, count: input.symbols.count)
        func marketBefore(_ event: Int, time: Int64, except filled: Int) {
            while nextPrice < input.prices.count && input.prices[nextPrice].event < event {
                let p = input.prices[nextPrice]
                if input.symbols.indices.contains(p.symbol) { marketMarks[p.symbol] = p.price }
                nextPrice += 1
            }
            for (s, price) in marketMarks.enumerated() where s != filled {
                guard let price, engine.venue.marks[s] != onTick(price, s) else { continue }
                try? engine.updatePrice(symbol: input.symbols[s].name, price: onTick(price, s), at: at(time))
            }
        }
        for fill in input.fills where input.symbols.indices.contains(fill.symbol) {
            transfersBefore(fill.event)
            marketBefore(fill.event, time: fill.time, except: fill.symbol)
            let symbol = input.symbols[fill.symbol]
            do {
                try engine.updatePrice(symbol: symbol.name, price: onTick(fill.price, fill.symbol), at: at(fill.time))
                var quantity = fill.quantity
                if fill.side == .sell { quantity = Fixed.min(quantity, engine.leads[0].positions[fill.symbol]?.quantity ?? .zero) }
                guard quantity.isPositive else {
                    skipped += 1
                    continue
                }
                _ = try engine.placeOrder(
                    OrderRequest(user: "lead", symbol: symbol.name, side: fill.side, quantity: quantity), at: at(fill.time))
            } catch {
                skipped += 1
            }
        }
        transfersBefore(.max)
        for (k, symbol) in input.symbols.enumerated() where engine.venue.marks[k] != onTick(input.endMarks[k], k) {
            try engine.updatePrice(symbol: symbol.name, price: onTick(input.endMarks[k], k), at: at(input.end))
        }
        let view = engine.copyView(ref)
        var failed: [FailedCopyOrder.Reason: Int] = [:]
        for f in engine.failedOrders { failed[f.reason, default: 0] += 1 }
        return Forecast(
            investment: input.investment, leadFills: input.fills.count - skipped, skippedLeadFills: skipped,
            copyFills: engine.row(of: ref).fillCount, failedOrders: failed, equity: view.equity, fees: view.feesPaid,
            profitShare: view.profitSharePaid, tracking: view.tracking)
    }

    /// The smallest of `ladder` (ascending) whose forecast tracks the lead within `within` beyond the profit share,
    /// found by halving the ladder (larger copies round less, so past the first that tracks the rest do too, which
    /// the halving assumes); nil when none does. Each step replays the span once.
    public static func smallestTracking(_ input: ForecastInput, within: Fixed, ladder: [Fixed]) -> Fixed? {
        func tracks(_ amount: Fixed) -> Bool {
            var trial = input
            trial.investment = amount
            guard let f = try? forecast(trial) else { return false }
            return abs(f.gapBeyondProfitShare.units) <= within.units
        }
        var (low, high) = (0, ladder.count)
        while low < high {
            let middle = (low + high) / 2
            if tracks(ladder[middle]) { high = middle } else { low = middle + 1 }
        }
        return low < ladder.count ? ladder[low] : nil
    }

    /// Investments a forecast tries for the smallest that tracks: from the market's minimum up to 1,000 times it.
    public static func forecastLadder(minimum: Fixed) -> [Fixed] {
        [100, 150, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000, 20_000, 50_000, 100_000].map {
            Fixed.clampedMulDiv(minimum, Fixed($0), Fixed(100), .up)
        }
    }
}

/// The copy orders that one lead fill (or a copy start, or a liquidation) causes for one symbol and side, sized
/// and checked against the minimums but not yet executed. All of them go to the venue as one merged order.
public struct SyncPlan: Sendable {
    public var lead: Int
    public var symbol: Int
    public var side: Side
    /// The price the copies are sized at: the lead's fill price, or the mark.
    public var referencePrice: Fixed
    /// Requesting copies by their rows in the copy book (`CopyBook.slot(ofRow:)` gives the slot), ascending, with
    /// their quantities in lots. Failures and the tracking lists below are by row too.
    public var slots: [Int32] = []
    public var lots: [Int64] = []
    public var cappedByCash: [Bool] = []
    public var totalLots: Int64 = 0
    /// Copy orders that failed a check and are not sent.
    public var failures: [FailedCopyOrder] = []
    /// Requested notional of the orders the cash cap cut (slot, USDT units), for the tracking report.
    public var cappedNotional: [(slot: Int32, notional: Int64)] = []
    /// fixedAmount copies: Smart Sync notional − the fixed amount (slot, USDT units, signed), for the tracking report.
    public var sizingNotional: [(slot: Int32, notional: Int64)] = []

    /// Empties the plan for a new order, keeping its buffers.
    mutating func reset(lead: Int, symbol: Int, side: Side, referencePrice: Fixed) {
        self.lead = lead
        self.symbol = symbol
        self.side = side
        self.referencePrice = referencePrice
        slots.removeAll(keepingCapacity: true)
        lots.removeAll(keepingCapacity: true)
        cappedByCash.removeAll(keepingCapacity: true)
        failures.removeAll(keepingCapacity: true)
        cappedNotional.removeAll(keepingCapacity: true)
        sizingNotional.removeAll(keepingCapacity: true)
        totalLots = 0
    }

    mutating func append(_ slot: Int, lots q: Int64, capped: Bool) {
        slots.append(Int32(truncatingIfNeeded: slot))
        lots.append(q)
        cappedByCash.append(capped)
        totalLots += q
    }
}

/// Buffers a fan-out reuses from one lead fill to the next, so that a million-copy fan-out works in warm memory.
/// A cache only: dropping it (on an error) costs an allocation next time, nothing else.
struct FanOutWorkspace: Sendable {
    var plan = SyncPlan(lead: 0, symbol: 0, side: .buy, referencePrice: .zero)
    /// The copies' equities while a buy is planned; once the plan is made they are not read again, and the same
    /// buffer holds the copies' fee caps while the execution is allocated (one buffer for both: 8 B a copy less).
    var equity: [Int64] = []
    var lots: [Int64] = []
    var quotes: [Int64] = []
    var fees: [Int64] = []
    var remainders: [Int64] = []

    /// Bytes held by the buffers.
    var byteCount: Int {
        8 * (equity.capacity + lots.capacity + quotes.capacity + fees.capacity + remainders.capacity)
            + 4 * plan.slots.capacity + 8 * plan.lots.capacity + plan.cappedByCash.capacity
            + MemoryLayout<FailedCopyOrder>.stride * plan.failures.capacity
    }
}

/// What a buy is sized from.
enum BuyTarget {
    /// Smart Sync: the lead spent `quote` out of `leadEquity` (units); `fixedAmount` copies spend their amount per order.
    case ratio(quote: Int64, leadEquity: Int64)
    /// An explicit notional per listed slot (buy existing assets).
    case notional([Int64])
}

/// Which copies of a lead take part: all active ones, or a list of slots (the planner gets their rows:
/// `rows(in:)`).
enum SlotSelection {
    case allActive
    case list([Int])

    /// The list's slots as rows of `book`, as the planner indexes the columns.
    func rows(in book: CopyBook) -> SlotSelection {
        guard case .list(let slots) = self, !book.slotOfRow.isEmpty else { return self }
        return .list(slots.map { book.row($0) })
    }
}

/// The Smart Sync planner (DESIGN §2, §3a) as functions of their inputs: a lead's copy book, the symbol's rules
/// and the market's lot values, and what the lead did. They read nothing else and change nothing but the plan they
/// write; the engine gathers the inputs (`Engine.planBuys`, `Engine.planSells`) and executes the plan. They are
/// inlined into the engine's wrappers: called out of line, the 1M-copy fan-out measured 5–15% slower
/// (`bench fanout --copies 1000000`, BENCHMARKS.md).
public enum SyncPlanner {
    /// Equity of every copy in `book` in USDT units: cash + Σ lots × `lotValues[column]` (the value of one lot of
    /// each holding column's symbol, the filled one at the fill price: DESIGN §2, same marks).
    @inline(__always)
    static func copyEquities(_ book: CopyBook, lotValues: [Int64], into equity: inout [Int64]) throws(EngineError) {
        equity.removeAll(keepingCapacity: true)
        equity.append(contentsOf: book.cash)
        var overflow = false
        for c in book.holdingSymbols.indices {
            let value = lotValues[c]
            book.lots[c].withUnsafeBufferPointer { lots in
                equity.withUnsafeMutableBufferPointer { e in
                    for i in 0..<lots.count where lots[i] != 0 {
                        let (v, o1) = lots[i].multipliedReportingOverflow(by: value)
                        let (sum, o2) = e[i].addingReportingOverflow(v)
                        overflow = overflow || o1 || o2
                        e[i] = sum
                    }
                }
            }
        }
        if overflow { throw EngineError(.overflow, field: "price", "a copy's equity overflows") }
    }

    /// Sizes the buys of the selected copies of lead `l` (equity ratio, cash cap, minimum checks in order) into the
    /// workspace's plan. `lotValues` values each holding column (Smart Sync's equities); `rules` are the symbol's.
    /// `controls` are the controlled copies' limits (`CopyControls`), by row ascending: a copy's notional is limited
    /// before the cash cap and the minimums, and what the limit took off is recorded as sizing.
    @inline(__always)
    static func planBuys(
        _ book: CopyBook, lead l: Int, symbol s: Int, price: Fixed, rules: BuyRules, lotValues: [Int64], target: BuyTarget,
        slots selection: SlotSelection, controls: [BuyControl], event: Int, workspace ws: inout FanOutWorkspace
    ) throws(EngineError) {
        ws.plan.reset(lead: l, symbol: s, side: .buy, referencePrice: price)
        let column = book.columnIndex(of: SymbolIndex(s))?.index
        /// What copy `i` with equity `equity` asks for instead of `n` under its controls (`c`), the cut recorded.
        @inline(__always)
        func limited(_ n: Int64, _ i: Int, _ c: BuyControl, equity: Int64, plan: inout SyncPlan) -> Int64 {
            let held = column.map { book.lots[$0][i] * lotValues[$0] } ?? 0
            let m = c.limit(n, equity: equity, held: held)
            if m < n { plan.sizingNotional.append((Int32(i), n - m)) }
            return m
        }
        switch selection {
        case .allActive:
            guard case .ratio(let leadQuote, let leadEquity) = target else { preconditionFailure("all copies size by ratio") }
            try copyEquities(book, lotValues: lotValues, into: &ws.equity)
            ws.plan.slots.reserveCapacity(book.activeCount)
            ws.plan.lots.reserveCapacity(book.activeCount)
            ws.plan.cappedByCash.reserveCapacity(book.activeCount)
            var overflow = false
            var next = 0
            ws.equity.withUnsafeBufferPointer { equity in
                for i in 0..<book.rowCount where book.status[i] == .active {
                    var n: Int64
                    if book.mode[i] == .fixedAmount {
                        n = book.amountPerOrder[i]
                        let ratioNotional = mulDivFloor(leadQuote, Swift.max(equity[i], 0), leadEquity) ?? n
                        if ratioNotional != n { ws.plan.sizingNotional.append((Int32(i), ratioNotional - n)) }
                    } else if let v = mulDivFloor(leadQuote, Swift.max(equity[i], 0), leadEquity) {
                        n = v
                    } else {
                        overflow = true
                        continue
                    }
                    // The few controlled copies, met in row order beside the sweep (one compare while there are none).
                    if next < controls.count && controls[next].row <= i {
                        while next < controls.count && controls[next].row < i { next += 1 }
                        if next < controls.count && controls[next].row == i {
                            let asked = n
                            n = limited(n, i, controls[next], equity: equity[i], plan: &ws.plan)
                            next += 1
                            if n == 0 && asked > 0 { continue }
                        }
                    }
                    switch rules.size(notional: n, cash: book.cash[i]) {
                    case .order(let lots, let capped):
                        ws.plan.append(i, lots: lots, capped: capped)
                        if capped { ws.plan.cappedNotional.append((Int32(i), n)) }
                    case .failed(let reason): ws.plan.failures.append(failure(l, i, event, s, .buy, reason, n))
                    }
                }
            }
            if overflow { throw EngineError(.overflow, field: "quoteAmount", "copy order size overflows") }
        case .list(let list):
            guard case .notional(let notionals) = target else { preconditionFailure("explicit slots need notionals") }
            for (k, i) in list.enumerated() {
                var n = notionals[k]
                if let c = controls.first(where: { $0.row == i }) {
                    var equity = book.cash[i]
                    for col in lotValues.indices { equity += book.lots[col][i] * lotValues[col] }
                    let asked = n
                    n = limited(n, i, c, equity: equity, plan: &ws.plan)
                    if n == 0 && asked > 0 { continue }
                }
                switch rules.size(notional: n, cash: book.cash[i]) {
                case .order(let lots, let capped):
                    ws.plan.append(i, lots: lots, capped: capped)
                    if capped { ws.plan.cappedNotional.append((Int32(i), n)) }
                case .failed(let reason): ws.plan.failures.append(failure(l, i, event, s, .buy, reason, n))
                }
            }
        }
    }

    /// Sizes the sells of the selected copies: the lead's fraction `quantity / held` of each copy's holding
    /// (rounded down to the step), or everything when `fraction` is nil or the lead sells its whole holding.
    /// `lotPrice` is one lot's value at the reference price; `minLots` and `minNotional` are the symbol's minimums.
    @inline(__always)
    static func planSells(
        _ book: CopyBook, lead l: Int, symbol s: Int, price: Fixed, lotPrice: Int64, minLots: Int64, minNotional: Int64,
        fraction: (quantity: Int64, held: Int64)?, slots selection: SlotSelection, event: Int, workspace ws: inout FanOutWorkspace
    ) {
        ws.plan.reset(lead: l, symbol: s, side: .sell, referencePrice: price)
        guard let c = book.columnIndex(of: SymbolIndex(s))?.index else { return }
        let whole = fraction.map { $0.quantity >= $0.held } ?? true

        func size(_ i: Int) {
            let held = book.lots[c][i]
            // A copy that holds none of the symbol ignores the sell.
            guard held > 0 else { return }
            let lots: Int64
            let requestedBelowMinimum: Bool
            if whole {
                lots = held
                requestedBelowMinimum = Int128(held) * Int128(lotPrice) < Int128(minNotional)
            } else {
                let f = fraction!
                lots = mulDivFloor(f.quantity, held, f.held) ?? held
                requestedBelowMinimum =
                    Int128(f.quantity) * Int128(held) * Int128(lotPrice) < Int128(minNotional) * Int128(f.held)
            }
            let notional = lots * lotPrice
            let reason: FailedCopyOrder.Reason? =
                requestedBelowMinimum
                ? .belowMinNotional
                : (lots == 0 || lots < minLots)
                    ? .belowMinQty
                    : notional < minNotional ? .belowMinNotional : nil
            if let reason {
                ws.plan.failures.append(failure(l, i, event, s, .sell, reason, notional))
                return
            }
            ws.plan.append(i, lots: lots, capped: false)
        }

        switch selection {
        case .allActive:
            // Closing copies follow the sells too (they only stop buying).
            for i in 0..<book.rowCount where book.status[i] != .stopped { size(i) }
        case .list(let list):
            for i in list { size(i) }
        }
    }

    static func failure(
        _ l: Int, _ slot: Int, _ event: Int, _ s: Int, _ side: Side, _ reason: FailedCopyOrder.Reason, _ notional: Int64
    ) -> FailedCopyOrder {
        FailedCopyOrder(
            lead: Int32(l), slot: Int32(slot), event: Int32(truncatingIfNeeded: event), symbol: Int32(s), side: side,
            reason: reason, notional: Fixed(units: notional))
    }
}

extension Engine {
    /// The value of one lot of each of lead `l`'s holding columns, the symbol `s` at `price`, the others at the mark.
    func lotValues(_ l: Int, pricing s: Int, at price: Fixed) -> [Int64] {
        leads[l].book.holdingSymbols.map { lotValue($0, price: $0 == s ? price : venue.marks[$0]) }
    }

    /// Equity of every copy of a lead in USDT units, the filled symbol valued at `price` (DESIGN §2: same marks).
    func copyEquities(_ l: Int, pricing symbol: Int, at price: Fixed, into equity: inout [Int64]) throws(EngineError) {
        try SyncPlanner.copyEquities(leads[l].book, lotValues: lotValues(l, pricing: symbol, at: price), into: &equity)
    }

    /// The buy rules of symbol `s` for a merged order at `price` (with `limit`), at this market: the lot value at
    /// the reference price and at the worst price the order may pay, the margin a book walk needs, the minimums
    /// and the fee rate.
    func buyRules(symbol s: Int, price: Fixed, limit: Fixed?) -> BuyRules {
        let symbol = venue.symbols[s]
        // At an external venue the merged order may execute anywhere up to its limit, at several prices.
        let external = venueBook.mode == .external
        return BuyRules(
            lotPrice: lotValue(s, price: price),
            worstLot: lotValue(s, price: Fixed.max(external ? limit ?? price : venue.worstBuyPrice(s, limit: limit), price)),
            // A book walk allocates quote by largest remainder, which can put one unit more on a copy (and its fee).
            margin: venue.books[s] == nil && !external ? 0 : 2,
            minLots: symbol.minQty.units / symbol.qtyStep.units,
            minNotional: symbol.minNotional.units,
            rate: settings.takerFeeRate.units)
    }

    /// Sizes the buys of the selected copies into the workspace's plan (`SyncPlanner.planBuys` at this market).
    func planBuys(
        lead l: Int, symbol s: Int, price: Fixed, limit: Fixed?, target: BuyTarget, slots selection: SlotSelection,
        event: Int, workspace ws: inout FanOutWorkspace
    ) throws(EngineError) {
        try SyncPlanner.planBuys(
            leads[l].book, lead: l, symbol: s, price: price, rules: buyRules(symbol: s, price: price, limit: limit),
            lotValues: lotValues(l, pricing: s, at: price), target: target, slots: selection.rows(in: leads[l].book),
            controls: leads[l].book.buyControls(symbol: venue.symbols[s].name), event: event, workspace: &ws)
    }

    /// Sizes the sells of the selected copies into the workspace's plan (`SyncPlanner.planSells` at this market).
    func planSells(
        lead l: Int, symbol s: Int, price: Fixed, fraction: (quantity: Int64, held: Int64)?,
        slots selection: SlotSelection, event: Int, workspace ws: inout FanOutWorkspace
    ) {
        let symbol = venue.symbols[s]
        SyncPlanner.planSells(
            leads[l].book, lead: l, symbol: s, price: price, lotPrice: lotValue(s, price: price),
            minLots: symbol.minQty.units / symbol.qtyStep.units, minNotional: symbol.minNotional.units, fraction: fraction,
            slots: selection.rows(in: leads[l].book), event: event, workspace: &ws)
    }

    /// The slots of rows of lead `l`'s copy book (a plan's copies, for what is kept beyond the fan-out).
    func slots(ofRows rows: [Int32], lead l: Int) -> [Int32] {
        let book = leads[l].book
        return book.slotOfRow.isEmpty ? rows : rows.map { Int32(book.slot(ofRow: Int($0))) }
    }
}

/// The per-copy buy sizing of DESIGN §2 and §3a for one merged order: the notional in lots at the reference
/// price, capped by cash at the worst price the order may pay (fee and margin included), then the minimums.
struct BuyRules {
    enum Outcome {
        case order(lots: Int64, capped: Bool)
        case failed(FailedCopyOrder.Reason)
    }

    let lotPrice: Int64
    let worstLot: Int64
    let margin: Int64
    let minLots: Int64
    let minNotional: Int64
    let rate: Int64

    /// Cost of `lots` at the worst price with the taker fee (rounded up) and the margin; `Int64.max` (more than any
    /// cash, so the order is capped by cash) when it does not fit, never a wrapped product.
    @inline(__always)
    func cost(_ lots: Int64) -> Int64 {
        let (notional, overflow) = lots.multipliedReportingOverflow(by: worstLot)
        if overflow { return .max }
        let (withFee, o1) = notional.addingReportingOverflow(Engine.standaloneFee(notional, rate: rate))
        let (total, o2) = withFee.addingReportingOverflow(margin)
        return o1 || o2 ? .max : total
    }

    @inline(__always)
    func size(notional n: Int64, cash: Int64) -> Outcome {
        if n <= 0 || n < minNotional { return .failed(.belowMinNotional) }
        var lots = n / lotPrice
        var capped = false
        if lots > 0 && cost(lots) > cash {
            capped = true
            let perLot = Int128(worstLot) * Int128(Fixed.unitsPerOne + rate)
            let spendable = Int128(Swift.max(cash - margin, 0)) * Int128(Fixed.unitsPerOne)
            lots = Int64(Swift.min(Int128(lots), spendable / perLot))
            while lots > 0 && cost(lots) > cash { lots -= 1 }
        }
        if lots == 0 || lots < minLots { return .failed(capped ? .insufficientCash : .belowMinQty) }
        if lots * lotPrice < minNotional { return .failed(capped ? .insufficientCash : .belowMinNotional) }
        return .order(lots: lots, capped: capped)
    }
}

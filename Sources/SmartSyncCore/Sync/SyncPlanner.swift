/// The copy orders that one lead fill (or a copy start, or a liquidation) causes for one symbol and side, sized
/// and checked against the minimums but not yet executed. All of them go to the venue as one merged order.
public struct SyncPlan: Sendable {
    public var lead: Int
    public var symbol: Int
    public var side: Side
    /// The price the copies are sized at: the lead's fill price, or the mark.
    public var referencePrice: Fixed
    /// Requesting copies, slots ascending, with their quantities in lots.
    public var slots: [Int32] = []
    public var lots: [Int64] = []
    public var cappedByCash: [Bool] = []
    public var totalLots: Int64 = 0
    /// Copy orders that failed a check and are not sent.
    public var failures: [FailedCopyOrder] = []
}

/// What a buy is sized from.
enum BuyTarget {
    /// Smart Sync: the lead spent `quote` out of `leadEquity` (units); `fixedAmount` copies spend their amount per order.
    case ratio(quote: Int64, leadEquity: Int64)
    /// An explicit notional per listed slot (buy existing assets).
    case notional([Int64])
}

/// Which copies of a lead take part.
enum SlotSelection {
    case allActive
    case list([Int])
}

extension Engine {
    /// Equity of every copy of a lead in USDT units, the filled symbol valued at `price` (DESIGN §2: same marks).
    func copyEquities(_ l: Int, pricing symbol: Int, at price: Fixed) throws(EngineError) -> [Int64] {
        let book = leads[l].book
        var equity = book.cash
        var overflow = false
        for (c, s) in book.holdingSymbols.enumerated() {
            let value = lotValue(s, price: s == symbol ? price : venue.marks[s])
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
        return equity
    }

    /// Sizes the buys of the selected copies (DESIGN §2: equity ratio, cash cap, minimum checks in order).
    func planBuys(
        lead l: Int, symbol s: Int, price: Fixed, limit: Fixed?, target: BuyTarget, slots selection: SlotSelection,
        event: Int
    ) throws(EngineError) -> SyncPlan {
        var plan = SyncPlan(lead: l, symbol: s, side: .buy, referencePrice: price)
        let book = leads[l].book
        let symbol = venue.symbols[s]
        let lotPrice = lotValue(s, price: price)
        let worstLot = lotValue(s, price: Fixed.max(venue.worstBuyPrice(s, limit: limit), price))
        // A book walk allocates quote by largest remainder, which can put one unit more on a copy (and its fee).
        let margin: Int64 = venue.books[s] == nil ? 0 : 2
        let minLots = symbol.minQty.units / symbol.qtyStep.units
        let minNotional = symbol.minNotional.units
        let rate = settings.takerFeeRate.units
        var equity: [Int64] = []
        var leadQuote: Int64 = 0
        var leadEquity: Int64 = 1
        if case .ratio(let q, let e) = target {
            equity = try copyEquities(l, pricing: s, at: price)
            (leadQuote, leadEquity) = (q, e)
        }

        func cost(_ lots: Int64) -> Int64 {
            let notional = lots * worstLot
            return notional + (mulDivCeil(notional, rate, Fixed.unitsPerOne) ?? .max / 2) + margin
        }

        func size(_ i: Int, _ n: Int64) {
            if n <= 0 || n < minNotional {
                plan.failures.append(failure(l, i, event, s, .buy, .belowMinNotional, n))
                return
            }
            var lots = n / lotPrice
            var capped = false
            let cash = book.cash[i]
            if lots > 0 && cost(lots) > cash {
                capped = true
                let perLot = Int128(worstLot) * Int128(Fixed.unitsPerOne + rate)
                let spendable = Int128(Swift.max(cash - margin, 0)) * Int128(Fixed.unitsPerOne)
                lots = Int64(Swift.min(Int128(lots), spendable / perLot))
                while lots > 0 && cost(lots) > cash { lots -= 1 }
            }
            if lots == 0 || lots < minLots {
                plan.failures.append(failure(l, i, event, s, .buy, capped ? .insufficientCash : .belowMinQty, n))
                return
            }
            if lots * lotPrice < minNotional {
                plan.failures.append(failure(l, i, event, s, .buy, capped ? .insufficientCash : .belowMinNotional, n))
                return
            }
            plan.slots.append(Int32(i))
            plan.lots.append(lots)
            plan.cappedByCash.append(capped)
            plan.totalLots += lots
        }

        switch selection {
        case .allActive:
            plan.slots.reserveCapacity(book.activeCount)
            plan.lots.reserveCapacity(book.activeCount)
            plan.cappedByCash.reserveCapacity(book.activeCount)
            for i in 0..<book.count where book.status[i] == .active {
                let n: Int64
                if book.mode[i] == .fixedAmount {
                    n = book.amountPerOrder[i]
                } else {
                    guard let v = mulDivFloor(leadQuote, Swift.max(equity[i], 0), leadEquity) else {
                        throw EngineError(.overflow, field: "quoteAmount", "copy order size overflows")
                    }
                    n = v
                }
                size(i, n)
            }
        case .list(let list):
            guard case .notional(let notionals) = target else { preconditionFailure("explicit slots need notionals") }
            for (k, i) in list.enumerated() { size(i, notionals[k]) }
        }
        return plan
    }

    /// Sizes the sells of the selected copies: the lead's fraction `quantity / held` of each copy's holding
    /// (rounded down to the step), or everything when `fraction` is nil or the lead sells its whole holding.
    func planSells(
        lead l: Int, symbol s: Int, price: Fixed, fraction: (quantity: Int64, held: Int64)?,
        slots selection: SlotSelection, event: Int
    ) -> SyncPlan {
        var plan = SyncPlan(lead: l, symbol: s, side: .sell, referencePrice: price)
        let book = leads[l].book
        guard let c = book.columnIndex(of: s) else { return plan }
        let symbol = venue.symbols[s]
        let lotPrice = lotValue(s, price: price)
        let minLots = symbol.minQty.units / symbol.qtyStep.units
        let minNotional = symbol.minNotional.units
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
                requestedBelowMinimum ? .belowMinNotional
                : (lots == 0 || lots < minLots) ? .belowMinQty
                : notional < minNotional ? .belowMinNotional : nil
            if let reason {
                plan.failures.append(failure(l, i, event, s, .sell, reason, notional))
                return
            }
            plan.slots.append(Int32(i))
            plan.lots.append(lots)
            plan.cappedByCash.append(false)
            plan.totalLots += lots
        }

        switch selection {
        case .allActive:
            for i in 0..<book.count where book.status[i] == .active { size(i) }
        case .list(let list):
            for i in list { size(i) }
        }
        return plan
    }

    func failure(
        _ l: Int, _ slot: Int, _ event: Int, _ s: Int, _ side: Side, _ reason: FailedCopyOrder.Reason, _ notional: Int64
    ) -> FailedCopyOrder {
        FailedCopyOrder(
            lead: Int32(l), slot: Int32(slot), event: Int32(truncatingIfNeeded: event), symbol: Int32(s), side: side,
            reason: reason, notional: Fixed(units: notional))
    }
}

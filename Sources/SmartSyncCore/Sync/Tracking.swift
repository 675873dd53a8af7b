/// The tracking report of one copy (DESIGN §4): its ROI next to the lead's over the same span, and the gap split
/// into what caused it. The parts add up to the gap exactly.
public struct TrackingView: Sendable, Hashable {
    public var copyRoi: Fixed
    public var leadRoi: Fixed
    /// copyRoi − leadRoi.
    public var gap: Fixed
    /// The copy's fees against the lead's fees on the same NAV (merged orders can cost less than the lead's own).
    public var fees: Fixed
    /// Profit share paid to the lead (the lead's ROI does not pay it).
    public var profitShare: Fixed
    /// Copy fills at prices other than the lead's (order-book walk of the merged order, slippage, buy-existing timing).
    public var priceDifference: Fixed
    /// Profit or loss of what failed, cash-capped or partly filled orders did not trade.
    public var failedOrCapped: Fixed
    /// Profit or loss of holding other quantities than the lead's ratios by design: lead holdings the copy never
    /// bought (started without buy existing, money added later), fixed amounts (fixedAmount mode), and the lead's
    /// own transfers, which change its weights without a trade to copy.
    public var sizing: Fixed
    /// The rest: quantities rounded down to the step, 1e-8 rounding, and sizing from an equity that already differs.
    public var rounding: Fixed
}

extension Engine {
    /// The tracking report of a copy; frozen at its stop.
    public func tracking(_ ref: CopyRef) -> TrackingView {
        let book = leads[ref.lead].book
        let i = ref.slot
        let stopped = !book.isActive(i)
        let copyNav = stopped ? Fixed(units: book.navAtStop(i)) : copyNav(ref)
        let leadNow = stopped ? Fixed(units: book.leadNavAtStop(i)) : leadNav(ref.lead)
        let leadStart = book.leadNavAtStart(i)
        let copyRoi = copyNav - .one
        let leadRoi = Self.ratio(leadNow, leadStart) - .one
        let parts = book.trackingRatios(i)
        // The lead's own fees, in NAV points over the copy's span, relative to the lead's NAV at the start.
        let leadDrag = stopped ? book.leadFeeDrag(i) : leads[ref.lead].feeDrag - book.leadFeeDrag(i)
        let fees = Fixed(units: parts.fees) + Self.ratio(Fixed(units: leadDrag), leadStart)
        let share = Fixed(units: parts.share)
        let price = Fixed(units: parts.price)
        let missed = Fixed(units: parts.missed)
        let sizing = Fixed(units: parts.sizing)
        let gap = copyRoi - leadRoi
        return TrackingView(
            copyRoi: copyRoi, leadRoi: leadRoi, gap: gap, fees: fees, profitShare: share, priceDifference: price,
            failedOrCapped: missed, sizing: sizing, rounding: gap - fees - share - price - missed - sizing)
    }

    /// Closes a copy's tracking epoch before its units change (or at its stop): epoch USDT become NAV ratios.
    mutating func foldTracking(lead l: Int, slot i: Int) { leads[l].book.foldTracking(i) }

    /// Quantity a copy did not trade (buy) or kept (sell) against the lead's ratios.
    mutating func recordDeviation(_ kind: Deviation, lead l: Int, slot i: Int, symbol s: Int, side: Side, quantity: Int64) {
        guard quantity != 0 else { return }
        let c = leads[l].book.column(for: SymbolIndex(s))
        leads[l].book.addDeviation(kind, slot: i, column: c, quantity: side == .buy ? -quantity : quantity)
    }

    /// Copies without buy existing (or adding money) stay out of the lead's current holdings: that much of each
    /// holding, `amount` USDT's share at the lead's weights, deviates from now on.
    mutating func recordUnboughtHoldings(lead l: Int, slot i: Int, amount: Fixed) {
        let equity = leadEquity(l)
        guard equity.isPositive else { return }
        for s in leads[l].positions.keys.sorted() {
            guard let q = leads[l].positions[s]?.quantity, q.isPositive,
                let quantity = mulDivFloor(q.units, amount.units, equity.units), quantity > 0
            else { continue }
            recordDeviation(.sizing, lead: l, slot: i, symbol: s, side: .buy, quantity: quantity)
        }
    }

    /// Scales deviations by `keep ÷ of`: a lead sell of a fraction shrinks the copy's and the ideal copy's holdings
    /// alike (all slots), and so does taking money out of one copy (one slot).
    mutating func scaleDeviations(lead l: Int, symbol s: Int? = nil, slot: Int? = nil, keep: Int64, of whole: Int64) {
        guard whole > 0 else { return }
        let keep = Swift.max(keep, 0)
        let book = leads[l].book
        let columns = s.map { book.columnIndex(of: SymbolIndex($0)).map { [$0] } ?? [] } ?? book.holdingColumns.map(\.column)
        leads[l].book.scaleDeviations(columns: columns, slot: slot, keep: keep, of: whole)
    }

    /// A lead transfer of `amount` (signed) that takes its equity to `equityAfter` re-weights the lead without a
    /// trade; copies keep their holdings while the ideal copy's (holding − deviations) scale by equity ÷ equityAfter,
    /// so each holding deviates by a further ideal × amount ÷ equityAfter.
    mutating func recordLeadTransfer(lead l: Int, amount: Fixed, equityAfter: Fixed) {
        guard equityAfter.isPositive else { return }
        var book = CopyBook()
        swap(&book, &leads[l].book)
        for (c, s) in book.holdingColumns {
            book.rescaleIdeal(column: c, step: venue[s].qtyStep.units, amount: amount.units, equityAfter: equityAfter.units)
        }
        swap(&book, &leads[l].book)
    }

    /// Taking `amount` out of a copy of equity `equityBefore` takes cash first, then sells `sold` (quantity units
    /// per symbol), while the ideal copy gives back the same share of everything: the difference is sizing.
    mutating func recordWithdrawal(_ ref: CopyRef, amount: Int64, equityBefore: Int64, heldBefore: [Int: Int64]) {
        guard equityBefore > 0 else { return }
        scaleDeviations(lead: ref.lead, slot: ref.slot, keep: equityBefore - amount, of: equityBefore)
        let book = leads[ref.lead].book
        for (c, s) in book.holdingColumns {
            let before = heldBefore[s.index] ?? 0
            let after = book.lots(ref.slot, column: c).quantity(step: venue[s].qtyStep).units
            let idealSold = roundedQuotient(Int128(before) * Int128(amount), Int128(equityBefore), .towardZero)
            let delta = Int64(clamping: Int128(after) - Int128(before) + idealSold)
            if delta != 0 { recordDeviation(.sizing, lead: ref.lead, slot: ref.slot, symbol: s.index, side: .sell, quantity: delta) }
        }
    }

    /// Books the profit or loss of every copy's deviations when a mark moves from `old` to `new`.
    mutating func accrueDeviations(symbol s: Int, from old: Fixed, to new: Fixed) {
        let move = new.units - old.units
        guard move != 0 else { return }
        for l in leads.indices {
            guard let c = leads[l].book.columnIndex(of: SymbolIndex(s)) else { continue }
            leads[l].book.accrueDeviations(column: c, move: move)
        }
    }
}

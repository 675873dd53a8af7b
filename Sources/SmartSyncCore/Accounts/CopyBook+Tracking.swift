/// The two causes of holding other quantities than the lead's ratios, tracked apart (DESIGN §4, tracking report).
enum Deviation {
    case missed, sizing

    var extra: WritableKeyPath<CopyBook, [[Int64]]> { self == .missed ? \.extra : \.sizingExtra }
    var epoch: WritableKeyPath<CopyBook, [Int64]> { self == .missed ? \.epochMissed : \.epochSizing }
}

/// How the copies' holdings deviate from their ideal copies' (the tracking report's `failedOrCapped` and `sizing`):
/// the engine says what happened, the book keeps the quantities and books their profit or loss.
extension CopyBook {
    /// `quantity` units of the symbol in `column` the copy holds beyond (positive) or short of (negative) its ideal.
    mutating func addDeviation(_ kind: Deviation, slot: Int, column: HoldingColumn, quantity: Int64) {
        self[keyPath: kind.extra][column.index][row(slot)] += quantity
    }

    /// Scales both kinds of deviation in `columns` by `keep ÷ whole` (rounded toward zero), for one slot or all.
    mutating func scaleDeviations(columns: [HoldingColumn], slot: Int?, keep: Int64, of whole: Int64) {
        for kind in [Deviation.missed, .sizing] {
            for c in columns.map(\.index) {
                var extra: [Int64] = []
                swap(&extra, &self[keyPath: kind.extra][c])
                let range = slot.map { row($0)..<(row($0) + 1) } ?? extra.indices
                for i in range where extra[i] != 0 {
                    let magnitude = mulDivFloor(Swift.abs(extra[i]), keep, whole) ?? 0
                    extra[i] = extra[i] < 0 ? -magnitude : magnitude
                }
                swap(&extra, &self[keyPath: kind.extra][c])
            }
        }
    }

    /// A lead transfer of `amount` that takes its equity to `equityAfter`: each active copy's ideal holding in
    /// `column` (holding − deviations, `step` units a lot) scales by equity ÷ equityAfter while the copy keeps its
    /// own, so the holding deviates by a further ideal × amount ÷ equityAfter (sizing).
    mutating func rescaleIdeal(column: HoldingColumn, step: Int64, amount: Int64, equityAfter: Int64) {
        let c = column.index
        for i in 0..<rowCount where status[i] != .stopped {
            let ideal = Int128(lots[c][i]) * Int128(step) - Int128(extra[c][i]) - Int128(sizingExtra[c][i])
            guard ideal != 0 else { continue }
            let delta = roundedQuotient(ideal * Int128(amount), Int128(equityAfter), .towardZero)
            sizingExtra[c][i] += Int64(clamping: delta)
        }
    }

    /// Books the profit or loss of every active copy's deviations in `column` when its mark moves by `move` units.
    mutating func accrueDeviations(column: HoldingColumn, move: Int64) {
        let c = column.index
        for kind in [Deviation.missed, .sizing] {
            for i in 0..<rowCount where self[keyPath: kind.extra][c][i] != 0 && status[i] != .stopped {
                let pnl = roundedQuotient(Int128(self[keyPath: kind.extra][c][i]) * Int128(move), Int128(Fixed.unitsPerOne), .down)
                self[keyPath: kind.epoch][i] += Int64(clamping: pnl)
            }
        }
    }

    /// The copy's tracking contributions so far: its closed epochs plus the current epoch's USDT ÷ its units.
    public func trackingRatios(_ slot: Int) -> TrackingRatios {
        let r = row(slot)
        let perUnit = Fixed(units: units[r])
        let closed = closedRatios(slot)
        func part(_ closed: Int64, _ epoch: [Int64]) -> Int64 { closed + Engine.ratio(Fixed(units: epoch[r]), perUnit).units }
        return TrackingRatios(
            fees: part(closed.fees, epochFees), share: part(closed.share, epochShare), price: part(closed.price, epochPrice),
            missed: part(closed.missed, epochMissed), sizing: part(closed.sizing, epochSizing))
    }
}

/// A follower's limits on what its copy buys: the pairs it copies, the most one symbol may weigh, the most one buy
/// spends. Sells are always followed, so that a copy never keeps what its lead sold; the limits only make buys
/// smaller or skip them. What they leave unbought is the follower's design, so the tracking report counts it as
/// `sizing` (like a fixed amount), not as a failed copy order. A buy a limit cuts below the symbol's minimums fails
/// like any copy order that small.
public struct CopyControls: Sendable, Hashable, Codable {
    /// Copy only these pairs (symbol names, each listed, no repeats); nil copies every pair the lead buys.
    public var pairs: [String]?
    /// The most one symbol may weigh in the copy: a buy stops where the holding's value reaches this ratio of the
    /// copy's equity, both at the buy's reference price (above 0, at most 1).
    public var maxSymbolWeight: Fixed?
    /// The most USDT one copy buy spends, before its fee (positive).
    public var maxOrderAmount: Fixed?

    public init(pairs: [String]? = nil, maxSymbolWeight: Fixed? = nil, maxOrderAmount: Fixed? = nil) {
        (self.pairs, self.maxSymbolWeight, self.maxOrderAmount) = (pairs, maxSymbolWeight, maxOrderAmount)
    }

    /// No limit set: the same as no controls.
    public var isEmpty: Bool { pairs == nil && maxSymbolWeight == nil && maxOrderAmount == nil }
}

/// One controlled copy as the buy planner reads it for one symbol: its row in the copy book and what limits its buy.
struct BuyControl: Sendable {
    var row: Int
    /// The symbol is not among the copy's pairs.
    var skip: Bool
    /// The weight cap in 1e-8 of equity, or nil.
    var maxWeight: Int64?
    /// The order cap in USDT units, or `Int64.max`.
    var maxOrder: Int64

    /// The notional a copy with equity `equity` and `held` USDT units of the symbol asks for instead of `n` (all in
    /// USDT units): zero when the symbol is not among its pairs, else `n` capped by the order cap and by what keeps
    /// the holding within the weight cap.
    @inline(__always)
    func limit(_ n: Int64, equity: Int64, held: Int64) -> Int64 {
        if skip { return 0 }
        var m = Swift.min(n, maxOrder)
        if let w = maxWeight {
            let room = (mulDivFloor(Swift.max(equity, 0), w, Fixed.unitsPerOne) ?? .max) - held
            m = Swift.min(m, Swift.max(room, 0))
        }
        return Swift.max(m, 0)
    }
}

extension CopyBook {
    /// A running copy's controls (nil: none).
    public func controls(_ slot: Int) -> CopyControls? { controlsBySlot[slot] }

    /// Sets or clears a running copy's controls.
    mutating func setControls(_ slot: Int, _ controls: CopyControls?) {
        controlsBySlot[slot] = controls.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The controls of the active copies for a buy of `symbol`, by row ascending (what the planner walks beside its
    /// sweep). Empty, and free, while no copy has controls.
    func buyControls(symbol name: String) -> [BuyControl] {
        guard !controlsBySlot.isEmpty else { return [] }
        var out: [BuyControl] = []
        for (slot, c) in controlsBySlot {
            let r = rowIndex(slot)
            guard r >= 0, status[r] == .active else { continue }
            out.append(
                BuyControl(
                    row: r, skip: c.pairs.map { !$0.contains(name) } ?? false, maxWeight: c.maxSymbolWeight?.units,
                    maxOrder: c.maxOrderAmount?.units ?? .max))
        }
        out.sort { $0.row < $1.row }
        return out
    }
}

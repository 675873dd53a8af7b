/// A holding of one symbol with its cost basis (buy fees included) and realized PnL after fees.
public struct Position: Sendable, Hashable {
    public var quantity: Fixed = .zero
    /// Total cost of the quantity held, buy fees included.
    public var cost: Fixed = .zero
    /// Realized PnL after fees over the life of this position.
    public var realizedPnl: Fixed = .zero
    /// Realized PnL since the holding was last zero (the open round trip).
    public var roundTripPnl: Fixed = .zero

    public init() {}

    /// Average cost per unit, buy fees included (half-even on the 1e-8 grid).
    public var averageCost: Fixed {
        quantity.isZero ? .zero : Fixed.clampedMulDiv(cost, .one, quantity, .halfEven)
    }

    public mutating func applyBuy(quantity q: Fixed, quote: Fixed, fee: Fixed) {
        quantity += q
        cost += quote + fee
    }

    /// Applies a sell and returns its realized PnL and, when the holding returned to zero, the closed round trip's PnL.
    @discardableResult
    public mutating func applySell(quantity q: Fixed, quote: Fixed, fee: Fixed) -> (realized: Fixed, closedRoundTrip: Fixed?) {
        let removed = Fixed(units: CostBasis.removed(cost: cost.units, held: quantity.units, sold: q.units))
        let realized = quote - fee - removed
        cost -= removed
        quantity -= q
        realizedPnl += realized
        roundTripPnl += realized
        guard quantity.isZero else { return (realized, nil) }
        let closed = roundTripPnl
        roundTripPnl = .zero
        return (realized, closed)
    }
}

/// Cost-basis arithmetic shared by positions and the copy book's columns.
public enum CostBasis {
    /// The cost that leaves with `sold` out of `held` units carrying `cost`: pro rata, rounded down,
    /// and all of it when the whole holding is sold, so a round trip's realized PnL is exactly cash out − cash in.
    @inlinable
    public static func removed(cost: Int64, held: Int64, sold: Int64) -> Int64 {
        if sold >= held { return cost }
        if cost <= 0 || sold <= 0 { return 0 }
        return mulDivFloor(cost, sold, held) ?? cost
    }
}

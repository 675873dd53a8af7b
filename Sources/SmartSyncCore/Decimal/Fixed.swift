/// An exact decimal with 8 digits after the point, stored as a scaled `Int64` (1 = 100,000,000 units).
///
/// The engine's one number type for amounts, quantities, prices and ratios: USDT lives on this 1e-8 grid,
/// quantities and prices on their symbol's steps, which are multiples of it. Products and quotients go through
/// 128-bit intermediates with an explicit rounding mode; results that do not fit are errors, never wraps.
public struct Fixed: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value in units of 1e-8.
    public var units: Int64

    public static let scale = 8
    public static let unitsPerOne: Int64 = 100_000_000

    @inlinable public init(units: Int64) { self.units = units }

    public static let zero = Fixed(units: 0)
    public static let one = Fixed(units: unitsPerOne)
    /// The smallest positive value, 0.00000001.
    public static let ulp = Fixed(units: 1)
    public static let max = Fixed(units: .max)

    /// An integral value, e.g. `Fixed(100)` for 100.
    public init(_ integer: Int) {
        let (u, o) = Int64(integer).multipliedReportingOverflow(by: Self.unitsPerOne)
        precondition(!o, "Fixed(\(integer)) overflows")
        units = u
    }

    /// Parses decimal text; more than 8 digits after the point or a value out of range is an error.
    public init(_ text: String) throws(DecimalError) {
        let number = try DecimalNumber(parsing: text)
        try self.init(number, text: text)
    }

    /// Converts exactly; more than 8 significant digits after the point or a value out of range is an error.
    public init(_ number: DecimalNumber, text: String? = nil) throws(DecimalError) {
        let label = text ?? number.description
        guard number.normalized().scale <= Self.scale else { throw .tooManyDecimals(label, allowed: Self.scale) }
        // Int64.min is left out so that every value can be negated.
        guard let u = number.exactly(atScale: Self.scale), let v = Int64(exactly: u), v != .min else { throw .overflow(label) }
        units = v
    }

    /// Canonical text: no trailing zeros, no exponent ("1000.5", "0", "-0.114").
    public var description: String { formatScaled(Int128(units), scale: Self.scale, trimTrailingZeros: true) }

    public var isZero: Bool { units == 0 }
    public var isPositive: Bool { units > 0 }
    public var isNegative: Bool { units < 0 }

    @inlinable public static func < (a: Fixed, b: Fixed) -> Bool { a.units < b.units }
}

// MARK: - Arithmetic

extension Fixed {
    /// Sum; traps on overflow. Use `adding(_:)` where the operands come from outside.
    @inlinable public static func + (a: Fixed, b: Fixed) -> Fixed { Fixed(units: a.units + b.units) }
    @inlinable public static func - (a: Fixed, b: Fixed) -> Fixed { Fixed(units: a.units - b.units) }
    @inlinable public static func += (a: inout Fixed, b: Fixed) { a.units += b.units }
    @inlinable public static func -= (a: inout Fixed, b: Fixed) { a.units -= b.units }
    @inlinable public static prefix func - (a: Fixed) -> Fixed { Fixed(units: -a.units) }

    /// Sum, or `DecimalError.overflow`.
    public func adding(_ other: Fixed) throws(DecimalError) -> Fixed {
        let (u, o) = units.addingReportingOverflow(other.units)
        if o { throw .overflow("\(self) + \(other)") }
        return Fixed(units: u)
    }

    /// Difference, or `DecimalError.overflow`.
    public func subtracting(_ other: Fixed) throws(DecimalError) -> Fixed {
        let (u, o) = units.subtractingReportingOverflow(other.units)
        if o { throw .overflow("\(self) - \(other)") }
        return Fixed(units: u)
    }

    /// `self × other`, rounded to the 1e-8 grid by `mode`.
    public func multiplied(by other: Fixed, _ mode: RoundingMode) throws(DecimalError) -> Fixed {
        try Fixed.mulDiv(self, other, .one, mode)
    }

    /// `self ÷ other`, rounded to the 1e-8 grid by `mode`.
    public func divided(by other: Fixed, _ mode: RoundingMode) throws(DecimalError) -> Fixed {
        try Fixed.mulDiv(self, .one, other, mode)
    }

    /// `a × b ÷ c` with an exact 128-bit intermediate and one rounding at the end.
    public static func mulDiv(_ a: Fixed, _ b: Fixed, _ c: Fixed, _ mode: RoundingMode) throws(DecimalError) -> Fixed {
        guard c.units != 0 else { throw .divisionByZero }
        let q = roundedQuotient(Int128(a.units) * Int128(b.units), Int128(c.units), mode)
        guard let u = Int64(exactly: q) else { throw .overflow("\(a) × \(b) ÷ \(c)") }
        return Fixed(units: u)
    }

    /// `a × b ÷ c` (`c` not zero) like `mulDiv`, but a result past the range of an amount is the nearest end of it
    /// (±`max`) instead of an error. The overflow policy for derived values (averages, ratios, NAV, price limits):
    /// a command checks every amount that changes state and refuses one that does not fit (`Engine.checkedAmount`),
    /// which bounds these well inside the range; should one still leave it, it reads as the largest value, never as
    /// zero and never wrapped.
    public static func clampedMulDiv(_ a: Fixed, _ b: Fixed, _ c: Fixed, _ mode: RoundingMode) -> Fixed {
        precondition(c.units != 0, "division by zero")
        let q = roundedQuotient(Int128(a.units) * Int128(b.units), Int128(c.units), mode)
        return Fixed(units: Int64(exactly: q) ?? (q < 0 ? Int64.min : Int64.max))
    }

    /// `self × other` on the 1e-8 grid, clamped to the range (`clampedMulDiv`).
    public func clampedMultiplied(by other: Fixed, _ mode: RoundingMode) -> Fixed { Fixed.clampedMulDiv(self, other, .one, mode) }

    /// `self ÷ other` (not zero) on the 1e-8 grid, clamped to the range (`clampedMulDiv`).
    public func clampedDivided(by other: Fixed, _ mode: RoundingMode) -> Fixed { Fixed.clampedMulDiv(self, .one, other, mode) }

    /// Rounds to a multiple of `step` (> 0).
    public func rounded(toStep step: Fixed, _ mode: RoundingMode) -> Fixed {
        precondition(step.units > 0, "step must be positive")
        let q = roundedQuotient(Int128(units), Int128(step.units), mode) * Int128(step.units)
        // Rounding up can leave the range only within one step of Int64.max.
        return Fixed(units: Int64(exactly: q) ?? (units / step.units) * step.units)
    }

    /// True when this value is a whole multiple of `step`.
    public func isMultiple(of step: Fixed) -> Bool { step.units != 0 && units % step.units == 0 }

    public static func min(_ a: Fixed, _ b: Fixed) -> Fixed { a < b ? a : b }
    public static func max(_ a: Fixed, _ b: Fixed) -> Fixed { a < b ? b : a }
}

// MARK: - Hot-path integer helpers (non-negative operands, floor rounding)

/// `floor(a × b ÷ c)` for `a, b ≥ 0`, `c > 0`, or nil when the result does not fit in `Int64`.
/// Uses the hardware 128÷64 division; the fan-out calls this a few times per copy.
@inlinable
public func mulDivFloor(_ a: Int64, _ b: Int64, _ c: Int64) -> Int64? {
    let (high, low) = UInt64(truncatingIfNeeded: a).multipliedFullWidth(by: UInt64(truncatingIfNeeded: b))
    let divisor = UInt64(truncatingIfNeeded: c)
    if high >= divisor { return nil }
    let (q, _) = divisor.dividingFullWidth((high, low))
    return q > UInt64(Int64.max) ? nil : Int64(q)
}

/// `floor(a × b ÷ c)` and the remainder, for `a, b ≥ 0`, `c > 0`, when the quotient fits (callers guarantee it).
@inlinable
func mulDivFloorRemainder(_ a: Int64, _ b: Int64, _ c: Int64) -> (quotient: Int64, remainder: Int64) {
    let (high, low) = UInt64(truncatingIfNeeded: a).multipliedFullWidth(by: UInt64(truncatingIfNeeded: b))
    let (q, r) = UInt64(truncatingIfNeeded: c).dividingFullWidth((high, low))
    return (Int64(truncatingIfNeeded: q), Int64(truncatingIfNeeded: r))
}

/// `ceil(a × b ÷ c)` for `a, b ≥ 0`, `c > 0`, or nil when the result does not fit.
@inlinable
public func mulDivCeil(_ a: Int64, _ b: Int64, _ c: Int64) -> Int64? {
    let (high, low) = UInt64(truncatingIfNeeded: a).multipliedFullWidth(by: UInt64(truncatingIfNeeded: b))
    let divisor = UInt64(truncatingIfNeeded: c)
    if high >= divisor { return nil }
    let (q, r) = divisor.dividingFullWidth((high, low))
    let up = r == 0 ? q : q + 1
    return up > UInt64(Int64.max) ? nil : Int64(up)
}

/// How a division or a step rounding resolves a value that falls between two representable results.
public enum RoundingMode: String, Sendable, CaseIterable {
    /// Toward negative infinity (floor). For the non-negative amounts of the engine this is truncation.
    case down
    /// Toward positive infinity (ceiling).
    case up
    /// Toward zero (truncation), whatever the sign.
    case towardZero
    /// To the nearest; an exact half goes to the even neighbour (banker's rounding).
    case halfEven
}

/// `n / d` rounded by `mode`, exact for any 128-bit operands (`d != 0`).
@inlinable
func roundedQuotient(_ n: Int128, _ d: Int128, _ mode: RoundingMode) -> Int128 {
    precondition(d != 0, "division by zero")
    // Swift's `/` truncates toward zero; fix up from there.
    let q = n / d
    let r = n % d
    if r == 0 { return q }
    let negative = (n < 0) != (d < 0)
    switch mode {
    case .towardZero:
        return q
    case .down:
        return negative ? q - 1 : q
    case .up:
        return negative ? q : q + 1
    case .halfEven:
        let twiceR = r.magnitude * 2
        let dm = d.magnitude
        if twiceR < dm { return q }
        if twiceR > dm { return negative ? q - 1 : q + 1 }
        if q % 2 == 0 { return q }
        return negative ? q - 1 : q + 1
    }
}

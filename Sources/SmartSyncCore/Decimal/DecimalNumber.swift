/// An exact decimal of any scale up to 30 digits after the point, used at input boundaries and for
/// rounding arbitrary values to a step. The engine itself computes on `Fixed`.
public struct DecimalNumber: Sendable, Hashable, CustomStringConvertible {
    /// The value is `mantissa × 10^-scale`.
    public let mantissa: Int128
    public let scale: Int

    public static let maxScale = 30

    public init(mantissa: Int128, scale: Int) {
        precondition(scale >= 0 && scale <= Self.maxScale, "scale out of range")
        self.mantissa = mantissa
        self.scale = scale
    }

    /// Parses `-123.456` style text: an optional sign, digits, an optional point and digits. No exponent, no spaces.
    public init(parsing text: String) throws(DecimalError) {
        var mantissa: Int128 = 0
        var scale = 0
        var sawPoint = false
        var digits = 0
        var negative = false
        var index = 0
        for byte in text.utf8 {
            defer { index += 1 }
            switch byte {
            case UInt8(ascii: "-") where index == 0:
                negative = true
            case UInt8(ascii: "+") where index == 0:
                continue
            case UInt8(ascii: "."):
                if sawPoint { throw .malformed(text) }
                sawPoint = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                if sawPoint { scale += 1 }
                if scale > Self.maxScale { throw .tooManyDecimals(text, allowed: Self.maxScale) }
                let (m1, o1) = mantissa.multipliedReportingOverflow(by: 10)
                let (m2, o2) = m1.addingReportingOverflow(Int128(byte - UInt8(ascii: "0")))
                if o1 || o2 { throw .overflow(text) }
                mantissa = m2
            default:
                throw .malformed(text)
            }
        }
        if digits == 0 { throw .malformed(text) }
        self.mantissa = negative ? -mantissa : mantissa
        self.scale = scale
    }

    /// This value expressed with `newScale` digits, exactly; nil when it would need more digits or overflow.
    public func exactly(atScale newScale: Int) -> Int128? {
        if newScale >= scale {
            var m = mantissa
            for _ in 0..<(newScale - scale) {
                let (r, o) = m.multipliedReportingOverflow(by: 10)
                if o { return nil }
                m = r
            }
            return m
        }
        let divisor = Self.powerOfTen(scale - newScale)
        return mantissa % divisor == 0 ? mantissa / divisor : nil
    }

    /// Rounds to a multiple of `step` (> 0), e.g. 0.000123456789 to step 0.00000012.
    public func rounded(toStep step: DecimalNumber, _ mode: RoundingMode) -> DecimalNumber {
        precondition(step.mantissa > 0, "step must be positive")
        let common = max(scale, step.scale)
        // Both fit at the common scale: the larger scale is one of theirs, and we only scale the other up.
        guard let value = exactly(atScale: common), let stepUnits = step.exactly(atScale: common) else {
            preconditionFailure("decimal out of range while aligning scales")
        }
        let steps = roundedQuotient(value, stepUnits, mode)
        return DecimalNumber(mantissa: steps * stepUnits, scale: common).normalized()
    }

    /// The same value with trailing zero digits after the point removed.
    public func normalized() -> DecimalNumber {
        var m = mantissa
        var s = scale
        while s > 0 && m % 10 == 0 {
            m /= 10
            s -= 1
        }
        return DecimalNumber(mantissa: m, scale: s)
    }

    public var description: String {
        formatScaled(mantissa, scale: scale, trimTrailingZeros: true)
    }

    static func powerOfTen(_ n: Int) -> Int128 {
        var p: Int128 = 1
        for _ in 0..<n { p *= 10 }
        return p
    }
}

/// Errors of decimal parsing and exact arithmetic; each carries the offending text or value.
public enum DecimalError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case tooManyDecimals(String, allowed: Int)
    case overflow(String)
    case divisionByZero

    public var description: String {
        switch self {
        case .malformed(let text):
            return "\"\(text)\" is not a decimal number (expected digits with an optional sign and point, like \"1000.5\")"
        case .tooManyDecimals(let text, let allowed):
            return "\"\(text)\" has more than \(allowed) digits after the point"
        case .overflow(let text):
            return "\(text) is out of range (largest allowed magnitude is \(Fixed.max))"
        case .divisionByZero:
            return "division by zero"
        }
    }
}

/// Formats `units × 10^-scale` as plain decimal text ("-0.114", "1000.5", "0").
func formatScaled(_ units: Int128, scale: Int, trimTrailingZeros: Bool) -> String {
    let negative = units < 0
    var digits = String(units.magnitude)
    if scale > 0 {
        if digits.count <= scale {
            digits = String(repeating: "0", count: scale - digits.count + 1) + digits
        }
        let pointIndex = digits.index(digits.endIndex, offsetBy: -scale)
        var fraction = digits[pointIndex...]
        if trimTrailingZeros {
            while fraction.last == "0" { fraction = fraction.dropLast() }
        }
        digits = String(digits[..<pointIndex]) + (fraction.isEmpty ? "" : "." + fraction)
    }
    return negative && units != 0 ? "-" + digits : digits
}

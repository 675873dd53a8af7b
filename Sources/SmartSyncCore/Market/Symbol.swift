/// A spot pair quoted in USDT (`BTC-USDT`) with the venue's trading filters.
public struct Symbol: Sendable, Hashable {
    public let name: String
    /// The traded asset (`BTC` of `BTC-USDT`).
    public let base: String
    public let qtyStep: Fixed
    public let priceTick: Fixed
    public let minQty: Fixed
    public let minNotional: Fixed

    public static let quoteAsset = "USDT"

    /// Validates the filters; each failure names the field and the rule.
    public init(name: String, qtyStep: Fixed, priceTick: Fixed, minQty: Fixed, minNotional: Fixed) throws(FieldError) {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1] == Substring(Self.quoteAsset), !parts[0].isEmpty,
            parts[0].allSatisfy({ $0.isLetter || $0.isNumber })
        else {
            throw FieldError("symbol", "must look like BASE-USDT (got \"\(name)\")")
        }
        guard qtyStep.isPositive else { throw FieldError("qtyStep", "must be positive (got \(qtyStep))") }
        guard priceTick.isPositive else { throw FieldError("priceTick", "must be positive (got \(priceTick))") }
        guard !minQty.isNegative, minQty.isMultiple(of: qtyStep) else {
            throw FieldError("minQty", "must be zero or a multiple of qtyStep \(qtyStep) (got \(minQty))")
        }
        guard !minNotional.isNegative else { throw FieldError("minNotional", "must not be negative (got \(minNotional))") }
        // Every fill's quote is quantity × price exactly on the USDT grid only when the steps multiply onto it.
        guard (Int128(qtyStep.units) * Int128(priceTick.units)) % Int128(Fixed.unitsPerOne) == 0 else {
            throw FieldError(
                "qtyStep",
                "qtyStep × priceTick must be a multiple of 0.00000001 so that quantity × price is an exact USDT amount (got \(qtyStep) × \(priceTick))"
            )
        }
        self.name = name
        self.base = String(parts[0])
        self.qtyStep = qtyStep
        self.priceTick = priceTick
        self.minQty = minQty
        self.minNotional = minNotional
    }

    /// `quantity × price` on the USDT grid; exact because of the step rule checked in `init`.
    @inlinable
    public func quote(quantity: Fixed, price: Fixed) -> Fixed? {
        guard let u = mulDivFloor(quantity.units, price.units, Fixed.unitsPerOne) else { return nil }
        return Fixed(units: u)
    }
}

/// A rule broken by one named input field: `field` says which, `rule` says what was expected.
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var rule: String

    public init(_ field: String, _ rule: String) {
        self.field = field
        self.rule = rule
    }

    public var description: String { "\(field): \(rule)" }
}

/// A whole number of a symbol's quantity steps (`Symbol.qtyStep`): how the copy book and a copy's fills count what
/// they hold, so that a holding's value is one multiplication (`lots × lot value`).
///
/// A `Lots` is not a quantity: `quantity(step:)` turns it into one. It is one `Int64` (same size, same layout), so it
/// costs nothing over the raw count; the columns the fan-out sweeps keep raw `Int64`s and hand out `Lots`.
public struct Lots: Sendable, Hashable, Comparable, AdditiveArithmetic, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    /// How many steps.
    public var count: Int64

    @inlinable public init(_ count: Int64) { self.count = count }
    @inlinable public init(integerLiteral count: Int64) { self.count = count }

    public static let zero = Lots(0)

    /// The quantity these lots are of a symbol whose step is `step` (exact; traps past the range, which a holding
    /// the engine accepted cannot reach: DESIGN §5 bounds quantities).
    @inlinable public func quantity(step: Fixed) -> Fixed { Fixed(units: count * step.units) }

    /// Lots of `quantity` on a symbol whose step is `step`, when it is a whole number of them.
    public init?(quantity: Fixed, step: Fixed) {
        guard step.units > 0, quantity.units % step.units == 0 else { return nil }
        self.init(quantity.units / step.units)
    }

    public var isZero: Bool { count == 0 }
    public var description: String { "\(count) lots" }

    @inlinable public static func < (a: Lots, b: Lots) -> Bool { a.count < b.count }
    @inlinable public static func + (a: Lots, b: Lots) -> Lots { Lots(a.count + b.count) }
    @inlinable public static func - (a: Lots, b: Lots) -> Lots { Lots(a.count - b.count) }
}

/// A symbol's position in the venue's listing (`SimulatedVenue.symbols`, `SimulatedVenue.index(of:)`).
///
/// Copy books keep one holding column per symbol their copies ever held, in the order first held: a `HoldingColumn`
/// is a position in one book and a `SymbolIndex` one in the listing, and the two are different numbers.
public struct SymbolIndex: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var index: Int

    @inlinable public init(_ index: Int) { self.index = index }

    public var description: String { "symbol #\(index)" }
    @inlinable public static func < (a: SymbolIndex, b: SymbolIndex) -> Bool { a.index < b.index }
}

/// A holding column of one copy book (`CopyBook.columnIndex(of:)`); its symbol is `CopyBook.symbol(of:)`.
public struct HoldingColumn: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var index: Int

    @inlinable public init(_ index: Int) { self.index = index }

    public var description: String { "column #\(index)" }
    @inlinable public static func < (a: HoldingColumn, b: HoldingColumn) -> Bool { a.index < b.index }
}

/// One copy's fields, read from the book by slot: what code outside the book reads instead of indexing its columns
/// (amounts as `Fixed`, holdings by column in lots of the symbol's step). `book[slot]` gives them all as a `Row`.
extension CopyBook {
    public func id(_ slot: Int) -> String { ids[slot] }
    /// The follower's position in `Engine.users`.
    public func follower(_ slot: Int) -> Int { Int(users[slot]) }
    public func status(_ slot: Int) -> CopyStatus { status[slot] }
    public func mode(_ slot: Int) -> CopyMode { mode[slot] }
    public func isActive(_ slot: Int) -> Bool { status[slot] == .active }
    public func cash(_ slot: Int) -> Fixed { Fixed(units: cash[slot]) }
    public func totalIn(_ slot: Int) -> Fixed { Fixed(units: totalIn[slot]) }
    public func totalOut(_ slot: Int) -> Fixed { Fixed(units: totalOut[slot]) }
    public func realizedPnl(_ slot: Int) -> Fixed { Fixed(units: realizedPnl[slot]) }
    public func feesPaid(_ slot: Int) -> Fixed { Fixed(units: feesPaid[slot]) }
    public func profitSharePaid(_ slot: Int) -> Fixed { Fixed(units: profitSharePaid[slot]) }
    /// Performance units (NAV = equity ÷ units).
    public func units(_ slot: Int) -> Fixed { Fixed(units: units[slot]) }
    public func startedEvent(_ slot: Int) -> Int { Int(startedEvent[slot]) }
    /// The lead's NAV when the copy started.
    public func leadNavAtStart(_ slot: Int) -> Fixed { Fixed(units: leadNavAtStart[slot]) }
    /// The lead's cumulative fee drag (NAV points, 1e-8) when the copy started; once stopped, the drag over its life.
    public func leadFeeDrag(_ slot: Int) -> Int64 { leadFeeDragAtStart[slot] }
    /// Lots held in holding column `c` (of the symbol `holdingSymbols[c]`).
    public func lots(_ slot: Int, column c: Int) -> Int64 { lots[c][slot] }
    /// Cost basis of the holding in column `c`, buy fees included.
    public func cost(_ slot: Int, column c: Int) -> Fixed { Fixed(units: cost[c][slot]) }
    /// The holding columns where the copy holds something: column, venue symbol index, lots.
    public func heldColumns(_ slot: Int) -> [(column: Int, symbol: Int, lots: Int64)] {
        holdingSymbols.indices.compactMap { c in lots[c][slot] > 0 ? (c, holdingSymbols[c], lots[c][slot]) : nil }
    }
    /// Lots held in column `c` by all copies together.
    public func totalLots(column c: Int) -> Int64 { lots[c].reduce(0, +) }
    /// The slots of the active copies, in order.
    public var activeSlots: [Int] { (0..<count).filter { status[$0] == .active } }
}

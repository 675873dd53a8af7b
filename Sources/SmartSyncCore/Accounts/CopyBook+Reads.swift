/// One copy's fields, read from the book by slot: what code outside the book reads instead of indexing its columns
/// (amounts as `Fixed`, holdings by column in lots of the symbol's step). `book[slot]` gives them all as a `Row`.
/// A released copy (`isInMemory` false) has only its id, follower and status here; its row is in the store.
extension CopyBook {
    public func id(_ slot: Int) -> String {
        let r = rowIndex(slot)
        return r >= 0 ? ids[r] : releasedIDs[released(r, slot)]
    }
    /// The follower's position in `Engine.users`.
    public func follower(_ slot: Int) -> Int {
        let r = rowIndex(slot)
        return Int(r >= 0 ? users[r] : releasedUsers[released(r, slot)])
    }
    /// The released copy a negative `rowIndex` names (a frozen copy's book holds no other slot than its own).
    private func released(_ r: Int, _ slot: Int) -> Int {
        precondition(r != Int(Int32.min), "slot \(slot) is not in this copy book (a frozen copy's book holds one copy)")
        return -1 - r
    }
    public func status(_ slot: Int) -> CopyStatus {
        let r = rowIndex(slot)
        return r >= 0 ? status[r] : .stopped
    }
    public func mode(_ slot: Int) -> CopyMode { mode[row(slot)] }
    /// Not stopped: active, or closing (a close-only stop in progress).
    public func isActive(_ slot: Int) -> Bool {
        let r = rowIndex(slot)
        return r >= 0 && status[r] != .stopped
    }
    /// A close-only stop is in progress: the copy buys nothing and stops once it has nothing left to sell.
    public func isClosing(_ slot: Int) -> Bool {
        let r = rowIndex(slot)
        return r >= 0 && status[r] == .closing
    }
    public func cash(_ slot: Int) -> Fixed { Fixed(units: cash[row(slot)]) }
    public func totalIn(_ slot: Int) -> Fixed { Fixed(units: totalIn[row(slot)]) }
    public func totalOut(_ slot: Int) -> Fixed { Fixed(units: totalOut[row(slot)]) }
    public func realizedPnl(_ slot: Int) -> Fixed { Fixed(units: realizedPnl[row(slot)]) }
    public func feesPaid(_ slot: Int) -> Fixed { Fixed(units: feesPaid[row(slot)]) }
    public func profitSharePaid(_ slot: Int) -> Fixed { Fixed(units: profitSharePaid[row(slot)]) }
    /// Performance units (NAV = equity ÷ units).
    public func units(_ slot: Int) -> Fixed { Fixed(units: units[row(slot)]) }
    public func startedEvent(_ slot: Int) -> Int { Int(startedEvent[row(slot)]) }
    /// The lead's NAV when the copy started.
    public func leadNavAtStart(_ slot: Int) -> Fixed { Fixed(units: leadNavAtStart[row(slot)]) }
    /// The lead's cumulative fee drag (NAV points, 1e-8) when the copy started; once stopped, the drag over its life.
    public func leadFeeDrag(_ slot: Int) -> Int64 { leadFeeDragAtStart[row(slot)] }
    /// Lots held in holding column `c` (of the symbol `symbol(of: c)`).
    public func lots(_ slot: Int, column c: HoldingColumn) -> Lots { Lots(lots[c.index][row(slot)]) }
    /// Cost basis of the holding in column `c`, buy fees included.
    public func cost(_ slot: Int, column c: HoldingColumn) -> Fixed { Fixed(units: cost[c.index][row(slot)]) }
    /// The holding columns where the copy holds something, with their symbols.
    public func heldColumns(_ slot: Int) -> [(column: HoldingColumn, symbol: SymbolIndex, lots: Lots)] {
        let r = row(slot)
        return holdingSymbols.indices.compactMap { c in
            lots[c][r] > 0 ? (HoldingColumn(c), SymbolIndex(holdingSymbols[c]), Lots(lots[c][r])) : nil
        }
    }
    /// Lots held in column `c` by all copies together.
    public func totalLots(column c: HoldingColumn) -> Lots { Lots(lots[c.index].reduce(0, +)) }
    /// The book's holding columns with their symbols, in the order the symbols were first held (no allocation).
    public var holdingColumns: LazyMapSequence<Range<Int>, (column: HoldingColumn, symbol: SymbolIndex)> {
        let symbols = holdingSymbols
        return symbols.indices.lazy.map { (HoldingColumn($0), SymbolIndex(symbols[$0])) }
    }
    /// The symbol of a holding column.
    public func symbol(of c: HoldingColumn) -> SymbolIndex { SymbolIndex(holdingSymbols[c.index]) }
    /// The holding column of `symbol`, nil while no copy of the book ever held it.
    public func columnIndex(of symbol: SymbolIndex) -> HoldingColumn? {
        holdingSymbols.firstIndex(of: symbol.index).map(HoldingColumn.init)
    }
    /// The slots of the copies not stopped (active or closing), in order.
    public var activeSlots: [Int] { (0..<rowCount).filter { status[$0] != .stopped }.map { slot(ofRow: $0) } }
    /// The slots of the closing copies, in order (a scan: read only while `closingCount` > 0).
    public var closingSlots: [Int] {
        closingCount == 0 ? [] : (0..<rowCount).filter { status[$0] == .closing }.map { slot(ofRow: $0) }
    }
}

/// How a copy sizes its orders.
public enum CopyMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Replicates the lead's ratios of equity (the product).
    case smartSync
    /// Traditional copying: a fixed USDT amount per lead buy, sells proportional. Kept for comparison.
    case fixedAmount
}

/// A copy's state. `closing` is a close-only stop in progress: the copy buys nothing more, follows its lead's sells,
/// and stops once it holds nothing it could sell (`StopMode.closeOnly`). Active and closing copies are both "not
/// stopped": they hold money, count toward the limits and are checked against their stop loss and take profit.
public enum CopyStatus: UInt8, Sendable, Hashable {
    case active, stopped, closing

    public var name: String {
        switch self {
        case .active: "active"
        case .stopped: "stopped"
        case .closing: "closing"
        }
    }
}

/// How a follower stops a copy.
public enum StopMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Sell every holding at market now, then return the USDT (the default; a stop loss or take profit does this).
    case sellAll
    /// Stop now and move the holdings as they are, with their cost, to the follower's main account; the cash
    /// returns too. Nothing is sold.
    case keepHoldings
    /// Stop buying, keep following the lead's sells until the copy holds nothing it could sell, then stop (what is
    /// left below the symbol's minimums moves as it is, like any stop's dust).
    case closeOnly
}

/// Why a copy stopped.
public enum StopReason: String, Sendable, Hashable, Codable {
    case follower, leadStopped, removedByLead, stopLoss, takeProfit
}

/// A total stop loss or take profit: an absolute USDT amount or a ratio of net invested.
public enum Threshold: Sendable, Hashable {
    case amount(Fixed)
    case ratio(Fixed)

    /// The USDT distance from net invested that triggers.
    public func distance(netInvested: Fixed) -> Fixed {
        switch self {
        case .amount(let a): return a
        case .ratio(let r): return netInvested.clampedMultiplied(by: r, .down)
        }
    }
}

/// All copies of one lead, one column per field, so a lead fill's fan-out sweeps contiguous memory.
/// A copy is a `slot` (its number here, in creation order), never reused. Its fields are one `row` of the columns:
/// row = slot until a server releases stopped copies (`releaseStopped()`, their frozen rows kept in the database);
/// then the rows are the copies kept in memory, in slot order, and `rowOfSlot`/`slotOfRow` map between the two.
/// Holdings are stored in lots (whole multiples of the symbol's `qtyStep`) so that a value is one multiplication.
public struct CopyBook: Sendable {
    public internal(set) var ids: [String] = []
    public internal(set) var users: [Int32] = []
    public internal(set) var status: [CopyStatus] = []
    public internal(set) var mode: [CopyMode] = []
    /// USDT per lead buy for `fixedAmount` copies (units); zero for Smart Sync.
    public internal(set) var amountPerOrder: [Int64] = []
    public internal(set) var cash: [Int64] = []
    public internal(set) var totalIn: [Int64] = []
    public internal(set) var totalOut: [Int64] = []
    public internal(set) var realizedPnl: [Int64] = []
    public internal(set) var feesPaid: [Int64] = []
    public internal(set) var profitSharePaid: [Int64] = []
    /// What few copies have, kept apart so that the many pay 4 bytes for it, not 93: a stop loss or take profit,
    /// how the copy stopped, and the tracking of the epochs its money changes closed (`closedRatios(_:)`). `details[detailRow[slot]]`, -1 for none (`stopLoss(_:)`, `stopReason(_:)`, …).
    public internal(set) var detailRow: [Int32] = []
    public internal(set) var details: [Details] = []
    /// The event that started the copy (for the tracking report).
    public internal(set) var startedEvent: [Int32] = []
    /// Performance units of the copy (NAV = equity ÷ units), in 1e-8.
    public internal(set) var units: [Int64] = []
    /// The lead's NAV when the copy started, in 1e-8 (tracking compares over the same span).
    public internal(set) var leadNavAtStart: [Int64] = []
    /// `extra[column][slot]`: quantity units the copy holds beyond (negative: short of) the lead's ratios because
    /// orders failed, were capped or only partly filled, or lead holdings were never bought (tracking report).
    public internal(set) var extra: [[Int64]] = []
    /// The same for differences by design: lead holdings never bought (no buy existing, money added later), fixed
    /// amounts (fixedAmount mode), and the lead's own transfers, which copies do not follow.
    public internal(set) var sizingExtra: [[Int64]] = []
    /// Tracking contributions of the current units epoch, USDT units, signed (negative hurts the copy).
    public internal(set) var epochFees: [Int64] = []
    public internal(set) var epochShare: [Int64] = []
    public internal(set) var epochPrice: [Int64] = []
    public internal(set) var epochMissed: [Int64] = []
    public internal(set) var epochSizing: [Int64] = []
    /// The lead's cumulative fee drag (NAV points) when the copy started; at the stop, the drag over its life.
    public internal(set) var leadFeeDragAtStart: [Int64] = []
    /// Copy fills of each copy: what a copy's summary shows without reading its history from the database.
    public internal(set) var fillCount: [Int32] = []
    /// Failed copy orders by reason with the event of the last, for the copies that had any (few do: 472 of 100,000
    /// in `bench soak`): `failureRow[slot]` is the copy's row in `failureTally`, -1 for none; a row is one count per
    /// reason, then one last event per reason (`failureCount`, `lastFailure`, `failureSummary`).
    public internal(set) var failureRow: [Int32] = []
    public internal(set) var failureTally: [Int32] = []
    /// How many active copies have a stop loss or take profit (zero lets price updates skip the check).
    public internal(set) var withThresholds = 0
    /// Venue symbol index of each holding column (typed for readers: `symbol(of:)`, `columnIndex(of:)`).
    var holdingSymbols: [Int] = []
    /// `lots[column][slot]`: quantity held in units of the symbol's qtyStep.
    public internal(set) var lots: [[Int64]] = []
    /// `cost[column][slot]`: cost basis of that holding in USDT units, buy fees included.
    public internal(set) var cost: [[Int64]] = []
    /// Copies not stopped (active or closing).
    public internal(set) var activeCount = 0
    /// Closing copies (a close-only stop in progress; not written in snapshots: counted from `status`).
    public internal(set) var closingCount = 0
    /// The running copies' controls (`CopyControls`) by slot: few copies have them. Cleared when a copy stops.
    var controlsBySlot: [Int: CopyControls] = [:]
    /// Slot → row (≥ 0), or a released copy (`-1 - k`: `releasedIDs[k]`, `releasedUsers[k]`); empty while no copy
    /// was released (row = slot).
    var rowOfSlot: [Int32] = []
    /// Row → slot; empty while row = slot. A frozen copy read back (`readFrozenRow`) has this without `rowOfSlot`.
    var slotOfRow: [Int32] = []
    /// The id and follower of each released copy (what look-ups by id and ownership checks need).
    var releasedIDs: [String] = []
    var releasedUsers: [Int32] = []

    public init() {}

    /// Slots: every copy this lead ever had, in memory or released.
    public var count: Int {
        if !rowOfSlot.isEmpty { return rowOfSlot.count }
        return slotOfRow.last.map { Int($0) + 1 } ?? ids.count
    }

    /// Rows: the copies in memory (every copy until stopped ones are released).
    public var rowCount: Int { ids.count }

    /// Copies released from memory (stopped; their rows are in the database).
    public var releasedCount: Int { releasedIDs.count }

    /// The row of `slot`, or a negative number for a released copy (or one a frozen copy's book does not hold).
    @inline(__always)
    func rowIndex(_ slot: Int) -> Int {
        if !rowOfSlot.isEmpty { return Int(rowOfSlot[slot]) }
        if slotOfRow.isEmpty { return slot }
        var (low, high) = (0, slotOfRow.count)
        while low < high {
            let mid = (low + high) / 2
            if Int(slotOfRow[mid]) < slot { low = mid + 1 } else { high = mid }
        }
        return low < slotOfRow.count && Int(slotOfRow[low]) == slot ? low : Int(Int32.min)
    }

    /// The row of a copy in memory.
    @inline(__always)
    func row(_ slot: Int) -> Int {
        let r = rowIndex(slot)
        precondition(r >= 0, "copy slot \(slot) was released from memory: read it from the store")
        return r
    }

    /// Whether the copy in `slot` has its row in memory (false once released).
    public func isInMemory(_ slot: Int) -> Bool { rowIndex(slot) >= 0 }

    /// The slot of a row.
    @inline(__always)
    public func slot(ofRow r: Int) -> Int { slotOfRow.isEmpty ? r : Int(slotOfRow[r]) }

    /// A copy's seldom-set fields (see `detailRow`).
    public struct Details: Sendable, Hashable {
        public internal(set) var stopLoss: Threshold?
        public internal(set) var takeProfit: Threshold?
        public internal(set) var stopReason: StopReason?
        /// The event that stopped the copy (-1 while active).
        public internal(set) var stoppedEvent: Int32 = -1
        /// The copy's and the lead's NAV when the copy stopped (1e-8), for the read-only history.
        public internal(set) var navAtStop: Int64 = 0
        public internal(set) var leadNavAtStop: Int64 = 0
        public internal(set) var closed = TrackingRatios()

        var isEmpty: Bool { self == Details() }
    }

    /// Tracking contributions as ratios (1e-8) of NAV, by cause: a copy's closed epochs (before each change of its
    /// units) in its details row; with the current epoch added, `trackingRatios(_:)`.
    public struct TrackingRatios: Sendable, Hashable {
        public internal(set) var fees: Int64 = 0
        public internal(set) var share: Int64 = 0
        public internal(set) var price: Int64 = 0
        public internal(set) var missed: Int64 = 0
        public internal(set) var sizing: Int64 = 0
    }

    public func closedRatios(_ slot: Int) -> TrackingRatios { details(slot)?.closed ?? TrackingRatios() }

    mutating func setTrackingRatios(_ slot: Int, _ closed: TrackingRatios) {
        guard detailRow[row(slot)] >= 0 || closed != TrackingRatios() else { return }
        changeDetails(slot) { $0.closed = closed }
    }

    private func details(_ slot: Int) -> Details? {
        let d = detailRow[row(slot)]
        return d < 0 ? nil : details[Int(d)]
    }

    /// Changes a copy's details, giving it a row the first time.
    private mutating func changeDetails(_ slot: Int, _ change: (inout Details) -> Void) {
        let r = row(slot)
        if detailRow[r] < 0 {
            detailRow[r] = Int32(details.count)
            details.append(Details())
        }
        change(&details[Int(detailRow[r])])
    }

    public func stopLoss(_ slot: Int) -> Threshold? { details(slot)?.stopLoss }
    public func takeProfit(_ slot: Int) -> Threshold? { details(slot)?.takeProfit }
    /// Why the copy stopped (nil while active).
    public func stopReason(_ slot: Int) -> StopReason? { details(slot)?.stopReason }
    /// The event that stopped the copy (-1 while active).
    public func stoppedEvent(_ slot: Int) -> Int { Int(details(slot)?.stoppedEvent ?? -1) }
    /// The copy's and the lead's NAV when the copy stopped (1e-8; 0 while active).
    public func navAtStop(_ slot: Int) -> Int64 { details(slot)?.navAtStop ?? 0 }
    public func leadNavAtStop(_ slot: Int) -> Int64 { details(slot)?.leadNavAtStop ?? 0 }
    /// Whether the copy has a stop loss or a take profit.
    public func hasThresholds(_ slot: Int) -> Bool { details(slot).map { $0.stopLoss != nil || $0.takeProfit != nil } ?? false }

    /// Sets a copy's stop and its NAVs then (what `markStopped` records).
    mutating func recordStop(_ slot: Int, reason: StopReason, event: Int, nav: Int64, leadNav: Int64) {
        changeDetails(slot) { d in
            d.stopReason = reason
            d.stoppedEvent = Int32(truncatingIfNeeded: event)
            d.navAtStop = nav
            d.leadNavAtStop = leadNav
        }
    }

    /// The details as the columns snapshots store (one value per slot), and back.
    var detailColumns:
        (
            stopLoss: [Threshold?], takeProfit: [Threshold?], stopReason: [StopReason?], stoppedEvent: [Int32], navAtStop: [Int64],
            leadNavAtStop: [Int64]
        )
    {
        let all = detailRow.map { $0 < 0 ? Details() : details[Int($0)] }
        return (
            all.map(\.stopLoss), all.map(\.takeProfit), all.map(\.stopReason), all.map(\.stoppedEvent), all.map(\.navAtStop),
            all.map(\.leadNavAtStop)
        )
    }

    /// Sets the details from their column form (each `rowCount` long); copies with none get no details row.
    mutating func setDetails(
        stopLoss: [Threshold?], takeProfit: [Threshold?], stopReason: [StopReason?], stoppedEvent: [Int32], navAtStop: [Int64],
        leadNavAtStop: [Int64], closed: [TrackingRatios]
    ) {
        detailRow = []
        details = []
        detailRow.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            let d = Details(
                stopLoss: stopLoss[r], takeProfit: takeProfit[r], stopReason: stopReason[r], stoppedEvent: stoppedEvent[r],
                navAtStop: navAtStop[r], leadNavAtStop: leadNavAtStop[r], closed: closed[r])
            if d.isEmpty {
                detailRow.append(-1)
            } else {
                detailRow.append(Int32(details.count))
                details.append(d)
            }
        }
    }

    /// Net invested = Σ transfers in − Σ transfers out.
    public func netInvested(_ slot: Int) -> Fixed {
        let r = row(slot)
        return Fixed(units: totalIn[r] - totalOut[r])
    }

    /// One copy of the book as a value: what code outside the book reads of a copy, instead of indexing its columns.
    public struct Row: Sendable, Hashable {
        public var slot: Int
        public var id: String
        /// The follower's position in `Engine.users`.
        public var user: Int
        public var status: CopyStatus
        public var mode: CopyMode
        public var stopReason: StopReason?
        public var stopLoss: Threshold?
        public var takeProfit: Threshold?
        /// USDT per lead buy in `fixedAmount` mode (zero for Smart Sync).
        public var amountPerOrder: Fixed
        public var cash: Fixed
        public var totalIn: Fixed
        public var totalOut: Fixed
        public var realizedPnl: Fixed
        public var feesPaid: Fixed
        public var profitSharePaid: Fixed
        /// Performance units (NAV = equity ÷ units).
        public var units: Fixed
        public var startedEvent: Int
        /// The event that stopped the copy, nil while active.
        public var stoppedEvent: Int?
        public var fillCount: Int
        /// Holdings by venue symbol index: quantity in lots (qtyStep) and cost basis in USDT, only those held.
        public var holdings: [Holding]

        /// Not stopped: active or closing.
        public var isActive: Bool { status != .stopped }
        public var netInvested: Fixed { totalIn - totalOut }

        public struct Holding: Sendable, Hashable {
            public var symbol: SymbolIndex
            public var lots: Lots
            public var cost: Fixed
        }

        /// Lots held of the venue symbol `symbol` (0 when none).
        public func lots(of symbol: SymbolIndex) -> Lots { holdings.first { $0.symbol == symbol }?.lots ?? .zero }
        /// The cost basis of its holding of `symbol` (buy fees included); zero when it holds none.
        public func cost(of symbol: SymbolIndex) -> Fixed { holdings.first { $0.symbol == symbol }?.cost ?? .zero }
    }

    /// The copy in `slot` as a value.
    public subscript(slot: Int) -> Row {
        let r = row(slot)
        return Row(
            slot: slot, id: ids[r], user: Int(users[r]), status: status[r], mode: mode[r], stopReason: stopReason(slot),
            stopLoss: stopLoss(slot), takeProfit: takeProfit(slot), amountPerOrder: Fixed(units: amountPerOrder[r]),
            cash: Fixed(units: cash[r]), totalIn: Fixed(units: totalIn[r]), totalOut: Fixed(units: totalOut[r]),
            realizedPnl: Fixed(units: realizedPnl[r]), feesPaid: Fixed(units: feesPaid[r]),
            profitSharePaid: Fixed(units: profitSharePaid[r]), units: Fixed(units: units[r]),
            startedEvent: Int(startedEvent[r]), stoppedEvent: stoppedEvent(slot) < 0 ? nil : stoppedEvent(slot),
            fillCount: Int(fillCount[r]),
            holdings: holdingSymbols.indices.compactMap { c in
                lots[c][r] == 0 && cost[c][r] == 0
                    ? nil
                    : Row.Holding(
                        symbol: SymbolIndex(holdingSymbols[c]), lots: Lots(lots[c][r]), cost: Fixed(units: cost[c][r]))
            })
    }

    /// Every copy in memory as a value, in slot order (released copies are in the store).
    public var rows: LazyMapSequence<Range<Int>, Row> { (0..<rowCount).lazy.map { self[slot(ofRow: $0)] } }

    /// The holding column of a symbol, created empty on first use.
    mutating func column(for symbol: SymbolIndex) -> HoldingColumn {
        if let c = columnIndex(of: symbol) { return c }
        holdingSymbols.append(symbol.index)
        lots.append([Int64](repeating: 0, count: rowCount))
        cost.append([Int64](repeating: 0, count: rowCount))
        extra.append([Int64](repeating: 0, count: rowCount))
        sizingExtra.append([Int64](repeating: 0, count: rowCount))
        return HoldingColumn(holdingSymbols.count - 1)
    }

    /// Appends a new active copy funded with `investment` and returns its slot.
    mutating func append(
        id: String, user: Int, mode: CopyMode, amountPerOrder: Fixed, investment: Fixed,
        stopLoss: Threshold?, takeProfit: Threshold?, event: Int, leadNav: Fixed, leadFeeDrag: Int64
    ) -> Int {
        let slot = count
        if !rowOfSlot.isEmpty {
            rowOfSlot.append(Int32(rowCount))
            slotOfRow.append(Int32(slot))
        }
        ids.append(id)
        users.append(Int32(user))
        status.append(.active)
        self.mode.append(mode)
        self.amountPerOrder.append(amountPerOrder.units)
        cash.append(investment.units)
        totalIn.append(investment.units)
        totalOut.append(0)
        realizedPnl.append(0)
        feesPaid.append(0)
        profitSharePaid.append(0)
        detailRow.append(-1)
        if stopLoss != nil || takeProfit != nil {
            changeDetails(slot) { d in
                d.stopLoss = stopLoss
                d.takeProfit = takeProfit
            }
        }
        startedEvent.append(Int32(truncatingIfNeeded: event))
        units.append(investment.units)
        leadNavAtStart.append(leadNav.units)
        for column in [
            \CopyBook.epochFees, \.epochShare, \.epochPrice, \.epochMissed, \.epochSizing,
        ] {
            self[keyPath: column].append(0)
        }
        leadFeeDragAtStart.append(leadFeeDrag)
        fillCount.append(0)
        failureRow.append(-1)
        if stopLoss != nil || takeProfit != nil { withThresholds += 1 }
        for c in lots.indices {
            lots[c].append(0)
            cost[c].append(0)
            extra[c].append(0)
            sizingExtra[c].append(0)
        }
        activeCount += 1
        return slot
    }

    /// Replaces a copy's stop loss and take profit, keeping `withThresholds` right.
    mutating func setThresholds(_ slot: Int, stopLoss sl: Threshold?, takeProfit tp: Threshold?) {
        let had = hasThresholds(slot)
        let has = sl != nil || tp != nil
        if had || has {
            changeDetails(slot) { d in
                d.stopLoss = sl
                d.takeProfit = tp
            }
        }
        if had != has { withThresholds += has ? 1 : -1 }
    }

    /// The columns of one Int64 per row, and of one Int32 per row (but the sparse rows' indexes): what reserving
    /// and compacting go over alike.
    static var wideColumns: [WritableKeyPath<CopyBook, [Int64]>] {
        [
            \.amountPerOrder, \.cash, \.totalIn, \.totalOut, \.realizedPnl, \.feesPaid, \.profitSharePaid, \.units, \.leadNavAtStart,
            \.epochFees, \.epochShare, \.epochPrice, \.epochMissed, \.epochSizing, \.leadFeeDragAtStart,
        ]
    }
    static var narrowColumns: [WritableKeyPath<CopyBook, [Int32]>] { [\.users, \.startedEvent, \.fillCount] }

    /// Reserves capacity for `n` more copies (bulk loading).
    public mutating func reserveCapacity(_ n: Int) {
        let total = rowCount + n
        if !rowOfSlot.isEmpty {
            rowOfSlot.reserveCapacity(count + n)
            slotOfRow.reserveCapacity(total)
        }
        ids.reserveCapacity(total)
        status.reserveCapacity(total)
        mode.reserveCapacity(total)
        for column in Self.wideColumns { self[keyPath: column].reserveCapacity(total) }
        for column in Self.narrowColumns { self[keyPath: column].reserveCapacity(total) }
        detailRow.reserveCapacity(total)
        failureRow.reserveCapacity(total)
        for c in lots.indices {
            lots[c].reserveCapacity(total)
            cost[c].reserveCapacity(total)
            extra[c].reserveCapacity(total)
            sizingExtra[c].reserveCapacity(total)
        }
    }
}

extension CopyBook {
    /// Bytes held by the columns (capacity × element size; copy ids of up to 15 UTF-8 bytes live inline).
    public var byteCount: Int {
        func bytes<T>(_ a: [T]) -> Int { a.capacity * MemoryLayout<T>.stride }
        var total = bytes(ids) + bytes(users) + bytes(status) + bytes(mode) + bytes(amountPerOrder) + bytes(cash)
        total += bytes(totalIn) + bytes(totalOut) + bytes(realizedPnl) + bytes(feesPaid) + bytes(profitSharePaid)
        total += bytes(detailRow) + bytes(details) + bytes(startedEvent) + bytes(units) + bytes(leadNavAtStart)
        for c in lots.indices { total += bytes(lots[c]) + bytes(cost[c]) + bytes(extra[c]) + bytes(sizingExtra[c]) }
        total += bytes(epochSizing)
        total += bytes(epochFees) + bytes(epochShare) + bytes(epochPrice) + bytes(epochMissed) + bytes(leadFeeDragAtStart)
        total += bytes(fillCount) + bytes(failureRow) + bytes(failureTally)
        total += bytes(rowOfSlot) + bytes(slotOfRow) + bytes(releasedIDs) + bytes(releasedUsers)
        for id in ids where id.utf8.count > 15 { total += id.utf8.count }
        for id in releasedIDs where id.utf8.count > 15 { total += id.utf8.count }
        return total
    }
}

extension CopyBook {
    private static var reasons: Int { FailedCopyOrder.Reason.allCases.count }

    /// Counts a failed copy order against its copy.
    mutating func countFailure(_ f: FailedCopyOrder) {
        let r = row(Int(f.slot))
        if failureRow[r] < 0 {
            failureRow[r] = Int32(failureTally.count / (2 * Self.reasons))
            failureTally += Array(repeating: 0, count: Self.reasons) + Array(repeating: -1, count: Self.reasons)
        }
        let base = Int(failureRow[r]) * 2 * Self.reasons
        failureTally[base + f.reason.index] += 1
        failureTally[base + Self.reasons + f.reason.index] = f.event
    }

    /// How many copy orders of the copy in `slot` failed for `reason`.
    public func failureCount(_ slot: Int, _ reason: FailedCopyOrder.Reason) -> Int {
        let t = Int(failureRow[row(slot)])
        return t < 0 ? 0 : Int(failureTally[t * 2 * Self.reasons + reason.index])
    }

    /// The event of the last copy order of the copy in `slot` that failed for `reason` (-1: none).
    public func lastFailure(_ slot: Int, _ reason: FailedCopyOrder.Reason) -> Int {
        let t = Int(failureRow[row(slot)])
        return t < 0 ? -1 : Int(failureTally[t * 2 * Self.reasons + Self.reasons + reason.index])
    }

    /// A copy's failed copy orders by reason: how many, and the event of the last; reasons with none left out.
    public func failureSummary(_ slot: Int) -> [(reason: FailedCopyOrder.Reason, count: Int, lastEvent: Int)] {
        FailedCopyOrder.Reason.allCases.compactMap { reason in
            let n = failureCount(slot, reason)
            return n > 0 ? (reason, n, lastFailure(slot, reason)) : nil
        }
    }

    /// The counts (or last events) of one reason for every row: the column form snapshots store.
    func failureColumn(_ reason: Int, last: Bool) -> [Int32] {
        let offset = (last ? Self.reasons : 0) + reason
        return failureRow.map { $0 < 0 ? (last ? -1 : 0) : failureTally[Int($0) * 2 * Self.reasons + offset] }
    }

    /// Sets the failure counts from their column form (`counts[reason][row]`, `last[reason][row]`).
    mutating func setFailures(counts: [[Int32]], last: [[Int32]]) {
        failureRow = []
        failureTally = []
        failureRow.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            guard counts.contains(where: { $0[r] != 0 }) else {
                failureRow.append(-1)
                continue
            }
            failureRow.append(Int32(failureTally.count / (2 * Self.reasons)))
            failureTally += counts.map { $0[r] } + last.map { $0[r] }
        }
    }
}

/// Stopped copies leave memory: a server writes each one's frozen row to its database when the stop commits
/// (`writeFrozenRow`), then drops the rows (`releaseStopped()`); the slot keeps only its id and follower, so that look-ups
/// by id, ownership checks and the history's slot numbers still work.
extension CopyBook {
    /// Drops the rows of the stopped copies (a stopped copy never changes again), compacting the columns in slot
    /// order. Returns the slots released. The result depends only on which copies are stopped, not on when this
    /// runs, so a replay that releases once equals a server that released after every command.
    @discardableResult
    mutating func releaseStopped() -> [Int] {
        guard activeCount < rowCount else { return [] }
        precondition(rowOfSlot.isEmpty == slotOfRow.isEmpty, "a frozen copy's book releases nothing")
        var mapping = rowOfSlot.isEmpty ? (0..<count).map { Int32($0) } : rowOfSlot
        var keep: [Int] = []
        keep.reserveCapacity(activeCount)
        var released: [Int] = []
        for r in 0..<rowCount {
            let s = slot(ofRow: r)
            if status[r] != .stopped {
                mapping[s] = Int32(keep.count)
                keep.append(r)
            } else {
                mapping[s] = Int32(-1 - releasedIDs.count)
                releasedIDs.append(ids[r])
                releasedUsers.append(users[r])
                released.append(s)
            }
        }
        let slots = keep.map { Int32(slot(ofRow: $0)) }
        func kept<T>(_ column: [T]) -> [T] { keep.map { column[$0] } }
        ids = kept(ids)
        status = kept(status)
        mode = kept(mode)
        for column in Self.wideColumns { self[keyPath: column] = kept(self[keyPath: column]) }
        for column in Self.narrowColumns { self[keyPath: column] = kept(self[keyPath: column]) }
        lots = lots.map(kept)
        cost = cost.map(kept)
        extra = extra.map(kept)
        sizingExtra = sizingExtra.map(kept)
        // The sparse rows of the copies kept, renumbered in row order.
        var newDetailRow: [Int32] = []
        var newDetails: [Details] = []
        var newFailureRow: [Int32] = []
        var newTally: [Int32] = []
        let width = 2 * FailedCopyOrder.Reason.allCases.count
        for r in keep {
            if detailRow[r] >= 0 {
                newDetailRow.append(Int32(newDetails.count))
                newDetails.append(details[Int(detailRow[r])])
            } else {
                newDetailRow.append(-1)
            }
            if failureRow[r] >= 0 {
                newFailureRow.append(Int32(newTally.count / width))
                let base = Int(failureRow[r]) * width
                newTally += failureTally[base..<(base + width)]
            } else {
                newFailureRow.append(-1)
            }
        }
        (detailRow, details, failureRow, failureTally) = (newDetailRow, newDetails, newFailureRow, newTally)
        rowOfSlot = mapping
        slotOfRow = slots
        return released
    }

    /// The stopped copy in `slot` as the bytes a store keeps (`Engine.frozenCopy`): every field of its row, its
    /// holdings only where not zero (a stopped copy holds nothing: its money went back at the stop). Written field by
    /// field, without building a book, so that a lead's mass stop stays cheap.
    func writeFrozenRow(_ slot: Int, into w: inout SnapshotWriter) {
        let r = row(slot)
        w.int(slot)
        w.string(ids[r])
        w.i32(users[r])
        w.u8(status[r].rawValue)
        w.raw(mode[r])
        // Field by field (a lead's mass stop writes 100,000 of these: no temporary arrays of columns).
        w.i64(amountPerOrder[r])
        w.i64(cash[r])
        w.i64(totalIn[r])
        w.i64(totalOut[r])
        w.i64(realizedPnl[r])
        w.i64(feesPaid[r])
        w.i64(profitSharePaid[r])
        w.i32(startedEvent[r])
        w.i64(units[r])
        w.i64(leadNavAtStart[r])
        w.i64(leadFeeDragAtStart[r])
        w.i32(fillCount[r])
        w.i64(epochFees[r])
        w.i64(epochShare[r])
        w.i64(epochPrice[r])
        w.i64(epochMissed[r])
        w.i64(epochSizing[r])
        let d = detailRow[r] < 0 ? Details() : details[Int(detailRow[r])]
        w.threshold(d.stopLoss)
        w.threshold(d.takeProfit)
        w.optional(d.stopReason) { $0.raw($1) }
        w.i32(d.stoppedEvent)
        w.i64(d.navAtStop)
        w.i64(d.leadNavAtStop)
        w.i64(d.closed.fees)
        w.i64(d.closed.share)
        w.i64(d.closed.price)
        w.i64(d.closed.missed)
        w.i64(d.closed.sizing)
        let width = 2 * FailedCopyOrder.Reason.allCases.count
        w.bool(failureRow[r] >= 0)
        if failureRow[r] >= 0 {
            let base = Int(failureRow[r]) * width
            for k in base..<(base + width) { w.i32(failureTally[k]) }
        }
        var held = 0
        for c in holdingSymbols.indices where lots[c][r] != 0 || cost[c][r] != 0 || extra[c][r] != 0 || sizingExtra[c][r] != 0 {
            held += 1
        }
        w.int(held)
        for c in holdingSymbols.indices where lots[c][r] != 0 || cost[c][r] != 0 || extra[c][r] != 0 || sizingExtra[c][r] != 0 {
            w.int(holdingSymbols[c])
            w.i64(lots[c][r])
            w.i64(cost[c][r])
            w.i64(extra[c][r])
            w.i64(sizingExtra[c][r])
        }
    }

    /// Reads `writeFrozenRow`'s bytes into a book of that one copy (at its slot), with the holding columns of
    /// `symbols` (the lead's) and any the row holds.
    static func readFrozenRow(_ r: inout SnapshotReader, symbols: [Int]) throws -> (slot: Int, book: CopyBook) {
        let slot = try r.int()
        guard slot >= 0, slot <= Int(Int32.max) else { throw SnapshotError("a frozen copy's slot \(slot) is out of range") }
        var b = CopyBook()
        b.ids = [try r.string()]
        b.users = [try r.i32()]
        let raw = try r.u8()
        guard let status = CopyStatus(rawValue: raw) else { throw SnapshotError("\(raw) is not a copy status") }
        b.status = [status]
        b.mode = [try r.raw()]
        b.amountPerOrder = [try r.i64()]
        b.cash = [try r.i64()]
        b.totalIn = [try r.i64()]
        b.totalOut = [try r.i64()]
        b.realizedPnl = [try r.i64()]
        b.feesPaid = [try r.i64()]
        b.profitSharePaid = [try r.i64()]
        b.startedEvent = [try r.i32()]
        b.units = [try r.i64()]
        b.leadNavAtStart = [try r.i64()]
        b.leadFeeDragAtStart = [try r.i64()]
        b.fillCount = [try r.i32()]
        b.epochFees = [try r.i64()]
        b.epochShare = [try r.i64()]
        b.epochPrice = [try r.i64()]
        b.epochMissed = [try r.i64()]
        b.epochSizing = [try r.i64()]
        var d = Details()
        d.stopLoss = try r.threshold()
        d.takeProfit = try r.threshold()
        d.stopReason = try r.optional { r in try r.raw() }
        d.stoppedEvent = try r.i32()
        d.navAtStop = try r.i64()
        d.leadNavAtStop = try r.i64()
        d.closed = TrackingRatios(fees: try r.i64(), share: try r.i64(), price: try r.i64(), missed: try r.i64(), sizing: try r.i64())
        (b.detailRow, b.details) = d.isEmpty ? ([-1], []) : ([0], [d])
        if try r.bool() {
            b.failureRow = [0]
            b.failureTally = try (0..<(2 * FailedCopyOrder.Reason.allCases.count)).map { _ in try r.i32() }
        } else {
            b.failureRow = [-1]
        }
        var holdings: [Int: [Int64]] = [:]
        let n = try r.int()
        guard n >= 0, n <= r.remaining / 40 else { throw SnapshotError("a frozen copy's \(n) holdings do not fit its bytes") }
        for _ in 0..<n { holdings[try r.int()] = [try r.i64(), try r.i64(), try r.i64(), try r.i64()] }
        b.holdingSymbols = symbols + holdings.keys.filter { !symbols.contains($0) }.sorted()
        for s in b.holdingSymbols {
            let v = holdings[s] ?? [0, 0, 0, 0]
            b.lots.append([v[0]])
            b.cost.append([v[1]])
            b.extra.append([v[2]])
            b.sizingExtra.append([v[3]])
        }
        b.activeCount = status != .stopped ? 1 : 0
        b.closingCount = status == .closing ? 1 : 0
        b.withThresholds = status != .stopped && (d.stopLoss != nil || d.takeProfit != nil) ? 1 : 0
        b.slotOfRow = [Int32(slot)]
        return (slot, b)
    }

    /// The slots of the released copies, ascending (what snapshots write).
    var releasedSlots: [Int] { rowOfSlot.indices.filter { rowOfSlot[$0] < 0 } }

    /// Sets the released copies (slots ascending, with their ids and followers) around the rows already read:
    /// the rows take the other slots in order. Throws when the slots are not ascending.
    mutating func setReleased(slots: [Int], ids releasedIDs: [String], users releasedUsers: [Int32]) throws(SnapshotError) {
        guard !slots.isEmpty else { return }
        guard slots.count == releasedIDs.count, slots.count == releasedUsers.count else {
            throw SnapshotError("a copy book's released copies differ in length")
        }
        let total = rowCount + slots.count
        guard zip(slots, slots.dropFirst()).allSatisfy({ $0 < $1 }), slots.first! >= 0, slots.last! < total,
            total <= Int(Int32.max)
        else { throw SnapshotError("a copy book's released slots are not ascending within its \(total) slots") }
        var mapping = [Int32](repeating: 0, count: total)
        var slotOfRow: [Int32] = []
        slotOfRow.reserveCapacity(rowCount)
        var k = 0
        for s in 0..<total {
            if k < slots.count && slots[k] == s {
                mapping[s] = Int32(-1 - k)
                k += 1
            } else {
                mapping[s] = Int32(slotOfRow.count)
                slotOfRow.append(Int32(s))
            }
        }
        rowOfSlot = mapping
        self.slotOfRow = slotOfRow
        self.releasedIDs = releasedIDs
        self.releasedUsers = releasedUsers
    }
}

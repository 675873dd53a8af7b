/// Stopped copies leave memory: a server writes each one's frozen row to its database when the stop commits
/// (`detached(_:)`), then drops the rows (`releaseStopped()`); the slot keeps only its id and follower, so that look-ups
/// by id, ownership checks and the history's slot numbers still work.
extension CopyBook {
    /// Drops the rows of the stopped copies (a stopped copy never changes again), compacting the columns in slot
    /// order. Returns the slots released. The result depends only on which copies are stopped, not on when this
    /// runs, so a replay that releases once equals a server that released after every command.
    @discardableResult
    mutating func releaseStopped() -> [Int] {
        guard activeCount < rowCount else { return [] }
        precondition(rowOfSlot.isEmpty == slotOfRow.isEmpty, "a detached copy book releases nothing")
        var mapping = rowOfSlot.isEmpty ? (0..<count).map { Int32($0) } : rowOfSlot
        var keep: [Int] = []
        keep.reserveCapacity(activeCount)
        var released: [Int] = []
        for r in 0..<rowCount {
            let s = slot(ofRow: r)
            if status[r] == .active {
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
        users = kept(users)
        status = kept(status)
        mode = kept(mode)
        amountPerOrder = kept(amountPerOrder)
        cash = kept(cash)
        totalIn = kept(totalIn)
        totalOut = kept(totalOut)
        realizedPnl = kept(realizedPnl)
        feesPaid = kept(feesPaid)
        profitSharePaid = kept(profitSharePaid)
        startedEvent = kept(startedEvent)
        units = kept(units)
        leadNavAtStart = kept(leadNavAtStart)
        epochFees = kept(epochFees)
        epochShare = kept(epochShare)
        epochPrice = kept(epochPrice)
        epochMissed = kept(epochMissed)
        epochSizing = kept(epochSizing)
        leadFeeDragAtStart = kept(leadFeeDragAtStart)
        fillCount = kept(fillCount)
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

    /// The copy in `slot` as a book of its own (one row, the same holding columns): what a store keeps of a stopped
    /// copy, and what reads put in place of the lead's book to show it (`Engine.viewing(frozen:of:)`).
    public func detached(_ slot: Int) -> CopyBook {
        let r = row(slot)
        var b = CopyBook()
        func one<T>(_ column: [T]) -> [T] { [column[r]] }
        b.ids = one(ids)
        b.users = one(users)
        b.status = one(status)
        b.mode = one(mode)
        b.amountPerOrder = one(amountPerOrder)
        b.cash = one(cash)
        b.totalIn = one(totalIn)
        b.totalOut = one(totalOut)
        b.realizedPnl = one(realizedPnl)
        b.feesPaid = one(feesPaid)
        b.profitSharePaid = one(profitSharePaid)
        b.startedEvent = one(startedEvent)
        b.units = one(units)
        b.leadNavAtStart = one(leadNavAtStart)
        b.epochFees = one(epochFees)
        b.epochShare = one(epochShare)
        b.epochPrice = one(epochPrice)
        b.epochMissed = one(epochMissed)
        b.epochSizing = one(epochSizing)
        b.leadFeeDragAtStart = one(leadFeeDragAtStart)
        b.fillCount = one(fillCount)
        b.holdingSymbols = holdingSymbols
        b.lots = lots.map(one)
        b.cost = cost.map(one)
        b.extra = extra.map(one)
        b.sizingExtra = sizingExtra.map(one)
        if detailRow[r] >= 0 {
            b.detailRow = [0]
            b.details = [details[Int(detailRow[r])]]
        } else {
            b.detailRow = [-1]
        }
        let width = 2 * FailedCopyOrder.Reason.allCases.count
        if failureRow[r] >= 0 {
            b.failureRow = [0]
            let base = Int(failureRow[r]) * width
            b.failureTally = Array(failureTally[base..<(base + width)])
        } else {
            b.failureRow = [-1]
        }
        let active = status[r] == .active
        b.activeCount = active ? 1 : 0
        b.withThresholds = active && hasThresholds(slot) ? 1 : 0
        b.slotOfRow = [Int32(slot)]
        return b
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

    /// Makes a book read back from a frozen copy (`detached(_:)`) hold it at `slot`.
    mutating func placeDetached(at slot: Int) throws(SnapshotError) {
        guard rowCount == 1, rowOfSlot.isEmpty, slot >= 0, slot <= Int(Int32.max) else {
            throw SnapshotError("a frozen copy is not one copy")
        }
        slotOfRow = [Int32(slot)]
    }
}

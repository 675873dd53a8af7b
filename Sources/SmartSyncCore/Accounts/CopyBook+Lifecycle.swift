/// A copy's money and its stop: the engine's lifecycle calls these, then journals what moved and pays the users.
extension CopyBook {
    /// Money in: `amount` USDT units into the copy's cash, with the performance units it buys.
    mutating func addMoney(_ slot: Int, amount: Int64, units unitsIn: Int64) {
        let r = row(slot)
        cash[r] += amount
        totalIn[r] += amount
        units[r] += unitsIn
    }

    /// Money out: `amount` USDT units from the copy's cash, with the performance units it retires (`unitsOut` ≤ 0).
    mutating func takeMoney(_ slot: Int, amount: Int64, units unitsOut: Int64) {
        let r = row(slot)
        cash[r] -= amount
        totalOut[r] += amount
        units[r] += unitsOut
    }

    /// Profit share `due` paid from the copy's cash to its lead.
    mutating func payProfitShare(_ slot: Int, due: Int64) {
        let r = row(slot)
        cash[r] -= due
        profitSharePaid[r] += due
        epochShare[r] -= due
    }

    /// Takes the copy's whole holding in column `column` out of it, as it is (worth `value` USDT units at the mark):
    /// the lots and their cost, for the follower's main account.
    mutating func removeHolding(_ slot: Int, column: HoldingColumn, value: Int64) -> (lots: Lots, cost: Int64) {
        let (r, c) = (row(slot), column.index)
        let taken = (Lots(lots[c][r]), cost[c][r])
        totalOut[r] += value
        lots[c][r] = 0
        cost[c][r] = 0
        return taken
    }

    /// Takes all of the copy's cash out (returned in USDT units).
    mutating func removeCash(_ slot: Int) -> Int64 {
        let r = row(slot)
        let taken = cash[r]
        totalOut[r] += taken
        cash[r] = 0
        return taken
    }

    /// Marks a settled copy stopped: why and when, its NAV and its lead's at the stop, and the lead's fee drag over
    /// its life (the column held the drag at its start).
    mutating func markStopped(_ slot: Int, reason: StopReason, event: Int, nav: Int64, leadNav: Int64, leadFeeDrag: Int64) {
        let r = row(slot)
        if hasThresholds(slot) { withThresholds -= 1 }
        recordStop(slot, reason: reason, event: event, nav: nav, leadNav: leadNav)
        if status[r] == .closing { closingCount -= 1 }
        controlsBySlot[slot] = nil
        status[r] = .stopped
        leadFeeDragAtStart[r] = leadFeeDrag - leadFeeDragAtStart[r]
        // It holds nothing now: no quantity deviates (and the row stays as it is from here on, its frozen form).
        for c in extra.indices {
            extra[c][r] = 0
            sizingExtra[c][r] = 0
        }
        activeCount -= 1
    }

    /// Starts a close-only stop: the copy buys nothing from now on.
    mutating func markClosing(_ slot: Int) {
        let r = row(slot)
        precondition(status[r] == .active, "only an active copy starts closing")
        status[r] = .closing
        closingCount += 1
    }

    /// Closes the copy's tracking epoch: each part's amount since the last change of its units becomes a ratio of
    /// those units (so that money added or taken out later does not rescale it).
    mutating func foldTracking(_ slot: Int) {
        let r = row(slot)
        let perUnit = Fixed(units: units[r])
        var closed = closedRatios(slot)
        func fold(_ ratio: inout Int64, _ epoch: WritableKeyPath<CopyBook, [Int64]>) {
            let amount = self[keyPath: epoch][r]
            guard amount != 0 else { return }
            ratio += Engine.ratio(Fixed(units: amount), perUnit).units
            self[keyPath: epoch][r] = 0
        }
        fold(&closed.fees, \.epochFees)
        fold(&closed.share, \.epochShare)
        fold(&closed.price, \.epochPrice)
        fold(&closed.missed, \.epochMissed)
        fold(&closed.sizing, \.epochSizing)
        setTrackingRatios(slot, closed)
    }
}

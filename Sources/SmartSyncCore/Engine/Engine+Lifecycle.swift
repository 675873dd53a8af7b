extension Engine {
    // MARK: Stopping

    /// The follower stops a copy (reason `follower`) in one of three ways (`StopMode`): sell everything now, keep
    /// the holdings as they are, or close only (buy nothing more, follow the lead's sells until flat, then stop). A
    /// closing copy may still be stopped the other two ways.
    public mutating func stopCopy(_ id: String, mode: StopMode = .sellAll, at moment: Moment) throws(EngineError) {
        let ref = try requireActiveCopy(id, field: "copy")
        switch mode {
        case .sellAll:
            if try queueStopIfBusy(lead: ref.lead, slot: ref.slot, reason: .follower) { return }
            stopCopies(lead: ref.lead, slots: [ref.slot], reason: .follower, at: moment)
        case .keepHoldings:
            // Its holdings and cash must be final to move: not while the lead's copy orders are at the venue.
            if venueBook.isBusy(lead: ref.lead) {
                throw EngineError(
                    .orderInFlight, field: "mode",
                    "keepHoldings waits for this lead's copy orders at the venue to be final: try again then, or stop with sellAll (which queues)"
                )
            }
            settleStops(lead: ref.lead, slots: [ref.slot], reason: .follower, at: moment)
        case .closeOnly:
            guard !leads[ref.lead].book.isClosing(ref.slot) else {
                throw EngineError(
                    .copyNotActive, field: "mode", "copy \"\(id)\" is closing already: stop it with sellAll or keepHoldings to end it now")
            }
            if venueBook.isStopping(lead: ref.lead, slot: ref.slot) {
                throw EngineError(
                    .orderInFlight, field: "mode", "this copy is being stopped already: it is settled when its sells at the venue are final"
                )
            }
            leads[ref.lead].book.markClosing(ref.slot)
            recordCopyEvent(ref, .closeOnly, at: moment)
        // One that holds nothing it could sell stops at once (`settleClosedCopies`, after the command).
        }
    }

    /// Stops the closing copies that hold nothing they could sell at the marks (every holding zero, or below the
    /// symbol's minimum quantity or notional): their dust moves as it is, like any stop's. Not while their lead's
    /// copy orders are in flight at the venue (checked again after the next command). Runs after every command;
    /// costs nothing while no copy is closing.
    mutating func settleClosedCopies(at moment: Moment) {
        for l in leads.indices where leads[l].book.closingCount > 0 && !venueBook.isBusy(lead: l) {
            // Read in a closure so that no second reference to the book's columns is alive while `settleStops`
            // changes them (which would copy them all).
            let flat = { () -> [Int] in
                let book = leads[l].book
                return book.closingSlots.filter { i in
                    book.heldColumns(i).allSatisfy { isDust($0.symbol.index, quantity: $0.lots.quantity(step: venue[$0.symbol].qtyStep)) }
                }
            }()
            if !flat.isEmpty { settleStops(lead: l, slots: flat, reason: .follower, at: moment) }
        }
    }

    /// The lead removes one of its followers (same settlement, reason `removedByLead`).
    public mutating func removeFollower(lead leadUser: String, copy id: String, at moment: Moment) throws(EngineError) {
        let u = try requireUser(leadUser, field: "user")
        let l = try requireActiveLead(user: u, field: "user")
        let ref = try requireActiveCopy(id, field: "copy")
        guard ref.lead == l else { throw EngineError(.unknownCopy, field: "copy", "\"\(id)\" does not copy \"\(leadUser)\"") }
        if try queueStopIfBusy(lead: l, slot: ref.slot, reason: .removedByLead) { return }
        stopCopies(lead: l, slots: [ref.slot], reason: .removedByLead, at: moment)
    }

    /// The lead stops leading: its copies stop first (reason `leadStopped`), its resting orders are cancelled, and
    /// the portfolio moves as it is (cash and holdings, nothing sold) to the lead's main account.
    public mutating func stopLeading(user id: String, at moment: Moment) throws(EngineError) {
        let u = try requireUser(id, field: "user")
        let l = try requireActiveLead(user: u, field: "user")
        try requireCopiesSettled(lead: l, field: "user")
        let open = venueBook.open.filter { if case .lead(l, _) = $0.owner { return true } else { return false } }
        guard open.isEmpty else {
            throw EngineError(
                .orderInFlight, field: "user",
                "\(open.count) orders of the lead portfolio are open at the venue: cancel them and wait for the venue's answer first")
        }
        let active = leads[l].book.activeSlots
        stopCopies(lead: l, slots: active, reason: .leadStopped, at: moment)
        for o in restingOrders where o.account == .portfolio && o.user == u {
            updateOrder(o.id) { placed in
                placed.status = .cancelled
                placed.cancelReason = "the lead stopped leading"
            }
        }
        restingOrders.removeAll { $0.account == .portfolio && $0.user == u }
        observeLead(l, at: moment)
        leads[l].navAtStop = leadNav(l)
        leads[l].equityAtStop = leadEquity(l)
        for s in leads[l].positions.keys.sorted() {
            guard let q = leads[l].positions[s]?.quantity, q.isPositive else { continue }
            let base = venue.symbols[s].base
            users[u].assets[base, default: .zero] += q
            users[u].positions[s, default: Position()].applyBuy(quantity: q, quote: leads[l].positions[s]!.cost, fee: .zero)
            leads[l].positions[s]!.quantity = .zero
            leads[l].positions[s]!.cost = .zero
            journal.append(.transfer(asset: base, amount: q, from: .lead(l), to: .main(user: u)))
        }
        let cash = leads[l].cash
        if cash.isPositive {
            users[u].cash += cash
            leads[l].cash = .zero
            journal.append(.transfer(asset: Symbol.quoteAsset, amount: cash, from: .lead(l), to: .main(user: u)))
        }
        leads[l].status = .stopped
    }

    /// Liquidates copies of one lead together (one merged market sell per symbol), then for each: moves unsellable
    /// dust as it is to the follower's main account, settles profit share, returns the cash, and marks it stopped.
    mutating func stopCopies(lead l: Int, slots: [Int], reason: StopReason, at moment: Moment) {
        guard !slots.isEmpty else { return }
        var ws = FanOutWorkspace()
        swap(&ws, &workspace)
        for (c, s) in leads[l].book.holdingColumns {
            let holders = slots.filter { leads[l].book.lots($0, column: c) > 0 }
            guard !holders.isEmpty else { continue }
            planSells(
                lead: l, symbol: s.index, price: venue.mark(s), fraction: nil, slots: .list(holders), event: moment.event,
                workspace: &ws)
            executeMerged(&ws, limit: nil, leadFillID: nil, at: moment)
        }
        swap(&ws, &workspace)
        // At an external venue the sells are in flight: the copies are settled when they are final.
        if venueBook.mode == .external && (venueBook.openCopyOrders[l] ?? 0) > 0 {
            venueBook.stopping[l, default: []].append(PendingStop(slots: slots, reason: reason))
            return
        }
        settleStops(lead: l, slots: slots, reason: reason, at: moment)
    }

    /// Settles stopped copies once their holdings are sold: moves unsellable dust as it is to the follower's main
    /// account, settles profit share, returns the cash, and marks them stopped.
    mutating func settleStops(lead l: Int, slots: [Int], reason: StopReason, at moment: Moment) {
        let leadUser = leads[l].user
        let rate = leads[l].profitShareRate.units
        var book = CopyBook()
        swap(&book, &leads[l].book)
        let leadNav = leadNav(l)
        for i in slots {
            let user = book.follower(i)
            let ref = AccountRef.copy(lead: l, slot: i)
            let outBefore = book.totalOut(i).units
            for (c, s) in book.holdingColumns where book.lots(i, column: c) > 0 {
                let symbol = venue[s]
                let held = book.removeHolding(i, column: c, value: book.lots(i, column: c).count * lotValue(s, price: venue.mark(s)))
                let quantity = held.lots.quantity(step: symbol.qtyStep)
                users[user].assets[symbol.base, default: .zero] += quantity
                users[user].positions[s.index, default: Position()].applyBuy(quantity: quantity, quote: Fixed(units: held.cost), fee: .zero)
                journal.append(.transfer(asset: symbol.base, amount: quantity, from: ref, to: .main(user: user)))
            }
            let due = ProfitShare.due(
                rate: rate, realized: book.realizedPnl(i).units, paid: book.profitSharePaid(i).units, cash: book.cash(i).units)
            if due > 0 {
                book.payProfitShare(i, due: due)
                users[leadUser].cash += Fixed(units: due)
                leads[l].profitShareEarned += Fixed(units: due)
                journal.append(.transfer(asset: Symbol.quoteAsset, amount: Fixed(units: due), from: ref, to: .main(user: leadUser)))
            }
            // NAV at the stop (after the liquidation's fees and the profit share), for the read-only history.
            let dustValue = book.totalOut(i).units - outBefore
            let navAtStop = Self.nav(equity: Fixed(units: book.cash(i).units + dustValue), units: book.units(i)).units
            if book.cash(i).units > 0 {
                let cash = book.removeCash(i)
                users[user].cash += Fixed(units: cash)
                journal.append(.transfer(asset: Symbol.quoteAsset, amount: Fixed(units: cash), from: ref, to: .main(user: user)))
            }
            book.markStopped(
                i, reason: reason, event: moment.event, nav: navAtStop, leadNav: leadNav.units, leadFeeDrag: leads[l].feeDrag)
            scratch.stoppedCopies.append(CopyRef(lead: l, slot: i))
            scratch.stopReasons.append(reason)
        }
        swap(&book, &leads[l].book)
        for i in slots { foldTracking(lead: l, slot: i) }
    }

    // MARK: Settings of a running copy

    /// Moves `delta` USDT into (positive) or out of (negative) a copy. A decrease is taken from cash first; when cash
    /// is short the copy sells the same fraction of every sellable holding to raise the rest (DESIGN §3, §3a).
    public mutating func adjustInvestment(copy id: String, delta: Fixed, at moment: Moment) throws(EngineError) {
        let ref = try requireActiveCopy(id, field: "copy")
        guard !delta.isZero else { throw EngineError(.invalidInput, field: "delta", "must not be zero") }
        let (l, i) = (ref.lead, ref.slot)
        // While the lead's copy orders are in flight at the venue, money may come in at once; what goes out is the
        // cash not held for this copy's requests (DESIGN §3b), and not while the copy is being stopped.
        if venueBook.isStopping(lead: l, slot: i) {
            throw EngineError(
                .orderInFlight, field: "copy", "this copy is being stopped: its money goes back to the main account when that is done")
        }
        let user = leads[l].book.follower(i)
        if delta.isPositive && leads[l].book.isClosing(i) {
            throw EngineError(
                .copyNotActive, field: "delta", "copy \"\(id)\" is closing: it buys nothing more, so money added would only wait")
        }
        if delta.isPositive {
            let balance = mainCashAvailable(user)
            guard delta <= balance else {
                throw EngineError(
                    .insufficientFunds, field: "delta", "\(delta) USDT exceeds the main balance of \(balance) USDT\(mainHeldNote(user))")
            }
            let nav = copyNav(ref)
            let equityBefore = copyEquity(ref)
            let unitsIn = try unitsChange(ref, amount: delta, equityBefore: equityBefore, nav: nav)
            foldTracking(lead: l, slot: i)
            recordUnboughtHoldings(lead: l, slot: i, amount: delta)
            users[user].cash -= delta
            leads[l].book.addMoney(i, amount: delta.units, units: unitsIn)
            journal.append(.transfer(asset: Symbol.quoteAsset, amount: delta, from: .main(user: user), to: .copy(lead: l, slot: i)))
            recordCopyEvent(ref, .investmentAdded(delta), at: moment)
            checkThresholds(lead: l, slots: [i], at: moment)
            return
        }
        let amount = -delta
        let remaining = leads[l].book.netInvested(i) - amount
        guard remaining >= settings.minInvestment else {
            throw EngineError(
                .belowMinimumInvestment, field: "delta",
                "would leave \(remaining) USDT invested, below the minimum \(settings.minInvestment) USDT; stop the copy instead")
        }
        let nav = copyNav(ref)
        let equityBefore = copyEquity(ref)
        let unitsOut = try unitsChange(ref, amount: delta, equityBefore: equityBefore, nav: nav)
        var heldBefore: [Int: Int64] = [:]
        for (c, s) in leads[l].book.holdingColumns {
            heldBefore[s.index] = leads[l].book.lots(i, column: c).quantity(step: venue[s].qtyStep).units
        }
        let shortfall = amount.units - leads[l].book.cash(i).units
        if venueBook.mode == .external {
            let held = copyCashHeld(lead: l, slot: i)
            let free = leads[l].book.cash(i).units - held
            if amount.units > free {
                let note = held > 0 ? ", less \(Fixed(units: held)) USDT held for its copy order in flight" : ""
                throw EngineError(
                    .insufficientFunds, field: "delta",
                    "at an external venue a decrease is taken from the copy's cash only (\(leads[l].book.cash(i)) USDT\(note)); stop the copy to sell its holdings"
                )
            }
        }
        if shortfall > 0 { try raiseCash(ref, shortfall: shortfall, at: moment) }
        foldTracking(lead: l, slot: i)
        recordWithdrawal(ref, amount: amount.units, equityBefore: equityBefore.units, heldBefore: heldBefore)
        leads[l].book.takeMoney(i, amount: amount.units, units: unitsOut)
        users[user].cash += amount
        journal.append(.transfer(asset: Symbol.quoteAsset, amount: amount, from: .copy(lead: l, slot: i), to: .main(user: user)))
        recordCopyEvent(ref, .investmentRemoved(amount), at: moment)
        checkThresholds(lead: l, slots: [i], at: moment)
    }

    /// Sells the same fraction of every sellable holding of one copy, rounded up to the step, so that the proceeds
    /// after fees and the profit share they trigger cover `shortfall` units. Refused (nothing sold) when they cannot.
    mutating func raiseCash(_ ref: CopyRef, shortfall: Int64, at moment: Moment) throws(EngineError) {
        let (l, i) = (ref.lead, ref.slot)
        let book = leads[l].book
        let rate = settings.takerFeeRate.units
        let shareRate = leads[l].profitShareRate.units
        // Sellable holdings: above the minimums. Their value after fees bounds what can be raised.
        var sellable: [(symbol: Int, held: Int64, lotPrice: Int64)] = []
        for (c, s) in book.holdingColumns where book.lots(i, column: c) > 0 {
            let sym = venue[s]
            let lotPrice = lotValue(s, price: venue.mark(s))
            let held = book.lots(i, column: c).count
            if held * sym.qtyStep.units >= sym.minQty.units && held * lotPrice >= sym.minNotional.units {
                sellable.append((s.index, held, lotPrice))
            }
        }
        // Try fractions from the proportional estimate upward until the simulated proceeds cover the shortfall.
        let value = sellable.reduce(Int64(0)) { $0 + $1.held * $1.lotPrice }
        guard value > 0 else {
            throw EngineError(
                .insufficientFunds, field: "delta", "the copy has \(book.cash(i)) USDT of cash and nothing sellable")
        }
        let one = Int128(Fixed.unitsPerOne)
        var fraction = Int128(shortfall) * one / Int128(value)  // in 1e-8
        var orders: [(symbol: Int, lots: Int64)] = []
        while true {
            fraction = Swift.min(fraction, one)
            orders = sellable.map { h in
                (h.symbol, Int64(Swift.min(Int128(h.held), (Int128(h.held) * fraction + one - 1) / one)))
            }
            let raised = simulatedProceeds(ref, orders: &orders, feeRate: rate, shareRate: shareRate)
            if raised >= shortfall { break }
            if fraction == one {
                throw EngineError(
                    .insufficientFunds, field: "delta",
                    "selling every sellable holding would raise \(Fixed(units: raised)) USDT, short of \(Fixed(units: shortfall)) USDT")
            }
            fraction += Swift.max(fraction / 100, 1)
        }
        var ws = FanOutWorkspace()
        swap(&ws, &workspace)
        for (s, lots) in orders where lots > 0 {
            ws.plan.reset(lead: l, symbol: s, side: .sell, referencePrice: venue.marks[s])
            ws.plan.append(i, lots: lots, capped: false)
            executeMerged(&ws, limit: nil, leadFillID: nil, at: moment)
        }
        swap(&ws, &workspace)
        // The simulation executed the same orders on the same (stateless) venue, so this holds.
        precondition(leads[l].book.cash(i).units >= shortfall + book.cash(i).units, "adjust-down sells raised less than simulated")
    }

    /// Cash a set of sells of one copy would bring, executed on the venue one after another as they will be, after
    /// fees and the profit share each profitable sell triggers (as `applyCopyFills` charges it). Orders below the
    /// symbol's minimums are dropped (set to zero lots).
    func simulatedProceeds(_ ref: CopyRef, orders: inout [(symbol: Int, lots: Int64)], feeRate: Int64, shareRate: Int64) -> Int64 {
        let book = leads[ref.lead].book
        var realized = book.realizedPnl(ref.slot).units
        var paid = book.profitSharePaid(ref.slot).units
        var cash = book.cash(ref.slot).units
        var proceeds: Int64 = 0
        for k in orders.indices where orders[k].lots > 0 {
            let (s, lots) = orders[k]
            guard let c = book.columnIndex(of: SymbolIndex(s)) else { continue }
            let symbol = venue.symbols[s]
            let quantity = Fixed(units: lots * symbol.qtyStep.units)
            let e = venue.execute(s, .sell, .quantity(quantity), limit: nil)
            guard quantity >= symbol.minQty, e.quote >= symbol.minNotional, e.quantity == quantity else {
                orders[k].lots = 0
                continue
            }
            let removed = CostBasis.removed(
                cost: book.cost(ref.slot, column: c).units, held: book.lots(ref.slot, column: c).count, sold: lots)
            let net = e.quote.units - e.fee.units
            proceeds += net
            cash += net
            realized += net - removed
            if net - removed > 0 && shareRate > 0 {
                let due = ProfitShare.due(rate: shareRate, realized: realized, paid: paid, cash: cash)
                paid += due
                cash -= due
                proceeds -= due
            }
        }
        return proceeds
    }

    /// The copy's performance units a transfer in (positive) or out (negative) moves at the NAV before it, computed
    /// before anything changes (see `unitsFor`).
    func unitsChange(_ ref: CopyRef, amount: Fixed, equityBefore equity: Fixed, nav: Fixed) throws(EngineError) -> Int64 {
        let units = leads[ref.lead].book.units(ref.slot)
        let change = try Self.unitsFor(amount.isNegative ? -amount : amount, units: units, equity: equity, nav: nav, field: "delta")
        return amount.isNegative ? -change.units : change.units
    }

    /// Performance units bought or redeemed by moving `amount`: amount × units ÷ equity, exact (half-even) from the
    /// unrounded ratio so that taking out everything redeems every unit; at the last NAV when no units remain.
    ///
    /// The overflow policy for money: arithmetic whose result changes state is checked, and a result that does not
    /// fit (about 92 billion) refuses the command, naming `field`, before anything changed; it is never wrapped or
    /// replaced by zero. Here that takes a value per unit near zero (a copy that lost nearly everything) and a large
    /// amount: minting zero units for it would have given its money to the units already there.
    static func unitsFor(_ amount: Fixed, units: Fixed, equity: Fixed, nav: Fixed, field: String) throws(EngineError) -> Fixed {
        do {
            if units.isPositive && equity.isPositive { return try Fixed.mulDiv(amount, units, equity, .halfEven) }
            return nav.isPositive ? try Fixed.mulDiv(amount, .one, nav, .halfEven) : amount
        } catch {
            throw EngineError(
                .overflow, field: field,
                "\(amount) USDT is worth more performance units than an amount can hold at this value per unit (\(nav)); stop and start again instead"
            )
        }
    }

    /// Sets or clears (nil) a copy's total stop loss; a stop that is already breached fires at once.
    public mutating func setStopLoss(copy id: String, _ threshold: Threshold?, at moment: Moment) throws(EngineError) {
        let ref = try requireActiveCopy(id, field: "copy")
        try Self.checkThreshold(threshold, field: "stopLoss", maxRatio: .one)
        leads[ref.lead].book.setThresholds(ref.slot, stopLoss: threshold, takeProfit: leads[ref.lead].book.takeProfit(ref.slot))
        recordCopyEvent(ref, .stopLossSet(threshold), at: moment)
        checkThresholds(lead: ref.lead, slots: [ref.slot], at: moment)
    }

    /// Sets or clears (nil) a copy's total take profit; one already reached fires at once.
    public mutating func setTakeProfit(copy id: String, _ threshold: Threshold?, at moment: Moment) throws(EngineError) {
        let ref = try requireActiveCopy(id, field: "copy")
        try Self.checkThreshold(threshold, field: "takeProfit", maxRatio: nil)
        leads[ref.lead].book.setThresholds(ref.slot, stopLoss: leads[ref.lead].book.stopLoss(ref.slot), takeProfit: threshold)
        recordCopyEvent(ref, .takeProfitSet(threshold), at: moment)
        checkThresholds(lead: ref.lead, slots: [ref.slot], at: moment)
    }

    /// Stops the copies whose equity crossed their stop loss (E ≤ NI − SL) or take profit (E ≥ NI + TP); the
    /// copies triggered together are liquidated together.
    mutating func checkThresholds(lead l: Int, slots: [Int]? = nil, at moment: Moment) {
        guard leads[l].book.withThresholds > 0 else { return }
        // At an external venue, checked again when the lead's copy orders in flight are final (`drainVenue`).
        if venueBook.mode == .external && ((venueBook.openCopyOrders[l] ?? 0) > 0 || !(venueBook.stopping[l]?.isEmpty ?? true)) { return }
        let book = leads[l].book
        var stopLoss: [Int] = []
        var takeProfit: [Int] = []
        func check(_ i: Int) {
            guard book.isActive(i), book.stopLoss(i) != nil || book.takeProfit(i) != nil else { return }
            let equity = copyEquity(CopyRef(lead: l, slot: i))
            let invested = book.netInvested(i)
            if let sl = book.stopLoss(i), equity <= invested - sl.distance(netInvested: invested) {
                stopLoss.append(i)
            } else if let tp = book.takeProfit(i), equity >= invested + tp.distance(netInvested: invested) {
                takeProfit.append(i)
            }
        }
        if let slots {
            slots.forEach(check)
        } else {
            for r in 0..<book.rowCount { check(book.slot(ofRow: r)) }
        }
        stopCopies(lead: l, slots: stopLoss, reason: .stopLoss, at: moment)
        stopCopies(lead: l, slots: takeProfit, reason: .takeProfit, at: moment)
    }

    func requireActiveCopy(_ id: String, field: String) throws(EngineError) -> CopyRef {
        let ref = try requireCopy(id, field: field)
        guard leads[ref.lead].book.isActive(ref.slot) else {
            throw EngineError(.copyNotActive, field: field, "copy \"\(id)\" is stopped; its history is read-only")
        }
        return ref
    }
}

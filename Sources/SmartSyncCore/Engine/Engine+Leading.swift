/// Which way a lead moves funds between its main account and its lead portfolio.
public enum TransferDirection: String, Sendable, Hashable, CaseIterable {
    case mainToPortfolio, portfolioToMain
}

extension Engine {
    /// Opens a lead portfolio funded with `portfolio` USDT from the user's main account.
    @discardableResult
    public mutating func startLeading(
        user id: String, portfolio: Fixed, profitShareRate: Fixed? = nil, slippageLimit: Fixed? = nil,
        followerLimit: Int? = nil, at moment: Moment
    ) throws(EngineError) -> Int {
        let u = try requireUser(id, field: "user")
        if activeLead(of: u) != nil {
            throw EngineError(.alreadyLeading, field: "user", "\"\(id)\" already has an active lead portfolio")
        }
        try Self.requirePositive(portfolio, field: "portfolio")
        let balance = mainCashAvailable(u)
        guard portfolio <= balance else {
            throw EngineError(
                .insufficientFunds, field: "portfolio", "\(portfolio) USDT exceeds the main balance of \(balance) USDT\(mainHeldNote(u))")
        }
        let rate = profitShareRate ?? settings.defaultProfitShareRate
        guard !rate.isNegative, rate <= settings.maxProfitShareRate else {
            throw EngineError(.invalidInput, field: "profitShareRate", "must be between 0 and \(settings.maxProfitShareRate) (got \(rate))")
        }
        let slippage = slippageLimit ?? settings.slippageLimit
        guard !slippage.isNegative, slippage < .one else {
            throw EngineError(.invalidInput, field: "slippageLimit", "must be at least 0 and below 1 (got \(slippage))")
        }
        let limit = followerLimit ?? settings.defaultFollowerLimit
        guard limit > 0 else { throw EngineError(.invalidInput, field: "followerLimit", "must be positive (got \(limit))") }
        leads.append(
            Lead(
                user: u, cash: portfolio, profitShareRate: rate, slippageLimit: slippage, followerLimit: limit,
                startedEvent: moment.event, netFunding: portfolio, units: portfolio))
        let l = leads.count - 1
        users[u].lead = l
        users[u].cash -= portfolio
        journal.append(.transfer(asset: Symbol.quoteAsset, amount: portfolio, from: .main(user: u), to: .lead(l)))
        observeLead(l, at: moment)
        return l
    }

    /// Changes a lead's profit-share rate, slippage limit or follower limit (nil keeps a value). A lower follower
    /// limit stops new copies, not running ones. A new profit-share rate is used at the next settlement.
    public mutating func updateLead(user id: String, profitShareRate: Fixed?, slippageLimit: Fixed?, followerLimit: Int?)
        throws(EngineError)
    {
        let u = try requireUser(id, field: "user")
        let l = try requireActiveLead(user: u, field: "user")
        if let rate = profitShareRate, rate.isNegative || rate > settings.maxProfitShareRate {
            throw EngineError(.invalidInput, field: "profitShareRate", "must be between 0 and \(settings.maxProfitShareRate) (got \(rate))")
        }
        if let s = slippageLimit, s.isNegative || s >= .one {
            throw EngineError(.invalidInput, field: "slippageLimit", "must be at least 0 and below 1 (got \(s))")
        }
        if let limit = followerLimit, limit <= 0 {
            throw EngineError(.invalidInput, field: "followerLimit", "must be positive (got \(limit))")
        }
        if let rate = profitShareRate { leads[l].profitShareRate = rate }
        if let s = slippageLimit { leads[l].slippageLimit = s }
        if let limit = followerLimit { leads[l].followerLimit = limit }
    }

    /// Changes operator settings (nil keeps a value); fills, starts and limits from now on use them.
    public mutating func updateSettings(
        takerFeeRate: Fixed?, minInvestment: Fixed?, maxActiveCopiesPerFollower: Int?, defaultFollowerLimit: Int?
    ) throws(EngineError) {
        if let fee = takerFeeRate, fee.isNegative || fee >= .one {
            throw EngineError(.invalidInput, field: "takerFeeRate", "must be at least 0 and below 1 (got \(fee))")
        }
        if let minimum = minInvestment, !minimum.isPositive {
            throw EngineError(.invalidInput, field: "minInvestment", "must be positive (got \(minimum))")
        }
        if let n = maxActiveCopiesPerFollower, n <= 0 {
            throw EngineError(.invalidInput, field: "maxActiveCopiesPerFollower", "must be positive (got \(n))")
        }
        if let n = defaultFollowerLimit, n <= 0 {
            throw EngineError(.invalidInput, field: "defaultFollowerLimit", "must be positive (got \(n))")
        }
        if let fee = takerFeeRate {
            settings.takerFeeRate = fee
            venue.takerFeeRate = fee
        }
        if let minimum = minInvestment { settings.minInvestment = minimum }
        if let n = maxActiveCopiesPerFollower { settings.maxActiveCopiesPerFollower = n }
        if let n = defaultFollowerLimit { settings.defaultFollowerLimit = n }
    }

    /// Applies one lead fill from outside and its whole fan-out, exactly once: a fill id seen before is a no-op
    /// (returns false). Either the lead's fill, every copy fill and every failed copy order are applied, or (on
    /// error) nothing. An id of the engine's own form (`isEngineFillID`) is refused: those name its own fills.
    @discardableResult
    public mutating func applyLeadFill(_ fill: LeadFill) throws(EngineError) -> Bool {
        if appliedFillIDs.contains(fill.id) { return false }
        guard !Self.isEngineFillID(fill.id) else {
            throw EngineError(
                .invalidInput, field: "id",
                "lead fill id \"\(fill.id)\" has the form of the engine's own fill ids (o<number>… or containing \"/\"); a fill from outside needs another"
            )
        }
        try applyLeadFill(fill, fanOut: true)
        appliedFillIDs.insert(fill.id)
        return true
    }

    /// Applies one of the engine's own lead fills (its id is unique by construction) and, with `fanOut`, its
    /// fan-out (a block order allocates its copies itself).
    mutating func applyLeadFill(_ fill: LeadFill, fanOut: Bool) throws(EngineError) {
        guard leads.indices.contains(fill.lead), leads[fill.lead].status == .active else {
            throw EngineError(.leadNotActive, field: "lead", "lead portfolio \(fill.lead) is not active")
        }
        guard venue.symbols.indices.contains(fill.symbol) else {
            throw EngineError(.unknownSymbol, field: "symbol", "no symbol \(fill.symbol)")
        }
        let l = fill.lead
        let s = fill.symbol
        let symbol = venue.symbols[s]
        guard fill.quantity.isPositive, fill.quantity.isMultiple(of: symbol.qtyStep) else {
            throw EngineError(.invalidInput, field: "quantity", "must be a positive multiple of qtyStep \(symbol.qtyStep)")
        }
        guard fill.price.isPositive, fill.quote.isPositive, !fill.fee.isNegative else {
            throw EngineError(.invalidInput, field: "price", "price and quote must be positive, fee not negative")
        }
        // The quote must be the quantity at the (average) price, up to the average's rounding.
        let implied = Int128(fill.quantity.units) * Int128(fill.price.units) / Int128(Fixed.unitsPerOne)
        guard (Int128(fill.quote.units) - implied).magnitude <= UInt128(fill.quantity.units / Fixed.unitsPerOne + 1) else {
            throw EngineError(.invalidInput, field: "quote", "\(fill.quote) is not quantity \(fill.quantity) × price \(fill.price)")
        }
        try checkFunds(u: leads[l].user, lead: l, s: s, side: fill.side, quantity: fill.quantity, quote: fill.quote, fee: fill.fee)

        // Plan the copies against the state just before the fill (no change yet: planning may still throw).
        let held = leads[l].positions[s]?.quantity ?? .zero
        let moment = Moment(event: fill.event, time: fill.time)
        let limit = slippageLimitPrice(l, s, fill.side, fill.price)
        // The fan-out's buffers are taken from the engine and put back after; on an error they are simply dropped.
        var ws = FanOutWorkspace()
        swap(&ws, &workspace)
        // At an external venue, copies of a lead whose merged order is in flight wait for it: the fill's ratio is
        // fixed now and its copies are planned when the lead's copies are settled (`drainVenue`).
        let waits = fanOut && venueBook.mode == .external && venueBook.isBusy(lead: l) && leads[l].book.activeCount > 0
        let fansOut = fanOut && leads[l].book.activeCount > 0 && !waits
        if waits {
            let queued: QueuedFanOut
            if fill.side == .buy {
                queued = QueuedFanOut(
                    leadFillID: fill.id, symbol: s, side: .buy, price: fill.price, limit: limit, a: fill.quote.units,
                    b: leadEquity(l, override: (s, fill.price)).units)
            } else {
                queued = QueuedFanOut(
                    leadFillID: fill.id, symbol: s, side: .sell, price: fill.price, limit: limit, a: fill.quantity.units,
                    b: held.units)
            }
            venueBook.queued[l, default: []].append(queued)
        }
        if fansOut {
            if fill.side == .buy {
                let equity = leadEquity(l, override: (s, fill.price))
                try planBuys(
                    lead: l, symbol: s, price: fill.price, limit: limit,
                    target: .ratio(quote: fill.quote.units, leadEquity: equity.units), slots: .allActive, event: fill.event,
                    workspace: &ws)
            } else {
                planSells(
                    lead: l, symbol: s, price: fill.price, fraction: (fill.quantity.units, held.units), slots: .allActive,
                    event: fill.event, workspace: &ws)
            }
        }

        // The lead's own fill, mutated in place (a copy of `Lead` would share, then duplicate, the copy book).
        if fill.side == .buy {
            leads[l].cash -= fill.quote + fill.fee
            leads[l].positions[s, default: Position()].applyBuy(quantity: fill.quantity, quote: fill.quote, fee: fill.fee)
        } else {
            leads[l].cash += fill.quote - fill.fee
            let (_, closed) = leads[l].positions[s, default: Position()].applySell(
                quantity: fill.quantity, quote: fill.quote, fee: fill.fee)
            if let closed {
                leads[l].closedRoundTrips += 1
                if closed.isPositive { leads[l].wonRoundTrips += 1 }
            }
        }
        leads[l].feesPaid += fill.fee
        leads[l].feeDrag += Self.ratio(fill.fee, leads[l].units).units
        if fill.side == .sell && (fansOut || waits) {
            scaleDeviations(lead: l, symbol: s, keep: held.units - fill.quantity.units, of: held.units)
        }
        let trade = TradeRecord(
            account: .lead(l), symbol: s, side: fill.side, quantity: fill.quantity, quote: fill.quote, fee: fill.fee,
            event: fill.event, time: fill.time)
        recordVenueSide(trade)
        journal.append(.trade(trade))
        leadFills.append(fill)
        if l >= leadFillCounts.count { leadFillCounts += repeatElement(0, count: l + 1 - leadFillCounts.count) }
        leadFillCounts[l] += 1

        if fansOut { executeMerged(&ws, limit: limit, leadFillID: fill.id, at: moment) }
        swap(&ws, &workspace)
        checkThresholds(lead: l, at: moment)
        observeLead(l, at: moment)
    }

    /// The immediate-or-cancel limit of a merged copy order: the lead's price moved against the copies by at most the
    /// lead's slippage limit, rounded to the tick so that the limit is never looser than the setting.
    func slippageLimitPrice(_ l: Int, _ s: Int, _ side: Side, _ price: Fixed) -> Fixed {
        let limit = leads[l].slippageLimit
        let tick = venue.symbols[s].priceTick
        if side == .buy {
            let p = price.clampedMultiplied(by: .one + limit, .down)
            return p.rounded(toStep: tick, .down)
        }
        let p = price.clampedMultiplied(by: .one - limit, .up)
        return Fixed.max(p.rounded(toStep: tick, .up), tick)
    }

    // MARK: Lead portfolio funds

    /// Moves USDT between a lead's main account and its lead portfolio. Transfers buy or redeem performance units
    /// at the current NAV, so they are not counted as profit or loss.
    public mutating func transfer(user id: String, amount: Fixed, _ direction: TransferDirection, at moment: Moment)
        throws(EngineError)
    {
        let u = try requireUser(id, field: "user")
        let l = try requireActiveLead(user: u, field: "user")
        try Self.requirePositive(amount, field: "amount")
        let nav = leadNav(l)
        let equityBefore = leadEquity(l)
        let unitsBefore = leads[l].units
        let unitsMoved = try Self.unitsFor(amount, units: unitsBefore, equity: equityBefore, nav: nav, field: "amount")
        leads[l].lastNav = nav
        switch direction {
        case .mainToPortfolio:
            guard amount <= mainCashAvailable(u) else {
                throw EngineError(
                    .insufficientFunds, field: "amount",
                    "\(amount) USDT exceeds the main balance of \(mainCashAvailable(u)) USDT\(mainHeldNote(u))")
            }
            users[u].cash -= amount
            leads[l].cash += amount
            leads[l].netFunding += amount
            leads[l].units += unitsMoved
            journal.append(.transfer(asset: Symbol.quoteAsset, amount: amount, from: .main(user: u), to: .lead(l)))
            recordLeadTransfer(lead: l, amount: amount, equityAfter: leadEquity(l))
        case .portfolioToMain:
            let held = venueBook.held(by: .lead(l))
            guard amount <= leads[l].cash - held else {
                throw EngineError(
                    .insufficientFunds, field: "amount",
                    "\(amount) USDT exceeds the portfolio's cash of \(leads[l].cash) USDT less \(held) USDT held by open orders")
            }
            leads[l].cash -= amount
            users[u].cash += amount
            leads[l].netFunding -= amount
            leads[l].units -= unitsMoved
            journal.append(.transfer(asset: Symbol.quoteAsset, amount: amount, from: .lead(l), to: .main(user: u)))
            recordLeadTransfer(lead: l, amount: -amount, equityAfter: leadEquity(l))
        }
        observeLead(l, at: moment)
    }
}

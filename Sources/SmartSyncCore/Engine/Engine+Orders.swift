/// Which account an order trades from.
public enum OrderAccount: String, Sendable, Hashable, CaseIterable {
    /// The lead portfolio: its fills are copied.
    case portfolio
    /// The user's main account: a manual trade, never copied.
    case main
}

/// An order as a user places it. A buy gives `quoteAmount` (USDT to spend before fees) or `quantity`; a sell gives
/// `quantity`. With `limitPrice` the order rests until the mark crosses it (each fill is copied).
public struct OrderRequest: Sendable, Hashable, Codable {
    public var user: String
    public var account: OrderAccount
    public var symbol: String
    public var side: Side
    public var quoteAmount: Fixed?
    public var quantity: Fixed?
    public var limitPrice: Fixed?

    public init(
        user: String, account: OrderAccount = .portfolio, symbol: String, side: Side, quoteAmount: Fixed? = nil,
        quantity: Fixed? = nil, limitPrice: Fixed? = nil
    ) {
        self.user = user
        self.account = account
        self.symbol = symbol
        self.side = side
        self.quoteAmount = quoteAmount
        self.quantity = quantity
        self.limitPrice = limitPrice
    }
}

/// A limit order waiting for the mark to cross its price.
public struct RestingOrder: Sendable, Hashable {
    public var id: Int
    public var user: Int
    public var account: OrderAccount
    public var symbol: Int
    public var side: Side
    public var limitPrice: Fixed
    public var remaining: Fixed
    public var event: Int
}

/// What an order did: its fills (lead fills for a portfolio, trades for a main account) and what still rests.
public struct OrderResult: Sendable {
    public var orderID: Int
    public var trades: [TradeRecord] = []
    public var resting: RestingOrder?
}

extension Engine {
    /// Places an order. Market orders execute at once; limit orders execute what crosses now and rest the rest.
    @discardableResult
    public mutating func placeOrder(_ request: OrderRequest, at moment: Moment) throws(EngineError) -> OrderResult {
        let u = try requireUser(request.user, field: "user")
        let s = try requireSymbol(request.symbol, field: "symbol")
        let symbol = venue.symbols[s]
        let lead = request.account == .portfolio ? try requireActiveLead(user: u, field: "user") : nil
        switch (request.side, request.quoteAmount, request.quantity) {
        case (.buy, .some, .some):
            throw EngineError(.invalidInput, field: "quantity", "give quoteAmount or quantity, not both")
        case (_, .none, .none):
            throw EngineError(.invalidInput, field: request.side == .buy ? "quoteAmount" : "quantity", "is required")
        case (.sell, .some, _):
            throw EngineError(.invalidInput, field: "quoteAmount", "a sell gives quantity, not quoteAmount")
        default: break
        }
        if let q = request.quantity {
            try Self.requirePositive(q, field: "quantity")
            guard q.isMultiple(of: symbol.qtyStep) else {
                throw EngineError(.invalidInput, field: "quantity", "must be a multiple of qtyStep \(symbol.qtyStep) (got \(q))")
            }
            guard q >= symbol.minQty else {
                throw EngineError(.invalidInput, field: "quantity", "below minQty \(symbol.minQty) (got \(q))")
            }
        }
        if let a = request.quoteAmount { try Self.requirePositive(a, field: "quoteAmount") }
        if let p = request.limitPrice {
            do { try SimulatedVenue.checkPrice(p, symbol) } catch { throw EngineError(.invalidInput, field: "limitPrice", error.rule) }
        }
        if venueBook.mode == .external {
            if let lead, request.limitPrice == nil, executionMode(lead: lead) == .block, leads[lead].book.activeCount > 0 {
                return try sendBlockOrder(request, user: u, lead: lead, symbol: s, at: moment)
            }
            return try sendVenueOrder(request, user: u, lead: lead, symbol: s, at: moment)
        }
        if let lead, request.limitPrice == nil, executionMode(lead: lead) == .block, leads[lead].book.activeCount > 0 {
            return try placeBlockOrder(request, user: u, lead: lead, symbol: s, at: moment)
        }
        let orderID = nextOrderNumber
        guard let limit = request.limitPrice else {
            let size: SimulatedVenue.Size = request.quoteAmount.map { .budget($0) } ?? .quantity(request.quantity!)
            let execution = venue.execute(s, request.side, size, limit: nil)
            try checkExecutable(
                execution, u: u, lead: lead, s: s, side: request.side, field: request.quoteAmount == nil ? "quantity" : "quoteAmount")
            let fillID = "o\(orderID)-f1"
            let (journalBefore, failedBefore) = (journal.count, failedOrders.count)
            let trade = try settle(execution, user: u, lead: lead, s: s, side: request.side, fillID: fillID, at: moment)
            nextOrderNumber += 1
            var placed = PlacedOrder(
                id: orderID, user: u, account: request.account, symbol: s, side: request.side, kind: .market,
                quantity: request.quantity, quoteAmount: request.quoteAmount, event: moment.event, time: moment.time,
                status: request.quantity.map { execution.quantity < $0 ? .expired : .filled } ?? .filled)
            let counts = fanOutCounts(journalSince: journalBefore, failedSince: failedBefore)
            placed.record(trade, leadFillID: lead == nil ? nil : fillID, copyFills: counts.copyFills, failed: counts.failed)
            orders.append(placed)
            noteOrder(orderID)
            return OrderResult(orderID: orderID, trades: [trade])
        }
        // Limit order: the quantity at the limit price; funds are checked now and again at each fill.
        var quantity = request.quantity ?? .zero
        if let budget = request.quoteAmount {
            quantity = try Self.checkedAmount(field: "quoteAmount") { () throws(DecimalError) in try budget.divided(by: limit, .down) }
                .rounded(toStep: symbol.qtyStep, .down)
            guard quantity.isPositive, quantity >= symbol.minQty else {
                throw EngineError(.invalidInput, field: "quoteAmount", "buys less than minQty \(symbol.minQty) at the limit price")
            }
        }
        let notional = symbol.quote(quantity: quantity, price: limit) ?? .max
        guard notional >= symbol.minNotional else {
            throw EngineError(
                .invalidInput, field: request.quoteAmount == nil ? "quantity" : "quoteAmount",
                "is worth \(notional) USDT at the limit price, below minNotional \(symbol.minNotional) USDT")
        }
        try checkFunds(u: u, lead: lead, s: s, side: request.side, quantity: quantity, price: limit)
        nextOrderNumber += 1
        var order = RestingOrder(
            id: orderID, user: u, account: request.account, symbol: s, side: request.side, limitPrice: limit,
            remaining: quantity, event: moment.event)
        orders.append(
            PlacedOrder(
                id: orderID, user: u, account: request.account, symbol: s, side: request.side, kind: .limit,
                quantity: request.quantity, quoteAmount: request.quoteAmount, limitPrice: limit, event: moment.event,
                time: moment.time, status: .accepted))
        noteOrder(orderID)
        var result = OrderResult(orderID: orderID)
        if let trade = fillResting(&order, at: moment) { result.trades.append(trade) }
        if order.remaining.isPositive {
            restingOrders.append(order)
            result.resting = order
        }
        return result
    }

    /// Cancels a resting order of a user.
    public mutating func cancelOrder(user id: String, orderID: Int) throws(EngineError) {
        let u = try requireUser(id, field: "user")
        if venueBook.mode == .external { return try requestVenueCancel(user: u, orderID: orderID) }
        guard let k = restingOrders.firstIndex(where: { $0.id == orderID && $0.user == u }) else {
            throw EngineError(.unknownOrder, field: "orderId", "no resting order \(orderID) of \"\(id)\"")
        }
        restingOrders.remove(at: k)
        updateOrder(orderID) { o in
            o.status = .cancelled
            o.cancelReason = "cancelled by its owner"
        }
    }

    /// Updates a mark price, then fills the resting orders it crosses (their fills are copied).
    public mutating func updatePrice(symbol name: String, price: Fixed, at moment: Moment) throws(EngineError) {
        let s = try requireSymbol(name, field: "symbol")
        try requireValuable(symbol: s, at: price)
        let old = venue.marks[s]
        do { try venue.setMark(s, price) } catch { throw EngineError(error) }
        priceHistory.append(PricePoint(event: moment.event, symbol: s, price: price))
        accrueDeviations(symbol: s, from: old, to: price)
        if restingOrders.contains(where: { $0.symbol == s }) {
            var kept: [RestingOrder] = []
            for var order in restingOrders {
                if order.symbol == s { _ = fillResting(&order, at: moment) }
                if order.remaining.isPositive { kept.append(order) }
            }
            restingOrders = kept
        }
        for l in leads.indices where leads[l].status == .active {
            if leads[l].positions[s]?.quantity.isPositive ?? false { observeLead(l, at: moment) }
            if leads[l].book.columnIndex(of: SymbolIndex(s)) != nil { checkThresholds(lead: l, at: moment) }
        }
    }

    /// Refuses a mark at which what the accounts hold would be worth more than an amount can hold: the USDT in every
    /// account plus every symbol's held quantity at its mark (`symbol` at `price`) must fit. Every equity, NAV and sum
    /// of them the engine and its views compute is at most that, so none of them can overflow after it.
    func requireValuable(symbol: Int, at price: Fixed) throws(EngineError) {
        do {
            // USDT in the accounts: deposited, less withdrawn, less what the venue and the fee account hold.
            let venueUSDT = venueBalances[Symbol.quoteAsset] ?? .zero
            var total = try totalDeposits.subtracting(totalWithdrawals).subtracting(venueUSDT).subtracting(feesCollected)
            for (k, sym) in venue.symbols.enumerated() {
                let held = -(venueBalances[sym.base] ?? .zero)
                guard held.isPositive else { continue }
                guard let value = sym.quote(quantity: held, price: k == symbol ? price : venue.marks[k]) else {
                    throw DecimalError.overflow("\(held) \(sym.base) at \(k == symbol ? price : venue.marks[k])")
                }
                total = try total.adding(value)
            }
        } catch {
            throw EngineError(
                .overflow, field: "price",
                "at \(price) what the accounts hold would be worth more than an amount can hold (\(Fixed.max) USDT)")
        }
    }

    /// Executes what of a limit order crosses at the current mark; an order whose account can no longer pay or
    /// deliver is cancelled (its remaining quantity set to zero).
    mutating func fillResting(_ order: inout RestingOrder, at moment: Moment) -> TradeRecord? {
        let mark = venue.marks[order.symbol]
        guard order.side == .buy ? mark <= order.limitPrice : mark >= order.limitPrice else { return nil }
        let lead = order.account == .portfolio ? activeLead(of: order.user) : nil
        if order.account == .portfolio && lead == nil {
            order.remaining = .zero
            updateOrder(order.id) { o in
                o.status = .cancelled
                o.cancelReason = "the lead portfolio is no longer active"
            }
            return nil
        }
        let execution = venue.execute(order.symbol, order.side, .quantity(order.remaining), limit: order.limitPrice)
        guard execution.quantity.isPositive else { return nil }
        do {
            try checkExecutable(execution, u: order.user, lead: lead, s: order.symbol, side: order.side, field: "quantity")
            let fillNumber = leadFillCount + 1
            let fillID = "o\(order.id)-e\(moment.event)-f\(fillNumber)"
            let (journalBefore, failedBefore) = (journal.count, failedOrders.count)
            let trade = try settle(
                execution, user: order.user, lead: lead, s: order.symbol, side: order.side, fillID: fillID, at: moment)
            order.remaining -= execution.quantity
            let counts = fanOutCounts(journalSince: journalBefore, failedSince: failedBefore)
            let done = !order.remaining.isPositive
            updateOrder(order.id) { o in
                o.record(trade, leadFillID: lead == nil ? nil : fillID, copyFills: counts.copyFills, failed: counts.failed)
                o.status = done ? .filled : .partiallyFilled
            }
            return trade
        } catch {
            order.remaining = .zero
            updateOrder(order.id) { o in
                o.status = .cancelled
                o.cancelReason = "the account could no longer pay or deliver: \(error.message)"
            }
            return nil
        }
    }

    /// Refuses an execution the account cannot pay for or deliver, or one below the symbol's minimums.
    func checkExecutable(_ e: Execution, u: Int, lead: Int?, s: Int, side: Side, field: String) throws(EngineError) {
        let symbol = venue.symbols[s]
        guard e.quantity.isPositive, e.quantity >= symbol.minQty else {
            throw EngineError(.invalidInput, field: field, "executes below minQty \(symbol.minQty) of \(symbol.name)")
        }
        guard e.quote >= symbol.minNotional else {
            throw EngineError(.invalidInput, field: field, "executes \(e.quote) USDT, below minNotional \(symbol.minNotional) USDT")
        }
        try checkFunds(u: u, lead: lead, s: s, side: side, quantity: e.quantity, quote: e.quote, fee: e.fee)
    }

    func checkFunds(u: Int, lead: Int?, s: Int, side: Side, quantity: Fixed, price: Fixed) throws(EngineError) {
        let quote = venue.symbols[s].quote(quantity: quantity, price: price) ?? .max
        try checkFunds(u: u, lead: lead, s: s, side: side, quantity: quantity, quote: quote, fee: venue.fee(onQuote: quote))
    }

    func checkFunds(u: Int, lead: Int?, s: Int, side: Side, quantity: Fixed, quote: Fixed, fee: Fixed) throws(EngineError) {
        let symbol = venue.symbols[s]
        let account = lead == nil ? "main account" : "lead portfolio"
        if side == .buy {
            let cash = lead.map { leads[$0].cash } ?? users[u].balance(Symbol.quoteAsset)
            guard let cost = try? quote.adding(fee), cost <= cash else {
                throw EngineError(
                    .insufficientFunds, field: "quoteAmount",
                    "costs \(quote) USDT + \(fee) USDT fee, more than the \(account)'s \(cash) USDT")
            }
        } else {
            let held = lead.map { leads[$0].positions[s]?.quantity ?? .zero } ?? users[u].balance(symbol.base)
            guard quantity <= held else {
                throw EngineError(.insufficientFunds, field: "quantity", "sells \(quantity) \(symbol.base), the \(account) holds \(held)")
            }
        }
    }

    /// Books an execution on the account; a lead portfolio's execution is a lead fill and fans out to its copies.
    mutating func settle(
        _ e: Execution, user u: Int, lead: Int?, s: Int, side: Side, fillID: String, at moment: Moment
    ) throws(EngineError) -> TradeRecord {
        if let lead {
            let fill = LeadFill(
                id: fillID, lead: lead, symbol: s, side: side, quantity: e.quantity, quote: e.quote, fee: e.fee,
                price: e.averagePrice, event: moment.event, time: moment.time)
            try applyLeadFill(fill, fanOut: true)
            return TradeRecord(
                account: .lead(lead), symbol: s, side: side, quantity: e.quantity, quote: e.quote, fee: e.fee,
                event: moment.event, time: moment.time)
        }
        let trade = TradeRecord(
            account: .main(user: u), symbol: s, side: side, quantity: e.quantity, quote: e.quote, fee: e.fee,
            event: moment.event, time: moment.time)
        let base = venue.symbols[s].base
        var user = users[u]
        if side == .buy {
            user.cash -= e.quote + e.fee
            user.assets[base, default: .zero] += e.quantity
            user.positions[s, default: Position()].applyBuy(quantity: e.quantity, quote: e.quote, fee: e.fee)
        } else {
            user.cash += e.quote - e.fee
            user.assets[base, default: .zero] -= e.quantity
            user.positions[s, default: Position()].applySell(quantity: e.quantity, quote: e.quote, fee: e.fee)
        }
        users[u] = user
        recordVenueSide(trade)
        journal.append(.trade(trade))
        return trade
    }

    /// The venue's settlement side and the fee account for one trade.
    mutating func recordVenueSide(_ t: TradeRecord) {
        let sign: Int64 = t.side == .buy ? 1 : -1
        venueBalances[Symbol.quoteAsset, default: .zero] += Fixed(units: sign * t.quote.units)
        venueBalances[venue.symbols[t.symbol].base, default: .zero] -= Fixed(units: sign * t.quantity.units)
        feesCollected += t.fee
    }
}

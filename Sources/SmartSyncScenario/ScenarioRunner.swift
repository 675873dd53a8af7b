import SmartSyncCore

/// Applies a scenario's events to a fresh engine, in order.
public struct ScenarioRunner: Sendable {
    public private(set) var engine: Engine
    public let scenario: Scenario
    /// Index of the next event to apply.
    public private(set) var next = 0

    /// Sets up the market and the users (their deposits come before event 0).
    public init(_ scenario: Scenario) throws(ScenarioError) {
        self.scenario = scenario
        engine = Engine(settings: scenario.settings)
        for (k, s) in scenario.symbols.enumerated() {
            do {
                try engine.listSymbol(s.symbol, price: s.price, book: s.book)
            } catch {
                throw ScenarioError(path: "symbols[\(k)].\(error.field)", error.message)
            }
        }
        let start = Moment(event: -1, time: scenario.events.first?.time ?? 0)
        for (k, u) in scenario.users.enumerated() {
            do {
                try engine.addUser(u.id)
                if let d = u.deposit, !d.isZero { try engine.deposit(user: u.id, amount: d, at: start) }
            } catch {
                throw ScenarioError(path: "users[\(k)].\(error.field == "user" ? "id" : error.field == "amount" ? "deposit" : error.field)", error.message)
            }
        }
    }

    /// Runs every remaining event; `progress` is told (done, total) now and then.
    public mutating func runAll(progress: ((Int, Int) -> Void)? = nil) throws(ScenarioError) {
        let total = scenario.events.count
        while next < total {
            try step()
            if let progress, next % 1000 == 0 || next == total { progress(next, total) }
        }
    }

    /// Applies the next event. A refused event stops the run with an error naming the event and field.
    public mutating func step() throws(ScenarioError) {
        let event = scenario.events[next]
        let moment = Moment(event: event.index, time: event.time)
        do {
            try apply(event.kind, at: moment)
        } catch {
            throw ScenarioError(path: "events[\(event.index)].\(error.field)", error.message, event: event.index)
        }
        next += 1
    }

    private mutating func apply(_ kind: ScenarioEvent.Kind, at moment: Moment) throws(EngineError) {
        switch kind {
        case .startLeading(let user, let portfolio, let rate, let slippage, let limit):
            try engine.startLeading(
                user: user, portfolio: portfolio, profitShareRate: rate, slippageLimit: slippage, followerLimit: limit,
                at: moment)
        case .startCopy(let request):
            try engine.startCopy(request, at: moment)
        case .order(let request):
            try engine.placeOrder(request, at: moment)
        case .cancelOrder(let user, let id):
            try engine.cancelOrder(user: user, orderID: id)
        case .price(let symbol, let price):
            try engine.updatePrice(symbol: symbol, price: price, at: moment)
        case .deposit(let user, let amount):
            try engine.deposit(user: user, amount: amount, at: moment)
        case .withdraw(let user, let amount):
            try engine.withdraw(user: user, amount: amount, at: moment)
        case .transfer(let user, let amount, let direction):
            try engine.transfer(user: user, amount: amount, direction, at: moment)
        case .stopCopy(let copy):
            try engine.stopCopy(copy, at: moment)
        case .stopLeading(let user):
            try engine.stopLeading(user: user, at: moment)
        case .removeFollower(let user, let copy):
            try engine.removeFollower(lead: user, copy: copy, at: moment)
        case .adjustInvestment(let copy, let delta):
            try engine.adjustInvestment(copy: copy, delta: delta, at: moment)
        case .setStopLoss(let copy, let threshold):
            try engine.setStopLoss(copy: copy, threshold, at: moment)
        case .setTakeProfit(let copy, let threshold):
            try engine.setTakeProfit(copy: copy, threshold, at: moment)
        case .priceBars(let symbol, let bars):
            for bar in bars {
                try engine.updatePrice(symbol: symbol, price: bar.price, at: Moment(event: moment.event, time: bar.time))
            }
        case .orderFraction(let user, let account, let symbol, let side, let fraction):
            if let request = try fractionOrder(user: user, account: account, symbol: symbol, side: side, fraction: fraction) {
                try engine.placeOrder(request, at: moment)
            }
        }
    }

    /// Turns "sell 30% of the holding" or "spend 25% of the cash" into an order at the current state; nil when the
    /// result rounds below the symbol's minimums (nothing to do).
    private func fractionOrder(user: String, account: OrderAccount, symbol name: String, side: Side, fraction: Fixed)
        throws(EngineError) -> OrderRequest?
    {
        guard let u = engine.user(named: user) else { throw EngineError(.unknownUser, field: "user", "no user \"\(user)\"") }
        guard let s = engine.venue.index(of: name) else { throw EngineError(.unknownSymbol, field: "symbol", "no symbol \"\(name)\"") }
        let symbol = engine.venue.symbols[s]
        let lead = account == .portfolio ? engine.activeLead(of: u) : nil
        if account == .portfolio && lead == nil {
            throw EngineError(.notLeading, field: "user", "user \"\(user)\" has no active lead portfolio")
        }
        if side == .sell {
            let held = lead.map { engine.leads[$0].positions[s]?.quantity ?? .zero } ?? engine.users[u].balance(symbol.base)
            let quantity = ((try? held.multiplied(by: fraction, .down)) ?? .zero).rounded(toStep: symbol.qtyStep, .down)
            let value = symbol.quote(quantity: quantity, price: engine.venue.marks[s]) ?? .zero
            guard quantity.isPositive, quantity >= symbol.minQty, value >= symbol.minNotional else { return nil }
            return OrderRequest(user: user, account: account, symbol: name, side: .sell, quantity: quantity)
        }
        let cash = lead.map { engine.leads[$0].cash } ?? engine.users[u].cash
        // One unit less than cash × fraction ÷ (1 + fee rate): the fee is rounded up.
        let budget = ((try? Fixed.mulDiv(cash, fraction, .one + engine.settings.takerFeeRate, .down)) ?? .zero) - .ulp
        guard budget >= symbol.minNotional, budget.isPositive else { return nil }
        return OrderRequest(user: user, account: account, symbol: name, side: .buy, quoteAmount: budget)
    }
}

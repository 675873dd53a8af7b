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
        }
    }
}

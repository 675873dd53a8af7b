import SmartSyncCore
import SmartSyncViews

/// Applies a scenario's events, in order, to an engine host (in memory, or a durable store).
public struct ScenarioPlayer<Host: EngineHost> {
    public private(set) var host: Host
    public let scenario: Scenario
    /// Index of the next event to apply.
    public private(set) var next = 0

    public var engine: Engine { host.engine }

    /// Sets up the market and the users (their deposits come before event 0) on `host`.
    public init(_ scenario: Scenario, host: Host) throws {
        self.scenario = scenario
        self.host = host
        let start = Moment(event: -1, time: scenario.events.first?.time ?? 0)
        for (k, s) in scenario.symbols.enumerated() {
            do {
                try self.host.execute(.listSymbol(s.symbol, price: s.price, book: s.book), at: start)
            } catch let error as EngineError {
                throw ScenarioError(path: "symbols[\(k)].\(error.field)", error.message)
            }
        }
        for (k, u) in scenario.users.enumerated() {
            do {
                try self.host.execute(.addUser(u.id), at: start)
                if let d = u.deposit, !d.isZero { try self.host.execute(.deposit(user: u.id, amount: d), at: start) }
            } catch let error as EngineError {
                let field = error.field == "user" || error.field == "id" ? "id" : error.field == "amount" ? "deposit" : error.field
                throw ScenarioError(path: "users[\(k)].\(field)", error.message)
            }
        }
    }

    /// Runs every remaining event; `progress` is told (done, total) now and then.
    public mutating func runAll(progress: ((Int, Int) -> Void)? = nil) throws {
        let total = scenario.events.count
        while next < total {
            try step()
            if let progress, next % 1000 == 0 || next == total { progress(next, total) }
        }
    }

    /// Applies the next event. A refused event stops the run with an error naming the event and field.
    public mutating func step() throws {
        let event = scenario.events[next]
        let moment = Moment(event: event.index, time: event.time)
        do {
            switch event.kind {
            case .command(let command):
                try host.execute(command, at: moment)
            case .priceBars(let symbol, let bars):
                for bar in bars {
                    try host.execute(.price(symbol: symbol, price: bar.price), at: Moment(event: event.index, time: bar.time))
                }
            }
        } catch let error as EngineError {
            // setCopyControls' fields sit under "controls" in the file (the API's body is the controls themselves).
            var field = error.field
            if case .command(.setCopyControls) = event.kind, field != "copy" { field = "controls." + field }
            throw ScenarioError(path: "events[\(event.index)].\(field)", error.message, event: event.index)
        }
        next += 1
    }
}

/// The in-memory scenario runner.
public typealias ScenarioRunner = ScenarioPlayer<MemoryHost>

extension ScenarioPlayer where Host == MemoryHost {
    /// Sets up a fresh in-memory engine with the scenario's settings, market and users.
    public init(_ scenario: Scenario) throws(ScenarioError) {
        do {
            try self.init(scenario, host: MemoryHost(engine: Engine(settings: scenario.settings)))
        } catch let error as ScenarioError {
            throw error
        } catch {
            preconditionFailure("the in-memory host throws only engine errors: \(error)")
        }
    }

}

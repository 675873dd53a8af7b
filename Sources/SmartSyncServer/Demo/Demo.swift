import Foundation
import Logging
import SmartSyncCore
import SmartSyncScenario
import SmartSyncViews

/// `smartsync serve --demo`: BTC, ETH and BCH on the real 2021 prices (`DemoFeed`), three leads trading them by
/// plain rules (`DemoStrategies`) and followers copying them. On a new database the first `backfillDays` are
/// played at once, so that the board opens with a month of history; the rest plays live, one demo day per
/// interval, until the data ends (2021-09-05), when the market stays at its last prices. Everything the demo
/// stamps is in market time (`DemoClock`). On a database that already holds the demo it continues where it was.
public enum Demo {
    static let leads = DemoStrategies.names
    /// Followers: user, lead, investment, stop loss.
    static let followers: [(String, String, String, Threshold?)] = [
        ("alice", "trend", "1000", nil), ("bob", "trend", "25000", nil), ("carol", "balanced", "500", nil),
        ("dave", "balanced", "5000", .ratio(Fixed(units: 25_000_000))), ("erin", "swing", "150", nil),
        ("frank", "swing", "12000", .ratio(Fixed(units: 20_000_000))), ("grace", "trend", "300", nil),
        ("heidi", "balanced", "80000", nil),
    ]
    /// Days played at once on a new demo database.
    public static let backfillDays = 30

    /// Reads the daily bars of each demo symbol from a folder of the CSV files (instead of the embedded copies).
    public static func bars(dataDirectory: String) throws -> [String: [PriceBar]] {
        try DemoFeed.bars { file in FileManager.default.contents(atPath: "\(dataDirectory)/\(file)").map { [UInt8]($0) } }
    }

    /// True when the engine holds the demo's market and people (or nothing at all yet).
    public static func isDemo(_ engine: Engine) -> Bool {
        engine.venue.symbols.isEmpty
            || (DemoFeed.symbols.allSatisfy { engine.venue.index(of: $0.0) != nil }
                && (leads + ["newcomer"]).allSatisfy { engine.user(named: $0) != nil })
    }

    /// Sets the demo up on an empty database (and plays the first days) or finds where an existing one is; returns
    /// the API keys to print (new ones; keys issued before stay valid) and whether the database was new.
    public static func setUp(_ service: EngineService, feed: DemoFeed, clock: DemoClock) async throws -> (
        keys: [(String, String)], fresh: Bool
    ) {
        let fresh = service.read { $0.venue.symbols.isEmpty }
        guard let first = feed.ticks.first else { throw APIError(.internalServerError, code: "demoData", "the demo has no price data") }
        service.demoStatus.withLock { $0 = DemoStatus(from: first.time, to: feed.ticks.last!.time, finished: false) }
        if fresh {
            clock.set(first.time, live: false)
            var commands: [EngineCommand] = []
            for (symbol, _, step) in DemoFeed.symbols {
                let s = try Symbol(
                    name: symbol, qtyStep: try Fixed(step), priceTick: try Fixed("0.01"), minQty: try Fixed(step), minNotional: Fixed(5))
                commands.append(.listSymbol(s, price: feed.bars[symbol]![0].open, book: nil))
            }
            try await service.executeBatch(commands)
        } else {
            clock.set(service.read { $0.now }, live: false)
        }
        var keys: [(String, String)] = []
        for lead in leads {
            keys.append((lead, try await service.issueKey(user: lead, role: .user)))
            if fresh {
                try await service.executeBatch([
                    .deposit(user: lead, amount: Fixed(150_000)),
                    .startLeading(user: lead, portfolio: Fixed(100_000), profitShareRate: nil, slippageLimit: nil, followerLimit: nil),
                ])
            }
        }
        for (user, lead, investment, stopLoss) in followers {
            keys.append((user, try await service.issueKey(user: user, role: .user)))
            if fresh {
                let amount = try Fixed(investment)
                try await service.executeBatch([
                    .deposit(user: user, amount: amount + Fixed(1_000)),
                    .startCopy(StartCopyRequest(copyID: "\(user)-\(lead)", user: user, lead: lead, investment: amount, stopLoss: stopLoss)),
                ])
            }
        }
        keys.append(("newcomer", try await service.issueKey(user: "newcomer", role: .user)))
        if fresh {
            try await service.executeBatch([.deposit(user: "newcomer", amount: Fixed(1_000))])
            let end = min(feed.ticks.count, backfillDays * DemoFeed.ticksPerDay)
            for k in 0..<end { try await play(feed.ticks[k], service: service, feed: feed, clock: clock, live: false, logger: nil) }
        }
        return (keys, fresh)
    }

    /// Plays the ticks after the market's time, one per `clock.tickInterval`, until the data ends or the task is
    /// cancelled.
    public static func run(_ service: EngineService, feed: DemoFeed, clock: DemoClock, logger: Logger) async {
        var next = feed.nextTick(after: service.read { $0.now })
        while !Task.isCancelled && next < feed.ticks.count {
            do {
                clock.set(service.read { $0.now }, live: true)
                try await Task.sleep(for: clock.tickInterval)
                try await play(feed.ticks[next], service: service, feed: feed, clock: clock, live: true, logger: logger)
                next += 1
            } catch is CancellationError {
                return
            } catch {
                logger.error("demo stopped: \(error)")
                return
            }
        }
        if next >= feed.ticks.count {
            service.demoStatus.withLock { $0?.finished = true }
            clock.set(service.read { $0.now }, live: false)
            logger.notice(
                "the demo's data ends here (\(ISO8601.format(feed.ticks.last!.time).prefix(10))): the market stays at its last prices; `smartsync serve --demo --reset` plays it again"
            )
        }
    }

    /// One tick: its prices, then on a day's close each lead's decision.
    static func play(_ tick: DemoFeed.Tick, service: EngineService, feed: DemoFeed, clock: DemoClock, live: Bool, logger: Logger?)
        async throws
    {
        clock.set(tick.time, live: false)
        let prices = tick.prices.map { EngineCommand.price(symbol: $0.symbol, price: $0.price) }
        if live {
            for p in prices { try await service.execute(p) }
        } else {
            try await service.executeBatch(prices)
        }
        guard tick.phase == DemoFeed.ticksPerDay - 1 else { return }
        for lead in leads {
            for round in 0..<(DemoStrategies.rounds[lead] ?? 1) {
                let portfolio = service.read { engine in readPortfolio(engine, lead) }
                guard let portfolio else { break }
                for order in DemoStrategies.orders(lead: lead, day: tick.day, round: round, feed: feed, portfolio: portfolio) {
                    do { try await service.execute(order) } catch let error as EngineError {
                        logger?.debug("demo order refused: \(error)")
                    }
                }
            }
        }
    }

    /// A lead's portfolio as the rules read it; nil when it is not leading.
    static func readPortfolio(_ engine: Engine, _ lead: String) -> DemoStrategies.Portfolio? {
        guard let u = engine.user(named: lead), let l = engine.activeLead(of: u) else { return nil }
        let equity = engine.leadEquity(l)
        var holdings: [String: (quantity: Fixed, averageCost: Fixed, value: Fixed)] = [:]
        for (s, position) in engine.leads[l].positions where position.quantity.isPositive {
            let symbol = engine.venue.symbols[s]
            holdings[symbol.name] = (
                position.quantity, Engine.ratio(position.cost, position.quantity),
                symbol.quote(quantity: position.quantity, price: engine.venue.marks[s]) ?? .zero
            )
        }
        var marks: [String: Fixed] = [:]
        for s in engine.venue.symbols.indices { marks[engine.venue.symbols[s].name] = engine.venue.marks[s] }
        return DemoStrategies.Portfolio(cash: engine.leads[l].cash, equity: equity, holdings: holdings, marks: marks)
    }
}

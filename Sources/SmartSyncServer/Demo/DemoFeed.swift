import SmartSyncAssets
import SmartSyncCore
import SmartSyncScenario
import SmartSyncViews
import Synchronization

/// The demo market's prices: the real daily bars of BTC, ETH and BCH from 2021-05-05 to 2021-09-05 (`Data/`,
/// compiled into the binary), replayed as four ticks a day. Every tick is a price that traded that day: the open,
/// the day's two extremes, the close. Which extreme came first is not in the data; the convention used by bar
/// replays is followed: a day that closed up went open → low → high → close, one that closed down open → high →
/// low → close. The ticks are stamped 00:00, 06:00, 12:00 and 18:00 of their day (the times within a day are
/// nominal; the day is real).
public struct DemoFeed: Sendable {
    /// The demo's symbols: name, data file stem, quantity step.
    public static let symbols = [("BTC-USDT", "btc", "0.00001"), ("ETH-USDT", "eth", "0.0001"), ("BCH-USDT", "bch", "0.001")]
    public static let ticksPerDay = 4
    /// Market time between two ticks.
    public static let tickSpacing: Int64 = 6 * 3_600_000

    public struct Tick: Sendable {
        public var time: Int64
        public var day: Int
        /// 0 open, 1 and 2 the extremes, 3 the close (when the leads decide).
        public var phase: Int
        public var prices: [(symbol: String, price: Fixed)]
    }

    /// The daily bars of each symbol.
    public let bars: [String: [PriceBar]]
    public let ticks: [Tick]
    public var days: Int { ticks.count / Self.ticksPerDay }

    public init(bars: [String: [PriceBar]]) {
        self.bars = bars
        let days = Self.symbols.map { bars[$0.0]?.count ?? 0 }.min() ?? 0
        var ticks: [Tick] = []
        for d in 0..<days {
            let start = bars[Self.symbols[0].0]![d].time
            for phase in 0..<Self.ticksPerDay {
                let prices = Self.symbols.map { (symbol, _, _) -> (symbol: String, price: Fixed) in
                    let b = bars[symbol]![d]
                    let path = b.close >= b.open ? [b.open, b.low, b.high, b.close] : [b.open, b.high, b.low, b.close]
                    return (symbol, path[phase])
                }
                ticks.append(Tick(time: start + Int64(phase) * Self.tickSpacing, day: d, phase: phase, prices: prices))
            }
        }
        self.ticks = ticks
    }

    /// The feed from the price files compiled into the binary.
    public static func embedded() throws -> DemoFeed {
        try DemoFeed(bars: bars { file in Assets.demoPrices[file] })
    }

    /// The daily bars of each demo symbol, from its CSV file (`btc-usd-daily-2021.csv`…) as `read` gives it.
    static func bars(reading read: (String) -> [UInt8]?) throws -> [String: [PriceBar]] {
        var bars: [String: [PriceBar]] = [:]
        for (symbol, stem, _) in symbols {
            let file = "\(stem)-usd-daily-2021.csv"
            guard let bytes = read(file) else {
                throw APIError(.internalServerError, code: "demoData", "cannot read the price data \(file) of \(symbol)")
            }
            bars[symbol] = try PriceBar.parseCSV(bytes)
        }
        return bars
    }

    /// The close of `symbol` on day `d`.
    public func close(_ symbol: String, _ d: Int) -> Fixed { bars[symbol]![d].close }

    /// The first tick after the market time `time` (the whole feed when nothing was played yet).
    public func nextTick(after time: Int64) -> Int { ticks.firstIndex { $0.time > time } ?? ticks.count }
}

/// The demo's clock: market time. It stands at the last tick played and, while the demo runs live, moves on with
/// the wall clock at the feed's pace (one tick spacing per tick interval), never reaching the next tick; so a
/// follower's action between two ticks is stamped between them, and every time the demo shows is in 2021.
public final class DemoClock: Sendable {
    private struct State {
        var tick: Int64 = 0
        var since = ContinuousClock.now
        var live = false
    }

    private let state = Mutex(State())
    /// Wall time between two ticks when live.
    public let tickInterval: Duration

    public init(tickInterval: Duration) { self.tickInterval = tickInterval }

    /// Milliseconds since 1970, in market time.
    public func now() -> Int64 {
        state.withLock { s in
            guard s.live else { return s.tick }
            let fraction = min(1, Self.seconds(s.since.duration(to: .now)) / max(1e-9, Self.seconds(tickInterval)))
            return s.tick + min(DemoFeed.tickSpacing - 1, Int64(fraction * Double(DemoFeed.tickSpacing)))
        }
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    /// Stands at a tick; `live` lets it move on with the wall clock from there.
    public func set(_ time: Int64, live: Bool) {
        state.withLock { s in
            s.tick = max(s.tick, time)
            s.since = .now
            s.live = live
        }
    }
}

/// What the pages show of the demo: the span of its data, where the market is, whether the data ran out.
public struct DemoStatus: Sendable, Hashable {
    public var from: Int64
    public var to: Int64
    public var finished: Bool
}

import Foundation
import Logging
import SmartSyncCore
import SmartSyncScenario

/// `smartsync serve --demo`: BTC, ETH and BCH on the real 2021 daily closes replayed on a fast clock, three leads
/// with different styles trading on them, and followers copying them. Their API keys are printed at start.
public enum Demo {
    static let symbols = [("BTC-USDT", "btc", "0.00001"), ("ETH-USDT", "eth", "0.0001"), ("BCH-USDT", "bch", "0.001")]
    static let leads = ["trend", "balanced", "swing"]
    static let followers: [(String, String, String)] = [
        ("alice", "trend", "1000"), ("bob", "trend", "25000"), ("carol", "balanced", "500"), ("dave", "balanced", "5000"),
        ("erin", "swing", "150"), ("frank", "swing", "12000"), ("grace", "trend", "300"), ("heidi", "balanced", "80000"),
    ]

    /// Loads the daily closes of each demo symbol from `dataDirectory`.
    public static func bars(dataDirectory: String) throws -> [String: [PriceBar]] {
        var result: [String: [PriceBar]] = [:]
        for (symbol, file, _) in symbols {
            let path = "\(dataDirectory)/\(file)-usd-daily-2021.csv"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw APIError(.internalServerError, code: "demoData", "cannot read \(path) (run from the repository, or pass --data)")
            }
            result[symbol] = try PriceBar.parseCSV(data)
        }
        return result
    }

    /// Sets the demo market up on an empty database (once) and returns the API keys to print.
    public static func setUp(_ service: EngineService, bars: [String: [PriceBar]]) async throws -> [(String, String)] {
        var keys: [(String, String)] = []
        let fresh = await service.read { $0.venue.symbols.isEmpty }
        if fresh {
            var commands: [EngineCommand] = []
            for (symbol, _, step) in symbols {
                let s = try Symbol(name: symbol, qtyStep: try Fixed(step), priceTick: try Fixed("0.01"), minQty: try Fixed(step), minNotional: Fixed(5))
                commands.append(.listSymbol(s, price: bars[symbol]![0].close, book: nil))
            }
            try await service.executeBatch(commands)
        }
        for lead in leads {
            keys.append((lead, try await service.issueKey(user: lead, role: .user)))
            if fresh {
                try await service.executeBatch([
                    .deposit(user: lead, amount: Fixed(150_000)),
                    .startLeading(user: lead, portfolio: Fixed(100_000), profitShareRate: nil, slippageLimit: nil, followerLimit: nil),
                ])
            }
        }
        for (user, lead, investment) in followers {
            keys.append((user, try await service.issueKey(user: user, role: .user)))
            if fresh {
                let amount = try Fixed(investment)
                try await service.executeBatch([
                    .deposit(user: user, amount: amount + Fixed(1_000)),
                    .startCopy(StartCopyRequest(copyID: "\(user)-\(lead)", user: user, lead: lead, investment: amount)),
                ])
            }
        }
        keys.append(("newcomer", try await service.issueKey(user: "newcomer", role: .user)))
        if fresh { try await service.execute(.deposit(user: "newcomer", amount: Fixed(1_000))) }
        return keys
    }

    /// Advances one day per `interval`: new closes, then each lead's rule. Runs until cancelled; wraps around.
    public static func run(_ service: EngineService, bars: [String: [PriceBar]], interval: Duration, logger: Logger) async {
        let days = bars.values.map(\.count).min() ?? 0
        var day = 1
        while !Task.isCancelled && days > 1 {
            do {
                try await Task.sleep(for: interval)
                for (symbol, _, _) in symbols {
                    try await service.execute(.price(symbol: symbol, price: bars[symbol]![day].close))
                }
                for command in decisions(day: day, bars: bars) {
                    do { try await service.execute(command) } catch let error as EngineError {
                        logger.debug("demo order refused: \(error)")
                    }
                }
                day = day + 1 < days ? day + 1 : 1
            } catch is CancellationError {
                return
            } catch {
                logger.error("demo stopped: \(error)")
                return
            }
        }
    }

    /// The leads' rules for a day: trend follows BTC and ETH breakouts, balanced rebalances weekly, swing trades
    /// BCH against its 5-day average.
    static func decisions(day d: Int, bars: [String: [PriceBar]]) -> [EngineCommand] {
        func close(_ s: String, _ k: Int) -> Fixed { bars[s]![max(0, k)].close }
        func average(_ s: String, _ n: Int) -> Fixed {
            let total = (1...n).reduce(Fixed.zero) { $0 + close(s, d - $1) }
            return (try? total.divided(by: Fixed(n), .down)) ?? .zero
        }
        let fraction = { (text: String) -> Fixed in (try? Fixed(text)) ?? .zero }
        var out: [EngineCommand] = []
        for s in ["BTC-USDT", "ETH-USDT"] {
            if close(s, d) > average(s, 7) && close(s, d - 1) <= average(s, 7) {
                out.append(.orderFraction(user: "trend", account: .portfolio, symbol: s, side: .buy, fraction: fraction("0.3")))
            } else if close(s, d) < average(s, 7) && close(s, d - 1) >= average(s, 7) {
                out.append(.orderFraction(user: "trend", account: .portfolio, symbol: s, side: .sell, fraction: .one))
            }
        }
        if d % 7 == 1 {
            for (s, _, _) in symbols {
                out.append(.orderFraction(user: "balanced", account: .portfolio, symbol: s, side: .sell, fraction: fraction("0.5")))
                out.append(.orderFraction(user: "balanced", account: .portfolio, symbol: s, side: .buy, fraction: fraction("0.3")))
            }
        }
        let bch = "BCH-USDT"
        if close(bch, d) < average(bch, 5) {
            out.append(.orderFraction(user: "swing", account: .portfolio, symbol: bch, side: .buy, fraction: fraction("0.2")))
        } else {
            out.append(.orderFraction(user: "swing", account: .portfolio, symbol: bch, side: .sell, fraction: fraction("0.4")))
        }
        return out
    }
}

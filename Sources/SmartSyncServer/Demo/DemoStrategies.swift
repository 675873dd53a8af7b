import SmartSyncCore

/// The demo leads' rules, decided on the close of each day from that day's and earlier closes only. They were
/// chosen on the real data (`scripts/demo-strategies.py` simulates them and the alternatives that were tried) to be
/// plain, common styles, so that the board shows what real boards show: a winner, a loser, believable win rates.
/// - `trend`: 7/14-day moving-average crossover on each coin, long or flat; from day 13 (the first with 14
///   closes): when the 7-day mean is above the 14-day mean and it holds none, it buys with 30% of its cash; when
///   it is not and it holds some, it sells all.
/// - `balanced`: half USDT, half the two coins that rose most over the past week, 25% each, rebalanced every 7th
///   day (BTC and ETH on day 0): it sells what it no longer keeps, trims what is above 25% of equity, then buys what
///   is below (orders under 5 USDT are skipped).
/// - `swing`: buys the dip, exits on a 5% move; from day 20: a coin it holds is sold whole when the close is 5%
///   above or below its average cost; a coin it does not hold is bought with 30% of its cash when the close is 5%
///   below the mean of the 20 previous closes.
enum DemoStrategies {
    /// A lead portfolio as the rules see it.
    struct Portfolio {
        var cash: Fixed
        var equity: Fixed
        /// Quantity, average cost (buy fees included) and value of each symbol held.
        var holdings: [String: (quantity: Fixed, averageCost: Fixed, value: Fixed)]
        /// The current mark of each symbol.
        var marks: [String: Fixed]

        func quantity(_ symbol: String) -> Fixed { holdings[symbol]?.quantity ?? .zero }
    }

    static let names = ["trend", "balanced", "swing"]
    static let symbols = DemoFeed.symbols.map(\.0)
    static let rounds = ["trend": 1, "balanced": 3, "swing": 1]
    static let minimumOrder = Fixed(5)

    /// The orders of `lead` on the close of day `d`, for one round of its decision (the portfolio is read again
    /// after each round's orders executed).
    static func orders(lead: String, day d: Int, round: Int, feed: DemoFeed, portfolio p: Portfolio) -> [EngineCommand] {
        switch lead {
        case "trend": return trend(d, feed, p)
        case "balanced": return balanced(d, round, feed, p)
        case "swing": return swing(d, feed, p)
        default: return []
        }
    }

    static func fraction(_ user: String, _ symbol: String, _ side: Side, _ text: String) -> EngineCommand {
        .orderFraction(user: user, account: .portfolio, symbol: symbol, side: side, fraction: (try? Fixed(text)) ?? .zero)
    }

    /// Σ closes of days `from...to`, in units of 1e-8 (exact; means are compared as cross-multiplied sums).
    static func sum(_ feed: DemoFeed, _ symbol: String, _ from: Int, _ to: Int) -> Int128 {
        (from...to).reduce(Int128(0)) { $0 + Int128(feed.close(symbol, $1).units) }
    }

    static func trend(_ d: Int, _ feed: DemoFeed, _ p: Portfolio) -> [EngineCommand] {
        guard d >= 13 else { return [] }
        var out: [EngineCommand] = []
        for s in symbols {
            // mean(7) > mean(14)  ⇔  Σ7 × 14 > Σ14 × 7
            let up = sum(feed, s, d - 6, d) * 14 > sum(feed, s, d - 13, d) * 7
            let held = p.quantity(s)
            if up && held.isZero {
                out.append(fraction("trend", s, .buy, "0.3"))
            } else if !up && held.isPositive {
                out.append(fraction("trend", s, .sell, "1"))
            }
        }
        return out
    }

    static func balanced(_ d: Int, _ round: Int, _ feed: DemoFeed, _ p: Portfolio) -> [EngineCommand] {
        guard d % 7 == 0 else { return [] }
        let keep: [String]
        if d == 0 {
            keep = ["BTC-USDT", "ETH-USDT"]
        } else {
            // The two best weekly returns: close(d) ÷ close(d − 7), compared cross-multiplied; ties keep symbol order.
            func beats(_ a: String, _ b: String) -> Bool {
                Int128(feed.close(a, d).units) * Int128(feed.close(b, d - 7).units)
                    > Int128(feed.close(b, d).units) * Int128(feed.close(a, d - 7).units)
            }
            var ranked = symbols
            for i in ranked.indices {
                for j in stride(from: i, to: 0, by: -1) where beats(ranked[j], ranked[j - 1]) { ranked.swapAt(j, j - 1) }
            }
            keep = Array(ranked.prefix(2))
        }
        let target = (try? p.equity.multiplied(by: Fixed(units: 25_000_000), .down)) ?? .zero  // 25%
        var out: [EngineCommand] = []
        switch round {
        case 0:  // sell what it no longer keeps
            for s in symbols where !keep.contains(s) && p.quantity(s).isPositive { out.append(fraction("balanced", s, .sell, "1")) }
        case 1:  // trim what is above the target
            for s in keep {
                guard let h = p.holdings[s], h.value > target else { continue }
                let step = (try? Fixed(DemoFeed.symbols.first { $0.0 == s }!.2)) ?? .one
                let price = p.marks[s] ?? .one
                let excess = h.value - target
                let quantity = ((try? excess.divided(by: price, .down)) ?? .zero).rounded(toStep: step, .down)
                guard quantity.isPositive, (try? quantity.multiplied(by: price, .down)) ?? .zero >= minimumOrder else { continue }
                out.append(.order(OrderRequest(user: "balanced", account: .portfolio, symbol: s, side: .sell, quantity: quantity)))
            }
        default:  // buy what is below the target, with the cash there is
            var cash = p.cash
            for s in keep {
                let value = p.holdings[s]?.value ?? .zero
                guard value < target else { continue }
                // Spend at most cash ÷ 1.001 (the fee comes on top), less one unit for the fee's rounding up.
                let affordable = ((try? cash.divided(by: Fixed(units: 100_100_000), .down)) ?? .zero) - .ulp
                let spend = min(target - value, affordable)
                guard spend >= minimumOrder else { continue }
                out.append(.order(OrderRequest(user: "balanced", account: .portfolio, symbol: s, side: .buy, quoteAmount: spend)))
                cash -= spend + ((try? spend.multiplied(by: Fixed(units: 100_000), .up)) ?? .zero)
            }
        }
        return out
    }

    static func swing(_ d: Int, _ feed: DemoFeed, _ p: Portfolio) -> [EngineCommand] {
        guard d >= 20 else { return [] }
        var out: [EngineCommand] = []
        for s in symbols {
            let close = Int128(feed.close(s, d).units)
            if let h = p.holdings[s], h.quantity.isPositive {
                // close ≥ 1.05 × cost or close ≤ 0.95 × cost  ⇔  close × 100 ≥ cost × 105 or ≤ cost × 95
                let cost = Int128(h.averageCost.units)
                if close * 100 >= cost * 105 || close * 100 <= cost * 95 { out.append(fraction("swing", s, .sell, "1")) }
            } else if close * 20 * 100 < sum(feed, s, d - 20, d - 1) * 95 {
                // close < 0.95 × mean of the 20 previous closes
                out.append(fraction("swing", s, .buy, "0.3"))
            }
        }
        return out
    }
}

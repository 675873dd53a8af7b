import ArgumentParser
import Foundation
import SmartSyncBench
import SmartSyncCore

extension Bench {
    struct ForecastBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "forecast",
            abstract: "Time a copy forecast (GET /v1/leads/{user}/forecast) over a lead's K fills.",
            discussion: """
                Builds a lead of 100,000 USDT trading BTC and ETH for K fills (seeded random buys of 1–20% of its cash
                and sells of 10–100% of a holding, prices walking ±3% between fills, the other symbol's mark moving ±1% at each
                fill), then times, without and with that market price history, the forecast of a
                copy of 1,000 USDT and the search for the smallest investment that tracks within 0.2 points (each
                one replay of the K fills), the median of --runs runs. Target (issue 16): ≤ 100 ms at 1,000 fills.

                Example:
                  swift run -c release smartsync bench forecast --fills 1000
                """
        )

        @Option(help: "Lead fills replayed.") var fills = 1_000
        @Option(help: "Runs timed (the median is printed).") var runs = 7

        func run() throws {
            var rng = SplitMix(seed: 42)
            let btc = try Symbol(
                name: "BTC-USDT", qtyStep: Fixed("0.00001"), priceTick: Fixed("0.01"), minQty: Fixed("0.00001"), minNotional: Fixed(5))
            let eth = try Symbol(
                name: "ETH-USDT", qtyStep: Fixed("0.0001"), priceTick: Fixed("0.01"), minQty: Fixed("0.0001"), minNotional: Fixed(5))
            var marks = [Fixed(50_000), Fixed(2_000)]
            let start = marks
            var cash = Fixed(100_000)
            var held: [Int: Fixed] = [:]
            var list: [LeadFill] = []
            let day: Int64 = 86_400_000
            // The market's marks: the other symbol moves ±1% at each fill too (its own generator, so the lead's fills
            // are the same as without), recorded as the price history a forecast replays.
            var market = SplitMix(seed: 7)
            var prices: [PricePoint] = []
            for k in 0..<fills {
                let s = Int.random(in: 0...1, using: &rng)
                let symbol = [btc, eth][s]
                let other = 1 - s
                let moved = marks[other].clampedMultiplied(
                    by: Fixed(units: 100_000_000 + Int64.random(in: -1_000_000...1_000_000, using: &market)), .down)
                prices.append(PricePoint(event: k, symbol: other, price: moved.rounded(toStep: [btc, eth][other].priceTick, .down)))
                marks[s] = marks[s].clampedMultiplied(
                    by: Fixed(units: 100_000_000 + Int64.random(in: -3_000_000...3_000_000, using: &rng)), .down
                )
                .rounded(toStep: symbol.priceTick, .down)
                let time = Int64(k) * day * 30 / Int64(max(fills, 1))
                let have = held[s] ?? .zero
                if have.isPositive && Int.random(in: 1...100, using: &rng) <= 45 {
                    let q = have.clampedMultiplied(by: Fixed(units: Int64(Int.random(in: 10...100, using: &rng)) * 1_000_000), .down)
                        .rounded(toStep: symbol.qtyStep, .down)
                    guard q.isPositive, let quote = symbol.quote(quantity: q, price: marks[s]) else { continue }
                    let fee = quote.clampedMultiplied(by: Fixed(units: 100_000), .up)
                    held[s] = have - q
                    cash += quote - fee
                    list.append(
                        LeadFill(
                            id: "f\(k)", lead: 0, symbol: s, side: .sell, quantity: q, quote: quote, fee: fee, price: marks[s], event: k,
                            time: time))
                } else {
                    let budget = cash.clampedMultiplied(by: Fixed(units: Int64(Int.random(in: 1...20, using: &rng)) * 1_000_000), .down)
                    let q = budget.clampedDivided(by: marks[s], .down).rounded(toStep: symbol.qtyStep, .down)
                    guard q.isPositive, let quote = symbol.quote(quantity: q, price: marks[s]) else { continue }
                    let fee = quote.clampedMultiplied(by: Fixed(units: 100_000), .up)
                    guard quote + fee <= cash else { continue }
                    held[s, default: .zero] += q
                    cash -= quote + fee
                    list.append(
                        LeadFill(
                            id: "f\(k)", lead: 0, symbol: s, side: .buy, quantity: q, quote: quote, fee: fee, price: marks[s], event: k,
                            time: time))
                }
            }
            var input = ForecastInput(
                settings: Settings(), symbols: [btc, eth], startMarks: start, endMarks: marks, leadCash: Fixed(100_000), leadPositions: [:],
                profitShareRate: Fixed(units: 10_000_000), slippageLimit: Fixed(units: 500_000), fills: list, start: 0, end: 30 * day,
                investment: Fixed(1_000), buyExisting: false)
            for withPrices in [false, true] {
                input.prices = withPrices ? prices : []
                try measure(input, fills: list.count, prices: input.prices.count)
            }
        }

        func measure(_ input: ForecastInput, fills: Int, prices: Int) throws {
            var forecastTimes: [Double] = []
            var totalTimes: [Double] = []
            var result: Forecast?
            var smallest: Fixed?
            let clock = ContinuousClock()
            for _ in 0..<max(1, runs) {
                let t0 = clock.now
                result = try Engine.forecast(input)
                let t1 = clock.now
                smallest = Engine.smallestTracking(input, within: Fixed(units: 200_000), ladder: Engine.forecastLadder(minimum: Fixed(100)))
                let t2 = clock.now
                forecastTimes.append(Self.ms(t0.duration(to: t1)))
                totalTimes.append(Self.ms(t0.duration(to: t2)))
            }
            func median(_ x: [Double]) -> Double { x.sorted()[x.count / 2] }
            guard let result else { return }
            print(
                "forecast of \(fills) lead fills (\(result.skippedLeadFills) skipped) and \(prices) market prices, copy of 1,000 USDT: \(result.copyFills) copy fills, gap \(result.tracking.gap), smallest tracking \(smallest?.description ?? "none")"
            )
            print(
                String(
                    format: "  one replay: %.2f ms; with the smallest-investment search (the API's answer): %.2f ms (median of %d)",
                    median(forecastTimes), median(totalTimes), forecastTimes.count))
        }

        static func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15 }
    }
}

import PropertyBased
import SmartSyncBench
import SmartSyncCore
import Testing

// Random scenarios of the market mix (RandomScenarioDriver, ScenarioMix.market): leads, 1–20 copies each of
// 100..100,000 USDT (many too small for the lead's trades), random buys, sells, limit orders, price moves, manual
// trades, late copies, and replays of old fills. After every step ScenarioInvariants checks every rule of DESIGN §2 /
// §3a that can be checked from outside; a failure is shrunk to the shortest list of steps that still fails.

@Suite("Property tests over random scenarios")
struct PropertyTests {
    @Test("Random scenarios at the mark: balanced books and exact Smart Sync sizing after every command")
    func randomScenarios() async {
        let total = await RandomScenarioDriver.run(count: 500, mix: .market(withBook: false, lifecycle: false))
        // The run exercised what it claims to check.
        #expect(total.buysChecked > 10_000 && total.sellsChecked > 2_000)
        #expect(total.copyFills > 10_000 && total.capped > 0 && total.replays > 100)
        for reason in [FailedCopyOrder.Reason.belowMinNotional, .belowMinQty, .insufficientCash] {
            #expect((total.failures[reason] ?? 0) > 0, "no \(reason) failure was produced")
        }
        #expect(total.refused > 0 && total.profitSharePayments > 30)
    }

    @Test("Random scenarios with the copy lifecycle: stops, thresholds, adjustments, transfers keep the books balanced")
    func randomScenariosWithLifecycle() async {
        let total = await RandomScenarioDriver.run(count: 400, mix: .market(withBook: false, lifecycle: true))
        #expect(total.copyFills > 5_000 && total.buysChecked > 5_000 && total.stops > 300 && total.refused > 0)
    }

    /// Shrinking: with a stand-in failure ("a copy has filled"), a drawn scenario shrinks to a list that still
    /// fails and from which no single step can be removed.
    @Test func aFailureShrinksToAListWithNoStepToSpare() throws {
        var shrunk = 0
        for seed in UInt64(1)...20 {
            let driver = try RandomScenarioDriver(seed: seed, mix: .market(withBook: false, lifecycle: false))
            var stats = ScenarioStats()
            let (steps, failure) = driver.generate(stats: &stats)
            #expect(failure == nil)
            func copyFilled(_ steps: [ScenarioStep]) -> ScenarioFailure? {
                var runner = ScenarioRunner(driver)
                for (k, step) in steps.enumerated() {
                    let before = runner.engine.journal.count
                    _ = runner.apply(step)
                    for e in before..<runner.engine.journal.count {
                        if case .copyFills = runner.engine.journal[e] { return ScenarioFailure(check: "copy filled", message: "", step: k) }
                    }
                }
                return nil
            }
            guard let first = copyFilled(steps) else { continue }
            let (shortest, last) = driver.shrink(steps, first, failing: copyFilled)
            #expect(copyFilled(shortest) != nil && last.step == shortest.count - 1)
            #expect(shortest.count < first.step + 1 || first.step < 7, "\(steps.count) → \(shortest.count)")
            for k in shortest.indices {
                var fewer = shortest
                fewer.remove(at: k)
                #expect(copyFilled(fewer) == nil, "step \(k) of \(shortest) was not needed")
            }
            shrunk += 1
        }
        #expect(shrunk >= 10)
    }

    @Test("Random scenarios with a synthetic order book: balanced books and the same fraction on partial fills")
    func randomScenariosWithBook() async {
        let total = await RandomScenarioDriver.run(count: 500, mix: .market(withBook: true, lifecycle: false))
        #expect(total.copyFills > 5_000 && total.partialBatches > 50)
        #expect((total.failures[.slippageExceeded] ?? 0) > 0 && (total.failures[.noLiquidity] ?? 0) > 0)
    }
}

/// A lead and 3–10 large copies (5,000..100,000) that all start before the lead trades, no profit share: the copies
/// should hold the lead's weights. Each copy fill (buy or sell) can leave at most one lot of rounding behind, so after
/// k fills a copy's value in a symbol may differ from `lead weight × copy equity` by about k lots, plus fee rounding.
/// Right after the first buy from cash that is one lot: "within one rounding step". A copy that had a failed or
/// capped order has left the lead's ratios on purpose and is no longer checked.
struct TrackingScenario {
    var engine: Engine
    var rng: SplitMix
    let seed: UInt64
    var event = 0
    var issues: [String] = []
    var copies: [CopyRef] = []
    var diverged: Set<Int> = []
    /// fills[copy][symbol]
    var fills: [[Int64]] = []
    /// Largest lot value seen per symbol (errors made at one price are valued at another later).
    var maxLotValue: [Int64] = [0, 0]
    var checks = 0
    var strictChecks = 0

    init(seed: UInt64) throws {
        self.seed = seed
        rng = SplitMix(seed: seed)
        let btc = Fixed(units: rng.int64(2_000_000...8_000_000) * 1_000_000)
        let eth = Fixed(units: rng.int64(100_000...400_000) * 1_000_000)
        engine = try TestMarket.engine(btcPrice: btc.description, ethPrice: eth.description)
        let portfolio = Fixed(units: rng.int64(1_000_000...10_000_000) * 1_000_000)
        try engine.addUser("lead")
        try engine.deposit(user: "lead", amount: portfolio, at: moment())
        try engine.startLeading(user: "lead", portfolio: portfolio, profitShareRate: .zero, at: moment())
        for k in 0..<rng.int(3...10) {
            let investment = Fixed(units: rng.int64(500_000...10_000_000) * 1_000_000)
            try engine.addUser("f\(k)")
            try engine.deposit(user: "f\(k)", amount: investment, at: moment())
            copies.append(
                try engine.startCopy(
                    StartCopyRequest(copyID: "c\(k)", user: "f\(k)", lead: "lead", investment: investment), at: moment()))
            fills.append([0, 0])
        }
        noteMarks()
    }

    mutating func moment() -> Moment {
        defer { event += 1 }
        return Moment(event: event, time: Int64(event) * 1_000)
    }

    mutating func noteMarks() {
        for s in 0...1 { maxLotValue[s] = max(maxLotValue[s], engine.lotValue(s, price: engine.venue.marks[s])) }
    }

    mutating func randomStep() throws {
        let s = rng.int(0...1)
        let symbol = engine.venue.symbols[s]
        let mark = engine.venue.marks[s]
        let held = engine.leads[0].positions[s]?.quantity ?? .zero
        let before = engine
        let roll = rng.int(1...100)
        if roll <= 45 {
            let budget = Fixed(units: engine.leads[0].cash.units / 1_002 * Int64(rng.int(2...50)) / 100 * 1_000 / 1_000_000 * 1_000_000)
            guard budget >= fx("20") else { return }
            try engine.placeOrder(OrderRequest(user: "lead", symbol: symbol.name, side: .buy, quoteAmount: budget), at: moment())
        } else if roll <= 75 {
            guard held.isPositive else { return }
            let q =
                rng.chance(30) ? held : Fixed(units: held.units * Int64(rng.int(10...99)) / 100).rounded(toStep: symbol.qtyStep, .down)
            guard q >= symbol.minQty, (symbol.quote(quantity: q, price: mark) ?? .zero) >= symbol.minNotional else { return }
            try engine.placeOrder(OrderRequest(user: "lead", symbol: symbol.name, side: .sell, quantity: q), at: moment())
        } else {
            let moved = try mark.multiplied(by: Fixed(units: 100_000_000 + rng.int64(-5_000_000...5_000_000)), .down)
            try engine.updatePrice(
                symbol: symbol.name, price: Fixed.max(moved.rounded(toStep: symbol.priceTick, .down), symbol.priceTick), at: moment())
            noteMarks()
        }

        for f in engine.failedOrders[before.failedOrders.count...] { diverged.insert(Int(f.slot)) }
        for index in before.journal.count..<engine.journal.count {
            guard case .copyFills(let b) = engine.journal[index] else { continue }
            for k in 0..<b.count {
                let slot = Int(b.slots[k])
                fills[slot][b.symbol] += 1
                if b.cappedByCash[k] { diverged.insert(slot) }
            }
        }
        checkWeights()
    }

    mutating func checkWeights() {
        let leadEquity = Int128(engine.leadEquity(0).units)
        guard leadEquity > 0 else { return }
        for (k, ref) in copies.enumerated() where !diverged.contains(ref.slot) {
            let copyEquity = Int128(engine.copyEquity(ref).units)
            let book = engine.leads[0].book
            // Allowed error in USDT units: the lots each fill may have rounded away, valued at the highest price seen.
            // Fee effects: the lot a copy did not buy also saved its 0.1% fee, and the lead's fee is rounded up by
            // at most one unit, which the copy sees scaled by its size (equity ratio, rounded up).
            let ratio = copyEquity / leadEquity + 1
            let fillCount = Int128(fills[k].reduce(0, +))
            let strict = fillCount == 1
            var budget: Int128 = 2 * (ratio + 1) * max(fillCount, 1)
            for s in 0...1 {
                // One lot per fill, valued at the highest price seen (price moves revalue the lot that stayed cash),
                // and its fee; the general case allows three (errors in other symbols move the equity too).
                let lot = Int128(maxLotValue[s])
                budget += Int128(strict ? fills[k][s] : 3 * fills[k][s]) * (lot + lot / 500)
            }
            for s in 0...1 {
                let mark = engine.venue.marks[s]
                let copyValue =
                    Int128(book[ref.slot].lots(of: SymbolIndex(s)).count)
                    * Int128(engine.lotValue(s, price: mark))
                let leadValue = Int128(
                    engine.venue.symbols[s].quote(quantity: engine.leads[0].positions[s]?.quantity ?? .zero, price: mark)?.units ?? 0)
                // |copyValue / copyEquity − leadValue / leadEquity| ≤ budget / copyEquity, cross-multiplied.
                let gap = abs(copyValue * leadEquity - leadValue * copyEquity)
                checks += 1
                if strict { strictChecks += 1 }
                if gap > budget * leadEquity {
                    issues.append(
                        "seed \(seed), event \(event - 1): copy c\(k) weight in \(engine.venue.symbols[s].name) is "
                            + "\(copyValue)/\(copyEquity), the lead's \(leadValue)/\(leadEquity); off by "
                            + "\(gap / leadEquity) units, allowed \(budget) after \(fills[k]) fills")
                }
            }
        }
    }
}

@Suite("Property: copies hold the lead's weights")
struct TrackingPropertyTests {
    @Test("After every lead fill and price move, each tracking copy's weights are within its rounding of the lead's")
    func weightsTrackTheLead() async {
        var checks = 0
        var strict = 0
        await propertyCheck(count: 800, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var scenario = try TrackingScenario(seed: seed)
            for _ in 0..<scenario.rng.int(5...30) {
                try scenario.randomStep()
                if !scenario.issues.isEmpty { break }
            }
            #expect(scenario.issues.isEmpty, "\(scenario.issues.prefix(3).joined(separator: "\n"))")
            checks += scenario.checks
            strict += scenario.strictChecks
        }
        #expect(checks > 20_000 && strict > 1_000)
    }
}

import PropertyBased
import SmartSyncBench
import Testing

@testable import SmartSyncCore

// The one driver of the random-scenario property tests (PropertyTests, LifecyclePropertyTests). A scenario is a list
// of steps, each a value (an `EngineCommand`, or an old lead fill applied again from outside), drawn from a seed by
// a mix of steps that reads the engine as it goes. Every step is checked by `ScenarioInvariants` (one checker for
// every run). A failing list is shrunk by removing steps while the same check still fails, and reported as the
// shortest list found, one step per line, which replays as it is.

/// One step of a random scenario.
enum ScenarioStep: Sendable, CustomStringConvertible {
    /// A command, applied at the next moment.
    case command(EngineCommand)
    /// The lead fill numbered this (modulo their count) applied again through `applyLeadFill`: never applied twice.
    case replayLeadFill(Int)

    var description: String {
        switch self {
        case .command(let c): return "\(c)"
        case .replayLeadFill(let k): return "replay lead fill #\(k)"
        }
    }
}

/// Which steps a scenario is drawn from, and on what market.
enum ScenarioMix: Sendable {
    /// Leads with 1–20 copies each of 100..100,000 USDT (many too small for the lead's trades; some fixed-amount),
    /// market and limit orders, price moves, manual trades, late copies, replays of old fills; with `lifecycle`,
    /// also transfers, stops, removals, adjustments and thresholds. BTC walks a synthetic book `withBook`.
    case market(withBook: Bool, lifecycle: Bool)
    /// Few leads and followers whose copies come and go: starts (some refused), lead buys and sells, wide price moves,
    /// adjustments, stops, removals, transfers, thresholds, manual and limit orders, deposits; at the end some leads
    /// stop and are then tried again. BTC walks a thin book `withBook`.
    case lifecycle(withBook: Bool)
}

/// A broken invariant: the check that found it, what it says, and the step after which it did (numbered from 0).
struct ScenarioFailure: Sendable, CustomStringConvertible {
    var check: String
    var message: String
    var step: Int

    var description: String { "after step \(step), \(check): \(message)" }
}

/// A market drawn from a seed, and the steps drawn, run and checked on it.
struct RandomScenarioDriver {
    let seed: UInt64
    let mix: ScenarioMix
    /// The market before any step.
    let market: Engine
    /// Milliseconds between two steps' moments.
    let stepMillis: Int64

    init(seed: UInt64, mix: ScenarioMix) throws {
        self.seed = seed
        self.mix = mix
        var rng = SplitMix(seed: seed)
        switch mix {
        case .market(let withBook, _):
            // ETH's minQty is 1, 10 or 100 lots (0.0001, 0.001, 0.01 ETH), so that some copy orders fail belowMinQty.
            let book =
                withBook
                ? BookShape(
                    halfSpread: Fixed(units: rng.int64(0...100_000)), levelGap: Fixed(units: rng.int64(10_000...300_000)),
                    levelQuantity: Fixed(units: rng.int64(1...3_000) * 1_000), levels: rng.int(1...8))
                : nil
            let btc = Fixed(units: rng.int64(2_000_000...8_000_000) * 1_000_000)
            let eth = Fixed(units: rng.int64(100_000...400_000) * 1_000_000)
            let ethMinQty = ["0.0001", "0.001", "0.01"][rng.int(0...2)]
            market = try TestMarket.engine(btcPrice: btc.description, ethPrice: eth.description, btcBook: book, ethMinQty: ethMinQty)
            stepMillis = 1_000
        case .lifecycle(let withBook):
            var settings = Settings()
            if rng.chance(25) { settings.maxActiveCopiesPerFollower = rng.int(1...2) }
            let btc = Fixed(units: rng.int64(20_000_00...80_000_00) * 1_000_000)
            let eth = Fixed(units: rng.int64(1_000_00...4_000_00) * 1_000_000)
            let book =
                withBook
                ? BookShape(
                    halfSpread: Fixed(units: rng.int64(0...100_000)), levelGap: Fixed(units: rng.int64(50_000...300_000)),
                    levelQuantity: Fixed(units: rng.int64(10...3_000) * 1_000), levels: rng.int(1...6))
                : nil
            market = try TestMarket.engine(btcPrice: btc.description, ethPrice: eth.description, btcBook: book, settings: settings)
            stepMillis = 60_000
        }
    }

    /// Symbols that trade against a synthetic book (their fills are not all at the mark).
    var booked: [Bool] {
        switch mix {
        case .market(let withBook, _), .lifecycle(let withBook): return [withBook, false]
        }
    }

    /// Draws the steps from the seed and runs each as it is drawn: the steps, and the first failure.
    func generate(stats: inout ScenarioStats) -> (steps: [ScenarioStep], failure: ScenarioFailure?) {
        var source = ScenarioSource(seed: seed, mix: mix)
        var runner = ScenarioRunner(self)
        var steps: [ScenarioStep] = []
        while let next = source.next(runner.engine) {
            for step in next {
                steps.append(step)
                if let failure = runner.apply(step) {
                    stats.add(runner.checker.stats)
                    return (steps, failure)
                }
            }
        }
        stats.add(runner.checker.stats)
        return (steps, nil)
    }

    /// Runs `steps` on the market, every invariant checked after each: the first failure.
    func run(_ steps: [ScenarioStep]) -> ScenarioFailure? {
        var runner = ScenarioRunner(self)
        for step in steps {
            if let failure = runner.apply(step) { return failure }
        }
        return nil
    }

    /// The shortest list of steps found that still fails `failure`'s check: chunks of steps are removed, halving the
    /// chunk down to single steps, as long as the same check fails (at most `budget` runs of `failing`, which is
    /// `run` unless a test gives its own). Without the budget running out, removing any one step of the answer
    /// makes it pass.
    func shrink(
        _ steps: [ScenarioStep], _ failure: ScenarioFailure, budget: Int = 2_000,
        failing: (([ScenarioStep]) -> ScenarioFailure?)? = nil
    ) -> ([ScenarioStep], ScenarioFailure) {
        let run = failing ?? { self.run($0) }
        var best = Array(steps.prefix(failure.step + 1))
        var found = failure
        var runs = 0
        var chunk = max(1, best.count / 2)
        while runs < budget {
            var removedAny = false
            var start = 0
            while start < best.count && runs < budget {
                var candidate = best
                candidate.removeSubrange(start..<min(start + chunk, best.count))
                runs += 1
                if let f = run(candidate), f.check == found.check {
                    best = Array(candidate.prefix(f.step + 1))
                    found = f
                    removedAny = true
                } else {
                    start += chunk
                }
            }
            if chunk == 1 && !removedAny { break }
            chunk = max(1, chunk / 2)
        }
        return (best, found)
    }

    /// Draws, runs and checks the scenario; on a failure, shrinks it. Nil when every invariant held; otherwise the
    /// report: the seed, the failure, and the shortest failing list of steps.
    func check(stats: inout ScenarioStats) -> String? {
        let (steps, failure) = generate(stats: &stats)
        guard let failure else { return nil }
        let (shortest, last) = shrink(steps, failure)
        let listed = shortest.enumerated().map { "  \($0.offset). \($0.element)" }.joined(separator: "\n")
        return """
            seed \(seed) (\(mix)): \(failure) (of \(steps.count) steps drawn)
            shrunk to \(shortest.count) steps, \(last):
            \(listed)
            """
    }

    /// Runs `count` random scenarios of `mix` (seeds drawn by swift-property-based) and returns what they exercised.
    static func run(count: Int, mix: ScenarioMix) async -> ScenarioStats {
        var total = ScenarioStats()
        await propertyCheck(count: count, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            let driver = try RandomScenarioDriver(seed: seed, mix: mix)
            let report = driver.check(stats: &total)
            #expect(report == nil, "\(report ?? "")")
        }
        return total
    }
}

/// Applies steps one by one at consecutive moments, checking each.
struct ScenarioRunner {
    var engine: Engine
    var checker: ScenarioInvariants
    var index = 0
    let stepMillis: Int64

    init(_ driver: RandomScenarioDriver) {
        engine = driver.market
        checker = ScenarioInvariants(booked: driver.booked)
        stepMillis = driver.stepMillis
    }

    /// Applies `step`: the first invariant it breaks, if any.
    mutating func apply(_ step: ScenarioStep) -> ScenarioFailure? {
        defer { index += 1 }
        let before = engine
        switch step {
        case .command(let command):
            let moment = Moment(event: index, time: 1_700_000_000_000 + Int64(index) * stepMillis)
            do {
                try engine.execute(command, at: moment)
                checker.accepted(command, before: before, after: engine)
            } catch {
                checker.refused(error, before: before, after: engine)
            }
        case .replayLeadFill(let k):
            guard !engine.leadFills.isEmpty else { return nil }
            let fill = engine.leadFills[k % engine.leadFills.count]
            checker.stats.replays += 1
            do {
                if try engine.applyLeadFill(fill) { checker.fail("replaying fill \(fill.id) applied it again") }
            } catch {
                if !Engine.isEngineFillID(fill.id) || error.code != .invalidInput {
                    checker.fail("replaying fill \(fill.id) threw \(error)")
                }
            }
            if Fingerprint(engine) != Fingerprint(before) { checker.fail("replaying fill \(fill.id) changed the state") }
        }
        guard let first = checker.issues.first else { return nil }
        return ScenarioFailure(check: first.check, message: first.message, step: index)
    }
}

/// Draws a scenario's steps from its seed, reading the engine as it goes (a copy to stop is one that exists).
struct ScenarioSource {
    let mix: ScenarioMix
    var rng: SplitMix
    enum Phase {
        case setUp
        case steps(left: Int)
        case ending, done
    }
    var phase = Phase.setUp
    var leadUsers: [String] = []
    var followers: [String] = []
    var copyIDs: [String] = []
    var followerCount = 0

    init(seed: UInt64, mix: ScenarioMix) {
        self.mix = mix
        // Not the market's stream of numbers (the market draws from `seed` itself).
        rng = SplitMix(seed: seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next steps, or nil when the scenario is over.
    mutating func next(_ engine: Engine) -> [ScenarioStep]? {
        // The copies started so far (a refused start made none), in a fixed order.
        copyIDs = engine.allCopies.map { engine.row(of: $0).id }.sorted()
        switch phase {
        case .setUp:
            let steps: [EngineCommand]
            switch mix {
            case .market: steps = marketSetUp()
            case .lifecycle: steps = lifecycleSetUp()
            }
            switch mix {
            case .market: phase = .steps(left: rng.int(6...24))
            case .lifecycle: phase = .steps(left: rng.int(20...45))
            }
            return steps.map(ScenarioStep.command)
        case .steps(let left):
            phase = left > 1 ? .steps(left: left - 1) : .ending
            switch mix {
            case .market(_, let lifecycle):
                // Else an old lead fill applied again from outside.
                return marketStep(engine, lifecycle: lifecycle)?.map(ScenarioStep.command)
                    ?? [.replayLeadFill(rng.int(0...Int(Int32.max)))]
            case .lifecycle: return lifecycleStep(engine).map(ScenarioStep.command)
            }
        case .ending:
            phase = .done
            switch mix {
            case .market:
                return [.replayLeadFill(rng.int(0...Int(Int32.max)))]
            case .lifecycle:
                // Some leads stop; then a few more events that must respect the stopped lead.
                var steps: [ScenarioStep] = []
                for lead in leadUsers where rng.chance(50) {
                    steps.append(.command(.stopLeading(user: lead)))
                    steps += lifecycleStart(engine).map(ScenarioStep.command)
                    steps += lifecyclePriceMove(engine).map(ScenarioStep.command)
                    steps += lifecycleBuy(engine).map(ScenarioStep.command)
                }
                return steps
            }
        case .done:
            return nil
        }
    }

    /// Cents between two USDT amounts.
    mutating func usdt(_ low: Int64, _ high: Int64) -> Fixed {
        Fixed(units: rng.int64(low * 100...Swift.max(low, high) * 100) * 1_000_000)
    }

    /// `percent`% of `amount`, rounded down to cents.
    static func share(_ amount: Fixed, _ percent: Int) -> Fixed {
        Fixed(units: amount.units / 100 * Int64(percent) / 1_000_000 * 1_000_000)
    }

    // MARK: The market mix

    mutating func marketSetUp() -> [EngineCommand] {
        var commands: [EngineCommand] = []
        for k in 0..<(rng.chance(70) ? 1 : 2) {
            let id = "lead\(k)"
            let deposit = usdt(1_000, 1_000_000)
            let portfolio = Fixed(units: deposit.units / 100 * Int64(rng.int(50...100)) / 1_000_000 * 1_000_000)
            let rate = Fixed(units: Int64(rng.int(0...30)) * 1_000_000)
            let slippage = Fixed(units: Int64(rng.int(1...20)) * 100_000)
            commands += [
                .addUser(id), .deposit(user: id, amount: deposit),
                .startLeading(user: id, portfolio: portfolio, profitShareRate: rate, slippageLimit: slippage, followerLimit: nil),
            ]
            leadUsers.append(id)
            for _ in 0..<rng.int(1...20) { commands += marketStartCopy(of: id, lifecycle: false) }
        }
        return commands
    }

    /// A new follower, funded, starting a copy of `lead`.
    mutating func marketStartCopy(of lead: String, lifecycle: Bool) -> [EngineCommand] {
        followerCount += 1
        let user = "f\(followerCount)"
        let tier = rng.int(0...2)
        let investment = usdt([100, 1_000, 10_000][tier], [1_000, 10_000, 100_000][tier])
        let fixed = rng.chance(20)
        let request = StartCopyRequest(
            copyID: "c\(followerCount)", user: user, lead: lead, mode: fixed ? .fixedAmount : .smartSync,
            investment: investment, buyExisting: rng.chance(30),
            stopLoss: lifecycle && rng.chance(30) ? .ratio(Fixed(units: Int64(rng.int(1...50)) * 1_000_000)) : nil,
            takeProfit: lifecycle && rng.chance(20) ? .amount(Fixed(units: investment.units / Int64(rng.int(5...50)))) : nil,
            amountPerOrder: fixed ? usdt(5, 500) : nil)
        let extra = usdt(0, 100)
        return [.addUser(user), .deposit(user: user, amount: investment + extra), .startCopy(request)]
    }

    /// The market mix's next commands; nil for a replay of an old lead fill.
    mutating func marketStep(_ engine: Engine, lifecycle: Bool) -> [EngineCommand]? {
        let l = rng.int(0...leadUsers.count - 1)
        let lead = leadUsers[l]
        let s = rng.int(0...1)
        let symbol = engine.venue.symbols[s]
        let mark = engine.venue.marks[s]
        guard l < engine.leads.count else { return [] }
        let held = engine.leads[l].positions[s]?.quantity ?? .zero
        let roll = rng.int(1...(lifecycle ? 120 : 100))
        switch roll {
        case 101...120:
            return marketLifecycleStep(engine, l, roll)
        case 1...35:
            // Lead market buy of 1–95% of its cash, by quote amount or by quantity.
            let cash = engine.leads[l].cash
            let budget = Fixed(units: cash.units / 1_002 * Int64(rng.int(1...95)) / 100 * 1_000 / 1_000_000 * 1_000_000)
            if rng.chance(25) {
                let q = ((try? budget.divided(by: mark, .down)) ?? .zero).rounded(toStep: symbol.qtyStep, .down)
                return [.order(OrderRequest(user: lead, symbol: symbol.name, side: .buy, quantity: q))]
            }
            return [.order(OrderRequest(user: lead, symbol: symbol.name, side: .buy, quoteAmount: budget))]
        case 36...55:
            // Lead market sell of a fraction of its holding, often all of it.
            guard held.isPositive else { return [] }
            let q =
                rng.chance(30)
                ? held
                : Fixed(units: held.units * Int64(rng.int(1...99)) / 100).rounded(toStep: symbol.qtyStep, .down)
            return [.order(OrderRequest(user: lead, symbol: symbol.name, side: .sell, quantity: q))]
        case 56...75:
            // Price move of up to ±8%.
            let moved =
                (try? mark.multiplied(by: Fixed(units: 100_000_000 + rng.int64(-8_000_000...8_000_000)), .down)) ?? mark
            return [.price(symbol: symbol.name, price: Fixed.max(moved.rounded(toStep: symbol.priceTick, .down), symbol.priceTick))]
        case 76...83:
            // A resting limit order of the lead, below the mark to buy or above it to sell.
            let buy = !held.isPositive || rng.chance(50)
            let factor = buy ? 100_000_000 - rng.int64(100_000...5_000_000) : 100_000_000 + rng.int64(100_000...5_000_000)
            let limit = ((try? mark.multiplied(by: Fixed(units: factor), .down)) ?? mark).rounded(toStep: symbol.priceTick, .down)
            guard limit.isPositive else { return [] }
            let q: Fixed
            if buy {
                let budget = Fixed(units: engine.leads[l].cash.units / 100 * Int64(rng.int(1...60)))
                q = ((try? budget.divided(by: limit, .down)) ?? .zero).rounded(toStep: symbol.qtyStep, .down)
            } else {
                q = Fixed(units: held.units * Int64(rng.int(10...100)) / 100).rounded(toStep: symbol.qtyStep, .down)
            }
            return [.order(OrderRequest(user: lead, symbol: symbol.name, side: buy ? .buy : .sell, quantity: q, limitPrice: limit))]
        case 84...90:
            return marketStartCopy(of: lead, lifecycle: lifecycle)
        case 91...95:
            // A manual trade from the lead's main account: never copied.
            guard let u = engine.user(named: lead) else { return [] }
            let mainCash = engine.users[u].balance(Symbol.quoteAsset)
            let mainBase = engine.users[u].balance(symbol.base)
            if mainBase.isPositive && rng.chance(50) {
                return [.order(OrderRequest(user: lead, account: .main, symbol: symbol.name, side: .sell, quantity: mainBase))]
            }
            let budget = Fixed(units: mainCash.units / 1_002 * Int64(rng.int(1...50)) / 100 * 1_000 / 1_000_000 * 1_000_000)
            return [.order(OrderRequest(user: lead, account: .main, symbol: symbol.name, side: .buy, quoteAmount: budget))]
        default:
            return nil
        }
    }

    /// One lifecycle command of the market mix on a random active copy of lead `l`.
    mutating func marketLifecycleStep(_ engine: Engine, _ l: Int, _ roll: Int) -> [EngineCommand] {
        let lead = leadUsers[l]
        let book = engine.leads[l].book
        if roll <= 104 {
            // Lead moves funds between its main account and its portfolio.
            let toPortfolio = rng.chance(50)
            guard let u = engine.user(named: lead) else { return [] }
            let available = toPortfolio ? engine.users[u].cash : engine.leads[l].cash
            let amount = Fixed(units: available.units / 100 * Int64(rng.int(1...50)) / 1_000_000 * 1_000_000)
            return [.transfer(user: lead, amount: amount, direction: toPortfolio ? .mainToPortfolio : .portfolioToMain)]
        }
        if roll == 105 { return [.stopLeading(user: lead)] }
        let active = book.rows.filter(\.isActive).map(\.slot)
        guard let i = active.randomElement(using: &rng) else { return [] }
        let id = book[i].id
        switch roll {
        case 106...108:
            // Half sell all (a third of all as logged before modes existed), a sixth keep the holdings, a third close only.
            let mode: StopMode? = rng.pick([nil, nil, .sellAll, .keepHoldings, .closeOnly, .closeOnly])
            return [.stopCopy(copy: id, mode: mode)]
        case 109:
            return [.removeFollower(user: lead, copy: id)]
        case 110...113:
            let user = engine.users[book[i].user]
            let delta =
                rng.chance(50)
                ? Fixed(units: user.cash.units / 100 * Int64(rng.int(1...100)) / 1_000_000 * 1_000_000)
                : -Fixed(units: book[i].cash.units / 100 * Int64(rng.int(1...100)) / 1_000_000 * 1_000_000)
            return [.adjustInvestment(copy: id, delta: delta)]
        case 114...117:
            let t: Threshold? =
                rng.chance(20)
                ? nil
                : rng.chance(50) ? .ratio(Fixed(units: Int64(rng.int(1...40)) * 1_000_000)) : .amount(usdt(1, 500))
            return [.setStopLoss(copy: id, t)]
        default:
            let t: Threshold? = rng.chance(20) ? nil : .ratio(Fixed(units: Int64(rng.int(1...60)) * 1_000_000))
            return [.setTakeProfit(copy: id, t)]
        }
    }

    // MARK: The lifecycle mix

    mutating func lifecycleSetUp() -> [EngineCommand] {
        var commands: [EngineCommand] = []
        for k in 0..<(rng.chance(60) ? 1 : 2) {
            let id = "lead\(k)"
            let deposit = usdt(3_000, 60_000)
            let portfolio = Self.share(deposit, rng.int(60...100))
            let rate = Fixed(units: Int64(rng.int(0...30)) * 1_000_000)
            let limit = rng.int(3...8)
            commands += [
                .addUser(id), .deposit(user: id, amount: deposit),
                .startLeading(user: id, portfolio: portfolio, profitShareRate: rate, slippageLimit: nil, followerLimit: limit),
            ]
            leadUsers.append(id)
        }
        for k in 0..<rng.int(4...7) {
            let id = "f\(k)"
            commands += [.addUser(id), .deposit(user: id, amount: usdt(150, 20_000))]
            followers.append(id)
        }
        return commands
    }

    mutating func lifecycleStep(_ engine: Engine) -> [EngineCommand] {
        switch rng.int(0...99) {
        case 0..<14: return lifecycleStart(engine)
        case 14..<31: return lifecycleBuy(engine)
        case 31..<44: return lifecycleSell(engine)
        case 44..<61: return lifecyclePriceMove(engine)
        case 61..<70: return lifecycleAdjust(engine)
        case 70..<75:
            return [
                .stopCopy(
                    copy: copyIDs.isEmpty || rng.chance(5) ? "nope" : rng.pick(copyIDs),
                    mode: rng.pick([nil, nil, .sellAll, .keepHoldings, .closeOnly, .closeOnly]))
            ]
        case 75..<79:
            guard !copyIDs.isEmpty else { return [] }
            let id = rng.pick(copyIDs)
            return [.removeFollower(user: rng.chance(80) ? rng.pick(leadUsers) : rng.pick(followers), copy: id)]
        case 79..<84: return lifecycleTransfer(engine)
        case 84..<90: return lifecycleThreshold(engine)
        case 90..<94: return lifecycleManualTrade(engine)
        case 94..<98: return lifecycleLimitOrder(engine)
        default: return [.deposit(user: rng.pick(followers), amount: usdt(100, 5_000))]
        }
    }

    /// Mostly tight (0.1%–15% of the investment, so price moves cross them), sometimes wide (up to `percentMax`%).
    mutating func randomThreshold(of investment: Fixed, percentMax: Int) -> Threshold {
        let perMille = rng.chance(85) ? rng.int(1...150) : rng.int(1...(percentMax * 10))
        if rng.chance(50) { return .amount(Fixed(units: Swift.max(1_000_000, investment.units / 1_000 * Int64(perMille)))) }
        return .ratio(Fixed(units: Int64(perMille) * 100_000))
    }

    mutating func lifecycleStart(_ engine: Engine) -> [EngineCommand] {
        let lead = rng.pick(leadUsers)
        let user = rng.chance(5) ? lead : rng.pick(followers)
        let balance = engine.user(named: user).map { engine.users[$0].cash } ?? .zero
        let investment: Fixed
        switch rng.int(1...10) {
        case 1: investment = usdt(50, 99)
        case 2: investment = balance + usdt(1, 500)
        default: investment = usdt(100, Swift.max(100, Swift.min(balance.units / 100_000_000, 10_000)))
        }
        let id = rng.chance(5) && !copyIDs.isEmpty ? rng.pick(copyIDs) : "c\(copyIDs.count)"
        copyIDs.append(id)
        let request = StartCopyRequest(
            copyID: id, user: user, lead: lead, investment: investment, buyExisting: rng.chance(40),
            stopLoss: rng.chance(35) ? randomThreshold(of: investment, percentMax: 60) : nil,
            takeProfit: rng.chance(25) ? randomThreshold(of: investment, percentMax: 100) : nil,
            controls: rng.chance(20) ? randomControls(of: investment) : nil)
        return [.startCopy(request)]
    }

    /// Copy controls, sometimes out of range or naming an unknown or repeated pair (refused, changing nothing).
    mutating func randomControls(of investment: Fixed) -> CopyControls {
        var c = CopyControls()
        if rng.chance(50) {
            c.pairs =
                rng.chance(5)
                ? (rng.chance(50) ? [] : ["DOGE-USDT"])
                : rng.chance(3) ? [TestMarket.btc, TestMarket.btc] : [rng.pick([TestMarket.btc, TestMarket.eth])]
        }
        if rng.chance(50) {
            c.maxSymbolWeight =
                rng.chance(3) ? Fixed(units: rng.int64(-1...2) * Fixed.unitsPerOne) : Fixed(units: rng.int64(5...100) * 1_000_000)
        }
        if rng.chance(50) { c.maxOrderAmount = rng.chance(3) ? .zero : Self.share(investment, rng.int(1...40)) }
        return c
    }

    mutating func lifecycleBuy(_ engine: Engine) -> [EngineCommand] {
        let lead = rng.pick(leadUsers)
        guard let u = engine.user(named: lead), let l = engine.users[u].lead else { return [] }
        let symbol = rng.pick([TestMarket.btc, TestMarket.eth])
        let budget = Self.share(Fixed(units: engine.leads[l].cash.units / 1_002 * 1_000), rng.int(3...70))
        guard budget.isPositive else { return [] }
        return [.order(OrderRequest(user: lead, symbol: symbol, side: .buy, quoteAmount: budget))]
    }

    mutating func lifecycleSell(_ engine: Engine) -> [EngineCommand] {
        let lead = rng.pick(leadUsers)
        guard let u = engine.user(named: lead), let l = engine.users[u].lead else { return [] }
        let s = rng.int(0...1)
        let symbol = engine.venue.symbols[s]
        let held = engine.leads[l].positions[s]?.quantity ?? .zero
        guard held.isPositive else { return [] }
        let q = rng.chance(30) ? held : Fixed(units: held.units / 100 * Int64(rng.int(5...95))).rounded(toStep: symbol.qtyStep, .down)
        guard q.isPositive else { return [] }
        return [.order(OrderRequest(user: lead, symbol: symbol.name, side: .sell, quantity: q))]
    }

    mutating func lifecyclePriceMove(_ engine: Engine) -> [EngineCommand] {
        let s = rng.int(0...1)
        let symbol = engine.venue.symbols[s]
        let factor = Fixed(units: 100_000_000 + rng.int64(-15_000_000...15_000_000))
        let moved = ((try? engine.venue.marks[s].multiplied(by: factor, .down)) ?? engine.venue.marks[s])
            .rounded(toStep: symbol.priceTick, .down)
        return [.price(symbol: symbol.name, price: Fixed.max(moved, symbol.priceTick))]
    }

    mutating func lifecycleAdjust(_ engine: Engine) -> [EngineCommand] {
        guard !copyIDs.isEmpty else { return [] }
        let id = rng.pick(copyIDs)
        guard let ref = engine.copy(named: id) else { return [] }
        let copy = engine.row(of: ref)
        let user = engine.users[copy.user]
        let delta: Fixed
        if rng.chance(50) {
            delta = usdt(1, Swift.max(1, user.cash.units / 100_000_000 * 13 / 10))
        } else {
            delta = -usdt(1, Swift.max(1, copy.netInvested.units / 100_000_000))
        }
        return [.adjustInvestment(copy: id, delta: delta)]
    }

    mutating func lifecycleTransfer(_ engine: Engine) -> [EngineCommand] {
        let lead = rng.pick(leadUsers)
        guard let u = engine.user(named: lead), let l = engine.users[u].lead else { return [] }
        let out = rng.chance(50)
        let available = out ? engine.leads[l].cash : engine.users[u].cash
        // Sometimes exactly all the cash (a full withdrawal when the lead holds nothing).
        let amount = rng.chance(10) && available.isPositive ? available : usdt(1, Swift.max(1, available.units / 100_000_000 * 12 / 10))
        return [.transfer(user: lead, amount: amount, direction: out ? .portfolioToMain : .mainToPortfolio)]
    }

    mutating func lifecycleThreshold(_ engine: Engine) -> [EngineCommand] {
        guard !copyIDs.isEmpty else { return [] }
        let id = rng.pick(copyIDs)
        guard let ref = engine.copy(named: id) else { return [] }
        let invested = engine.leads[ref.lead].book.netInvested(ref.slot)
        let lossSide = rng.chance(55)
        let threshold = rng.chance(15) ? nil : randomThreshold(of: Fixed.max(invested, Fixed(100)), percentMax: lossSide ? 60 : 100)
        if rng.chance(20) { return [.setCopyControls(copy: id, rng.chance(20) ? nil : randomControls(of: invested))] }
        return [lossSide ? .setStopLoss(copy: id, threshold) : .setTakeProfit(copy: id, threshold)]
    }

    mutating func lifecycleManualTrade(_ engine: Engine) -> [EngineCommand] {
        let user = rng.pick(followers + leadUsers)
        guard let u = engine.user(named: user) else { return [] }
        let s = rng.int(0...1)
        let symbol = engine.venue.symbols[s]
        let held = engine.users[u].balance(symbol.base)
        if held.isPositive && rng.chance(50) {
            let q = rng.chance(50) ? held : Fixed(units: held.units / 2).rounded(toStep: symbol.qtyStep, .down)
            guard q.isPositive else { return [] }
            return [.order(OrderRequest(user: user, account: .main, symbol: symbol.name, side: .sell, quantity: q))]
        }
        let budget = Self.share(Fixed(units: engine.users[u].cash.units / 1_002 * 1_000), rng.int(1...30))
        guard budget.isPositive else { return [] }
        return [.order(OrderRequest(user: user, account: .main, symbol: symbol.name, side: .buy, quoteAmount: budget))]
    }

    /// A resting limit order that does not cross now (buy below the mark, sell above it), from a lead portfolio (its
    /// fills are copied when a later price update crosses it) or from a main account (never copied); or a cancel.
    mutating func lifecycleLimitOrder(_ engine: Engine) -> [EngineCommand] {
        if rng.chance(20), let order = engine.restingOrders.isEmpty ? nil : rng.pick(engine.restingOrders) {
            let user = engine.users[order.user].id
            return [.cancelOrder(user: user, orderID: rng.chance(80) ? order.id : order.id + 1_000)]
        }
        let portfolio = rng.chance(70)
        let user = portfolio ? rng.pick(leadUsers) : rng.pick(followers)
        guard let u = engine.user(named: user) else { return [] }
        let lead = portfolio ? engine.users[u].lead : nil
        if portfolio && lead == nil { return [] }
        let s = rng.int(0...1)
        let symbol = engine.venue.symbols[s]
        let mark = engine.venue.marks[s]
        let held = lead.map { engine.leads[$0].positions[s]?.quantity ?? .zero } ?? engine.users[u].balance(symbol.base)
        let cash = lead.map { engine.leads[$0].cash } ?? engine.users[u].cash
        let sell = held.isPositive && rng.chance(50)
        let factor = Fixed(units: 100_000_000 + (sell ? 1 : -1) * rng.int64(100_000...10_000_000))
        let limit = Fixed.max(
            ((try? mark.multiplied(by: factor, .down)) ?? mark).rounded(toStep: symbol.priceTick, sell ? .up : .down), symbol.priceTick)
        let quantity: Fixed
        if sell {
            quantity = Fixed(units: held.units / 100 * Int64(rng.int(10...100))).rounded(toStep: symbol.qtyStep, .down)
        } else {
            let budget = Self.share(Fixed(units: cash.units / 1_002 * 1_000), rng.int(3...40))
            quantity = ((try? budget.divided(by: limit, .down)) ?? .zero).rounded(toStep: symbol.qtyStep, .down)
        }
        guard quantity.isPositive else { return [] }
        return [
            .order(
                OrderRequest(
                    user: user, account: portfolio ? .portfolio : .main, symbol: symbol.name, side: sell ? .sell : .buy,
                    quantity: quantity, limitPrice: limit))
        ]
    }
}

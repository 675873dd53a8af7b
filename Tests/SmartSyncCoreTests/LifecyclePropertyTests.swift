import PropertyBased
import SmartSyncBench
import Testing

@testable import SmartSyncCore

// Random sequences of lifecycle events: copies of random sizes with random stop loss / take profit, lead buys and
// sells, price moves, adjust up and down, stop, remove, lead transfers, threshold changes, manual main-account trades,
// deposits, and sometimes stopLeading at the end. After every accepted command the books balance, nothing is
// negative, every stopped copy is empty, no active copy sits past its stop, stops happen exactly when and why they
// should, and the tracking identities hold. Every refused command leaves everything (journal included) as it was.

/// The lifecycle properties use the shared generator (TestMarket.swift), seeded from an Int.
typealias LifecycleRandom = SplitMix

/// What the random runs exercised, so the test can show its checks were not vacuous.
struct LifecycleStats {
    var steps = 0
    var accepted = 0
    var refusals: [EngineError.Code: Int] = [:]
    var stops: [StopReason: Int] = [:]
    var priceStops = 0
    var adjustUp = 0
    var adjustDownFromCash = 0
    var adjustDownSelling = 0
    var profitShares = 0
    var leadsStopped = 0
    var transfers = 0
    /// Stops that could not sell everything and moved assets as they are to the follower's main account.
    var assetsMovedAtStop = 0
    /// Price updates that filled a resting lead order (copied) before the stops were checked.
    var restingFills = 0

    mutating func add(_ o: LifecycleStats) {
        steps += o.steps
        accepted += o.accepted
        for (k, v) in o.refusals { refusals[k, default: 0] += v }
        for (k, v) in o.stops { stops[k, default: 0] += v }
        priceStops += o.priceStops
        adjustUp += o.adjustUp
        adjustDownFromCash += o.adjustDownFromCash
        adjustDownSelling += o.adjustDownSelling
        profitShares += o.profitShares
        leadsStopped += o.leadsStopped
        transfers += o.transfers
        assetsMovedAtStop += o.assetsMovedAtStop
        restingFills += o.restingFills
    }
}

/// One random lifecycle run with every invariant checked after every command.
struct LifecycleWorld {
    /// What a step was, for the checks that depend on it.
    enum Kind {
        case startCopy, leadOrder, manualOrder, deposit
        case transfer(lead: Int)
        case price(symbol: Int, price: Fixed)
        case adjust(copy: String, delta: Fixed)
        case stopCopy(String)
        case removeFollower(String)
        case stopLeading(lead: Int)
        case setThreshold(copy: String)
    }

    var engine: Engine
    var rng: LifecycleRandom
    let seed: Int
    var event = 0
    var issues: [String] = []
    var stats = LifecycleStats()
    var leadUsers: [String] = []
    var followers: [String] = []
    var copyIDs: [String] = []

    /// With `withBook`, BTC trades against a thin synthetic book, so liquidations walk it and may run out of it.
    init(seed: Int, withBook: Bool = false) throws {
        self.seed = seed
        rng = LifecycleRandom(seed: seed)
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
        engine = try TestMarket.engine(btcPrice: btc.description, ethPrice: eth.description, btcBook: book, settings: settings)
    }

    // MARK: Random amounts

    mutating func moment() -> Moment {
        defer { event += 1 }
        return Moment(event: event, time: 1_700_000_000_000 + Int64(event) * 60_000)
    }

    /// Whole cents between `low` and `high` USDT.
    mutating func cents(_ low: Int64, _ high: Int64) -> Fixed {
        Fixed(units: rng.int64(low * 100...Swift.max(low, high) * 100) * 1_000_000)
    }

    /// `percent`% of `amount`, rounded down to cents.
    static func share(_ amount: Fixed, _ percent: Int) -> Fixed {
        Fixed(units: amount.units / 100 * Int64(percent) / 1_000_000 * 1_000_000)
    }

    /// Mostly tight (0.1%–15% of the investment, so price moves cross them), sometimes wide (up to `percentMax`%).
    mutating func randomThreshold(of investment: Fixed, percentMax: Int) -> Threshold {
        let perMille = rng.chance(85) ? rng.int(1...150) : rng.int(1...(percentMax * 10))
        if rng.chance(50) {
            return .amount(Fixed(units: Swift.max(1_000_000, investment.units / 1_000 * Int64(perMille))))
        }
        return .ratio(Fixed(units: Int64(perMille) * 100_000))
    }

    // MARK: Set-up

    mutating func setUp() {
        for k in 0..<(rng.chance(60) ? 1 : 2) {
            let id = "lead\(k)"
            let deposit = cents(3_000, 60_000)
            let portfolio = Self.share(deposit, rng.int(60...100))
            let rate = Fixed(units: Int64(rng.int(0...30)) * 1_000_000)
            let limit = rng.int(3...8)
            let m1 = moment()
            let m2 = moment()
            attempt("set up \(id)", .deposit) { (e: inout Engine) throws(EngineError) in
                try e.addUser(id)
                try e.deposit(user: id, amount: deposit, at: m1)
                try e.startLeading(user: id, portfolio: portfolio, profitShareRate: rate, followerLimit: limit, at: m2)
            }
            leadUsers.append(id)
        }
        for k in 0..<rng.int(4...7) {
            let id = "f\(k)"
            let deposit = cents(150, 20_000)
            let m = moment()
            attempt("set up \(id)", .deposit) { (e: inout Engine) throws(EngineError) in
                try e.addUser(id)
                try e.deposit(user: id, amount: deposit, at: m)
            }
            followers.append(id)
        }
    }

    // MARK: Steps

    mutating func randomStep() {
        let roll = rng.int(0...99)
        switch roll {
        case 0..<14: startCopy()
        case 14..<31: leadBuy()
        case 31..<44: leadSell()
        case 44..<61: priceMove()
        case 61..<70: adjust()
        case 70..<75: stopCopy()
        case 75..<79: removeFollower()
        case 79..<84: transfer()
        case 84..<90: setThreshold()
        case 90..<94: manualTrade()
        case 94..<98: limitOrder()
        default: deposit()
        }
    }

    mutating func startCopy() {
        let lead = rng.pick(leadUsers)
        let user = rng.chance(5) ? lead : rng.pick(followers)
        let balance = engine.user(named: user).map { engine.users[$0].cash } ?? .zero
        let investment: Fixed
        switch rng.int(1...10) {
        case 1: investment = cents(50, 99)
        case 2: investment = balance + cents(1, 500)
        default: investment = cents(100, Swift.max(100, Swift.min(balance.units / 100_000_000, 10_000)))
        }
        let id = rng.chance(5) && !copyIDs.isEmpty ? rng.pick(copyIDs) : "c\(copyIDs.count)"
        let request = StartCopyRequest(
            copyID: id, user: user, lead: lead, investment: investment, buyExisting: rng.chance(40),
            stopLoss: rng.chance(35) ? randomThreshold(of: investment, percentMax: 60) : nil,
            takeProfit: rng.chance(25) ? randomThreshold(of: investment, percentMax: 100) : nil)
        let m = moment()
        let accepted = attempt("startCopy \(id) \(user)→\(lead) \(investment)", .startCopy) { (e: inout Engine) throws(EngineError) in
            try e.startCopy(request, at: m)
        }
        if accepted { copyIDs.append(id) }
    }

    mutating func leadBuy() {
        let lead = rng.pick(leadUsers)
        guard let u = engine.user(named: lead), let l = engine.users[u].lead else { return }
        let symbol = rng.pick([TestMarket.btc, TestMarket.eth])
        let budget = Self.share(Fixed(units: engine.leads[l].cash.units / 1_002 * 1_000), rng.int(3...70))
        guard budget.isPositive else { return }
        let m = moment()
        attempt("\(lead) buys \(budget) of \(symbol)", .leadOrder) { (e: inout Engine) throws(EngineError) in
            try e.placeOrder(OrderRequest(user: lead, symbol: symbol, side: .buy, quoteAmount: budget), at: m)
        }
    }

    mutating func leadSell() {
        let lead = rng.pick(leadUsers)
        guard let u = engine.user(named: lead), let l = engine.users[u].lead else { return }
        let s = rng.int(0...1)
        let symbol = engine.venue.symbols[s]
        let held = engine.leads[l].positions[s]?.quantity ?? .zero
        guard held.isPositive else { return }
        let q = rng.chance(30) ? held : Fixed(units: held.units / 100 * Int64(rng.int(5...95))).rounded(toStep: symbol.qtyStep, .down)
        guard q.isPositive else { return }
        let m = moment()
        attempt("\(lead) sells \(q) of \(symbol.name)", .leadOrder) { (e: inout Engine) throws(EngineError) in
            try e.placeOrder(OrderRequest(user: lead, symbol: symbol.name, side: .sell, quantity: q), at: m)
        }
    }

    mutating func priceMove() {
        let s = rng.int(0...1)
        let symbol = engine.venue.symbols[s]
        let factor = Fixed(units: 100_000_000 + rng.int64(-15_000_000...15_000_000))
        let moved = ((try? engine.venue.marks[s].multiplied(by: factor, .down)) ?? engine.venue.marks[s])
            .rounded(toStep: symbol.priceTick, .down)
        let price = Fixed.max(moved, symbol.priceTick)
        let m = moment()
        attempt("price \(symbol.name) \(price)", .price(symbol: s, price: price)) { (e: inout Engine) throws(EngineError) in
            try e.updatePrice(symbol: symbol.name, price: price, at: m)
        }
    }

    mutating func adjust() {
        guard !copyIDs.isEmpty else { return }
        let id = rng.pick(copyIDs)
        guard let ref = engine.copy(named: id) else { return }
        let copy = engine.row(of: ref)
        let user = engine.users[copy.user]
        let delta: Fixed
        if rng.chance(50) {
            delta = cents(1, Swift.max(1, user.cash.units / 100_000_000 * 13 / 10))
        } else {
            let invested = copy.netInvested
            let amount = cents(1, Swift.max(1, invested.units / 100_000_000))
            delta = -amount
        }
        let m = moment()
        attempt("adjust \(id) by \(delta)", .adjust(copy: id, delta: delta)) { (e: inout Engine) throws(EngineError) in
            try e.adjustInvestment(copy: id, delta: delta, at: m)
        }
    }

    mutating func stopCopy() {
        let id = copyIDs.isEmpty || rng.chance(5) ? "nope" : rng.pick(copyIDs)
        let m = moment()
        attempt("stopCopy \(id)", .stopCopy(id)) { (e: inout Engine) throws(EngineError) in try e.stopCopy(id, at: m) }
    }

    mutating func removeFollower() {
        guard !copyIDs.isEmpty else { return }
        let id = rng.pick(copyIDs)
        let lead = rng.chance(80) ? rng.pick(leadUsers) : rng.pick(followers)
        let m = moment()
        attempt("\(lead) removes \(id)", .removeFollower(id)) { (e: inout Engine) throws(EngineError) in
            try e.removeFollower(lead: lead, copy: id, at: m)
        }
    }

    mutating func transfer() {
        let lead = rng.pick(leadUsers)
        guard let u = engine.user(named: lead), let l = engine.users[u].lead else { return }
        let out = rng.chance(50)
        let available = out ? engine.leads[l].cash : engine.users[u].cash
        // Sometimes exactly all the cash (a full withdrawal when the lead holds nothing).
        let amount = rng.chance(10) && available.isPositive ? available : cents(1, Swift.max(1, available.units / 100_000_000 * 12 / 10))
        let m = moment()
        attempt("\(lead) moves \(amount) \(out ? "out" : "in")", .transfer(lead: l)) { (e: inout Engine) throws(EngineError) in
            try e.transfer(user: lead, amount: amount, out ? .portfolioToMain : .mainToPortfolio, at: m)
        }
    }

    mutating func setThreshold() {
        guard !copyIDs.isEmpty else { return }
        let id = rng.pick(copyIDs)
        guard let ref = engine.copy(named: id) else { return }
        let invested = engine.leads[ref.lead].book.netInvested(ref.slot)
        let lossSide = rng.chance(55)
        let threshold = rng.chance(15) ? nil : randomThreshold(of: Fixed.max(invested, Fixed(100)), percentMax: lossSide ? 60 : 100)
        let m = moment()
        attempt("set \(lossSide ? "SL" : "TP") of \(id) to \(String(describing: threshold))", .setThreshold(copy: id)) {
            (e: inout Engine) throws(EngineError) in
            if lossSide { try e.setStopLoss(copy: id, threshold, at: m) } else { try e.setTakeProfit(copy: id, threshold, at: m) }
        }
    }

    mutating func manualTrade() {
        let user = rng.pick(followers + leadUsers)
        guard let u = engine.user(named: user) else { return }
        let s = rng.int(0...1)
        let symbol = engine.venue.symbols[s]
        let held = engine.users[u].balance(symbol.base)
        let m = moment()
        if held.isPositive && rng.chance(50) {
            let q = rng.chance(50) ? held : Fixed(units: held.units / 2).rounded(toStep: symbol.qtyStep, .down)
            guard q.isPositive else { return }
            attempt("\(user) sells \(q) \(symbol.base) from main", .manualOrder) { (e: inout Engine) throws(EngineError) in
                try e.placeOrder(OrderRequest(user: user, account: .main, symbol: symbol.name, side: .sell, quantity: q), at: m)
            }
        } else {
            let budget = Self.share(Fixed(units: engine.users[u].cash.units / 1_002 * 1_000), rng.int(1...30))
            guard budget.isPositive else { return }
            attempt("\(user) buys \(budget) of \(symbol.name) from main", .manualOrder) { (e: inout Engine) throws(EngineError) in
                try e.placeOrder(OrderRequest(user: user, account: .main, symbol: symbol.name, side: .buy, quoteAmount: budget), at: m)
            }
        }
    }

    /// A resting limit order that does not cross now (buy below the mark, sell above it), from a lead portfolio (its
    /// fills are copied when a later price update crosses it) or from a main account (never copied); or a cancel.
    mutating func limitOrder() {
        if rng.chance(20), let order = engine.restingOrders.isEmpty ? nil : rng.pick(engine.restingOrders) {
            let user = engine.users[order.user].id
            let id = rng.chance(80) ? order.id : order.id + 1_000
            attempt("\(user) cancels order \(id)", .deposit) { (e: inout Engine) throws(EngineError) in
                try e.cancelOrder(user: user, orderID: id)
            }
            return
        }
        let portfolio = rng.chance(70)
        let user = portfolio ? rng.pick(leadUsers) : rng.pick(followers)
        guard let u = engine.user(named: user) else { return }
        let lead = portfolio ? engine.users[u].lead : nil
        if portfolio && lead == nil { return }
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
        guard quantity.isPositive else { return }
        let request = OrderRequest(
            user: user, account: portfolio ? .portfolio : .main, symbol: symbol.name, side: sell ? .sell : .buy,
            quantity: quantity, limitPrice: limit)
        let m = moment()
        attempt(
            "\(user) rests \(request.side) \(quantity) \(symbol.base) at \(limit) (\(request.account))",
            portfolio ? .leadOrder : .manualOrder
        ) {
            (e: inout Engine) throws(EngineError) in
            try e.placeOrder(request, at: m)
        }
    }

    mutating func deposit() {
        let user = rng.pick(followers)
        let amount = cents(100, 5_000)
        let m = moment()
        attempt("deposit \(amount) to \(user)", .deposit) { (e: inout Engine) throws(EngineError) in
            try e.deposit(user: user, amount: amount, at: m)
        }
    }

    mutating func stopLeading(_ k: Int) {
        let lead = leadUsers[k]
        let m = moment()
        let l = engine.user(named: lead).flatMap { engine.users[$0].lead } ?? -1
        attempt("\(lead) stops leading", .stopLeading(lead: l)) { (e: inout Engine) throws(EngineError) in
            try e.stopLeading(user: lead, at: m)
        }
    }

    // MARK: Running and checking

    /// Runs one command; a refusal must change nothing; an acceptance must keep every invariant.
    @discardableResult
    mutating func attempt(_ what: String, _ kind: Kind, _ command: (inout Engine) throws(EngineError) -> Void) -> Bool {
        guard issues.isEmpty else { return false }
        stats.steps += 1
        let before = engine
        do {
            try command(&engine)
        } catch {
            stats.refusals[error.code, default: 0] += 1
            if engine.journal.count != before.journal.count {
                issues.append("seed \(seed), \(what): refused (\(error)) but the journal grew")
            }
            if !engine.audit().balanced { issues.append("seed \(seed), \(what): refused (\(error)) and the audit fails") }
            if LifecycleSnapshot(engine) != LifecycleSnapshot(before) {
                issues.append("seed \(seed), \(what): refused (\(error)) but changed the state")
            }
            return false
        }
        stats.accepted += 1
        check(before: before, kind, what)
        return true
    }

    func problem(_ text: String, _ what: String) -> String { "seed \(seed), after \(what): \(text)" }

    mutating func check(before: Engine, _ kind: Kind, _ what: String) {
        var found: [String] = []
        defer { issues.append(contentsOf: found.prefix(5)) }

        let audit = engine.audit()
        if !audit.balanced { found.append(problem("audit: \(audit.problems.prefix(3))", what)) }

        // Nothing negative, anywhere.
        for user in engine.users {
            if user.cash.isNegative { found.append(problem("\(user.id) main USDT \(user.cash)", what)) }
            for (asset, q) in user.assets where q.isNegative { found.append(problem("\(user.id) main \(asset) \(q)", what)) }
        }
        for (l, lead) in engine.leads.enumerated() {
            if lead.cash.isNegative { found.append(problem("lead \(l) cash \(lead.cash)", what)) }
            for (s, p) in lead.positions where p.quantity.isNegative {
                found.append(problem("lead \(l) holds \(p.quantity) of \(s)", what))
            }
            let book = lead.book
            var active = 0
            for copy in book.rows {
                let ref = CopyRef(lead: l, slot: copy.slot)
                if copy.cash.isNegative { found.append(problem("copy \(copy.id) cash \(copy.cash)", what)) }
                if copy.holdings.contains(where: { $0.lots < 0 }) { found.append(problem("copy \(copy.id) negative lots", what)) }
                if copy.status == .stopped {
                    // A stopped copy account is empty and says why it stopped.
                    if !copy.cash.isZero || copy.holdings.contains(where: { $0.lots != 0 }) {
                        found.append(problem("stopped copy \(copy.id) still holds cash \(copy.cash) or assets", what))
                    }
                    if copy.stopReason == nil || copy.stoppedEvent == nil {
                        found.append(problem("stopped copy \(copy.id) has no stop reason or event", what))
                    }
                } else {
                    active += 1
                    if copy.stopReason != nil { found.append(problem("active copy \(copy.id) has a stop reason", what)) }
                    if lead.status == .stopped { found.append(problem("copy \(copy.id) is active under a stopped lead", what)) }
                    if let breach = Self.breach(engine, ref, equity: engine.copyEquity(ref)) {
                        found.append(problem("active copy \(copy.id) is past its \(breach) (checked after every event)", what))
                    }
                }
                let t = engine.tracking(ref)
                var parts: Fixed = t.fees + t.profitShare
                parts += t.priceDifference + t.failedOrCapped
                parts += t.sizing + t.rounding
                let roiGap: Fixed = t.copyRoi - t.leadRoi
                if parts != t.gap || t.gap != roiGap {
                    found.append(problem("tracking of \(copy.id) does not add up: \(t)", what))
                }
            }
            if active != book.activeCount { found.append(problem("lead \(l) activeCount \(book.activeCount), \(active) active", what)) }
            if lead.status == .stopped {
                if !lead.cash.isZero || lead.positions.values.contains(where: { !$0.quantity.isZero }) {
                    found.append(problem("stopped lead \(l) still holds funds", what))
                }
                if engine.restingOrders.contains(where: { $0.account == .portfolio && $0.user == lead.user }) {
                    found.append(problem("stopped lead \(l) still has resting portfolio orders", what))
                }
            }
        }

        // Which copies stopped in this step, and why.
        var stopped: [CopyRef: StopReason] = [:]
        for (l, lead) in engine.leads.enumerated() where l < before.leads.count {
            for copy in lead.book.rows
            where copy.status == .stopped && before.leads[l].book.count > copy.slot && before.leads[l].book[copy.slot].isActive {
                stopped[CopyRef(lead: l, slot: copy.slot)] = copy.stopReason
            }
        }
        for (_, reason) in stopped { stats.stops[reason, default: 0] += 1 }
        let newBatches = (before.journal.count..<engine.journal.count).compactMap { k -> CopyFillBatch? in
            if case .copyFills(let b) = engine.journal[k] { return b }
            return nil
        }
        stats.profitShares += newBatches.reduce(0) { $0 + $1.profitShare.count }

        switch kind {
        case .price(let s, let price):
            // Stops fire exactly for the copies this price breaches, judged on the holdings just before.
            var expected: [CopyRef: StopReason] = [:]
            for (l, lead) in before.leads.enumerated() where lead.status == .active {
                for copy in lead.book.rows where copy.isActive {
                    let ref = CopyRef(lead: l, slot: copy.slot)
                    var equity = copy.cash.units
                    for h in copy.holdings {
                        equity += h.lots * before.lotValue(h.symbol, price: h.symbol == s ? price : before.venue.marks[h.symbol])
                    }
                    if let breach = Self.breach(before, ref, equity: Fixed(units: equity)) { expected[ref] = breach }
                }
            }
            // A resting lead order that the price crosses fills (and fans out) before the thresholds are checked, so
            // the exact prediction holds when no lead order filled; otherwise only the reasons are checked.
            let leadFilled = engine.leadFills.count != before.leadFills.count
            let mainFilled = (before.journal.count..<engine.journal.count).contains { k in
                if case .trade(let t) = engine.journal[k], case .main = t.account { return true }
                return false
            }
            if leadFilled {
                stats.restingFills += 1
                for (r, reason) in stopped where reason != .stopLoss && reason != .takeProfit {
                    found.append(problem("copy \(r) stopped with \(reason) on a price update", what))
                }
            } else {
                if expected != stopped { found.append(problem("price stops \(stopped), the thresholds say \(expected)", what)) }
                // Copies stopped by one price update are liquidated together: one merged order per lead and symbol.
                var orders: Set<[Int]> = []
                for b in newBatches where !orders.insert([b.lead, b.symbol, b.side == .buy ? 0 : 1]).inserted {
                    found.append(problem("two liquidation orders for lead \(b.lead), symbol \(b.symbol) in one update", what))
                }
            }
            stats.priceStops += stopped.count
            if !mainFilled { checkStopPayouts(before: before, stopped: stopped, what, &found) }
        case .stopCopy(let id), .removeFollower(let id):
            let reason: StopReason
            if case .stopCopy = kind { reason = .follower } else { reason = .removedByLead }
            let ref = engine.copy(named: id)
            if ref == nil || stopped != [ref!: reason] {
                found.append(problem("expected only \(id) stopped (\(reason)), got \(stopped)", what))
            }
            checkStopPayouts(before: before, stopped: stopped, what, &found)
            // Other copies did not move.
            for (l, lead) in engine.leads.enumerated() {
                for copy in lead.book.rows where CopyRef(lead: l, slot: copy.slot) != ref {
                    if copy.cash != before.leads[l].book[copy.slot].cash {
                        found.append(problem("stopping \(id) changed copy \(copy.id)", what))
                    }
                }
            }
        case .stopLeading(let l):
            stats.leadsStopped += 1
            let expectedStops = before.leads[l].book.rows.filter(\.isActive).map(\.slot)
            let expected = Dictionary(uniqueKeysWithValues: expectedStops.map { (CopyRef(lead: l, slot: $0), StopReason.leadStopped) })
            if stopped != expected { found.append(problem("stopLeading stopped \(stopped), expected \(expected)", what)) }
            checkStopPayouts(before: before, stopped: stopped, what, &found)
            // The portfolio moved as it is to the lead's main account.
            let u = before.leads[l].user
            let cashMoved = engine.users[u].cash - before.users[u].cash
            if cashMoved != before.leads[l].cash + profitShareIn(before: before, lead: l) {
                found.append(problem("lead main gained \(cashMoved), portfolio cash was \(before.leads[l].cash)", what))
            }
            for (s, p) in before.leads[l].positions where p.quantity.isPositive {
                let base = engine.venue.symbols[s].base
                if engine.users[u].balance(base) - before.users[u].balance(base) != p.quantity {
                    found.append(problem("lead's \(base) did not move as it is", what))
                }
            }
        case .setThreshold(let id):
            // A threshold that the current equity already breaches fires at once; otherwise nothing stops.
            if let ref = engine.copy(named: id), before.leads[ref.lead].book[ref.slot].status == .active {
                let book = engine.leads[ref.lead].book
                let breach = Self.breach((book[ref.slot].stopLoss, book[ref.slot].takeProfit), before: before, ref)
                let expected = breach.map { [ref: $0] } ?? [:]
                if stopped != expected { found.append(problem("setting \(id)'s threshold stopped \(stopped), expected \(expected)", what)) }
            }
        case .adjust(let id, let delta):
            guard let ref = engine.copy(named: id), before.leads[ref.lead].book[ref.slot].status == .active else { break }
            let u = engine.leads[ref.lead].book[ref.slot].user
            if delta.isPositive {
                stats.adjustUp += 1
            } else if newBatches.isEmpty {
                stats.adjustDownFromCash += 1
            } else {
                stats.adjustDownSelling += 1
            }
            let niBefore = before.leads[ref.lead].book.netInvested(ref.slot)
            // Adding or taking out money buys or redeems the copy's units at its NAV: without sells (whose fees and
            // profit share are real costs), the copy's NAV does not move beyond rounding.
            if engine.leads[ref.lead].book[ref.slot].status == .active && newBatches.isEmpty {
                let (a, b) = (before.copyNav(ref), engine.copyNav(ref))
                let units = engine.row(of: ref).units
                if abs(a.units - b.units) > Self.navTolerance(nav: b, units: units, moved: delta, equity: engine.copyEquity(ref)) {
                    found.append(problem("copy \(id)'s NAV moved from \(a) to \(b) on an adjustment", what))
                }
            }
            if engine.leads[ref.lead].book[ref.slot].status == .active {
                if engine.leads[ref.lead].book.netInvested(ref.slot) != niBefore + delta {
                    found.append(
                        problem("net invested moved by \(engine.leads[ref.lead].book.netInvested(ref.slot) - niBefore), not \(delta)", what)
                    )
                }
                if engine.users[u].cash - before.users[u].cash != -delta {
                    found.append(problem("main moved by \(engine.users[u].cash - before.users[u].cash), not \(-delta)", what))
                }
                if delta.isNegative && engine.leads[ref.lead].book.netInvested(ref.slot) < engine.settings.minInvestment {
                    found.append(problem("decrease left net invested below the minimum", what))
                }
            }
            for (r, reason) in stopped where reason != .stopLoss && reason != .takeProfit {
                found.append(problem("adjusting stopped \(r) with reason \(reason)", what))
            }
        case .transfer(let l):
            stats.transfers += 1
            if !stopped.isEmpty { found.append(problem("a lead transfer stopped \(stopped)", what)) }
            // A transfer buys or redeems units at the current NAV: the NAV does not move (beyond rounding).
            // Transfers that leave or find the portfolio empty are left to LifecycleLeadRoiTests (a known bug).
            if before.leadEquity(l).isPositive && engine.leadEquity(l).isPositive {
                let (a, b) = (before.leadNav(l), engine.leadNav(l))
                let moved = engine.leadEquity(l) - before.leadEquity(l)
                if abs(a.units - b.units)
                    > Self.navTolerance(nav: b, units: engine.leads[l].units, moved: moved, equity: engine.leadEquity(l))
                {
                    found.append(problem("lead \(l)'s NAV moved from \(a) to \(b) on a transfer", what))
                }
            }
        case .manualOrder, .deposit:
            if !stopped.isEmpty { found.append(problem("\(what) stopped \(stopped)", what)) }
            if engine.leadFills.count != before.leadFills.count || !newBatches.isEmpty {
                found.append(problem("a main-account trade was copied", what))
            }
            for (l, lead) in engine.leads.enumerated()
            where l < before.leads.count
                && (lead.book.cash != before.leads[l].book.cash || lead.book.lots != before.leads[l].book.lots)
            {
                found.append(problem("a main-account trade changed copy accounts of lead \(l)", what))
            }
        case .startCopy, .leadOrder:
            for (r, reason) in stopped where reason != .stopLoss && reason != .takeProfit {
                found.append(problem("copy \(r) stopped with \(reason)", what))
            }
        }
    }

    /// Profit share the lead's main account received in this step from the copies of lead `l`.
    func profitShareIn(before: Engine, lead l: Int) -> Fixed {
        engine.leads[l].profitShareEarned - before.leads[l].profitShareEarned
    }

    /// Every follower whose copies stopped (and nothing else happened to its main account in this step) received
    /// exactly their copy accounts' final cash: the copies' total-out growth minus the value of dust moved as it is.
    mutating func checkStopPayouts(before: Engine, stopped: [CopyRef: StopReason], _ what: String, _ found: inout [String]) {
        var expected: [Int: Int64] = [:]
        for (ref, _) in stopped {
            let book = engine.leads[ref.lead].book
            let u = book[ref.slot].user
            expected[u, default: 0] += (book[ref.slot].totalOut - before.leads[ref.lead].book[ref.slot].totalOut).units
        }
        for (u, out) in expected {
            var dust: Int64 = 0
            for (s, symbol) in engine.venue.symbols.enumerated() {
                let moved = engine.users[u].balance(symbol.base) - before.users[u].balance(symbol.base)
                dust += symbol.quote(quantity: moved, price: engine.venue.marks[s])?.units ?? 0
            }
            // A follower that is also a lead may receive profit share in the same step.
            let share = engine.leads.indices.filter { engine.leads[$0].user == u }.reduce(Fixed.zero) {
                $0 + profitShareIn(before: before, lead: $1)
            }
            let received = engine.users[u].cash - before.users[u].cash - share
            if dust != 0 { stats.assetsMovedAtStop += 1 }
            if received.units != out - dust {
                found.append(
                    problem(
                        "follower \(engine.users[u].id) received \(received), its stopped copies paid out \(Fixed(units: out - dust))", what
                    ))
            }
        }
    }

    /// Rounding allowance (1e-8 units) of a NAV after `moved` USDT bought or redeemed units at it, leaving `equity`:
    /// the units' 8-decimal rounding magnified by NAV ÷ units, the NAV's own rounding, and the NAV's rounding (half a
    /// unit) carried into the units bought or redeemed, magnified by moved ÷ equity left (a big withdrawal from a
    /// portfolio leaves few units, each carrying more of that error).
    static func navTolerance(nav: Fixed, units: Fixed, moved: Fixed, equity: Fixed) -> Int64 {
        3 + 2 * nav.units / Swift.max(units.units, 1) + abs(moved.units) / Swift.max(equity.units, 1)
    }

    /// Which threshold `equity` breaches for copy `ref` of `engine` (nil: none). E ≤ NI − SL or E ≥ NI + TP.
    static func breach(_ engine: Engine, _ ref: CopyRef, equity: Fixed) -> StopReason? {
        let book = engine.leads[ref.lead].book
        let invested = book.netInvested(ref.slot)
        if let sl = book[ref.slot].stopLoss, equity <= invested - sl.distance(netInvested: invested) { return .stopLoss }
        if let tp = book[ref.slot].takeProfit, equity >= invested + tp.distance(netInvested: invested) { return .takeProfit }
        return nil
    }

    /// The breach of the thresholds now set on `ref`, judged at the equity just before the command.
    static func breach(_ thresholds: (stopLoss: Threshold?, takeProfit: Threshold?), before: Engine, _ ref: CopyRef) -> StopReason? {
        let book = before.leads[ref.lead].book
        let invested = book.netInvested(ref.slot)
        let equity = before.copyEquity(ref)
        if let sl = thresholds.stopLoss, equity <= invested - sl.distance(netInvested: invested) { return .stopLoss }
        if let tp = thresholds.takeProfit, equity >= invested + tp.distance(netInvested: invested) { return .takeProfit }
        return nil
    }
}

@Suite("Property: lifecycle events keep the books balanced and the copies consistent")
struct LifecyclePropertyTests {
    static func run(count: Int, withBook: Bool) async -> LifecycleStats {
        var total = LifecycleStats()
        await propertyCheck(count: count, input: Gen.int(in: 0...Int.max)) { seed in
            var world = try LifecycleWorld(seed: seed, withBook: withBook)
            world.setUp()
            for _ in 0..<world.rng.int(20...45) { world.randomStep() }
            for k in world.leadUsers.indices where world.rng.chance(50) {
                world.stopLeading(k)
                // After it: a few more events that must respect the stopped lead.
                world.startCopy()
                world.priceMove()
                world.leadBuy()
            }
            #expect(world.issues.isEmpty, "\(world.issues.prefix(5).joined(separator: "\n"))")
            total.add(world.stats)
        }
        return total
    }

    @Test("Random lifecycle sequences: balanced after every step, stopped copies empty, refusals change nothing")
    func randomLifecycles() async {
        let total = await Self.run(count: 250, withBook: false)
        // The runs exercised what they claim to check.
        #expect(total.accepted > 4_000, "\(total)")
        for reason in [StopReason.follower, .removedByLead, .leadStopped, .stopLoss, .takeProfit] {
            #expect((total.stops[reason] ?? 0) > 0, "no copy stopped with \(reason): \(total.stops)")
        }
        #expect(total.priceStops > 0 && total.adjustUp > 0 && total.adjustDownFromCash > 0 && total.adjustDownSelling > 0, "\(total)")
        #expect(total.profitShares > 0 && total.leadsStopped > 0 && total.transfers > 0 && total.restingFills > 0, "\(total)")
        for code in [
            EngineError.Code.belowMinimumInvestment, .insufficientFunds, .copyNotActive, .copyingYourself, .duplicateID,
            .duplicateActiveCopy, .leadNotActive, .unknownCopy, .notLeading,
        ] {
            #expect((total.refusals[code] ?? 0) > 0, "no refusal with \(code): \(total.refusals)")
        }
    }

    @Test("The same with a thin BTC order book: liquidations walk it, and what cannot be sold moves as it is")
    func randomLifecyclesWithBook() async {
        let total = await Self.run(count: 150, withBook: true)
        #expect(total.accepted > 2_000 && total.priceStops > 0, "\(total)")
        #expect(total.assetsMovedAtStop > 0, "no stop had to move unsold assets: \(total)")
    }
}

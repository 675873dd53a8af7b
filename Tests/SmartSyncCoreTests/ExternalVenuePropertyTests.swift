import SmartSyncBench
import SmartSyncCore
import Testing

/// Random sessions at an external venue: lead orders in both execution modes, manual main-account orders, the
/// venue's answers in any order it may send them (partial fills at prices inside the limit, commissions below and
/// above the rate, ends, rejects, reports the state machine refuses), and followers starting, adjusting and stopping
/// copies while orders are in flight. After every step the books balance (`audit`), a refused command changed
/// nothing, and no account holds a negative amount; at the end, once every order is final, every execution was given
/// out whole: what a merged or block order executed equals what its lead and copies received.
@Suite struct ExternalVenuePropertyTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func randomSessionsKeepTheBooksBalanced(_ seed: Int) throws {
        var rng = SplitMix(seed: seed * 7_919)
        var sim = try Sim()
        try sim.lead("lead", portfolio: "20000", deposit: "30000")
        for k in 0..<5 { try sim.copy("c\(k)", of: "lead", investment: String(rng.int(100...4_000))) }
        try sim.user("carol", deposit: "5000")
        try sim.engine.execute(.venueMode(.external, orderIDPrefix: "p\(seed)"), at: sim.next())
        var copies = 5
        var refused = 0
        // Orders a server releases from memory (`finalOrdersInMemory`): each must never change again. At a venue a
        // final order still changes (the copies' share allocated by a later report, a fill trailing a cancel), so none
        // may be released while the venue book holds its record; checking `allFinalOrdersInMemory` here fails.
        var released: [Int: PlacedOrder] = [:]
        func checkReleased(_ context: String) {
            for (id, o) in released { #expect(sim.engine.order(id: id) == o, "\(context): released order \(id) changed") }
            let releasing = sim.engine.finalOrdersInMemory
            for o in releasing where released[o.id] == nil { released[o.id] = o }
        }
        for step in 0..<400 {
            // A step's set-up (a deposit, a mode) is applied first; its last command may be refused, and then must
            // change nothing.
            var before: Fingerprint?
            do {
                try Self.randomStep(&sim, &rng, copies: &copies) { before = Fingerprint($0.engine) }
            } catch let error as EngineError {
                refused += 1
                let unchanged = before.map { Fingerprint(sim.engine) == $0 } ?? false
                #expect(unchanged, "seed \(seed) step \(step): refused (\(error)) yet changed the books")
            }
            try Self.checkBooks(sim.engine, "seed \(seed) step \(step)")
            checkReleased("seed \(seed) step \(step)")
        }
        // Drive everything to an end: the venue fills what is open (or ends it), until nothing is in flight.
        var rounds = 0
        while !sim.engine.venueBook.open.isEmpty || sim.engine.venueBook.isBusy(lead: 0) {
            rounds += 1
            try #require(rounds < 200, "seed \(seed): orders still open after 200 rounds")
            for record in sim.engine.venueBook.open {
                try Self.answer(&sim, &rng, record, final: true)
            }
            try Self.checkBooks(sim.engine, "seed \(seed) final round \(rounds)")
            checkReleased("seed \(seed) final round \(rounds)")
        }
        // Main-account orders and the venue's: some were released, and the venue's stayed in memory.
        #expect(sim.engine.orders.contains { !$0.status.isOpen && sim.engine.venueBook.record(placedOrder: $0.id) != nil })
        let step = sim.engine.venue.symbols[0].qtyStep.units
        for record in sim.engine.venueBook.orders {
            guard let requests = record.copies else { continue }
            let lead =
                record.block == nil
                ? Fixed.zero
                : sim.engine.leadFills.first { $0.id == "\(record.clientOrderID)/block" }?.quantity ?? .zero
            // A final merged order keeps its totals, not one entry per copy.
            #expect(requests.isReleased && requests.slots.isEmpty && requests.allocatedLots.isEmpty, "seed \(seed)")
            let given = lead + Fixed(units: requests.lotsGiven * step)
            #expect(
                given == record.order.filledQuantity,
                "seed \(seed): \(record.clientOrderID) executed \(record.order.filledQuantity), gave \(given)")
        }
        #expect(refused < 400, "seed \(seed): every step was refused")
    }

    /// One random action: an order, a venue answer, or a follower's change.
    /// `last` is called just before the step's last command (the one that may be refused).
    static func randomStep(_ sim: inout Sim, _ rng: inout SplitMix, copies: inout Int, last: (Sim) -> Void) throws {
        let open = sim.engine.venueBook.open
        switch rng.int(0...99) {
        case 0..<14:
            // A lead limit order (follow) or a market order (block when the lead is in block mode).
            let side: Side = rng.chance(60) ? .buy : .sell
            let quantity = "0.0\(rng.int(1...9))"
            let price = String(rng.int(48_000...52_000))
            if rng.chance(30) {
                try sim.engine.execute(.executionMode(lead: "lead", rng.chance(50) ? .block : .follow), at: sim.next())
            }
            last(sim)
            if rng.chance(50) {
                if side == .buy {
                    try sim.buy("lead", quote: String(rng.int(50...3_000)))
                } else {
                    try sim.sell("lead", quantity: quantity)
                }
            } else if side == .buy {
                try sim.buy("lead", quantity: quantity, limit: price)
            } else {
                try sim.sell("lead", quantity: quantity, limit: price)
            }
        case 14..<20:
            let limit = String(rng.int(48_000...52_000))
            last(sim)
            if rng.chance(60) {
                try sim.buy("carol", quantity: "0.0\(rng.int(1...5))", limit: limit, account: .main)
            } else {
                try sim.sell("carol", quantity: "0.00\(rng.int(1...9))", limit: limit, account: .main)
            }
        case 20..<70:
            guard !open.isEmpty else { return }
            try answer(&sim, &rng, rng.pick(open), final: false, last: last)
        case 70..<76:
            last(sim)
            try sim.engine.stopCopy("c\(rng.int(0...(copies - 1)))", at: sim.next())
        case 76..<84:
            let amount = rng.chance(50) ? String(rng.int(10...500)) : "-\(rng.int(10...500))"
            let copy = "c\(rng.int(0...(copies - 1)))"
            if !amount.hasPrefix("-") { try sim.engine.deposit(user: "user-\(copy)", amount: fx(amount), at: sim.next()) }
            last(sim)
            try sim.engine.adjustInvestment(copy: copy, delta: fx(amount), at: sim.next())
        case 84..<88:
            let k = copies
            try sim.user("user-c\(k)", deposit: "1000")
            copies += 1
            last(sim)
            try sim.engine.startCopy(
                StartCopyRequest(copyID: "c\(k)", user: "user-c\(k)", lead: "lead", investment: fx("1000")), at: sim.next())
        case 88..<94:
            last(sim)
            try sim.price(TestMarket.btc, String(rng.int(47_000...53_000)))
        default:
            // The lead or carol cancels an open order of theirs.
            let mine = sim.engine.orders.filter { $0.status == .accepted || $0.status == .partiallyFilled }
            guard !mine.isEmpty else { return }
            let order = rng.pick(mine)
            last(sim)
            try sim.engine.execute(.cancelOrder(user: sim.engine.users[order.user].id, orderID: order.id), at: sim.next())
        }
    }

    /// What the venue says about one open order: sent, accepted, a part or the rest filled (inside the limit, with
    /// or without a commission), or an end (expired, cancelled, rejected); now and then a report it must refuse.
    static func answer(
        _ sim: inout Sim, _ rng: inout SplitMix, _ record: VenueOrderRecord, final: Bool, last: (Sim) -> Void = { _ in }
    ) throws {
        let id = record.clientOrderID
        if record.order.status == .new { try sim.engine.execute(.venueSent(clientOrderID: id), at: sim.next()) }
        last(sim)
        let step = sim.engine.venue.symbols[record.symbol].qtyStep
        let mark = sim.engine.venue.marks[record.symbol]
        let tick = Fixed(units: 1_000_000)  // 0.01
        let limit = record.limitPrice ?? mark
        let drift = Fixed(units: tick.units * Int64(rng.int(0...2_000)))
        var price = record.side == .buy ? limit - drift : limit + drift
        if !price.isPositive { price = limit }
        let remaining: Fixed
        switch record.order.size {
        case .quantity: remaining = record.stillToExecute
        case .quote(let budget):
            // A market buy by quote: what the rest of the budget buys at that price, down to the step.
            let left = budget - record.order.filledQuote
            remaining = ((try? left.divided(by: price, .down)) ?? .zero).rounded(toStep: step, .down)
        }
        let roll = rng.int(0...99)
        if !final && roll < 8 {
            // A report the state machine refuses: a fill beyond the order.
            try report(&sim, id, .fill, exec: "x\(rng.int(0...1_000_000))", qty: remaining + step + step, px: price, commission: nil)
            return
        }
        if final || roll < 70 {
            guard remaining >= step else {
                try report(&sim, id, .expired, exec: nil, qty: nil, px: nil, commission: nil)
                return
            }
            let lots = remaining.units / step.units
            let part = final || rng.chance(50) ? lots : Int64(rng.int(1...Int(lots)))
            let quantity = Fixed(units: part * step.units)
            let quote = Fixed(units: part * sim.engine.lotValue(record.symbol, price: price))
            let commission: Fixed? = rng.chance(40) ? Fixed(units: quote.units / Int64(rng.chance(50) ? 2_000 : 500)) : nil
            try report(&sim, id, .fill, exec: "e\(rng.int(0...1_000_000_000))", qty: quantity, px: price, commission: commission)
            if final && sim.engine.venueBook.record(id)?.order.status.isFinal == false {
                try report(&sim, id, .expired, exec: nil, qty: nil, px: nil, commission: nil)
            }
            return
        }
        let kind: VenueReport.Kind = [.expired, .cancelled, .rejected, .accepted].randomElement(using: &rng)!
        try report(&sim, id, kind, exec: nil, qty: nil, px: nil, commission: nil)
    }

    static func report(
        _ sim: inout Sim, _ id: String, _ kind: VenueReport.Kind, exec: String?, qty: Fixed?, px: Fixed?, commission: Fixed?
    ) throws {
        try sim.engine.execute(
            .venueReport(
                VenueReport(
                    clientOrderID: id, kind: kind, venueOrderID: "V-\(id)", executionID: exec, quantity: qty, price: px,
                    reason: kind == .rejected ? "no" : nil, commission: commission)),
            at: sim.next())
    }

    /// The books balance and no account is below zero.
    static func checkBooks(_ engine: Engine, _ context: String) throws {
        let problems = engine.audit().problems
        #expect(problems.isEmpty, "\(context): \(problems.prefix(3))")
        for user in engine.users {
            for (asset, amount) in user.balances { #expect(!amount.isNegative, "\(context): \(user.id) main \(asset) \(amount)") }
        }
        for lead in engine.leads {
            #expect(!lead.cash.isNegative, "\(context): lead cash \(lead.cash)")
            for i in 0..<lead.book.count {
                let copy = lead.book[i]
                #expect(!copy.cash.isNegative, "\(context): copy \(copy.id) cash \(copy.cash)")
                #expect(copy.holdings.allSatisfy { $0.lots >= 0 }, "\(context): copy \(copy.id) lots")
            }
        }
        try #require(problems.isEmpty)
    }
}

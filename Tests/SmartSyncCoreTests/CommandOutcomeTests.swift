import SmartSyncCore
import Testing

/// `Engine.execute` says what each command did; the outcomes of all commands, in order, are the engine's histories.
@Suite("Command outcomes")
struct CommandOutcomeTests {
    /// Lead 10,000 with copies of 1,000 (c1) and 100 (tiny), as in DESIGN's example.
    static func market() throws -> Sim {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("c1", of: "lead", investment: "1000")
        try sim.copy("tiny", of: "lead", investment: "100")
        return sim
    }

    @Test("A lead order's outcome holds its trade, its lead fill, its copy fills and its order")
    func leadOrder() throws {
        var sim = try Self.market()
        let journalBefore = sim.engine.journal.count
        let moment = sim.next()
        let outcome = try sim.engine.execute(
            .order(OrderRequest(user: "lead", symbol: TestMarket.btc, side: .buy, quoteAmount: fx("1000"))), at: moment)
        #expect(outcome.moment == moment)
        #expect(outcome.journalStart == journalBefore)
        #expect(outcome.journal.count == sim.engine.journal.count - journalBefore)
        // 1,000 of 10,000 → c1 buys 100 USDT, tiny 10 USDT: one batch of two copy fills.
        #expect(outcome.copyFillCount == 2)
        #expect(outcome.leadFills.map(\.id) == sim.engine.leadFills.suffix(1).map(\.id))
        #expect(outcome.failedOrders.isEmpty)
        let placed = try #require(outcome.placedOrder)
        #expect(placed.status == .filled && placed.copyFills == 2 && placed == sim.engine.order(id: placed.id))
        #expect(outcome.startedCopies.isEmpty && outcome.stoppedCopies.isEmpty)
    }

    /// A 40 USDT lead buy: c1's 4 USDT and tiny's 0.4 USDT are below minNotional 5 → two failures in the outcome.
    @Test("Failed copy orders and their position are in the outcome")
    func failures() throws {
        var sim = try Self.market()
        let outcome = try sim.engine.execute(
            .order(OrderRequest(user: "lead", symbol: TestMarket.btc, side: .buy, quoteAmount: fx("40"))), at: sim.next())
        #expect(outcome.failedOrders.map(\.reason) == [.belowMinNotional, .belowMinNotional])
        #expect(outcome.failedOrdersStart == 0 && sim.engine.failedOrders.count == 2)
        #expect(outcome.copyFillCount == 0)
    }

    @Test("Started and stopped copies, prices and resting orders a price reaches are in the outcome")
    func lifecycle() throws {
        var sim = try Self.market()
        try sim.user("dora", deposit: "500")
        let started = try sim.engine.execute(
            .startCopy(StartCopyRequest(copyID: "d1", user: "dora", lead: "lead", investment: fx("500"))), at: sim.next())
        #expect(started.startedCopies == [try #require(sim.engine.copy(named: "d1"))])
        let resting = try sim.engine.execute(
            .order(OrderRequest(user: "lead", symbol: TestMarket.btc, side: .buy, quantity: fx("0.02"), limitPrice: fx("49000"))),
            at: sim.next())
        let order = try #require(resting.placedOrder)
        #expect(order.status == .accepted && resting.leadFills.isEmpty)
        // The price crosses the limit: the order fills, and the outcome of the price command says so.
        let price = try sim.engine.execute(.price(symbol: TestMarket.btc, price: fx("48900")), at: sim.next())
        #expect(price.prices.map(\.price) == [fx("48900")])
        #expect(price.orders.map(\.id) == [order.id] && price.orders[0].status == .filled)
        #expect(price.leadFills.count == 1 && price.copyFillCount == 3)
        let stop = try sim.engine.execute(.stopLeading(user: "lead"), at: sim.next())
        #expect(Set(stop.stoppedCopies) == Set(["c1", "tiny", "d1"].map { sim.engine.copy(named: $0)! }))
    }

    /// Every command of a longer run: the outcomes laid end to end are the engine's journal, lead fills and failures.
    @Test("Outcomes laid end to end are the engine's histories")
    func outcomesAreTheHistory() throws {
        var sim = try Self.market()
        var journal: [JournalEntry] = sim.engine.journal.entries
        var fills: [LeadFill] = sim.engine.leadFills
        var failures: [FailedCopyOrder] = sim.engine.failedOrders
        let c1 = try #require(sim.engine.copy(named: "c1"))
        let follower = sim.engine.users[sim.engine.leads[c1.lead].book[c1.slot].user].id
        let commands: [EngineCommand] = [
            .order(OrderRequest(user: "lead", symbol: TestMarket.btc, side: .buy, quoteAmount: fx("2500"))),
            .price(symbol: TestMarket.btc, price: fx("52000")),
            .orderFraction(user: "lead", account: .portfolio, symbol: TestMarket.btc, side: .sell, fraction: fx("0.5")),
            .order(OrderRequest(user: "lead", symbol: TestMarket.eth, side: .buy, quoteAmount: fx("30"))),
            .deposit(user: follower, amount: fx("500")),
            .adjustInvestment(copy: "c1", delta: fx("500")),
            .stopCopy(copy: "tiny"),
        ]
        for command in commands {
            let outcome = try sim.engine.execute(command, at: sim.next())
            #expect(outcome.journalStart == journal.count && outcome.failedOrdersStart == failures.count)
            journal += outcome.journal
            fills += outcome.leadFills
            failures += outcome.failedOrders
        }
        #expect(journal.count == sim.engine.journal.count)
        #expect(zip(journal, sim.engine.journal).allSatisfy { "\($0)" == "\($1)" })
        #expect(fills == sim.engine.leadFills)
        #expect(failures == sim.engine.failedOrders)
    }
}

import Foundation
import Logging
import SmartSyncBench
import SmartSyncCore
import SmartSyncStore
import Testing

@testable import SmartSyncServer

/// Two engine services on one PostgreSQL schema, as two instances would be: leases, hand-over, takeover.
@Suite(.timeLimit(.minutes(1)))
struct ClusterTests {
    static func fixture(ttl: Duration = .seconds(2)) async throws -> (
        a: EngineService, b: EngineService, ma: ClusterMembership, mb: ClusterMembership, schema: String
    ) {
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let location = PostgresServiceTests.server + (PostgresServiceTests.server.contains("?") ? "&" : "?") + "schema=\(schema)"
        let a = try EngineService(databasePath: location, logger: Logger(label: "a"), now: { 1_620_172_800_000 })
        let b = try EngineService(databasePath: location, logger: Logger(label: "b"), now: { 1_620_172_800_000 })
        let ma = ClusterMembership(url: try PostgresURL(location), instance: "a", ttl: ttl)
        let mb = ClusterMembership(url: try PostgresURL(location), instance: "b", ttl: ttl)
        await a.joinCluster(ma)
        await b.joinCluster(mb)
        let btc = try Symbol(
            name: "BTC-USDT", qtyStep: try Fixed("0.00001"), priceTick: try Fixed("0.01"), minQty: try Fixed("0.00001"),
            minNotional: Fixed(5))
        try await a.executeBatch([
            .listSymbol(btc, price: Fixed(50_000), book: nil), .addUser("lead"), .addUser("alice"),
            .deposit(user: "lead", amount: Fixed(20_000)), .deposit(user: "alice", amount: Fixed(5_000)),
        ])
        return (a, b, ma, mb, String(schema))
    }

    static func order(_ quote: Int) -> EngineCommand {
        .order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(quote)))
    }

    @Test(.enabled(if: PostgresServiceTests.reachable, "no PostgreSQL server: skipped"))
    func leadCommandsRunOnTheLeaseHolder() async throws {
        // Long leases: the whole suite runs in parallel on two threads, and this test is not about expiry.
        let (a, b, ma, mb, schema) = try await Self.fixture(ttl: .seconds(30))
        defer { try? PostgresAdmin.dropSchema(schema, on: try PostgresURL(PostgresServiceTests.server)) }
        // A starts leading (it takes the lead's lease); B's commands for the lead are handed to A.
        #expect(
            try await a.execute(
                .startLeading(user: "lead", portfolio: Fixed(10_000), profitShareRate: nil, slippageLimit: nil, followerLimit: nil)))
        #expect(try await ma.leases.holder(of: "lead") == "a")
        // A serves its inbox and renews its lease (2 s) while the test runs, however slow the machine is.
        let holder = Task {
            var renewed = ContinuousClock.now
            while !Task.isCancelled {
                _ = try? await a.serveInbox(leads: ["lead"])
                if renewed.duration(to: .now) > .milliseconds(300) {
                    _ = try? await ma.renew()
                    renewed = .now
                }
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
        defer { holder.cancel() }
        #expect(
            try await b.execute(
                .startCopy(StartCopyRequest(copyID: "c1", user: "alice", lead: "lead", investment: Fixed(1_000))), requestID: "alice:k1"))
        #expect(try await b.execute(Self.order(1_000), requestID: "lead:k2"))
        // A retry of the same request on either instance does nothing.
        #expect(try await !b.execute(Self.order(1_000), requestID: "lead:k2"))
        #expect(try await !a.execute(Self.order(1_000), requestID: "lead:k2"))
        // A refusal comes back from the holder with its code and field.
        await #expect(throws: EngineError.self) { try await b.execute(Self.order(100_000_000), requestID: "lead:k3") }
        do {
            _ = try await b.execute(Self.order(100_000_000), requestID: "lead:k4")
        } catch let error as EngineError {
            #expect(error.code == .insufficientFunds && error.field == "quoteAmount")
        }
        // Both replicas agree; the copy filled once.
        try await a.refresh()
        let engineA = a.read { $0 }
        let engineB = b.read { $0 }
        let fillsA = try await a.copyRows(engineA, engineA.copy(named: "c1")!).fills.count
        let fillsB = try await b.copyRows(engineB, engineB.copy(named: "c1")!).fills.count
        #expect(fillsA == 1 && fillsB == 1)
        #expect(try await mb.leases.holder(of: "lead") == "a")
    }

    @Test(.enabled(if: PostgresServiceTests.reachable, "no PostgreSQL server: skipped"))
    func aDeadHoldersLeadIsTakenOver() async throws {
        let (a, b, ma, mb, schema) = try await Self.fixture()
        defer { try? PostgresAdmin.dropSchema(schema, on: try PostgresURL(PostgresServiceTests.server)) }
        // A's lease is taken after this moment, so it cannot expire before 2 s from it. (Measured from here, not from
        // B's request: on a loaded machine the lease may already be near its end when B asks.)
        let clock = ContinuousClock()
        let beforeLease = clock.now
        #expect(
            try await a.execute(
                .startLeading(user: "lead", portfolio: Fixed(10_000), profitShareRate: nil, slippageLimit: nil, followerLimit: nil)))
        // A stops answering (it serves no inbox and renews nothing): B's request waits, takes the lead over when
        // A's lease expires (2 s), and executes it itself.
        #expect(try await b.execute(Self.order(1_000), requestID: "lead:k1"))
        let waited = beforeLease.duration(to: clock.now)
        // 1.5 s, not 2: the lease's clock is the database's, and the two clocks' ticks are read at slightly different
        // moments. Taking over before the lease ended would show as far less.
        #expect(waited >= .milliseconds(1_500) && waited < .seconds(40), "took \(waited)")
        // B took the lease (on a loaded machine its 2 s may have run out again since: B renews nothing here).
        #expect(try await mb.leases.lastHolder(of: "lead") == "b")
        #expect(try await ma.leases.renew().isEmpty)
        #expect(b.read { $0.leadFillCount } == 1)
    }

    /// A replica whose database write fails after its engine accepted a command cannot go on: its cluster loop gives
    /// its leases up at once (so another instance takes its leads over without waiting) and reports it.
    @Test(.enabled(if: PostgresServiceTests.reachable, "no PostgreSQL server: skipped"))
    func aBrokenReplicaGivesItsLeasesUp() async throws {
        // Long leases: the lead comes free because the broken replica gives it up, not because time passed.
        let (a, _, ma, mb, schema) = try await Self.fixture(ttl: .seconds(30))
        defer { try? PostgresAdmin.dropSchema(schema, on: try PostgresURL(PostgresServiceTests.server)) }
        #expect(
            try await a.execute(
                .startLeading(user: "lead", portfolio: Fixed(10_000), profitShareRate: nil, slippageLimit: nil, followerLimit: nil)))
        let loop = Task { await ma.run(a, logger: Logger(label: "a")) }
        #expect(try await mb.leases.holder(of: "lead") == "a")
        // The ledger table disappears under the replica: the next command is accepted in memory, its write fails.
        let admin = try PostgresSession(url: try PostgresURL(PostgresServiceTests.server).with(schema: schema))
        defer { admin.close() }
        try admin.query("ALTER TABLE ledger RENAME TO ledger_gone")
        await #expect(throws: StoreError.self) { try await a.execute(Self.order(1_000), requestID: "lead:k1") }
        #expect(await a.isBroken)
        #expect(await loop.value == false)
        #expect(try await mb.leases.holder(of: "lead") == nil)
    }

    @Test func leadOfEachCommand() throws {
        var engine = Engine()
        try engine.listSymbol(
            try Symbol(
                name: "BTC-USDT", qtyStep: try Fixed("0.00001"), priceTick: try Fixed("0.01"), minQty: try Fixed("0.00001"),
                minNotional: Fixed(5)), price: Fixed(50_000))
        for user in ["lead", "alice"] { try engine.addUser(user) }
        try engine.deposit(user: "lead", amount: Fixed(20_000), at: Moment(event: 0, time: 0))
        try engine.deposit(user: "alice", amount: Fixed(5_000), at: Moment(event: 1, time: 0))
        try engine.startLeading(
            user: "lead", portfolio: Fixed(10_000), profitShareRate: nil, slippageLimit: nil, at: Moment(event: 2, time: 0))
        try engine.startCopy(
            StartCopyRequest(copyID: "c1", user: "alice", lead: "lead", investment: Fixed(1_000)), at: Moment(event: 3, time: 0))
        #expect(EngineService.lead(of: Self.order(10), in: engine) == "lead")
        #expect(
            EngineService.lead(
                of: .order(OrderRequest(user: "alice", account: .main, symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(10))), in: engine)
                == nil)
        #expect(EngineService.lead(of: .adjustInvestment(copy: "c1", delta: Fixed(10)), in: engine) == "lead")
        #expect(EngineService.lead(of: .stopCopy(copy: "c1"), in: engine) == "lead")
        #expect(EngineService.lead(of: .price(symbol: "BTC-USDT", price: Fixed(1)), in: engine) == nil)
        #expect(EngineService.lead(of: .deposit(user: "alice", amount: Fixed(1)), in: engine) == nil)
    }
}

/// Several instances started with `--venue` on one PostgreSQL database: one holds the FIX session's lease and trades,
/// the other stands by, and takes the stored session over when the holder stops.
@Suite(.timeLimit(.minutes(1)))
struct ClusterVenueTests {
    @Test(
        .enabled(
            if: PostgresServiceTests.reachable && FIXVenueServiceTests.venue != nil, "needs SMARTSYNC_TEST_POSTGRES and SMARTSYNC_TEST_FIX")
    )
    func oneInstanceHoldsTheVenueSessionAndAnotherTakesItOver() async throws {
        let (a, b, ma, mb, schema) = try await ClusterTests.fixture(ttl: .seconds(2))
        defer { try? PostgresAdmin.dropSchema(schema, on: try PostgresURL(PostgresServiceTests.server)) }
        let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        try await a.executeBatch([
            .startLeading(user: "lead", portfolio: Fixed(10_000), profitShareRate: nil, slippageLimit: nil, followerLimit: nil),
            .startCopy(StartCopyRequest(copyID: "c1", user: "alice", lead: "lead", investment: Fixed(1_000))),
        ])
        // The executor accepts SMARTSYNC to SMARTSYNC4; the other suites use the first three.
        let address = try FIXVenueAddress("fix://\(FIXVenueServiceTests.venue!)?sender=SMARTSYNC4&target=VENUE")
        let loopA = Task { await ma.run(a, logger: Logger(label: "a")) }
        let loopB = Task { await mb.run(b, logger: Logger(label: "b")) }
        defer { loopB.cancel() }
        let venueA = Task {
            try await FIXVenueService(service: a, address: address, clock: clock, logger: Logger(label: "a"), membership: ma).run()
        }
        let key = FIXVenueService(service: a, address: address, clock: clock, logger: Logger(label: "a")).leaseKey
        while !ma.holds(key) || a.read({ $0.venueMode }) != .external { try await Task.sleep(for: .milliseconds(5)) }
        let venueB = Task {
            try await FIXVenueService(service: b, address: address, clock: clock, logger: Logger(label: "b"), membership: mb).run()
        }
        defer { venueB.cancel() }
        // B stands by: A keeps the session (renewed every second) while A's order and its copy's fill.
        #expect(
            try await a.execute(
                .order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quantity: try Fixed("0.02"), limitPrice: Fixed(50_000)))))
        while a.read({ $0.leadFillCount < 1 || $0.venueBook.isBusy(lead: 0) }) { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(2_500))
        #expect(try await mb.leases.holder(of: key) == "a" && !mb.holds(key))
        // A stops (its session ends and its leases are given up): B takes the session over, resuming its numbers,
        // and the next order goes out through B.
        venueA.cancel()
        loopA.cancel()
        _ = try? await venueA.value
        _ = await loopA.value
        while !mb.holds(key) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(
            try await b.execute(
                .order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .sell, quantity: try Fixed("0.01"), limitPrice: Fixed(50_500))),
                requestID: "lead:sell"))
        while b.read({ $0.leadFillCount < 2 || $0.venueBook.isBusy(lead: 0) }) { try await Task.sleep(for: .milliseconds(5)) }
        let engine = b.read { $0 }
        #expect(engine.venueBook.orders.count == 4 && engine.venueBook.open.isEmpty && engine.venueBook.refusals.isEmpty)
        #expect(Set(engine.venueBook.orders.map(\.clientOrderID)).count == 4)
        // The shared log replays to books that balance (what `smartsync audit` checks).
        let location = PostgresServiceTests.server + (PostgresServiceTests.server.contains("?") ? "&" : "?") + "schema=\(schema)"
        #expect(try StoreDatabase.openExisting(location).verify().isEmpty)
    }
}

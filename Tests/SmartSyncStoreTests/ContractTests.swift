import Foundation
import GRDB
import PostgresNIO
import SmartSyncBench
import SmartSyncCore
import SmartSyncScenario
import SmartSyncViews
import Synchronization
import Testing

@testable import SmartSyncStore

/// The PostgreSQL server the contract tests use: `SMARTSYNC_TEST_POSTGRES`, else the local one CI starts. Probed once
/// with a short timeout; nil when it cannot be reached (the PostgreSQL half of the suite is then skipped, saying so).
enum PostgresTestServer {
    static let configured =
        ProcessInfo.processInfo.environment["SMARTSYNC_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
        ?? "postgres://postgres:postgres@127.0.0.1:5432/postgres"

    static let reachable: Bool = {
        guard var url = try? PostgresURL(configured) else { return false }
        url.connectTimeout = 2
        guard let session = try? PostgresSession(url: url) else { return false }
        session.close()
        return true
    }()

    static var skipReason: Comment {
        Comment(
            rawValue:
                "no PostgreSQL server at \(StoreDatabase.describe(configured)): the PostgreSQL contract tests are skipped (set SMARTSYNC_TEST_POSTGRES to a reachable server)"
        )
    }
}

/// The backends the contract runs on: SQLite always, PostgreSQL when a server is reachable.
enum Backend: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    static var available: [Backend] { PostgresTestServer.reachable ? [.sqlite, .postgres] : [.sqlite] }

    var testDescription: String { rawValue }
}

/// A fresh, empty database of one backend, removed when the value goes away: a SQLite file in a new folder, or a
/// new schema (`?schema=t_…`) in the test server's database.
final class TestDatabase {
    let backend: Backend
    /// What `--db` would take (the PostgreSQL URL with its password).
    let location: String
    private let folder: URL?
    private let schema: String?
    /// SQLite: one log per file per process (the file is locked), shared by every engine of a test.
    private var sharedSQLiteLog: AnyCommandLog?

    init(_ backend: Backend) throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            let folder = try temporaryFolder()
            self.folder = folder
            schema = nil
            location = folder.appendingPathComponent("contract.sqlite").path
        case .postgres:
            folder = nil
            let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
            schema = name
            let base = PostgresTestServer.configured
            location = base + (base.contains("?") ? "&" : "?") + "schema=\(name)"
        }
    }

    deinit {
        sharedSQLiteLog = nil
        if let folder { try? FileManager.default.removeItem(at: folder) }
        if let schema, let url = try? PostgresURL(PostgresTestServer.configured) {
            try? PostgresAdmin.dropSchema(schema, on: url)
        }
    }

    /// Opens the database and replays it.
    func open(settings: Settings = Settings()) throws -> Store { try StoreDatabase.open(location, settings: settings) }

    /// A log for one more engine on the same database: a new connection on PostgreSQL, the same log object on
    /// SQLite (a file is opened once per process).
    func log() throws -> AnyCommandLog {
        switch backend {
        case .postgres:
            return try StoreDatabase.openLog(location)
        case .sqlite:
            if let log = sharedSQLiteLog { return log }
            let log = try StoreDatabase.openLog(location)
            sharedSQLiteLog = log
            return log
        }
    }

    /// Lets go of the shared SQLite log, so that the file can be opened anew once its engines are gone.
    func forgetLogs() { sharedSQLiteLog = nil }

    /// Runs SQL behind the store's back (tampering, future schemas).
    func execute(_ sql: String) throws {
        switch backend {
        case .sqlite:
            let queue = try DatabaseQueue(path: location)
            try queue.write { db in try db.execute(sql: sql) }
            try queue.close()
        case .postgres:
            let session = try PostgresSession(url: try PostgresURL(location))
            defer { session.close() }
            try session.query(PostgresQuery(unsafeSQL: sql))
        }
    }

    /// The table that records applied schema steps.
    var migrationsTable: String { backend == .sqlite ? "grdb_migrations" : "schema_migrations" }
}

private func buy(quote: Int = 1_000) -> EngineCommand {
    .order(OrderRequest(user: FanOutFixture.lead, symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(quote)))
}

private func sell(_ quantity: String) throws -> EngineCommand {
    .order(OrderRequest(user: FanOutFixture.lead, symbol: "BTC-USDT", side: .sell, quantity: try Fixed(quantity)))
}

private func report(_ engine: Engine) -> String { ScenarioReport.json(engine).serialized() }

/// One contract, both backends: what `DurableEngine` and every `CommandLog` promise.
@Suite(.timeLimit(.minutes(2)))
struct CommandLogContractTests {
    @Test(.enabled(if: PostgresTestServer.reachable, PostgresTestServer.skipReason))
    func postgresServerIsReachable() {
        #expect(Backend.available.contains(.postgres))
    }

    @Test(arguments: Backend.available)
    func appendThenReplayGivesTheSameEngine(_ backend: Backend) throws {
        for name in ["quickstart.json", "lifecycle.json"] {
            let database = try TestDatabase(backend)
            let scenario = try loadScenario(name)
            var memory = try ScenarioRunner(scenario)
            try memory.runAll()
            do {
                var durable = try ScenarioPlayer(scenario, host: try database.open(settings: scenario.settings))
                try durable.runAll()
                #expect(report(durable.engine) == report(memory.engine))
            }
            let reopened = try database.open()
            #expect(reopened.engine.settings == scenario.settings)
            #expect(report(reopened.engine) == report(memory.engine))
            #expect(try reopened.verify().isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func fanOutReplaysRowForRow(_ backend: Backend) throws {
        let database = try TestDatabase(backend)
        let expected: String
        do {
            let store = try Store(log: try database.log())
            // PostgreSQL: these fan-outs (about 300 fills) go by COPY, the path of large ones.
            (store.log.base as? PostgresCommandLog)?.copyThreshold = 100
            try store.executeBatch(try FanOutFixture.commands(copies: 300).map { ($0.0, $0.1, nil) })
            let behind = try Store(log: try database.log())
            let orders = try FanOutFixture.orders()
            for (k, o) in orders.enumerated() {
                try store.execute(.order(o), at: Moment(event: 10 + k, time: Int64(k)))
            }
            // A refused fan-out writes none of its rows.
            #expect {
                try behind.execute(.order(orders[0]), at: Moment(event: 99, time: 99))
            } throws: { error in
                guard case StoreError.behind(_, let expected, let found) = error else { return false }
                return expected == store.commandCount - orders.count && found == store.commandCount
            }
            expected = report(store.engine)
            #expect(try store.verify().isEmpty)
        }
        database.forgetLogs()
        let reopened = try database.open()
        #expect(report(reopened.engine) == expected)
        #expect(try reopened.verify().isEmpty)
    }

    @Test(arguments: Backend.available)
    func refusedCommandOrBatchWritesNothing(_ backend: Backend) throws {
        let database = try TestDatabase(backend)
        do {
            let store = try database.open()
            try store.execute(.addUser("a"), at: Moment(event: 0, time: 0))
            #expect(throws: EngineError.self) {
                try store.execute(.deposit(user: "nobody", amount: Fixed(5)), at: Moment(event: 1, time: 0))
            }
            #expect(store.commandCount == 1)
            #expect(throws: EngineError.self) {
                try store.executeBatch([
                    (.addUser("b"), Moment(event: 2, time: 0), nil),
                    (.deposit(user: "b", amount: Fixed(5)), Moment(event: 3, time: 0), nil),
                    (.addUser("a"), Moment(event: 4, time: 0), nil),
                ])
            }
            #expect(store.commandCount == 1)
            #expect(store.engine.user(named: "b") == nil)
        }
        let reopened = try database.open()
        #expect(reopened.commandCount == 1)
        #expect(reopened.engine.user(named: "b") == nil)
        #expect(try reopened.verify().isEmpty)
    }

    @Test(arguments: Backend.available)
    func requestIDsMakeRetriesNoOpsAcrossRestarts(_ backend: Backend) throws {
        let database = try TestDatabase(backend)
        let buyOrder = buy()
        let commands: Int
        do {
            let store = try database.open()
            try store.executeBatch(try FanOutFixture.commands(copies: 20).map { ($0.0, $0.1, nil) })
            #expect(try store.execute(buyOrder, at: Moment(event: 5, time: 5), requestID: "retry-1") != nil)
            let journal = store.engine.journal.count
            #expect(try store.execute(buyOrder, at: Moment(event: 5, time: 5), requestID: "retry-1") == nil)
            #expect(store.engine.journal.count == journal)
            // In a batch, a seen id and a repeated one are skipped; the rest applies.
            #expect(
                try store.executeBatch([
                    (buyOrder, Moment(event: 6, time: 6), "retry-1"), (.addUser("x"), Moment(event: 6, time: 6), "batch-1"),
                    (.addUser("y"), Moment(event: 6, time: 6), "batch-1"),
                ]).count == 1)
            commands = store.commandCount
        }
        let reopened = try database.open()
        #expect(try reopened.hasApplied(requestID: "retry-1"))
        #expect(try reopened.hasApplied(requestID: "batch-1"))
        #expect(try reopened.execute(buyOrder, at: Moment(event: 7, time: 7), requestID: "retry-1") == nil)
        #expect(reopened.commandCount == commands)
        #expect(reopened.engine.user(named: "y") == nil)
    }

    @Test(arguments: Backend.available)
    func ledgerComparisonFindsTamperedRows(_ backend: Backend) throws {
        let database = try TestDatabase(backend)
        do {
            let store = try database.open()
            try store.executeBatch(try FanOutFixture.commands(copies: 30).map { ($0.0, $0.1, nil) })
            #expect(try store.verify().isEmpty)
        }
        try database.execute(#"DELETE FROM copy_fills WHERE "row" = 3"#)
        try database.execute(#"UPDATE copy_fills SET fee = fee + 1 WHERE "row" = 5"#)
        try database.execute("UPDATE ledger SET body = body || ' x' WHERE seq = 0")
        let problems = try database.open().verify()
        #expect(problems.contains { $0.contains("copy fills stored") })
        #expect(problems.contains { $0.contains("copy fill 5 differs") })
        #expect(problems.contains { $0.contains("ledger entry 0 differs") })
    }

    @Test(arguments: Backend.available)
    func apiKeysAreStoredHashed(_ backend: Backend) async throws {
        let database = try TestDatabase(backend)
        let store = try database.open()
        let keys = try store.log.apiKeys()
        #expect(try await keys.count() == 0)
        let alice = try await keys.issue(user: "alice", role: "user")
        let op = try await keys.issue(user: "operator", role: "operator")
        #expect(alice != op && alice.hasPrefix("ssk_") && alice.count == 36)
        #expect(try await keys.count() == 2)
        #expect(try await keys.lookup(key: alice)?.user == "alice")
        #expect(try await keys.lookup(key: alice)?.role == "user")
        #expect(try await keys.lookup(key: op)?.role == "operator")
        #expect(try await keys.lookup(key: "ssk_not-a-key") == nil)
        // Only the hash is stored: a key whose hash row is changed no longer resolves.
        try database.execute("UPDATE api_keys SET hash = 'x' || hash WHERE hash = '\(SHA256.hex(alice))'")
        #expect(try await keys.lookup(key: alice) == nil)
    }

    /// Webhooks and their delivery log: numbered, per user, removed with their log, pending ones found again.
    @Test(arguments: Backend.available)
    func hooksAndTheirDeliveryLog(_ backend: Backend) async throws {
        let database = try TestDatabase(backend)
        let store = try database.open()
        let hooks = try store.log.hooks()
        #expect(try await hooks.hooks(user: nil).isEmpty)
        let a = try await hooks.add(
            StoredHook(
                user: "alice", url: "https://a.example/x", events: ["copyStopped", "trackingGap"], secret: "s1", trackingGap: "2.5",
                created: 10))
        let b = try await hooks.add(
            StoredHook(user: "bob", url: "https://b.example/", events: ["copyOrderFailed"], secret: "s2", trackingGap: nil, created: 11))
        #expect(a.n > 0 && b.n > a.n)
        #expect(try await hooks.hooks(user: "alice") == [a])
        #expect(try await hooks.hooks(user: nil) == [a, b])
        let d1 = try #require(
            try await hooks.record(StoredDelivery(hook: a.n, type: "copyStopped", body: #"{"x":1}"#, created: 20, updated: 20)))
        var d2 = try #require(
            try await hooks.record(StoredDelivery(hook: a.n, type: "trackingGap", body: #"{"x":2}"#, created: 21, updated: 21)))
        let d3 = try #require(
            try await hooks.record(StoredDelivery(hook: b.n, type: "copyOrderFailed", body: "{}", created: 22, updated: 22)))
        #expect(d2.n > d1.n && d3.n > d2.n)
        d2.status = .delivered
        d2.attempts = 2
        d2.responseStatus = 204
        d2.updated = 30
        try await hooks.update(d2)
        #expect(try await hooks.deliveries(hook: a.n, before: nil, limit: 10) == [d2, d1])
        #expect(try await hooks.deliveries(hook: a.n, before: d2.n, limit: 10) == [d1])
        #expect(try await hooks.deliveries(hook: a.n, before: nil, limit: 1) == [d2])
        #expect(try await hooks.pending() == [d1, d3])
        // Only the owner removes a hook; its log goes with it.
        #expect(try await hooks.remove(a.n, user: "bob") == false)
        #expect(try await hooks.remove(a.n, user: "alice"))
        #expect(try await hooks.hooks(user: nil) == [b])
        #expect(try await hooks.deliveries(hook: a.n, before: nil, limit: 10).isEmpty)
        #expect(try await hooks.pending() == [d3])
        // A delivery for a removed hook is not logged.
        #expect(try await hooks.record(StoredDelivery(hook: a.n, type: "copyStopped", body: "{}", created: 40, updated: 40)) == nil)
        #expect(try await hooks.pending() == [d3])
    }

    @Test(arguments: Backend.available)
    func forEachCommandFromASequenceNumber(_ backend: Backend) throws {
        let database = try TestDatabase(backend)
        let store = try database.open()
        for i in 0..<7 { try store.execute(.addUser("u\(i)"), at: Moment(event: i, time: Int64(i)), requestID: i == 4 ? "four" : nil) }
        var seen: [CommandRecord] = []
        try store.log.forEachCommand(from: 4) { seen.append($0) }
        #expect(seen.map(\.seq) == [4, 5, 6])
        #expect(seen.first?.requestID == "four" && seen.last?.requestID == nil)
        #expect(seen.map(\.command) == (4..<7).map { EngineCommand.addUser("u\($0)") })
        #expect(seen.last?.moment == Moment(event: 6, time: 6))
        var all = 0
        try store.log.forEachCommand { _ in all += 1 }
        #expect(all == 7)
        var none = 0
        try store.log.forEachCommand(from: 7) { _ in none += 1 }
        #expect(none == 0)
    }

    @Test(arguments: Backend.available)
    func appendRefusesABatchThatDoesNotContinueTheLog(_ backend: Backend) throws {
        let database = try TestDatabase(backend)
        let first = try Store(log: try database.log())
        let second = try Store(log: try database.log())
        try first.execute(.addUser("a"), at: Moment(event: 0, time: 0))
        // `second` still believes the log is empty: its append is refused and nothing of it is written.
        #expect {
            try second.execute(.addUser("b"), at: Moment(event: 0, time: 0))
        } throws: { error in
            guard case StoreError.behind(_, let expected, let found) = error else { return false }
            return expected == 0 && found == 1
        }
        // Memory ran ahead of the log: the engine refuses further work until reopened.
        #expect(throws: StoreError.self) { try second.execute(.addUser("c"), at: Moment(event: 1, time: 0)) }
        // A direct append past the end is refused too.
        #expect {
            try first.log.append(
                [CommandRecord(seq: 5, requestID: nil, moment: Moment(event: 5, time: 0), command: .addUser("z"))],
                outcomes: [CommandOutcome(moment: Moment(event: 5, time: 0), journalStart: 0, failedOrdersStart: 0)])
        } throws: { error in
            guard case StoreError.behind(_, 5, 1) = error else { return false }
            return true
        }
        var seqs: [Int] = []
        try first.log.forEachCommand { seqs.append($0.seq) }
        #expect(seqs == [0])
        #expect(first.engine.user(named: "b") == nil)
        try first.execute(.addUser("d"), at: Moment(event: 1, time: 0))
        #expect(try first.verify().isEmpty)
    }

    @Test(arguments: Backend.available)
    func catchUpAppliesWhatAnotherEngineAppended(_ backend: Backend) throws {
        let database = try TestDatabase(backend)
        let a = try Store(log: try database.log())
        let b = try Store(log: try database.log())
        #expect(try b.catchUp() == 0)
        try a.executeBatch(try FanOutFixture.commands(copies: 40).map { ($0.0, $0.1, nil) })
        try a.execute(buy(quote: 20_000), at: Moment(event: 10, time: 10), requestID: "a-buy")
        let appended = a.commandCount
        #expect(try b.catchUp() == appended)
        #expect(b.commandCount == appended)
        #expect(report(b.engine) == report(a.engine))
        #expect(try b.hasApplied(requestID: "a-buy"))
        // b writes next, as the only writer; its ledger rows continue a's.
        try b.withWriteLock {
            #expect(try b.execute(buy(quote: 20_000), at: Moment(event: 11, time: 11), requestID: "a-buy") == nil)
            try b.execute(try sell("0.1"), at: Moment(event: 11, time: 11), requestID: "b-sell")
        }
        #expect(try a.catchUp() == 1)
        #expect(report(a.engine) == report(b.engine))
        #expect(try a.verify().isEmpty)
        #expect(try b.verify().isEmpty)
        // A third engine opened now replays the same state.
        let c = try Store(log: try database.log())
        #expect(report(c.engine) == report(a.engine))
    }

    /// A server's writer awaits the database (`commit`, `catchUpAwaiting`, `whileWriting`): the same rows, the same
    /// refusals and the same exactly-once as the blocking path the tools use.
    @Test(arguments: Backend.available)
    func theAwaitingPathWritesWhatTheBlockingOneDoes(_ backend: Backend) async throws {
        let database = try TestDatabase(backend)
        // The same commands through the blocking path, on a database of their own.
        let blockingDatabase = try TestDatabase(backend)
        let blocking = try blockingDatabase.open()
        do {
            let store = try Store(log: try database.log())
            // PostgreSQL: fan-outs of about 300 fills go by COPY inside the transaction, the path of large ones.
            (store.log.base as? PostgresCommandLog)?.copyThreshold = 100
            let setup = try FanOutFixture.commands(copies: 300).map { ($0.0, $0.1, String?.none) }
            try await store.commitBatch(setup)
            try blocking.executeBatch(setup)
            let behind = try Store(log: try database.log())
            let follower = try Store(log: try database.log())
            let orders = try FanOutFixture.orders()
            for (k, o) in orders.enumerated() {
                let moment = Moment(event: 10 + k, time: Int64(k))
                #expect(try await store.commit(.order(o), at: moment, requestID: "order-\(k)") != nil)
                try blocking.execute(.order(o), at: moment, requestID: "order-\(k)")
            }
            // A retry is a no-op, found in the database.
            #expect(try await store.commit(.order(orders[0]), at: Moment(event: 50, time: 50), requestID: "order-0") == nil)
            #expect(try await store.storedRequest("order-1")?.command == .order(orders[1]))
            #expect(try await store.storedRequest("never") == nil)
            #expect(report(store.engine) == report(blocking.engine))
            // A writer that is behind writes none of its rows, and says where the log is.
            await #expect {
                try await behind.commit(.order(orders[0]), at: Moment(event: 99, time: 99), requestID: nil)
            } throws: { error in
                guard case StoreError.behind(_, let expected, let found) = error else { return false }
                return expected == setup.count && found == store.commandCount
            }
            // Another engine catches up through the awaiting reads, telling what each command did.
            var told = 0
            #expect(try await follower.catchUpAwaiting(each: { _, _ in told += 1 }) == orders.count)
            #expect(told == orders.count)
            #expect(report(follower.engine) == report(store.engine))
            let page = try await store.log.commands(from: 1, limit: 2)
            #expect(page.map(\.seq) == [1, 2])
            #expect(try await store.log.commands(from: store.commandCount, limit: 10).isEmpty)
            #expect(try store.verify().isEmpty)
        }
        database.forgetLogs()
        let reopened = try database.open()
        #expect(report(reopened.engine) == report(blocking.engine))
        #expect(try reopened.verify().isEmpty)
    }

    /// The awaiting writer's lock: one instance's body runs while another's waits for it (PostgreSQL's advisory
    /// lock on a pooled connection; SQLite's file is one process's).
    @Test(arguments: Backend.available)
    func theAwaitingWriteLockIsExclusive(_ backend: Backend) async throws {
        let database = try TestDatabase(backend)
        let log = try database.log()
        #expect(try await log.whileWriting(isolation: #isolation) { 42 } == 42)
        await #expect(throws: StoreError.self) {
            try await log.whileWriting(isolation: #isolation) { throw StoreError.broken(path: "test") }
        }
        // The lock was released after the error: taking it again does not wait.
        #expect(try await log.whileWriting(isolation: #isolation) { true })
        guard backend == .postgres else { return }
        let other = try PostgresCommandLog(url: database.location)
        let events = EventList()
        let first = try await log.whileWriting(isolation: #isolation) {
            let waiter = Task { [other, events] in
                try await other.whileWriting(isolation: nil) { events.append("other has the lock") }
            }
            try await Task.sleep(for: .milliseconds(300))
            events.append("first releases")
            return waiter
        }
        try await first.value
        #expect(events.all == ["first releases", "other has the lock"])
        // With a lock timeout (several instances), a writer that waits too long is refused, having done nothing.
        other.lockTimeout = "200ms"
        _ = try await log.whileWriting(isolation: #isolation) {
            await #expect {
                try await other.whileWriting(isolation: nil) { events.append("ran without the lock") }
            } throws: { error in
                guard case StoreError.io(_, let detail) = error else { return false }
                return detail.contains("55P03")
            }
        }
        #expect(!events.all.contains("ran without the lock"))
    }

    @Test(arguments: Backend.available)
    func writeLockIsReentrantAndExclusive(_ backend: Backend) throws {
        let database = try TestDatabase(backend)
        let log = try database.log()
        let value = try log.withWriteLock { try log.withWriteLock { 42 } }
        #expect(value == 42)
        #expect(throws: StoreError.self) { try log.withWriteLock { throw StoreError.broken(path: "test") } }
        // The lock was released after the error: taking it again does not wait.
        #expect(try log.withWriteLock { true })
        guard backend == .postgres else { return }
        // Another connection waits while this one holds the lock.
        let other = try PostgresCommandLog(url: database.location)
        let events = Mutex<[String]>([])
        try log.withWriteLock {
            let thread = Thread {
                _ = try? other.withWriteLock { events.withLock { $0.append("other has the lock") } }
            }
            thread.start()
            Thread.sleep(forTimeInterval: 0.3)
            events.withLock { $0.append("first releases") }
        }
        let deadline = Date().addingTimeInterval(10)
        while events.withLock({ $0.count }) < 2 && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(events.withLock { $0 } == ["first releases", "other has the lock"])
    }

    @Test(arguments: Backend.available)
    func newerSchemaIsRefusedAndLeftAlone(_ backend: Backend) throws {
        let database = try TestDatabase(backend)
        do {
            let store = try database.open()
            try store.execute(.addUser("a"), at: Moment(event: 0, time: 0))
        }
        try database.execute("INSERT INTO \(database.migrationsTable) (identifier) VALUES ('v99-from-the-future')")
        #expect {
            _ = try database.open()
        } throws: { error in
            guard case StoreError.newerSchema(_, let unknown) = error else { return false }
            return unknown == ["v99-from-the-future"]
        }
        try database.execute("DELETE FROM \(database.migrationsTable) WHERE identifier = 'v99-from-the-future'")
        #expect(try database.open().commandCount == 1)
    }
}

/// PostgreSQL only: opening, URLs and the messages a person sees.
@Suite(.enabled(if: PostgresTestServer.reachable, PostgresTestServer.skipReason), .timeLimit(.minutes(1)))
struct PostgresOpeningTests {
    @Test func foreignTablesAreRefusedAndLeftAlone() throws {
        let database = try TestDatabase(.postgres)
        _ = try database.open()  // creates the schema
        try database.execute("DROP TABLE schema_migrations")
        try database.execute("CREATE TABLE shopping (item text)")
        #expect {
            _ = try database.open()
        } throws: { error in
            guard case StoreError.notADatabase = error else { return false }
            return true
        }
        try database.execute("SELECT count(*) FROM shopping")
    }

    @Test func wrongPasswordAndUnreachableServerAreNamedWithoutThePassword() throws {
        let url = try PostgresURL(PostgresTestServer.configured)
        var wrong = url
        wrong.password = "definitely-not-the-password"
        let wrongText = "postgres://\(url.user):definitely-not-the-password@\(url.host ?? "127.0.0.1"):\(url.port)/\(url.database)"
        #expect {
            _ = try StoreDatabase.open(wrongText)
        } throws: { error in
            let text = "\(error)"
            guard case StoreError.accessDenied = error else { return false }
            return !text.contains("definitely-not-the-password") && text.contains("@")
        }
        #expect {
            _ = try StoreDatabase.open("postgres://u:secret-pw@127.0.0.1:1/db?connect_timeout=2")
        } throws: { error in
            let text = "\(error)"
            guard case StoreError.unreachable = error else { return false }
            return !text.contains("secret-pw") && text.contains("postgres://u@127.0.0.1:1/db")
        }
        _ = wrong
    }

    @Test func twoEnginesStartingTogetherMigrateOnce() throws {
        let database = try TestDatabase(.postgres)
        let results = Mutex<[Bool]>([])
        let location = database.location
        let threads = (0..<3).map { _ in
            Thread {
                let ok = (try? StoreDatabase.openLog(location)) != nil
                results.withLock { $0.append(ok) }
            }
        }
        for t in threads { t.start() }
        let deadline = Date().addingTimeInterval(20)
        while results.withLock({ $0.count }) < 3 && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(results.withLock { $0 } == [true, true, true])
        _ = try database.open()
    }
}

/// Database strings, without a server.
@Suite struct DatabaseStringTests {
    @Test func urlsParse() throws {
        let u = try PostgresURL("postgresql://sam:p%40ss@db.example:6543/ledger?sslmode=disable&connect_timeout=3&schema=smartsync")
        #expect(u.user == "sam" && u.password == "p@ss" && u.host == "db.example" && u.port == 6543)
        #expect(u.database == "ledger" && u.sslMode == .disable && u.connectTimeout == 3 && u.schema == "smartsync")
        #expect(u.description == "postgres://sam@db.example:6543/ledger?schema=smartsync")
        let d = try PostgresURL("postgres://localhost")
        #expect(d.user == "postgres" && d.database == "postgres" && d.port == 5432 && d.password == nil)
        let v6 = try PostgresURL("postgres://a:b@[::1]:5433/x")
        #expect(v6.host == "::1" && v6.description == "postgres://a@[::1]:5433/x")
        for bad in ["postgres://a:b@h/x?sslmode=maybe", "postgres://a:b@h:0/x", "postgres://a:b@h/x?colour=red", "postgres://a:b@h/x/y"] {
            #expect(throws: StoreError.self) { _ = try PostgresURL(bad) }
        }
        #expect(PostgresURL.redact("postgres://a:secret@h/x") == "postgres://a:***@h/x")
        #expect(throws: StoreError.self) { _ = try StoreDatabase.openLog("mysql://a:b@h/x") }
        #expect(StoreDatabase.location(nil, environment: ["DATABASE_URL": "postgres://x"]) == "postgres://x")
        #expect(StoreDatabase.location("f.sqlite", environment: ["DATABASE_URL": "postgres://x"]) == "f.sqlite")
        #expect(StoreDatabase.location(nil, environment: [:], fallback: "s.sqlite") == "s.sqlite")
    }
}

/// Events in the order they happened, from any task.
final class EventList: Sendable {
    private let list = Mutex<[String]>([])
    func append(_ event: String) { list.withLock { $0.append(event) } }
    var all: [String] { list.withLock { $0 } }
}

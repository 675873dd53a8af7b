import Foundation
import SmartSyncCore
import SmartSyncScenario
import SmartSyncViews
import Testing

@testable import SmartSyncStore

#if canImport(Glibc)
    import Glibc
#endif

/// History lives in the database: an engine that releases it keeps no copy-fill row or failed order in memory, and
/// reads every copy's past back from the database exactly as an engine that keeps it holds it.
@Suite(.timeLimit(.minutes(2)))
struct HistoryInTheDatabaseTests {
    /// Each copy's rows from the database, beside an in-memory run of the same scenario; the counts of what was
    /// compared, so a test can show it compared something.
    /// A stopped copy released from memory is read back from its frozen row (`Engine.viewing(frozen:of:)`), and
    /// its whole view must equal the in-memory run's.
    static func compare(_ releasing: Engine, reader: any HistoryReader, memory: Engine) async throws -> (
        fills: Int, shares: Int, failures: Int, released: Int, orders: Int
    ) {
        var counts = (fills: 0, shares: 0, failures: 0, released: 0, orders: 0)
        // Every order, a released one from its stored row; and each user's orders page by page from the database.
        for id in 1...max(1, memory.orderCount) where memory.orderCount > 0 {
            var order = releasing.order(id: id)
            if releasing.isReleased(orderID: id) {
                let bytes = try #require(try await reader.order(id: id), "order \(id)")
                order = try releasing.order(stored: bytes)
                counts.orders += 1
                let placed = try #require(try await reader.order(placedAt: memory.order(id: id)?.event ?? -1))
                #expect(try releasing.order(stored: placed) == order)
            }
            #expect(order == memory.order(id: id), "order \(id)")
        }
        // Each lead's view (returns, sparkline, its curve whole, sampled and from an event) from the database.
        for l in memory.leads.indices {
            for (points, from) in [(0, 0), (nil, 0), (3, 0), (1, 0), (nil, 5), (2, 6), (nil, 1_000_000)] as [(Int?, Int)] {
                let request = APIViews.leadCurveRequest(releasing, l, curvePoints: points, curveFrom: from)
                let read = try await reader.leadCurveRead(request)
                #expect(
                    APIViews.lead(releasing, l, curvePoints: points, curveFrom: from, curve: read)
                        == APIViews.lead(memory, l, curvePoints: points, curveFrom: from), "lead \(l) \(String(describing: points)) \(from)"
                )
            }
        }
        // Each lead's fills: every one by id, and page by page back from the latest.
        let fills = memory.leadFillsInMemory
        let byID = try await reader.leadFills(ids: fills.map(\.fill.id))
        #expect(Set(byID) == Set(fills) && byID.count == fills.count)
        for l in memory.leads.indices {
            let inMemory = releasing.leadFillsInMemory.filter { $0.fill.lead == l }
            var seen = inMemory
            var before = inMemory.first?.fill.event ?? Int.max
            while true {
                let page = try await reader.leadFills(
                    lead: l, below: inMemory.first?.n ?? releasing.leadFillCount(of: l), before: before, limit: 2)
                guard let first = page.first else { break }
                seen = page + seen
                before = first.fill.event
            }
            // A page ends at an event: fills of one event on both sides of a page's edge would be skipped, so the
            // scenario has one lead fill per event, and this checks it too.
            #expect(seen == fills.filter { $0.fill.lead == l }, "lead \(l)")
        }
        for u in memory.users.indices {
            var seen: [PlacedOrder] = []
            var before = Int.max
            while true {
                let stored = try await reader.orders(user: u, before: before, limit: 2).map { try releasing.order(stored: $0) }
                let page = releasing.ordersPage(user: u, before: before, limit: 2, all: true, stored: stored)
                guard let last = page.last else { break }
                seen += page
                before = last.id
            }
            #expect(seen == memory.orders.reversed().filter { $0.user == u }, "user \(u)")
        }
        let copies = memory.allCopies
        // The curve reads a few rows per copy: at most about 200 copies' curves are compared.
        let curveStride = max(1, copies.count / 200)
        for (n, ref) in copies.enumerated() {
            var engine = releasing
            if releasing.isReleased(ref) {
                let bytes = try #require(try await reader.frozenCopy(lead: ref.lead, slot: ref.slot), "copy \(memory.copyID(of: ref))")
                engine = try releasing.viewing(frozen: bytes, of: ref)
                counts.released += 1
            }
            #expect(engine.copyView(ref) == memory.copyView(ref), "copy \(memory.copyID(of: ref))")
            #expect(engine.copyHistory(ref) == memory.copyHistory(ref))
            let stored = try await reader.copyRows(engine.copyRowsRequest(ref))
            // The rows as memory holds them, and each fill's batch header as the journal had it.
            var rows = stored
            rows.headers = [:]
            #expect(rows == memory.copyRows(ref), "copy \(memory.leads[ref.lead].book[ref.slot].id)")
            for fill in stored.fills {
                guard case .copyFills(let batch) = memory.journal[fill.position] else {
                    Issue.record("no copy-fill batch at \(fill.position)")
                    continue
                }
                #expect(stored.headers[fill.position] == CopyFillHeader(batch))
            }
            #expect(engine.copyFills(ref, rows: stored) == memory.copyFills(ref))
            // The curve, valued at its lead's points and the prices read from the database.
            if n % curveStride == 0 {
                let curve = try await reader.curveRows(engine.curveRowsRequest(ref))
                #expect(engine.copyEquityCurve(ref, rows: stored, curve: curve) == memory.copyEquityCurve(ref))
            }
            // The copy's counters (what its summary shows without reading history) agree with its history.
            let book = engine.leads[ref.lead].book
            #expect(book[ref.slot].fillCount == stored.fills.count)
            let grouped = Dictionary(grouping: stored.failures, by: \.reason)
            #expect(
                book.failureSummary(ref.slot).map { "\($0.reason) \($0.count) \($0.lastEvent)" }.sorted()
                    == grouped.map { "\($0.key) \($0.value.count) \($0.value.map { Int($0.event) }.max()!)" }.sorted())
            counts.fills += stored.fills.count
            counts.shares += stored.profitShares.count
            counts.failures += stored.failures.count
        }
        return counts
    }

    /// Where PostgreSQL databases' snapshots go in these tests: one folder for the process, set once (the variable
    /// is the process's, and tests run side by side; each database's snapshots are in a folder named by its id).
    static let snapshotFolder: URL = {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("smartsync-test-snapshots-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        setenv(StoreDatabase.snapshotDirectoryVariable, folder.path, 1)
        return folder
    }()

    /// No copy-fill row, failed order or final order is left in memory.
    static func holdsNoHistory(_ engine: Engine) -> Bool {
        engine.historyInStore && engine.failedOrders.isEmpty && engine.finalOrdersInMemory.isEmpty
            && engine.journal.entriesInMemory.allSatisfy { _, entry in
                guard case .copyFills(let b) = entry else { return true }
                return b.slots.isEmpty && b.profitShareSlots.isEmpty
            }
    }

    @Test(arguments: Backend.available)
    func aReleasingEngineReadsEveryCopysPastFromTheDatabase(_ backend: Backend) async throws {
        var total = (fills: 0, shares: 0, failures: 0, released: 0, orders: 0)
        for name in ["quickstart.json", "lifecycle.json"] {
            let database = try TestDatabase(backend)
            let scenario = try loadScenario(name)
            var memory = try ScenarioRunner(scenario)
            try memory.runAll()
            do {
                var durable = try ScenarioPlayer(
                    scenario, host: try StoreDatabase.open(database.location, settings: scenario.settings, releaseHistory: true))
                try durable.runAll()
                #expect(Self.holdsNoHistory(durable.engine))
                #expect(durable.engine.failedOrderCount == memory.engine.failedOrders.count)
                let counts = try await Self.compare(durable.engine, reader: try durable.host.historyReader(), memory: memory.engine)
                total = (
                    total.fills + counts.fills, total.shares + counts.shares, total.failures + counts.failures,
                    total.released + counts.released, total.orders + counts.orders
                )
                #expect(durable.engine.stoppedCopiesInMemory.isEmpty)
            }
            // Reopened (replayed, releasing as it goes): the same.
            let reopened = try StoreDatabase.open(database.location, releaseHistory: true)
            #expect(Self.holdsNoHistory(reopened.engine))
            #expect(reopened.engine.stoppedCopiesInMemory.isEmpty)
            _ = try await Self.compare(reopened.engine, reader: try reopened.historyReader(), memory: memory.engine)
        }
        // The scenarios have copy fills, profit share, failed copy orders and stopped copies: all were compared.
        #expect(total.fills > 0 && total.shares > 0 && total.failures > 0 && total.released > 0 && total.orders > 0)
    }

    /// What an older SmartSync left: the scenario `name` run on a database, then `table` emptied (or `erase` run) and
    /// the mark its migration sets (`mark`: the commands before it) in `meta`; with an in-memory run of the scenario to
    /// compare.
    static func olderDatabase(_ backend: Backend, _ name: String, without table: String, erase: [String]? = nil, mark: String) throws -> (
        TestDatabase, ScenarioRunner
    ) {
        let database = try TestDatabase(backend)
        let scenario = try loadScenario(name)
        var memory = try ScenarioRunner(scenario)
        try memory.runAll()
        let commands: Int
        do {
            var durable = try ScenarioPlayer(scenario, host: try database.open(settings: scenario.settings))
            try durable.runAll()
            commands = durable.host.commandCount
        }
        database.forgetLogs()
        for statement in erase ?? ["DELETE FROM \(table)"] { try database.execute(statement) }
        try database.execute("UPDATE meta SET value = '\(commands)' WHERE key = '\(mark)'")
        return (database, memory)
    }

    /// A database from before stopped copies were stored: its first open that releases history stores them from
    /// its replay, once, then reads them from the database like any other.
    @Test(arguments: Backend.available)
    func aDatabaseFromBeforeStoppedCopiesWereStoredGetsThemOnce(_ backend: Backend) async throws {
        let (database, memory) = try Self.olderDatabase(backend, "lifecycle.json", without: "stopped_copies", mark: "stopped_copies_from")
        var warnings: [String] = []
        let reopened = try StoreDatabase.open(database.location, releaseHistory: true, warn: { warnings.append($0) })
        #expect(try !reopened.log.frozenCopiesMissing())
        #expect(reopened.engine.stoppedCopiesInMemory.isEmpty && reopened.engine.releasedCopyCount > 0)
        #expect(warnings.contains { $0.contains("stopped copies are now kept in the database") }, "\(warnings)")
        let counts = try await Self.compare(reopened.engine, reader: try reopened.historyReader(), memory: memory.engine)
        #expect(counts.released == reopened.engine.releasedCopyCount)
    }

    /// A database from before final orders were stored: the same, for its orders.
    @Test(arguments: Backend.available)
    func aDatabaseFromBeforeOrdersWereStoredGetsThemOnce(_ backend: Backend) async throws {
        let (database, memory) = try Self.olderDatabase(backend, "quickstart.json", without: "orders", mark: "orders_from")
        var warnings: [String] = []
        let reopened = try StoreDatabase.open(database.location, releaseHistory: true, warn: { warnings.append($0) })
        #expect(try !reopened.log.ordersMissing())
        #expect(reopened.engine.finalOrdersInMemory.isEmpty)
        #expect(warnings.contains { $0.contains("final orders are now kept in the database") }, "\(warnings)")
        let counts = try await Self.compare(reopened.engine, reader: try reopened.historyReader(), memory: memory.engine)
        #expect(counts.orders == memory.engine.finalOrdersInMemory.count && counts.orders > 0)
    }

    /// A database from before lead fills were stored whole: its rows have only their ids until then.
    @Test(arguments: Backend.available)
    func aDatabaseFromBeforeLeadFillsWereStoredGetsThemOnce(_ backend: Backend) async throws {
        let (database, memory) = try Self.olderDatabase(
            backend, "quickstart.json", without: "lead_fills",
            erase: ["UPDATE lead_fills SET (\(LeadFillRows.columns)) = (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)"],
            mark: "lead_fills_from")
        var warnings: [String] = []
        let reopened = try StoreDatabase.open(database.location, releaseHistory: true, warn: { warnings.append($0) })
        #expect(try !reopened.log.leadFillsMissing())
        #expect(reopened.engine.leadFills.count == 1 && memory.engine.leadFills.count > 1)
        #expect(warnings.contains { $0.contains("lead fills are now kept in the database") }, "\(warnings)")
        _ = try await Self.compare(reopened.engine, reader: try reopened.historyReader(), memory: memory.engine)
    }

    /// A database from before mark prices and curve points were stored: the same, for the curves.
    @Test(arguments: Backend.available)
    func aDatabaseFromBeforeCurvesWereStoredGetsThemOnce(_ backend: Backend) async throws {
        let (database, memory) = try Self.olderDatabase(
            backend, "lifecycle.json", without: "prices", erase: ["DELETE FROM prices", "DELETE FROM lead_curve"], mark: "curves_from")
        var warnings: [String] = []
        let reopened = try StoreDatabase.open(database.location, releaseHistory: true, warn: { warnings.append($0) })
        #expect(try !reopened.log.curvesMissing())
        #expect(reopened.engine.curvesInStore && reopened.engine.priceHistory.count == 1 && memory.engine.priceHistory.count > 1)
        #expect(warnings.contains { $0.contains("mark prices and equity curve points are now kept in the database") }, "\(warnings)")
        _ = try await Self.compare(reopened.engine, reader: try reopened.historyReader(), memory: memory.engine)
    }

    @Test(arguments: Backend.available)
    func aDatabaseFromBeforeFailedOrdersWereStoredGetsThemOnce(_ backend: Backend) async throws {
        // The quickstart has failed copy orders (lifecycle has none).
        let (database, memory) = try Self.olderDatabase(backend, "quickstart.json", without: "failed_orders", mark: "failed_orders_from")
        let reopened = try StoreDatabase.open(database.location, releaseHistory: true)
        #expect(try reopened.log.failedOrdersMissing() == 0)
        let counts = try await Self.compare(reopened.engine, reader: try reopened.historyReader(), memory: memory.engine)
        #expect(counts.failures == memory.engine.failedOrders.count && counts.failures > 0)
    }

    /// Both backends keep snapshots of a server's engine (PostgreSQL's on the instance's disk, in a folder named by
    /// the database's id): a restart opens from the newest and replays only what follows, and audit finds it equal
    /// to the replay of the log at its position.
    @Test(arguments: Backend.available)
    func aServerRestartsFromItsSnapshotOnEitherBackend(_ backend: Backend) async throws {
        let folder = Self.snapshotFolder
        let database = try TestDatabase(backend)
        let scenario = try loadScenario("quickstart.json")
        var memory = try ScenarioRunner(scenario)
        try memory.runAll()
        let saved: Int
        do {
            var player = try ScenarioPlayer(
                scenario, host: try StoreDatabase.open(database.location, settings: scenario.settings, releaseHistory: true))
            for _ in 0..<(scenario.events.count * 2 / 3) { try player.step() }
            saved = player.host.commandCount
            let written = try #require(try player.host.saveSnapshot())
            if backend == .postgres { #expect(written.path.hasPrefix(folder.path + "/" + (try player.host.log.databaseID()))) }
            try player.runAll()
        }
        database.forgetLogs()
        let reopened = try StoreDatabase.open(database.location, releaseHistory: true)
        #expect(reopened.openedFromSnapshot == saved && saved > 0)
        _ = try await Self.compare(reopened.engine, reader: try reopened.historyReader(), memory: memory.engine)
        guard case .equal(let entry)? = try SnapshotFiles.check(database: database.location).first else {
            Issue.record("the snapshot was not found equal to the replay")
            return
        }
        #expect(entry.commands == saved)
    }

    /// A market whose journal outgrows a chunk (4,096 entries): the releasing engine frees the whole chunks behind it,
    /// keeps the copy-fill batch among them (the copies' pages still read it), and writes and reads back a snapshot
    /// that audit finds equal to the replay; the whole history is still proven from the log.
    @Test(arguments: Backend.available)
    func aLongJournalIsReleasedInWholeChunks(_ backend: Backend) async throws {
        _ = Self.snapshotFolder
        let database = try TestDatabase(backend)
        let path = database.location
        let followers = 2_500
        var users = [#"{ "id": "lead", "deposit": "100000" }"#]
        var events = [#"{ "type": "startLeading", "user": "lead", "portfolio": "50000", "profitShareRate": "0.1", "followerLimit": 5000 }"#]
        for f in 0..<followers {
            users.append(#"{ "id": "f\#(f)", "deposit": "1000" }"#)
            events.append(
                #"{ "type": "startCopy", "user": "f\#(f)", "lead": "lead", "copy": "c\#(f)", "mode": "smartSync", "investment": "\#(100 + f % 900)" }"#
            )
            // The first lead fill's batch lands in the journal's first chunk, which is released.
            if f == 300 {
                events.append(#"{ "type": "order", "user": "lead", "symbol": "BTC-USDT", "side": "buy", "quoteAmount": "20000" }"#)
            }
        }
        events.append(#"{ "type": "price", "symbol": "BTC-USDT", "price": "60000" }"#)
        events.append(#"{ "type": "order", "user": "lead", "symbol": "BTC-USDT", "side": "buy", "quoteAmount": "10000" }"#)
        events.append(#"{ "type": "order", "user": "lead", "symbol": "BTC-USDT", "side": "sell", "fraction": "0.5" }"#)
        let json = """
            { "settings": { "takerFeeRate": "0.001", "minInvestment": "100", "slippageLimit": "0.005" },
              "symbols": [ { "symbol": "BTC-USDT", "price": "50000", "qtyStep": "0.00001", "priceTick": "0.01", "minQty": "0.00001", "minNotional": "5" } ],
              "users": [ \(users.joined(separator: ",\n")) ],
              "events": [ \(events.joined(separator: ",\n")) ] }
            """
        let scenario = try Scenario(json: Data(json.utf8))
        var memory = try ScenarioRunner(scenario)
        try memory.runAll()
        let journal = memory.engine.journal
        let firstBatch = try #require(journal.entriesInMemory.first { if case .copyFills = $0.entry { true } else { false } }).position
        #expect(journal.count > Journal.chunkSize && journal.count < 2 * Journal.chunkSize && firstBatch < Journal.chunkSize)

        do {
            var player = try ScenarioPlayer(scenario, host: try StoreDatabase.open(path, settings: scenario.settings, releaseHistory: true))
            try player.runAll()
            let engine = player.engine
            #expect(engine.journal.releasedThrough == Journal.chunkSize)
            #expect(engine.journal.count == journal.count)
            // In memory: only the entries after the released chunk; the batch in it comes back from the database
            // with a copy's rows (its header), and reads the same.
            let inMemory = engine.journal.entriesInMemory
            #expect(inMemory.count == journal.count - Journal.chunkSize)
            #expect(inMemory.first?.position == Journal.chunkSize && !engine.journal.holdsEntry(at: firstBatch))
            let first = try #require(memory.engine.allCopies.first)
            let stored = try await player.host.historyReader().copyRows(engine.copyRowsRequest(first))
            if case .copyFills(let whole) = journal[firstBatch] {
                #expect(stored.headers[firstBatch] == CopyFillHeader(whole))
            } else {
                Issue.record("no copy-fill batch at \(firstBatch)")
            }
            #expect(Self.holdsNoHistory(engine))
            let counts = try await Self.compare(engine, reader: try player.host.historyReader(), memory: memory.engine)
            #expect(counts.fills > 2 * followers && counts.shares > 0)
            // The engine's own audit cannot replay what it released: it says so instead of passing or stopping.
            #expect(engine.audit().problems.first?.contains("released") == true)
            #expect(try player.host.saveSnapshot() != nil)
        }
        database.forgetLogs()
        let reopened = try StoreDatabase.open(path, releaseHistory: true)
        #expect(reopened.openedFromSnapshot == reopened.commandCount)
        #expect(reopened.engine.journal.releasedThrough == Journal.chunkSize)
        _ = try await Self.compare(reopened.engine, reader: try reopened.historyReader(), memory: memory.engine)
        guard case .equal? = try SnapshotFiles.check(database: path).first else {
            Issue.record("the snapshot of a released journal was not found equal to the replay")
            return
        }
        // Audit replays the whole log, with every entry in memory, and checks the stored ledger against it.
        #expect(try StoreDatabase.openExisting(path).verify().isEmpty)
    }
}

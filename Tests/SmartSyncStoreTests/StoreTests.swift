import Foundation
import SmartSyncBench
import SmartSyncCore
import SmartSyncScenario
import SmartSyncViews
import Testing

@testable import SmartSyncStore

/// A fresh folder per test (parallel-safe), removed afterwards by the caller.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("smartsync-store-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func examplesFile(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples").appendingPathComponent(name)
}

func loadScenario(_ name: String) throws -> Scenario {
    let url = examplesFile(name)
    return try Scenario(json: try Data(contentsOf: url), directory: url.deletingLastPathComponent().path)
}

func expectStoreError(
    _ path: String, sourceLocation: SourceLocation = #_sourceLocation, _ matches: (StoreError) -> Bool
) {
    do {
        _ = try SQLiteStore(path: path)
        Issue.record("expected the store to refuse \(path)", sourceLocation: sourceLocation)
    } catch {
        #expect(matches(error), "\(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct StoreTests {
    @Test func scenarioSurvivesReopeningByteForByte() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("s.sqlite").path
        for name in ["quickstart.json", "lifecycle.json"] {
            let scenario = try loadScenario(name)
            var memory = try ScenarioRunner(scenario)
            try memory.runAll()
            let file = path + name
            do {
                var durable = try ScenarioPlayer(scenario, host: try SQLiteStore(path: file, settings: scenario.settings))
                try durable.runAll()
                #expect(ScenarioReport.json(durable.engine).serialized() == ScenarioReport.json(memory.engine).serialized())
            }
            // Reopened: the log replays into the same state, and the ledger matches it row by row.
            let reopened = try SQLiteStore(path: file)
            #expect(ScenarioReport.json(reopened.engine).serialized() == ScenarioReport.json(memory.engine).serialized())
            #expect(try reopened.verify().isEmpty)
        }
    }

    @Test func requestIDsAndLeadFillIDsMakeRetriesNoOps() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("r.sqlite").path
        let order = EngineCommand.order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(1_000)))
        let commands: Int
        do {
            let store = try SQLiteStore(path: path)
            try store.executeBatch(try FanOutFixture.commands(copies: 20).map { ($0.0, $0.1, nil) })
            #expect(try store.execute(order, at: Moment(event: 5, time: 5), requestID: "retry-1") != nil)
            let journal = store.engine.journal.count
            #expect(try store.execute(order, at: Moment(event: 5, time: 5), requestID: "retry-1") == nil)
            #expect(store.engine.journal.count == journal)
            commands = store.commandCount
        }
        // The same request id after a restart is still a no-op.
        let reopened = try SQLiteStore(path: path)
        #expect(try reopened.hasApplied(requestID: "retry-1"))
        #expect(try reopened.execute(order, at: Moment(event: 5, time: 5), requestID: "retry-1") == nil)
        #expect(reopened.commandCount == commands)
        // The engine's own lead fill cannot be applied again from outside: it is refused.
        let fill = try #require(reopened.engine.leadFills.last)
        var engine = reopened.engine
        #expect(throws: EngineError.self) { try engine.applyLeadFill(fill) }
        #expect(engine.leadFillCount == reopened.engine.leadFillCount)
    }

    @Test func refusedCommandWritesNothing() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("n.sqlite").path
        let store = try SQLiteStore(path: path)
        try store.execute(.addUser("a"), at: Moment(event: 0, time: 0))
        #expect(throws: EngineError.self) { try store.execute(.deposit(user: "nobody", amount: Fixed(5)), at: Moment(event: 1, time: 0)) }
        #expect(store.commandCount == 1)
        // A batch with one refusal writes none of it.
        #expect(throws: EngineError.self) {
            try store.executeBatch([
                (.addUser("b"), Moment(event: 2, time: 0), nil), (.addUser("a"), Moment(event: 3, time: 0), nil),
            ])
        }
        #expect(store.commandCount == 1)
        #expect(store.engine.user(named: "b") == nil)
    }

    @Test func garbageFileIsRefusedAndLeftAlone() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("g.sqlite").path
        let garbage = Data("this is not a database, it is a shopping list\n".utf8)
        try garbage.write(to: URL(fileURLWithPath: path))
        expectStoreError(path) { if case .notADatabase = $0 { return true } else { return false } }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test func corruptPagesAreRefusedAndLeftAlone() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("c.sqlite").path
        do {
            let store = try SQLiteStore(path: path)
            try store.executeBatch(try FanOutFixture.commands(copies: 50).map { ($0.0, $0.1, nil) })
        }
        // Checkpointed into the main file by the close; now scribble over the middle of it, keeping the header.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.count > 8192)
        for i in 4096..<min(bytes.count, 12288) { bytes[i] = UInt8(truncatingIfNeeded: i * 31) }
        try bytes.write(to: URL(fileURLWithPath: path))
        try? FileManager.default.removeItem(atPath: path + "-wal")
        try? FileManager.default.removeItem(atPath: path + "-shm")
        expectStoreError(path) {
            switch $0 {
            case .corrupt, .notADatabase, .inconsistent: return true
            default: return false
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test func secondProcessIsRefusedWhileTheFirstHoldsTheFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("l.sqlite").path
        let first = try SQLiteStore(path: path)
        // flock locks belong to open file descriptions, so a second open in this process conflicts like another process.
        expectStoreError(path) { if case .locked = $0 { return true } else { return false } }
        _ = first.commandCount
    }

    @Test func newerSchemaIsRefusedAndLeftAlone() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("v.sqlite").path
        do {
            let store = try SQLiteStore(path: path)
            try store.execute(.addUser("a"), at: Moment(event: 0, time: 0))
            try store.log.pool.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
            }
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        expectStoreError(path) {
            if case .newerSchema(_, let unknown) = $0 { return unknown == ["v99-from-the-future"] } else { return false }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test(.enabled(if: getuid() != 0, "root writes to read-only files, so permissions cannot make a file read-only"))
    func readOnlyFileIsRefused() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ro.sqlite").path
        do { _ = try SQLiteStore(path: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        expectStoreError(path) { if case .readOnly = $0 { return true } else { return false } }
    }

    @Test func auditFindsATamperedLedger() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("t.sqlite").path
        do {
            let store = try SQLiteStore(path: path)
            try store.executeBatch(try FanOutFixture.commands(copies: 30).map { ($0.0, $0.1, nil) })
            #expect(try store.verify().isEmpty)
            try store.log.pool.write { db in
                try db.execute(sql: "DELETE FROM copy_fills WHERE row = 3")
                try db.execute(sql: "UPDATE copy_fills SET fee = fee + 1 WHERE row = 5")
            }
        }
        let problems = try SQLiteStore(path: path).verify()
        #expect(problems.contains { $0.contains("copy fills stored") })
        #expect(problems.contains { $0.contains("copy fill 5 differs") })
    }
}

import Foundation
import SmartSyncCore
import SmartSyncScenario
import SmartSyncViews
import Testing

@testable import SmartSyncStore

/// Snapshots: the engine's state as bytes and back, files beside the database, opening from the newest valid one,
/// and every way a snapshot can be unusable (skipped with a warning, never trusted).
@Suite struct SnapshotTests {
    /// The lifecycle example played to its middle: every kind of state (stopped copies, limit orders, profit
    /// share, stop losses) is there.
    static func halfway() throws -> (ScenarioRunner, Scenario) {
        let scenario = try loadScenario("lifecycle.json")
        var runner = try ScenarioRunner(scenario)
        for _ in 0..<(scenario.events.count / 2) { try runner.step() }
        return (runner, scenario)
    }

    @Test func theEngineReadsBackWhatItWroteAndGoesOnTheSame() throws {
        var (original, scenario) = try Self.halfway()
        let bytes = original.engine.snapshotBytes()
        let restored = try Engine(snapshot: bytes)
        #expect(restored.snapshotBytes() == bytes)
        #expect(ScenarioReport.json(restored).serialized() == ScenarioReport.json(original.engine).serialized())
        // The rest of the scenario on both: the same reports and the same state, byte for byte.
        var copy = MemoryHost(engine: restored)
        while original.next < scenario.events.count {
            let event = scenario.events[original.next]
            try original.step()
            if case .command(let command) = event.kind { try copy.execute(command, at: Moment(event: event.index, time: event.time)) }
            if case .priceBars(let symbol, let bars) = event.kind {
                for bar in bars {
                    try copy.execute(.price(symbol: symbol, price: bar.price), at: Moment(event: event.index, time: bar.time))
                }
            }
        }
        #expect(ScenarioReport.json(copy.engine).serialized() == ScenarioReport.json(original.engine).serialized())
        #expect(copy.engine.snapshotBytes() == original.engine.snapshotBytes())
    }

    /// A field added to the engine (or to a copy book, lead or user) without being written to snapshots would be
    /// lost on every restart: the lists below must be updated together with the snapshot code.
    @Test func everyStoredFieldIsAccountedFor() throws {
        let (runner, _) = try Self.halfway()
        let engine = runner.engine
        #expect(Set(Mirror(reflecting: engine).children.compactMap(\.label)) == Engine.snapshotFields)
        let book: Set<String> = [
            "ids", "users", "status", "mode", "amountPerOrder", "cash", "totalIn", "totalOut", "realizedPnl", "feesPaid",
            "profitSharePaid", "detailRow", "details", "startedEvent", "units", "leadNavAtStart", "extra", "sizingExtra", "epochFees",
            "epochShare", "epochPrice",
            "epochMissed", "epochSizing",
            "leadFeeDragAtStart", "withThresholds", "holdingSymbols", "lots", "cost", "activeCount", "fillCount", "failureRow",
            "failureTally", "rowOfSlot", "slotOfRow", "releasedIDs", "releasedUsers", "controlsBySlot",
            // Not written: counted from `status` when a snapshot is read.
            "closingCount",
        ]
        #expect(Set(Mirror(reflecting: engine.leads[0].book).children.compactMap(\.label)) == book)
        let lead: Set<String> = [
            "user", "status", "cash", "positions", "profitShareRate", "slippageLimit", "followerLimit", "book", "feesPaid",
            "closedRoundTrips", "wonRoundTrips", "profitShareEarned", "startedEvent", "netFunding", "units", "peakNav",
            "lastNav", "maxDrawdown", "feeDrag", "navAtStop", "equityAtStop", "curve",
        ]
        #expect(Set(Mirror(reflecting: engine.leads[0]).children.compactMap(\.label)) == lead)
        #expect(
            Set(Mirror(reflecting: engine.users[0]).children.compactMap(\.label)) == [
                "id", "cash", "more", "storedLead", "firstCopy",
            ])
    }

    @Test func bytesCutShortOrChangedAreRefused() throws {
        let (runner, _) = try Self.halfway()
        let bytes = runner.engine.snapshotBytes()
        #expect(throws: SnapshotError.self) { _ = try Engine(snapshot: Array(bytes.prefix(bytes.count / 2))) }
        #expect(throws: SnapshotError.self) { _ = try Engine(snapshot: bytes + [0]) }
        #expect(throws: SnapshotError.self) { _ = try Engine(snapshot: []) }
    }

    /// A SQLite database with snapshots at 1/3 and 2/3 of the lifecycle example, and its whole log.
    static func database() throws -> (folder: URL, path: String, files: SnapshotFiles, expected: String, commands: Int) {
        let folder = try temporaryFolder()
        let path = folder.appendingPathComponent("s.sqlite").path
        let scenario = try loadScenario("lifecycle.json")
        var player = try ScenarioPlayer(scenario, host: try StoreDatabase.open(path, settings: scenario.settings))
        let third = scenario.events.count / 3
        for _ in 0..<third { try player.step() }
        try #require(try player.host.saveSnapshot() != nil)
        for _ in 0..<third { try player.step() }
        try #require(try player.host.saveSnapshot() != nil)
        try player.runAll()
        let expected = ScenarioReport.json(player.engine).serialized()
        return (folder, path, SnapshotFiles(database: path), expected, player.host.commandCount)
    }

    @Test func openingStartsFromTheNewestSnapshotAndAuditChecksIt() throws {
        let (folder, path, files, expected, commands) = try Self.database()
        defer { try? FileManager.default.removeItem(at: folder) }
        let entries = files.list()
        #expect(entries.count == 2 && entries[0].commands > entries[1].commands)
        var warnings: [String] = []
        let store = try StoreDatabase.open(path, warn: { warnings.append($0) })
        #expect(warnings.isEmpty)
        #expect(store.openedFromSnapshot == entries[0].commands && store.commandCount == commands)
        #expect(ScenarioReport.json(store.engine).serialized() == expected)
        #expect(try store.verify().isEmpty)
        guard case .equal(let entry)? = try SnapshotFiles.check(database: path).first else {
            Issue.record("the newest snapshot was not found equal to the replay")
            return
        }
        #expect(entry == entries[0])
    }

    /// Cut short, a changed byte, a newer format, another database's, one the log does not reach, one left half
    /// written by a killed process: each is skipped with a warning (opening uses the older one), nothing is written
    /// over it, and `check` (what audit runs) reports it.
    @Test(arguments: ["truncated", "tampered", "newer", "older", "otherDatabase", "partial"])
    func anUnusableSnapshotIsSkippedNeverTrusted(_ damage: String) throws {
        let (folder, path, files, expected, _) = try Self.database()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (newest, older) = (files.list()[0], files.list()[1])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: newest.path)))
        switch damage {
        case "truncated": bytes.removeLast(bytes.count / 3)
        case "tampered": bytes[bytes.count - 100] ^= 0x01
        case "newer": bytes[19] = UInt8(Engine.snapshotFormat + 1)
        case "older": bytes[SnapshotFiles.formatAt] = UInt8(Engine.snapshotFormat - 1)
        case "otherDatabase": bytes[71] = bytes[71] == 0x30 ? 0x31 : 0x30
        default:
            // A killed writer leaves `<name>.partial`; the finished files are untouched.
            try Data(bytes.prefix(1_000)).write(to: URL(fileURLWithPath: newest.path + ".partial"))
        }
        if damage != "partial" { try Data(bytes).write(to: URL(fileURLWithPath: newest.path)) }
        let before = try Data(contentsOf: URL(fileURLWithPath: newest.path))
        var warnings: [String] = []
        let store = try StoreDatabase.open(path, warn: { warnings.append($0) })
        #expect(ScenarioReport.json(store.engine).serialized() == expected)
        #expect(try store.verify().isEmpty)
        if damage == "partial" {
            #expect(warnings.isEmpty && store.openedFromSnapshot == newest.commands)
            return
        }
        #expect(store.openedFromSnapshot == older.commands)
        #expect(warnings.count == 1)
        let word = [
            "truncated": "damaged", "tampered": "SHA-256", "newer": "newer", "older": "older", "otherDatabase": "another database",
        ][damage]!
        #expect(warnings.first?.contains(word) == true, "\(warnings)")
        // Nothing was written over it.
        #expect(try Data(contentsOf: URL(fileURLWithPath: newest.path)) == before)
        let checks = try SnapshotFiles.check(database: path)
        #expect(checks.count == 2)
        guard case .skipped = checks[0], case .equal(let entry) = checks[1] else {
            Issue.record("check did not report the damaged snapshot and the older one equal: \(checks)")
            return
        }
        #expect(entry == older)
    }

    /// A server's engine released its history to the database: its snapshot holds none (smaller than one that
    /// keeps it), opening from it reads every copy's past from the database, and audit finds it equal to the replay.
    @Test func aServersSnapshotHoldsNoHistoryAndAuditChecksIt() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("s.sqlite").path
        let scenario = try loadScenario("lifecycle.json")
        var memory = try ScenarioRunner(scenario)
        try memory.runAll()
        let saved: Int
        do {
            var player = try ScenarioPlayer(scenario, host: try StoreDatabase.open(path, settings: scenario.settings, releaseHistory: true))
            for _ in 0..<(scenario.events.count * 2 / 3) { try player.step() }
            saved = player.host.commandCount
            let bytes = try #require(try player.host.saveSnapshot()).bytes
            var keeping = try ScenarioRunner(scenario)
            for _ in 0..<(scenario.events.count * 2 / 3) { try keeping.step() }
            #expect(bytes < keeping.engine.snapshotBytes().count)
            try player.runAll()
        }
        let store = try StoreDatabase.open(path, releaseHistory: true)
        #expect(store.openedFromSnapshot == saved)
        #expect(HistoryInTheDatabaseTests.holdsNoHistory(store.engine))
        let counts = try await HistoryInTheDatabaseTests.compare(store.engine, reader: try store.historyReader(), memory: memory.engine)
        #expect(counts.fills > 0 && counts.shares > 0)
        guard case .equal(let entry)? = try SnapshotFiles.check(database: path).first else {
            Issue.record("the server's snapshot was not found equal to the replay")
            return
        }
        #expect(entry.commands == saved)
        // Audit still proves the whole history from zero.
        #expect(try StoreDatabase.openExisting(path).verify().isEmpty)
    }

    @Test func aSnapshotAheadOfTheLogIsNotUsed() throws {
        let (folder, path, files, expected, commands) = try Self.database()
        defer { try? FileManager.default.removeItem(at: folder) }
        // As if the log were restored from a backup older than the snapshot.
        let newest = files.list()[0]
        let ahead = files.directory + String(format: "/%015d.snapshot", commands + 5)
        try FileManager.default.copyItem(atPath: newest.path, toPath: ahead)
        var warnings: [String] = []
        let store = try StoreDatabase.open(path, warn: { warnings.append($0) })
        #expect(store.openedFromSnapshot == newest.commands)
        #expect(ScenarioReport.json(store.engine).serialized() == expected)
        #expect(warnings.count == 1 && warnings[0].contains("log holds"))
    }

    /// SHA-256 of "abc", the example of FIPS 180-4 (Appendix B.1 of FIPS 180-2).
    @Test func sha256MatchesTheStandardsExample() {
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

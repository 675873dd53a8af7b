import Foundation
import SmartSyncCore
import SmartSyncScenario
import SmartSyncViews
import Testing

@testable import SmartSyncStore

/// Reading a database without owning it: audit on a file a server holds, a missing file, API keys while it runs.
@Suite struct ReadOnlyTests {
    @Test func aMissingDatabaseIsRefusedAndNothingIsCreated() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nope.sqlite").path
        #expect(throws: StoreError.self) { _ = try StoreDatabase.openExisting(path) }
        do { _ = try StoreDatabase.openExisting(path) } catch { #expect("\(error)".contains("no database at")) }
        #expect(throws: StoreError.self) { _ = try StoreDatabase.apiKeys(path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// While one process holds the file (and writes), a snapshot reads one committed moment: the replay and the
    /// ledger rows it compares agree, and commands written later are not seen by it.
    @Test func aSnapshotReadsAFileAnotherWriterHolds() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("held.sqlite").path
        let scenario = try loadScenario("lifecycle.json")
        var player = try ScenarioPlayer(scenario, host: try SQLiteStore(path: path, settings: scenario.settings))
        try player.runAll()
        // The writer still holds the file: opening it for writing is refused, reading a snapshot is not.
        expectStoreError(path) { if case .locked = $0 { return true } else { return false } }
        let snapshot = try StoreDatabase.openExisting(path)
        let seen = snapshot.commandCount
        let problems = try snapshot.verify()
        #expect(seen > 0 && problems.isEmpty)
        #expect(ScenarioReport.json(snapshot.engine).serialized() == ScenarioReport.json(player.engine).serialized())
        // A snapshot cannot write.
        #expect(throws: (any Error).self) { try snapshot.execute(.addUser("intruder"), at: Moment(event: seen, time: 0), requestID: nil) }
        // Keys can be issued beside the writer, and the writer's key store finds them.
        let keys = try StoreDatabase.apiKeys(path)
        let key = try await keys.issue(user: "operator", role: "operator")
        let role = try await SQLiteAPIKeyStore(log: player.host.log).lookup(key: key)?.role
        #expect(role == "operator")
    }
}

import Foundation
import SmartSyncServer
import SmartSyncStore

/// `serve --demo --reset`: deletes the demo's SQLite database, after checking that it holds the demo and nothing
/// else, and that no process has it open.
enum DemoReset {
    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    static func reset(_ location: String) throws {
        if PostgresURL.isPostgres(location) || location.contains("://") {
            throw Refused(description: "--reset deletes a SQLite demo database; for PostgreSQL drop and create the database instead")
        }
        guard FileManager.default.fileExists(atPath: location) else { return }
        let store = try StoreDatabase.openExisting(location)
        guard Demo.isDemo(store.engine) else {
            throw Refused(
                description: "\(location) holds another market, not the demo: --reset deletes only demo databases; nothing was deleted")
        }
        try StoreDatabase.deleteSQLite(location)
        Terminal.line("demo: deleted \(location); starting afresh")
    }
}

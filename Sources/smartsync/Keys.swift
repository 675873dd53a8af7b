import ArgumentParser
import Foundation
import SmartSyncStore

/// `smartsync keys issue`: a new API key for a user of a database, even while a server runs on it.
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API keys.",
        subcommands: [Issue.self]
    )

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a new API key (shown once, stored hashed) for a user or the operator.",
            discussion: """
                Works while a server runs on the database. The key is printed alone on stdout. Keys issued before stay
                valid. Exit 2 when the database cannot be used (missing, not a SmartSync database, unreachable).

                Examples:
                  smartsync keys issue --operator
                  smartsync keys issue --operator --db /var/lib/smartsync.sqlite
                  smartsync keys issue --user alice --db postgres://smartsync:secret@127.0.0.1:5432/smartsync
                """
        )

        @Option(help: "SQLite database file or postgres:// URL (env SMARTSYNC_DB, then DATABASE_URL; default smartsync.sqlite).")
        var db: String = StoreDatabase.defaultLocation(ProcessInfo.processInfo.environment)

        @Flag(help: "An operator key (user \"operator\" unless --user names another).")
        var `operator` = false

        @Option(help: "The user the key belongs to.")
        var user: String?

        func validate() throws {
            guard `operator` || user != nil else { throw ValidationError("name the user with --user, or give --operator") }
            if let user, user.isEmpty || user.utf8.count > 64 || !user.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) {
                throw ValidationError("--user must be 1 to 64 letters, digits, '.', '_' or '-'")
            }
        }

        func run() async throws {
            let keys: any APIKeyStore
            do {
                keys = try StoreDatabase.apiKeys(db)
            } catch {
                Terminal.error("error: \(error)")
                throw ExitCode(2)
            }
            let name = user ?? "operator"
            let key = try await keys.issue(user: name, role: `operator` ? "operator" : "user")
            Terminal.error("\(`operator` ? "operator" : "user") key for \(name) on \(StoreDatabase.describe(db)) (shown once):")
            print(key)
        }
    }
}

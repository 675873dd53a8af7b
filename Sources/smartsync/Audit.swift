import ArgumentParser
import SmartSyncCore
import SmartSyncScenario
import SmartSyncStore

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a database: conservation, balances against the ledger, the ledger against the command log.",
        discussion: """
            Replays the command log into a fresh engine, then checks that every balance equals what the journal gives,
            that USDT and every asset are conserved (deposits − withdrawals), and that the stored ledger (every copy
            fill row) is exactly what the log produces: none missing, none twice. Exit 0 when balanced, 1 with the
            details when not, 2 when the file cannot be used (corrupt, locked, read-only, newer schema).

            Example:
              smartsync audit --db smartsync.sqlite
            """
    )

    @Option(help: "The SQLite database file.")
    var db: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let store: SQLiteStore
        do {
            store = try SQLiteStore(path: db)
        } catch {
            Terminal.error("error: \(error)")
            throw ExitCode(2)
        }
        let problems = try store.verify()
        let audit = store.engine.audit()
        if json {
            print(
                JSONValue.object([
                    ("balanced", .bool(problems.isEmpty)),
                    ("commands", .int(store.commandCount)),
                    ("journalEntries", .int(audit.entries)),
                    ("totalUSDT", .string(audit.totalUSDT.description)),
                    ("expectedUSDT", .string(audit.expectedUSDT.description)),
                    ("problems", .array(problems.map { .string($0) })),
                ]).serialized())
        } else if problems.isEmpty {
            print("balanced: \(store.commandCount) commands, \(audit.entries) ledger entries, \(audit.totalUSDT) USDT in all accounts = deposits − withdrawals")
        } else {
            print("NOT balanced: \(problems.count) problem(s)")
            for p in problems { print("  " + p) }
        }
        if !problems.isEmpty { throw ExitCode(1) }
    }
}

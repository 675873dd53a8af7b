import ArgumentParser
import Foundation
import SmartSyncCore
import SmartSyncScenario
import SmartSyncStore
import SmartSyncViews

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a database: conservation, balances against the ledger, the ledger against the command log.",
        discussion: """
            Replays the command log into a fresh engine, then checks that every balance equals what the journal gives,
            that USDT and every asset are conserved (deposits − withdrawals), and that the stored ledger (every copy
            fill row) is exactly what the log produces: none missing, none twice, and that every ledger entry the hash
            chain covers still hashes to its stored chain hash (docs/receipts.md; a chain that cannot be read, as in a
            database from before receipts, is a warning). Exit 0 when balanced, 1 with the
            details when not, 2 when the database cannot be used (missing, corrupt, newer schema, server unreachable).
            --db takes a SQLite file or a postgres:// URL; without --db the same database as `serve`: SMARTSYNC_DB,
            else DATABASE_URL, else smartsync.sqlite. Nothing is created or changed: a SQLite file is read as one
            consistent snapshot, so a database a running server holds can be audited as of that moment.

            Examples:
              smartsync audit
              smartsync audit --db smartsync.sqlite --json
              smartsync audit --db postgres://smartsync:secret@127.0.0.1:5432/smartsync
            """
    )

    @Option(
        help:
            "The database: a SQLite file or a postgres://user:password@host:port/db URL (env SMARTSYNC_DB, then DATABASE_URL; default smartsync.sqlite)."
    )
    var db: String = StoreDatabase.defaultLocation(ProcessInfo.processInfo.environment)

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let store: Store
        do {
            store = try StoreDatabase.openExisting(db)
        } catch {
            Terminal.error("error: \(error)")
            throw ExitCode(2)
        }
        var problems = try store.verify()
        let audit = store.engine.audit()
        // The ledger's hash chain: an entry changed after it was chained breaks its hash and every later one. A
        // database from before receipts has none until `serve` opens it (and builds it).
        var chainLine: String
        do {
            let check = try await LedgerChainer(store: try store.log.receipts()).verify()
            if let first = check.firstMismatch {
                problems.append(
                    "ledger entry \(first) no longer matches its chain hash (changed after it was chained), nor do \(check.mismatches - 1) chained entries after it"
                )
            }
            chainLine =
                "hash chain: the first \(check.compared) of \(audit.entries) ledger entries are chained"
                + (check.firstMismatch == nil ? " and match their hashes" : "")
        } catch {
            chainLine = "warning: the hash chain was not checked (\(error))"
        }
        // The newest usable snapshot must be the replay at its position; unusable ones are reported, not trusted.
        var snapshotLines: [String] = []
        for check in try SnapshotFiles.check(database: db) {
            switch check {
            case .skipped(let problem): snapshotLines.append("warning: \(problem) (opening replays from an older snapshot or the log)")
            case .equal(let entry):
                snapshotLines.append("snapshot \(entry.path) equals the replay of the log's first \(entry.commands) commands")
            case .different(let entry):
                problems.append("snapshot \(entry.path) differs from the replay of the log's first \(entry.commands) commands")
            }
        }
        if json {
            print(
                JSONValue.object([
                    ("balanced", .bool(problems.isEmpty)),
                    ("commands", .int(store.commandCount)),
                    ("journalEntries", .int(audit.entries)),
                    ("totalUSDT", .string(audit.totalUSDT.description)),
                    ("expectedUSDT", .string(audit.expectedUSDT.description)),
                    ("problems", .array(problems.map { .string($0) })),
                    ("snapshots", .array(snapshotLines.map { .string($0) })),
                    ("chain", .string(chainLine)),
                ]).serialized())
        } else if problems.isEmpty {
            for line in snapshotLines { print(line) }
            print(chainLine)
            print(
                "balanced: \(store.commandCount) commands, \(audit.entries) ledger entries, \(audit.totalUSDT) USDT in all accounts = deposits − withdrawals"
            )
        } else {
            for line in snapshotLines { print(line) }
            print(chainLine)
            print("NOT balanced: \(problems.count) problem(s)")
            for p in problems { print("  " + p) }
        }
        if !problems.isEmpty { throw ExitCode(1) }
    }
}

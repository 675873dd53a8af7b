#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GRDB
import GRDBSQLite
import SmartSyncCore

/// The engine kept durable in one SQLite file (GRDB `DatabasePool`, WAL, `synchronous = FULL`).
///
/// What is stored: the **command log** (every accepted command with its moment, and an optional request id that
/// makes a retry a no-op) and the **ledger** (every journal entry the command produced, copy fills one row each,
/// keyed so a duplicate cannot exist). One command = one transaction holding its log row and all its ledger rows,
/// so a process killed at any moment leaves each lead fill with its whole fan-out either committed or absent.
/// On open the log is replayed into a fresh engine (the core is deterministic), and the ledger it produces is
/// checked against the stored one.
public final class SQLiteStore: EngineHost {
    public private(set) var engine: Engine
    public let path: String
    let pool: DatabasePool
    private let lockFile: Int32
    /// Commands in the log.
    public private(set) var commandCount: Int
    private var ledgerCount: Int
    private var requestIDs: Set<String>
    /// Set when a write failed after the engine accepted a command: memory is ahead of the file; reopen.
    private var broken = false

    /// Opens (creating if needed) the database at `path`. `settings` apply to a new database; an existing one keeps
    /// the settings it was created with. Refuses, changing nothing, a file that is not a SmartSync database, is
    /// corrupt, read-only, locked by another process, or from a newer schema.
    public init(path: String, settings: Settings = Settings()) throws(StoreError) {
        self.path = path
        try Self.checkFile(path)
        lockFile = try Self.lock(path)
        do {
            var config = Configuration()
            config.busyMode = .timeout(2)
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            // Checks first through a read-only connection, which can change nothing in a file we then refuse.
            if FileManager.default.fileExists(atPath: path) {
                var readOnly = Configuration()
                readOnly.readonly = true
                let probe = try DatabaseQueue(path: path, configuration: readOnly)
                try Schema.check(probe, path: path)
                try probe.close()
            }
            pool = try DatabasePool(path: path, configuration: config)
            try Schema.migrator.migrate(pool)
            let loaded = try Self.load(pool, settings: settings, path: path)
            engine = loaded.engine
            commandCount = loaded.commands
            ledgerCount = loaded.ledgerRows
            requestIDs = loaded.requestIDs
        } catch {
            close(lockFile)
            throw StoreError(error, path: path)
        }
    }

    deinit { close(lockFile) }

    // MARK: Commands

    public func execute(_ command: EngineCommand, at moment: Moment) throws {
        try execute(command, at: moment, requestID: nil)
    }

    /// Applies a command and commits it with its ledger rows in one transaction. A `requestID` seen before makes the
    /// call a no-op (returns false): retries after a crash or a lost reply do not act twice.
    @discardableResult
    public func execute(_ command: EngineCommand, at moment: Moment, requestID: String?) throws -> Bool {
        try executeBatch([(command, moment, requestID)]) > 0
    }

    /// Applies several commands in one transaction (bulk set-up). Refused commands throw before anything is written;
    /// those applied before the refusal stay in memory only if the write succeeds, so the batch is all or nothing.
    @discardableResult
    public func executeBatch(_ commands: [(EngineCommand, Moment, String?)]) throws -> Int {
        guard !broken else { throw StoreError.broken(path: path) }
        let journalBefore = engine.journal.count
        let fillsBefore = engine.leadFills.count
        var accepted: [(EngineCommand, Moment, String?)] = []
        if commands.count == 1 {
            // One command runs in place: a refused command changes nothing, so no copy of the state is needed.
            let (command, moment, requestID) = commands[0]
            if let requestID, requestIDs.contains(requestID) { return 0 }
            try engine.execute(command, at: moment)
            accepted = commands
        } else {
            // Several run on a copy that replaces the engine only when all were accepted.
            var working = engine
            var seen = Set<String>()
            for (command, moment, requestID) in commands {
                if let requestID, requestIDs.contains(requestID) || seen.contains(requestID) { continue }
                try working.execute(command, at: moment)
                accepted.append((command, moment, requestID))
                if let requestID { seen.insert(requestID) }
            }
            guard !accepted.isEmpty else { return 0 }
            swap(&engine, &working)
        }
        do {
            try pool.write { db in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                let insertCommand = try db.cachedStatement(
                    sql: "INSERT INTO commands (seq, request_id, event, time, body) VALUES (?, ?, ?, ?, ?)")
                var seq = commandCount
                for (command, moment, requestID) in accepted {
                    let body = String(decoding: try encoder.encode(command), as: UTF8.self)
                    try insertCommand.execute(arguments: [seq, requestID, moment.event, moment.time, body])
                    seq += 1
                }
                let lastCommand = seq - 1
                try LedgerRows.write(db, engine: engine, entries: journalBefore..<engine.journal.count, firstSeq: ledgerCount, command: lastCommand)
                let insertFill = try db.cachedStatement(sql: "INSERT INTO lead_fills (id, command) VALUES (?, ?)")
                for fill in engine.leadFills[fillsBefore...] {
                    try insertFill.execute(arguments: [fill.id, lastCommand])
                }
            }
        } catch {
            broken = true
            throw StoreError(error, path: path)
        }
        commandCount += accepted.count
        ledgerCount += engine.journal.count - journalBefore
        for case (_, _, let id?) in accepted { requestIDs.insert(id) }
        return accepted.count
    }

    /// True when a command with this request id is in the log.
    public func hasApplied(requestID: String) -> Bool { requestIDs.contains(requestID) }

    // MARK: Audit

    /// Checks the stored ledger against the journal the replayed log produces, row by row, and the engine's own
    /// audit (conservation, balances against the journal). Empty when everything matches.
    public func verify() throws -> [String] {
        var problems = engine.audit().problems
        problems += try pool.read { db in try LedgerRows.compare(db, engine: engine) }
        return problems
    }

    // MARK: Opening

    static func checkFile(_ path: String) throws(StoreError) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw .notADatabase(path: path, detail: "it is a directory") }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw .readOnly(path: path, detail: "the file cannot be read")
            }
            let header = handle.readData(ofLength: 16)
            try? handle.close()
            if !header.isEmpty && header != Data("SQLite format 3\u{0}".utf8) {
                throw .notADatabase(path: path, detail: "the file does not start with the SQLite header")
            }
            guard access(path, W_OK) == 0 else { throw .readOnly(path: path, detail: "the file is not writable") }
        }
        let directory = (path as NSString).deletingLastPathComponent
        guard access(directory.isEmpty ? "." : directory, W_OK) == 0 else {
            throw .readOnly(path: path, detail: "its folder is not writable (SQLite needs to create -wal and -shm files)")
        }
    }

    /// One process at a time: an exclusive advisory lock on `PATH.lock`, released when the process dies.
    static func lock(_ path: String) throws(StoreError) -> Int32 {
        let fd = open(path + ".lock", O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw .readOnly(path: path, detail: "cannot create \(path).lock") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            throw .locked(path: path)
        }
        return fd
    }

    static func load(_ pool: DatabasePool, settings: Settings, path: String) throws
        -> (engine: Engine, commands: Int, ledgerRows: Int, requestIDs: Set<String>)
    {
        try pool.write { db in
            let decoder = JSONDecoder()
            var engineSettings = settings
            if let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'settings'") {
                engineSettings = try decoder.decode(Settings.self, from: Data(stored.utf8))
            } else {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                let text = String(decoding: try encoder.encode(settings), as: UTF8.self)
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('settings', ?)", arguments: [text])
            }
            var engine = Engine(settings: engineSettings)
            var requestIDs = Set<String>()
            var count = 0
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, request_id, event, time, body FROM commands ORDER BY seq")
            while let row = try rows.next() {
                let seq: Int = row["seq"]
                guard seq == count else { throw StoreError.inconsistent(path: path, problems: ["command log has a gap before \(seq)"]) }
                let body: String = row["body"]
                let command = try decoder.decode(EngineCommand.self, from: Data(body.utf8))
                do {
                    try engine.execute(command, at: Moment(event: row["event"], time: row["time"]))
                } catch {
                    throw StoreError.inconsistent(path: path, problems: ["command \(seq) no longer applies: \(error)"])
                }
                if let id: String = row["request_id"] { requestIDs.insert(id) }
                count += 1
            }
            // A ledger that disagrees with the log is reported by `verify()` (the audit), not refused here: the
            // state comes from the log, the ledger is its durable record.
            let ledgerRows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger") ?? 0
            return (engine, count, ledgerRows, requestIDs)
        }
    }
}

/// Why a database cannot be used; each case names the file and says what to do.
public enum StoreError: Error, CustomStringConvertible {
    case notADatabase(path: String, detail: String)
    case corrupt(path: String, detail: String)
    case readOnly(path: String, detail: String)
    case locked(path: String)
    case newerSchema(path: String, unknown: [String])
    case inconsistent(path: String, problems: [String])
    case broken(path: String)
    case io(path: String, detail: String)

    init(_ error: any Error, path: String) {
        if let e = error as? StoreError {
            self = e
            return
        }
        if let e = error as? DatabaseError {
            switch e.resultCode {
            case .SQLITE_NOTADB: self = .notADatabase(path: path, detail: e.message ?? "\(e)")
            case .SQLITE_CORRUPT: self = .corrupt(path: path, detail: e.message ?? "\(e)")
            case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN: self = .readOnly(path: path, detail: e.message ?? "\(e)")
            case .SQLITE_BUSY, .SQLITE_LOCKED: self = .locked(path: path)
            default: self = .io(path: path, detail: "\(e)")
            }
            return
        }
        self = .io(path: path, detail: "\(error)")
    }

    public var description: String {
        switch self {
        case .notADatabase(let path, let detail):
            return "\(path) is not a SmartSync database (\(detail)); nothing was changed"
        case .corrupt(let path, let detail):
            return "\(path) is corrupt (\(detail)); nothing was changed — restore it from a backup"
        case .readOnly(let path, let detail):
            return "\(path) cannot be written (\(detail))"
        case .locked(let path):
            return "\(path) is in use by another SmartSync process (it holds \(path).lock); stop that process first"
        case .newerSchema(let path, let unknown):
            return "\(path) was written by a newer SmartSync (schema steps \(unknown.joined(separator: ", ")) are unknown to this build); nothing was changed — upgrade SmartSync"
        case .inconsistent(let path, let problems):
            return "\(path) is inconsistent: " + problems.prefix(5).joined(separator: "; ")
        case .broken(let path):
            return "a write to \(path) failed earlier; reopen the database to continue from what was committed"
        case .io(let path, let detail):
            return "\(path): \(detail)"
        }
    }
}

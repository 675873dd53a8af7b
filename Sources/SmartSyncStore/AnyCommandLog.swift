import Foundation
import GRDB
import SmartSyncCore

/// A command log of either backend behind one type, so that a server or a tool can hold
/// `DurableEngine<AnyCommandLog>` whatever `--db` named.
public final class AnyCommandLog: CommandLog {
    public let base: any CommandLog

    public init(_ base: any CommandLog) { self.base = base }

    public var location: String { base.location }
    public func settings(proposing proposed: Settings) throws -> Settings { try base.settings(proposing: proposed) }
    public func forEachCommand(from seq: Int, _ body: (CommandRecord) throws -> Void) throws {
        try base.forEachCommand(from: seq, body)
    }
    public func withWriteLock<T>(_ body: () throws -> T) throws -> T { try base.withWriteLock(body) }
    public func commandCount() throws -> Int { try base.commandCount() }
    public func databaseID() throws -> String { try base.databaseID() }
    public func command(requestID: String) throws -> CommandRecord? { try base.command(requestID: requestID) }
    public func append(
        _ records: [CommandRecord], outcomes: [CommandOutcome]
    ) throws {
        try base.append(records, outcomes: outcomes)
    }
    public func compareLedger(with engine: Engine) throws -> [String] { try base.compareLedger(with: engine) }
    public func failedOrdersMissing() throws -> Int { try base.failedOrdersMissing() }
    public func storeFailedOrders(_ failures: [(command: Int, first: Int, orders: [FailedCopyOrder])]) throws {
        try base.storeFailedOrders(failures)
    }
    public func historyReader() throws -> any HistoryReader { try base.historyReader() }
    public func frozenCopiesMissing() throws -> Bool { try base.frozenCopiesMissing() }
    public func storeFrozenCopies(_ copies: [FrozenCopy]) throws { try base.storeFrozenCopies(copies) }
    public func ordersMissing() throws -> Bool { try base.ordersMissing() }
    public func storeOrders(_ orders: [StoredOrder]) throws { try base.storeOrders(orders) }
    public func leadFillsMissing() throws -> Bool { try base.leadFillsMissing() }
    public func storeLeadFills(_ fills: [StoredLeadFill]) throws { try base.storeLeadFills(fills) }
    public func curvesMissing() throws -> Bool { try base.curvesMissing() }
    public func storeCurves(prices: [PricePoint], pricesFrom: Int, points: [StoredCurvePoint]) throws {
        try base.storeCurves(prices: prices, pricesFrom: pricesFrom, points: points)
    }
    public func whileWriting<T: Sendable>(isolation: isolated (any Actor)?, _ body: () async throws -> T) async throws -> T {
        try await base.whileWriting(isolation: isolation, body)
    }
    public nonisolated(nonsending) func storedCommand(requestID: String) async throws -> CommandRecord? {
        try await base.storedCommand(requestID: requestID)
    }
    public nonisolated(nonsending) func commands(from seq: Int, limit: Int) async throws -> [CommandRecord] {
        try await base.commands(from: seq, limit: limit)
    }
    public nonisolated(nonsending) func commit(_ records: [CommandRecord], outcomes: [CommandOutcome]) async throws {
        try await base.commit(records, outcomes: outcomes)
    }

    /// The API-key store in the same database.
    public func apiKeys() throws -> any APIKeyStore {
        switch base {
        case let sqlite as SQLiteCommandLog: return SQLiteAPIKeyStore(log: sqlite)
        case let postgres as PostgresCommandLog: return PostgresAPIKeyStore(log: postgres)
        default: throw StoreError.io(path: location, detail: "this backend stores no API keys")
        }
    }

    /// The webhooks and their delivery log in the same database.
    public func hooks() throws -> any HookStore {
        switch base {
        case let sqlite as SQLiteCommandLog: return SQLiteHookStore(log: sqlite)
        case let postgres as PostgresCommandLog: return PostgresHookStore(log: postgres)
        default: throw StoreError.io(path: location, detail: "this backend stores no webhooks")
        }
    }

    /// The venue sessions' store in the same database.
    public func venueSessions() throws -> any VenueSessionStore {
        switch base {
        case let sqlite as SQLiteCommandLog: return SQLiteVenueSessionStore(log: sqlite)
        case let postgres as PostgresCommandLog: return PostgresVenueSessionStore(log: postgres)
        default: throw StoreError.io(path: location, detail: "this backend stores no venue sessions")
        }
    }

    /// True for a PostgreSQL database.
    public var isPostgres: Bool { base is PostgresCommandLog }
}

/// The engine on whichever database a string names.
public typealias Store = DurableEngine<AnyCommandLog>

/// Opening a database from one string: a SQLite file path, or a `postgres://` / `postgresql://` URL.
public enum StoreDatabase {
    /// The environment variable read when no database is given (`DATABASE_URL`).
    public static let environmentVariable = "DATABASE_URL"

    /// The command log of `location`: a SQLite file (created if missing) or a PostgreSQL database (its schema
    /// created if missing).
    public static func openLog(_ location: String) throws(StoreError) -> AnyCommandLog {
        if PostgresURL.isPostgres(location) {
            return AnyCommandLog(try PostgresCommandLog(url: location))
        }
        if location.contains("://") {
            throw .badURL(
                path: PostgresURL.redact(location), detail: "only postgres:// and postgresql:// URLs (or a SQLite file path) are understood"
            )
        }
        return AnyCommandLog(try SQLiteCommandLog(path: location))
    }

    /// Opens an existing database to read it, without creating or locking anything: a SQLite file as one
    /// consistent snapshot (a server may be running on it), a PostgreSQL database as it is.
    /// `fromSnapshot` opens from the newest valid snapshot as a restarting server does (its history stays in the
    /// database); without it the whole log is replayed and its history kept in memory (what `audit` checks).
    public static func openExisting(_ location: String, fromSnapshot: Bool = false, warn: (String) -> Void = { _ in }) throws(StoreError)
        -> Store
    {
        let log: AnyCommandLog
        if PostgresURL.isPostgres(location) || location.contains("://") {
            log = try openLog(location)
        } else {
            log = AnyCommandLog(try SQLiteCommandLog(snapshotOf: location, integrityCheck: !fromSnapshot))
        }
        do {
            return try Store(
                log: log, snapshots: fromSnapshot ? snapshots(of: location, log: log, create: false) : nil, releaseHistory: fromSnapshot,
                warn: warn)
        } catch {
            throw StoreError(error, path: log.location)
        }
    }

    /// The environment variable naming the folder that holds PostgreSQL databases' snapshots.
    public static let snapshotDirectoryVariable = "SMARTSYNC_SNAPSHOT_DIR"

    /// Where the snapshots of a database are kept: beside a SQLite file (`<file>.snapshots/`); for PostgreSQL, on the
    /// instance's disk under `$SMARTSYNC_SNAPSHOT_DIR` (default `smartsync-snapshots` in the working folder), in a
    /// folder named by the database's id, so that databases never share snapshots. (Each instance keeps its own: a
    /// snapshot stands for a position of the shared log, which any instance can replay from.)
    /// `create: false` reads only (a database without an id yet has no snapshots).
    public static func snapshots(of location: String, log: AnyCommandLog, create: Bool = true) throws -> SnapshotFiles? {
        guard PostgresURL.isPostgres(location) || location.contains("://") else { return SnapshotFiles(database: location) }
        let id = create ? try log.databaseID() : try (log.base as? PostgresCommandLog)?.storedDatabaseID() ?? ""
        guard !id.isEmpty else { return nil }
        let root = ProcessInfo.processInfo.environment[snapshotDirectoryVariable].flatMap { $0.isEmpty ? nil : $0 } ?? "smartsync-snapshots"
        return SnapshotFiles(directory: root + "/" + id)
    }

    /// The API keys of a database, without opening (or locking) its engine: for issuing a key while a server runs.
    public static func apiKeys(_ location: String) throws(StoreError) -> any APIKeyStore {
        if PostgresURL.isPostgres(location) || location.contains("://") {
            do { return try openLog(location).apiKeys() } catch { throw StoreError(error, path: location) }
        }
        guard FileManager.default.fileExists(atPath: location) else { throw .notFound(path: location) }
        do {
            var config = Configuration()
            config.busyMode = .timeout(5)
            let queue = try DatabaseQueue(path: location, configuration: config)
            try Schema.check(queue, path: location, integrity: false)
            guard try queue.read({ db in try db.tableExists("api_keys") }) else {
                throw StoreError.notADatabase(path: location, detail: "it holds no SmartSync API keys table")
            }
            return SQLiteAPIKeyStore(writer: queue)
        } catch {
            throw StoreError(error, path: location)
        }
    }

    /// Opens `location` and replays it. `settings` apply to a new database.
    ///
    /// A database opens from its newest valid snapshot (`snapshots(of:log:)`, see `SnapshotFiles`) and replays the log
    /// after it; snapshots it cannot use are reported to `warn` and skipped.
    /// With `releaseHistory` (a server) the engine keeps only the live state in memory and reads copies' past from
    /// the database (`Engine.releaseHistory()`); without it, the whole history stays in memory too.
    public static func open(
        _ location: String, settings: Settings = Settings(), releaseHistory: Bool = false, warn: (String) -> Void = { _ in }
    ) throws(StoreError) -> Store {
        let log = try openLog(location)
        do {
            return try Store(
                log: log, settings: settings, snapshots: snapshots(of: location, log: log), releaseHistory: releaseHistory, warn: warn)
        } catch {
            throw StoreError(error, path: log.location)
        }
    }

    /// The database named by `option` (a `--db` value), else by `DATABASE_URL`, else `fallback`.
    public static func location(
        _ option: String?, environment: [String: String], fallbackVariables: [String] = [], fallback: String? = nil
    ) -> String? {
        if let option, !option.isEmpty { return option }
        for name in [environmentVariable] + fallbackVariables {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return fallback
    }

    /// The database a command uses when `--db` is not given: `SMARTSYNC_DB`, else `DATABASE_URL`, else
    /// `smartsync.sqlite` in the working folder (the same for `serve`, `audit` and `keys`).
    public static func defaultLocation(_ environment: [String: String]) -> String {
        location(environment["SMARTSYNC_DB"], environment: environment, fallback: "smartsync.sqlite")!
    }

    /// Deletes a SQLite database file (with its -wal, -shm and .lock files) that no process holds.
    public static func deleteSQLite(_ path: String) throws(StoreError) {
        let lock = try SQLiteCommandLog.lock(path)
        defer { close(lock) }
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            do { try FileManager.default.removeItem(atPath: path + suffix) } catch {
                throw .io(path: path + suffix, detail: "cannot delete it: \(error)")
            }
        }
        try? FileManager.default.removeItem(atPath: SnapshotFiles(database: path).directory)
        try? FileManager.default.removeItem(atPath: path + ".lock")
    }

    /// `location` for messages (a URL without its password).
    public static func describe(_ location: String) -> String {
        PostgresURL.isPostgres(location) ? ((try? PostgresURL(location).description) ?? PostgresURL.redact(location)) : location
    }
}

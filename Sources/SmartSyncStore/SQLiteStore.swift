import Foundation
import GRDB
import GRDBSQLite
import SmartSyncCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The engine kept durable in one SQLite file.
public typealias SQLiteStore = DurableEngine<SQLiteCommandLog>

extension DurableEngine where Log == SQLiteCommandLog {
    /// Opens (creating if needed) the database at `path` and replays it. `settings` apply to a new database; an
    /// existing one keeps the settings it was created with. Refuses, changing nothing, a file that is not a
    /// SmartSync database, is corrupt, read-only, locked by another process, or from a newer schema.
    public convenience init(path: String, settings: Settings = Settings()) throws(StoreError) {
        do {
            try self.init(log: try SQLiteCommandLog(path: path), settings: settings)
        } catch {
            throw StoreError(error, path: path)
        }
    }
}

/// The command log and ledger in SQLite: GRDB `DatabasePool`, WAL, `synchronous = FULL`. One `append` is one
/// transaction. Copy fills are one row each, keyed `(ledger entry, row)` so a duplicate cannot exist.
public final class SQLiteCommandLog: CommandLog {
    public let path: String
    let pool: DatabasePool
    /// Where reads go: the pool, or (read-only) one snapshot of the file, so that every read sees one moment.
    let reader: any DatabaseReader
    private let lockFile: Int32
    /// Opened with `init(snapshotOf:)`: nothing can be written.
    public let isReadOnly: Bool

    public var location: String { path }

    /// Opens a consistent read-only snapshot of an existing database, even one a running server holds (WAL lets
    /// readers see the last committed state while it writes). Creates nothing, locks nothing.
    /// `integrityCheck` runs SQLite's quick_check first (it reads the whole file: what `audit` wants).
    public init(snapshotOf path: String, integrityCheck: Bool = true) throws(StoreError) {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw .notFound(path: path) }
        lockFile = -1
        isReadOnly = true
        do {
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(5)
            pool = try DatabasePool(path: path, configuration: config)
            try Schema.check(pool, path: path, integrity: integrityCheck)
            guard try pool.read({ db in try db.tableExists("commands") }) else {
                throw StoreError.notADatabase(path: path, detail: "it holds no SmartSync tables")
            }
            reader = try pool.makeSnapshot()
        } catch {
            throw StoreError(error, path: path)
        }
    }

    public init(path: String) throws(StoreError) {
        self.path = path
        isReadOnly = false
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
                do {
                    let probe = try DatabaseQueue(path: path, configuration: readOnly)
                    try Schema.check(probe, path: path, integrity: false)
                    try probe.close()
                } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
                    // After a crash the WAL index must be rebuilt, which a read-only connection cannot do
                    // (SQLITE_READONLY_RECOVERY / _CANTINIT). A writable one rebuilds it (no row changes) and checks.
                    let probe = try DatabaseQueue(path: path)
                    try Schema.check(probe, path: path, integrity: false)
                    try probe.close()
                }
            }
            pool = try DatabasePool(path: path, configuration: config)
            try Schema.migrator.migrate(pool)
            reader = pool
        } catch {
            close(lockFile)
            throw StoreError(error, path: path)
        }
    }

    deinit { if lockFile >= 0 { close(lockFile) } }

    public func settings(proposing proposed: Settings) throws -> Settings {
        if isReadOnly {
            return try reader.read { db in
                guard let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'settings'") else { return proposed }
                return try JSONDecoder().decode(Settings.self, from: Data(stored.utf8))
            }
        }
        return try pool.write { db in
            if let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'settings'") {
                return try JSONDecoder().decode(Settings.self, from: Data(stored.utf8))
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let text = String(decoding: try encoder.encode(proposed), as: UTF8.self)
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('settings', ?)", arguments: [text])
            return proposed
        }
    }

    public func forEachCommand(from seq: Int, _ body: (CommandRecord) throws -> Void) throws {
        try reader.read { db in
            let decoder = JSONDecoder()
            let rows = try Row.fetchCursor(
                db, sql: "SELECT seq, request_id, event, time, body FROM commands WHERE seq >= ? ORDER BY seq", arguments: [seq])
            while let row = try rows.next() {
                try body(try Self.record(row, decoder))
            }
        }
    }

    public func databaseID() throws -> String {
        if isReadOnly {
            return try reader.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'id'") ?? "" }
        }
        return try pool.write { db in
            if let id = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'id'") { return id }
            let id = UUID().uuidString.lowercased()
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('id', ?)", arguments: [id])
            return id
        }
    }

    public func commandCount() throws -> Int {
        try reader.read { db in try Int.fetchOne(db, sql: "SELECT coalesce(max(seq) + 1, 0) FROM commands") ?? 0 }
    }

    public func command(requestID: String) throws -> CommandRecord? {
        try reader.read { db in try Self.command(db, requestID: requestID) }
    }

    private static func command(_ db: Database, requestID: String) throws -> CommandRecord? {
        try Row.fetchOne(db, sql: "SELECT seq, request_id, event, time, body FROM commands WHERE request_id = ?", arguments: [requestID])
            .map { try record($0, JSONDecoder()) }
    }

    /// A `commands` row (seq, request_id, event, time, body) as a record.
    private static func record(_ row: Row, _ decoder: JSONDecoder) throws -> CommandRecord {
        let text: String = row["body"]
        return CommandRecord(
            seq: row["seq"], requestID: row["request_id"], moment: Moment(event: row["event"], time: row["time"]),
            command: try decoder.decode(EngineCommand.self, from: Data(text.utf8)))
    }

    /// The file is locked for this process (`PATH.lock`), so the body runs as the only writer as it is.
    public func withWriteLock<T>(_ body: () throws -> T) throws -> T { try body() }

    public func append(
        _ records: [CommandRecord], outcomes: [CommandOutcome]
    ) throws {
        let history = AppendedHistory(records, outcomes)
        guard !isReadOnly else { throw StoreError.readOnly(path: path, detail: "opened as a read-only snapshot") }
        let path = path
        try pool.write { db in try Self.write(db, records, history, path: path) }
    }

    /// What one append writes, in its transaction: the guard on the next `seq`, the commands, their ledger rows,
    /// lead-fill ids and failed orders.
    private static func write(_ db: Database, _ records: [CommandRecord], _ history: AppendedHistory, path: String) throws {
        if let first = records.first {
            let next = try Int.fetchOne(db, sql: "SELECT coalesce(max(seq) + 1, 0) FROM commands") ?? 0
            if next != first.seq { throw StoreError.behind(path: path, expected: first.seq, found: next) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let insertCommand = try db.cachedStatement(
            sql: "INSERT INTO commands (seq, request_id, event, time, body) VALUES (?, ?, ?, ?, ?)")
        for r in records {
            let body = String(decoding: try encoder.encode(r.command), as: UTF8.self)
            try insertCommand.execute(arguments: [r.seq, r.requestID, r.moment.event, r.moment.time, body])
        }
        let last = records.last?.seq ?? 0
        try LedgerRows.write(db, entries: history.entries, firstSeq: history.firstLedgerSeq, command: last)
        if !history.leadFills.isEmpty {
            let insertFill = try db.cachedStatement(
                sql: "INSERT INTO lead_fills (id, command, \(LeadFillRows.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for f in history.leadFills {
                try insertFill.execute(arguments: StatementArguments([f.fill.id, last] + LeadFillRows.values(f)))
            }
        }
        try LedgerRows.write(db, failures: history.failures)
        try storeFrozen(db, history.frozenCopies, keepingStored: false)
        try storeOrders(db, history.orders, keepingStored: false)
        try storeCurves(db, prices: history.prices, pricesFrom: history.pricesFrom, points: history.curvePoints, keepingStored: false)
    }

    /// Inserts mark prices (numbered from `pricesFrom`) and curve points; `keepingStored` leaves rows already stored.
    private static func storeCurves(
        _ db: Database, prices: [PricePoint], pricesFrom: Int, points: [StoredCurvePoint], keepingStored: Bool
    ) throws {
        let or = keepingStored ? "IGNORE" : "REPLACE"
        if !prices.isEmpty {
            let insert = try db.cachedStatement(sql: "INSERT OR \(or) INTO prices (k, event, symbol, price) VALUES (?, ?, ?, ?)")
            for (i, p) in prices.enumerated() { try insert.execute(arguments: [pricesFrom + i, p.event, p.symbol, p.price.units]) }
        }
        if !points.isEmpty {
            let insert = try db.cachedStatement(
                sql: "INSERT OR \(or) INTO lead_curve (\(CurveColumns.point)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for p in points { try insert.execute(arguments: StatementArguments(CurveColumns.values(p))) }
        }
    }

    /// Inserts final orders; `keepingStored` leaves an order already stored as it is.
    private static func storeOrders(_ db: Database, _ orders: [StoredOrder], keepingStored: Bool) throws {
        guard !orders.isEmpty else { return }
        let insert = try db.cachedStatement(
            sql: "INSERT OR \(keepingStored ? "IGNORE" : "REPLACE") INTO orders (id, owner, event, data) VALUES (?, ?, ?, ?)")
        for o in orders { try insert.execute(arguments: [o.id, o.user, o.event, Data(o.bytes)]) }
    }

    /// Inserts frozen copies; `keepingStored` leaves a copy already stored as it is.
    private static func storeFrozen(_ db: Database, _ copies: [FrozenCopy], keepingStored: Bool) throws {
        guard !copies.isEmpty else { return }
        let insert = try db.cachedStatement(
            sql: "INSERT OR \(keepingStored ? "IGNORE" : "REPLACE") INTO stopped_copies (lead, slot, data) VALUES (?, ?, ?)")
        // Raw binds, the blob straight from the row's bytes: a lead's mass stop writes 100,000 of these.
        let s = insert.sqliteStatement
        for c in copies {
            sqlite3_bind_int64(s, 1, Int64(c.lead))
            sqlite3_bind_int64(s, 2, Int64(c.slot))
            let code = c.bytes.withUnsafeBytes { b in
                sqlite3_bind_blob(s, 3, b.baseAddress, Int32(b.count), nil)
                return sqlite3_step(s)
            }
            sqlite3_reset(s)
            guard code == SQLITE_DONE else {
                sqlite3_clear_bindings(s)
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "storing the frozen copy \(c.slot) of lead \(c.lead)")
            }
        }
        sqlite3_clear_bindings(s)  // no pointer to the rows' bytes stays bound
    }

    // MARK: Awaiting the database (a server's writer)

    /// The file is locked for this process (`PATH.lock`), so the body runs as the only writer as it is.
    public func whileWriting<T: Sendable>(isolation: isolated (any Actor)?, _ body: () async throws -> T) async throws -> T {
        try await body()
    }

    public nonisolated(nonsending) func storedCommand(requestID: String) async throws -> CommandRecord? {
        try await reader.read { db in try Self.command(db, requestID: requestID) }
    }

    public nonisolated(nonsending) func commands(from seq: Int, limit: Int) async throws -> [CommandRecord] {
        try await reader.read { db in
            let decoder = JSONDecoder()
            return try Row.fetchAll(
                db, sql: "SELECT seq, request_id, event, time, body FROM commands WHERE seq >= ? ORDER BY seq LIMIT ?",
                arguments: [seq, limit]
            ).map { try Self.record($0, decoder) }
        }
    }

    /// `append` through GRDB's async write: the transaction runs on GRDB's writer queue while the caller awaits.
    public nonisolated(nonsending) func commit(_ records: [CommandRecord], outcomes: [CommandOutcome]) async throws {
        let history = AppendedHistory(records, outcomes)
        guard !isReadOnly else { throw StoreError.readOnly(path: path, detail: "opened as a read-only snapshot") }
        let path = path
        try await pool.write { db in try Self.write(db, records, history, path: path) }
    }

    public func failedOrdersMissing() throws -> Int {
        try reader.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'failed_orders_from'").flatMap { Int($0) } ?? 0
        }
    }

    public func storeFailedOrders(_ failures: [(command: Int, first: Int, orders: [FailedCopyOrder])]) throws {
        guard !isReadOnly else { throw StoreError.readOnly(path: path, detail: "opened as a read-only snapshot") }
        var stored: [StoredFailure] = []
        for (command, first, orders) in failures {
            for (k, o) in orders.enumerated() { stored.append(StoredFailure(n: first + k, command: command, order: o)) }
        }
        stored.sort()
        try pool.write { db in
            try LedgerRows.write(db, failures: stored)
            try db.execute(sql: "UPDATE meta SET value = '0' WHERE key = 'failed_orders_from'")
        }
    }

    public func historyReader() throws -> any HistoryReader { SQLiteHistoryReader(reader: reader) }

    public func frozenCopiesMissing() throws -> Bool { try missing("stopped_copies_from") }

    public func storeFrozenCopies(_ copies: [FrozenCopy]) throws {
        try storeOnce(clearing: "stopped_copies_from") { db in
            try Self.storeFrozen(db, copies, keepingStored: true)
        }
    }

    public func ordersMissing() throws -> Bool { try missing("orders_from") }

    public func storeOrders(_ orders: [StoredOrder]) throws {
        try storeOnce(clearing: "orders_from") { db in
            try Self.storeOrders(db, orders, keepingStored: true)
        }
    }

    public func leadFillsMissing() throws -> Bool { try missing("lead_fills_from") }

    public func storeLeadFills(_ fills: [StoredLeadFill]) throws {
        let path = path
        try storeOnce(clearing: "lead_fills_from") { db in
            let update = try db.cachedStatement(
                sql: "UPDATE lead_fills SET (\(LeadFillRows.columns)) = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?")
            for f in fills {
                try update.execute(arguments: StatementArguments(LeadFillRows.values(f) + [f.fill.id]))
                // Every lead fill's id was stored with its command: one without a row means the log and the table differ.
                guard db.changesCount == 1 else {
                    throw StoreError.corrupt(path: path, detail: "lead fill \(f.fill.id) has no row in lead_fills")
                }
            }
        }
    }

    /// Whether the mark an upgrade step left in `meta` says rows from before it may be missing (no mark at all: a
    /// file from before the step, opened read-only so not migrated, holds none).
    private func missing(_ mark: String) throws -> Bool {
        try reader.read { db in
            guard let value = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [mark]) else { return true }
            return (Int(value) ?? 0) > 0
        }
    }

    /// Runs `store` in one write and clears `mark`: what an older database's upgrade stores, once.
    private func storeOnce(clearing mark: String, _ store: @escaping @Sendable (Database) throws -> Void) throws {
        guard !isReadOnly else { throw StoreError.readOnly(path: path, detail: "opened as a read-only snapshot") }
        try pool.write { db in
            try store(db)
            try db.execute(sql: "UPDATE meta SET value = '0' WHERE key = ?", arguments: [mark])
        }
    }

    public func curvesMissing() throws -> Bool { try missing("curves_from") }

    public func storeCurves(prices: [PricePoint], pricesFrom: Int, points: [StoredCurvePoint]) throws {
        try storeOnce(clearing: "curves_from") { db in
            try Self.storeCurves(db, prices: prices, pricesFrom: pricesFrom, points: points, keepingStored: true)
        }
    }

    public func compareLedger(with engine: Engine) throws -> [String] {
        try reader.read { db in try LedgerRows.compare(db, engine: engine) }
    }

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
}

/// A copy's past from a SQLite database, through GRDB's async reads (its own reader connections, in WAL mode
/// never blocked by the writer). One keyed look-up per batch and per failure event of the copy's lead.
struct SQLiteHistoryReader: HistoryReader {
    let reader: any DatabaseReader

    func copyRows(_ request: CopyRowsRequest) async throws -> CopyRows {
        try await reader.read { db in try Self.read(db, request) }
    }

    func frozenCopy(lead: Int, slot: Int) async throws -> [UInt8]? {
        try await reader.read { db in
            try Data.fetchOne(db, sql: "SELECT data FROM stopped_copies WHERE lead = ? AND slot = ?", arguments: [lead, slot]).map {
                [UInt8]($0)
            }
        }
    }

    func order(id: Int) async throws -> [UInt8]? {
        try await reader.read { db in
            try Data.fetchOne(db, sql: "SELECT data FROM orders WHERE id = ?", arguments: [id]).map { [UInt8]($0) }
        }
    }

    func order(placedAt event: Int) async throws -> [UInt8]? {
        try await reader.read { db in
            try Data.fetchOne(db, sql: "SELECT data FROM orders WHERE event = ? ORDER BY id LIMIT 1", arguments: [event]).map {
                [UInt8]($0)
            }
        }
    }

    func orders(user: Int, before: Int, limit: Int) async throws -> [[UInt8]] {
        try await reader.read { db in
            try Data.fetchAll(
                db, sql: "SELECT data FROM orders WHERE owner = ? AND id < ? ORDER BY id DESC LIMIT ?", arguments: [user, before, limit]
            ).map { [UInt8]($0) }
        }
    }

    func leadFills(lead: Int, below: Int, before: Int, limit: Int) async throws -> [StoredLeadFill] {
        try await reader.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, \(LeadFillRows.columns) FROM lead_fills WHERE lead = ? AND event < ? AND n < ?
                    ORDER BY event DESC, n DESC LIMIT ?
                    """, arguments: [lead, before, below, limit])
            return try rows.reversed().map { try LeadFillRows.fill($0) }
        }
    }

    func leadFills(ids: [String]) async throws -> [StoredLeadFill] {
        guard !ids.isEmpty else { return [] }
        return try await reader.read { db in
            let select = try db.cachedStatement(sql: "SELECT id, \(LeadFillRows.columns) FROM lead_fills WHERE id = ? AND lead IS NOT NULL")
            return try ids.compactMap { id in try Row.fetchOne(select, arguments: [id]).map { try LeadFillRows.fill($0) } }
        }
    }

    func curveRows(_ request: CurveRowsRequest) async throws -> CurveRows {
        try await reader.read { db in
            var rows = CurveRows()
            let stopped = request.stopped ?? Int.max
            rows.points = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(CurveColumns.pointRead) FROM lead_curve WHERE lead = ? AND k < ? AND event > ? AND event < ? ORDER BY k
                    """, arguments: [request.lead, request.pointsBelow, request.started, stopped]
            ).map { row in CurveColumns.point((0..<7).map { row[$0] }) }
            rows.pricesFrom =
                try Int.fetchOne(
                    db, sql: "SELECT k FROM prices WHERE event > ? AND k < ? ORDER BY event, k LIMIT 1",
                    arguments: [request.started, request.pricesBelow])
                ?? request.pricesBelow
            let mark = try db.cachedStatement(sql: "SELECT price FROM prices WHERE symbol = ? AND k < ? ORDER BY k DESC LIMIT 1")
            for s in 0..<request.symbols {
                if let price = try Int64.fetchOne(mark, arguments: [s, rows.pricesFrom]) { rows.marks[s] = Fixed(units: price) }
            }
            // A stopped copy needs the prices up to its last point only.
            let end =
                request.stopped == nil ? request.pricesBelow : min(request.pricesBelow, rows.points.last?.priceCount ?? rows.pricesFrom)
            rows.prices = try Row.fetchAll(
                db, sql: "SELECT event, symbol, price FROM prices WHERE k >= ? AND k < ? ORDER BY k", arguments: [rows.pricesFrom, end]
            ).map { PricePoint(event: $0[0], symbol: $0[1], price: Fixed(units: $0[2])) }
            return rows
        }
    }

    func leadCurveRead(_ request: LeadCurveRequest) async throws -> LeadCurveRead {
        try await reader.read { db in
            var read = LeadCurveRead()
            guard request.pointsBelow > 0 else { return read }
            func points(_ sql: String, _ arguments: StatementArguments) throws -> [EquityPoint] {
                try Row.fetchAll(
                    db, sql: "SELECT \(CurveColumns.pointRead) FROM lead_curve WHERE lead = ? AND k < ? AND " + sql,
                    arguments: [request.lead, request.pointsBelow] + arguments
                )
                .map { row in CurveColumns.point((0..<7).map { row[$0] }) }
            }
            read.first = try points("k = 0", []).first
            if let start = read.first?.time {
                for (days, from) in request.windowStarts where from > start {
                    read.bases[days] = try points("time <= ? ORDER BY time DESC, k DESC LIMIT 1", [from]).first
                }
            }
            let firstFrom =
                request.curveFrom > 0
                ? try Int.fetchOne(
                    db, sql: "SELECT min(k) FROM lead_curve WHERE lead = ? AND k < ? AND event >= ?",
                    arguments: [request.lead, request.pointsBelow, request.curveFrom]) : nil
            let shown = request.shownPositions(firstFrom: firstFrom)
            if let a = shown.first, let b = shown.last, b - a + 1 == shown.count {
                read.shown = try points("k >= ? AND k <= ? ORDER BY k", [a, b])
            } else {
                var start = 0
                while start < shown.count {
                    let piece = shown[start..<min(shown.count, start + 500)]
                    let list = piece.map(String.init).joined(separator: ", ")
                    read.shown += try points("k IN (\(list)) ORDER BY k", [])
                    start += piece.count
                }
            }
            return read
        }
    }

    static func read(_ db: Database, _ request: CopyRowsRequest) throws -> CopyRows {
        var history = CopyRows()
        let fill = try db.cachedStatement(
            sql: """
                SELECT f.lots, f.quote, f.fee, f.capped, s.amount, l.body FROM copy_fills f
                JOIN ledger l ON l.seq = f.ledger
                LEFT JOIN profit_shares s ON s.ledger = f.ledger AND s.slot = f.slot WHERE f.ledger = ? AND f.slot = ?
                """)
        for position in request.batches {
            guard let row = try Row.fetchOne(fill, arguments: [position, request.slot]) else { continue }
            history.fills.append(
                CopyRows.Fill(
                    position: position, lots: Lots(row[0]), quote: Fixed(units: row[1]), fee: Fixed(units: row[2]),
                    cappedByCash: row[3] as Int64 != 0))
            if let share = row[4] as Int64? {
                history.profitShares.append(CopyRows.Share(position: position, amount: Fixed(units: share)))
            }
            history.headers[position] = try LedgerRows.batchHeader(row[5], position: position)
        }
        let failure = try db.cachedStatement(
            sql: "SELECT n, symbol, side, reason, notional FROM failed_orders WHERE event = ? AND lead = ? AND slot = ? AND n < ?")
        var failures: [(n: Int, order: FailedCopyOrder)] = []
        for event in request.failureEvents {
            let rows = try Row.fetchCursor(failure, arguments: [event, request.lead, request.slot, request.failuresBefore])
            while let row = try rows.next() {
                failures.append(
                    (
                        row[0],
                        try LedgerRows.failedOrder(
                            lead: request.lead, slot: request.slot, event: event, symbol: row[1], side: row[2], reason: row[3],
                            notional: row[4])
                    ))
            }
        }
        history.failures = failures.sorted { $0.n < $1.n }.map(\.order)
        return history
    }
}

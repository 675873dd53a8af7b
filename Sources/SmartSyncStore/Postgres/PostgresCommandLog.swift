import Foundation
import PostgresNIO
import SmartSyncCore
import Synchronization

/// The engine kept durable in a PostgreSQL database.
public typealias PostgresStore = DurableEngine<PostgresCommandLog>

extension DurableEngine where Log == PostgresCommandLog {
    /// Connects to the database of `url` (creating the schema if it has none) and replays it. `settings` apply to
    /// a new database; an existing one keeps the settings it was created with.
    public convenience init(url: String, settings: Settings = Settings()) throws(StoreError) {
        let log = try PostgresCommandLog(url: url)
        do {
            try self.init(log: log, settings: settings)
        } catch {
            throw StoreError(error, path: log.location)
        }
    }
}

/// The command log and ledger in PostgreSQL (postgres-nio), with the same tables as the SQLite store.
///
/// One `append` is one transaction. Its core is one SQL statement: a guard on the next sequence number, then
/// data-modifying CTEs that insert the commands, the ledger entries, the profit shares, the lead-fill ids and (for a
/// small fan-out) the copy fills, from arrays bound in binary (`unnest`); alone, it is its own transaction and one
/// round trip. A large fan-out's copy fills follow by COPY: BEGIN, the statement, COPY, COMMIT. Either all rows
/// commit or none do.
///
/// Several instances may share one database: `withWriteLock` holds a session-level advisory lock on this
/// connection while its body runs, and `append` refuses (writing nothing) when another writer appended first.
public final class PostgresCommandLog: CommandLog, @unchecked Sendable {
    // @unchecked: the session is Sendable; `lockDepth` is used by the one owner that calls the log (an actor).
    public let session: PostgresSession
    /// The schema holding the tables: it scopes the advisory locks.
    let scope: String
    private var lockDepth = 0

    public var location: String { session.url.description }
    public var url: PostgresURL { session.url }

    public convenience init(url: String) throws(StoreError) {
        try self.init(url: try PostgresURL(url))
    }

    /// Connects, refuses a database that is not SmartSync's or is from a newer SmartSync (before writing
    /// anything), then creates or upgrades the schema.
    public init(url: PostgresURL) throws(StoreError) {
        session = try PostgresSession(url: url)
        do {
            if let schema = url.schema {
                scope = schema
            } else {
                scope = try session.query("SELECT coalesce(current_schema(), 'public')").first!.decode(String.self)
            }
            try PostgresSchema.open(session, scope: scope)
        } catch {
            session.close()
            throw StoreError(postgres: error, url: url)
        }
    }

    /// Closes the connection now (it is closed on deinit otherwise).
    public func close() { session.close() }

    public func settings(proposing proposed: Settings) throws -> Settings {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(proposed), as: UTF8.self)
        // Two instances creating the database together agree on the first settings written.
        try session.query("INSERT INTO meta (key, value) VALUES ('settings', \(text)) ON CONFLICT (key) DO NOTHING")
        let stored = try session.query("SELECT value FROM meta WHERE key = 'settings'").first!.decode(String.self)
        return try JSONDecoder().decode(Settings.self, from: Data(stored.utf8))
    }

    public func forEachCommand(_ body: (CommandRecord) throws -> Void) throws {
        try forEachCommand(from: 0, body)
    }

    /// Pages of `pageSize` commands, so memory stays bounded whatever the length of the log.
    public func forEachCommand(from seq: Int, _ body: (CommandRecord) throws -> Void) throws {
        let decoder = JSONDecoder()
        let pageSize = 2_000
        var next = Int64(seq)
        while true {
            let rows = try session.query(
                "SELECT seq, request_id, event, time, body FROM commands WHERE seq >= \(next) ORDER BY seq LIMIT \(pageSize)")
            for row in rows {
                let record = try Self.record(row, decoder)
                try body(record)
                next = Int64(record.seq) + 1
            }
            if rows.count < pageSize { return }
        }
    }

    public func commandCount() throws -> Int { try nextSeq() }

    /// The database's id if it has one yet (reading only).
    public func storedDatabaseID() throws -> String? {
        try session.query("SELECT value FROM meta WHERE key = 'id'").first?.decode(String.self)
    }

    /// The database's id (created with the first call: two instances agree on the first one written).
    public func databaseID() throws -> String {
        let proposed = UUID().uuidString.lowercased()
        try session.query("INSERT INTO meta (key, value) VALUES ('id', \(proposed)) ON CONFLICT (key) DO NOTHING")
        return try session.query("SELECT value FROM meta WHERE key = 'id'").first!.decode(String.self)
    }

    public func command(requestID: String) throws -> CommandRecord? {
        try session.query("SELECT seq, request_id, event, time, body FROM commands WHERE request_id = \(requestID)").first
            .map { try Self.record($0, JSONDecoder()) }
    }

    public func withWriteLock<T>(_ body: () throws -> T) throws -> T {
        if lockDepth > 0 { return try body() }
        try session.query(PostgresSchema.lock(PostgresSchema.writerLock, scope: scope))
        lockDepth += 1
        defer {
            lockDepth -= 1
            // A lost connection released the lock already.
            _ = try? session.query(PostgresSchema.unlock(PostgresSchema.writerLock, scope: scope))
        }
        return try body()
    }

    /// The next sequence number of the log.
    public func nextSeq() throws -> Int {
        Int(try session.query("SELECT coalesce(max(seq) + 1, 0)::int8 FROM commands").first!.decode(Int64.self))
    }

    /// Copy fills per append from which they go by COPY (text) rather than in the statement: COPY inserts rows in
    /// batches, about 40% faster on the server for a large fan-out, at the price of three more round trips.
    public var copyThreshold = 1_000

    public func append(
        _ records: [CommandRecord], outcomes: [CommandOutcome]
    ) throws {
        guard let first = records.first else { return }
        let history = AppendedHistory(records, outcomes)
        let (batches, fills) = Self.copyFillBatches(history)
        let useCopy = fills >= copyThreshold
        let statement = try Self.appendStatement(
            records, history: history,
            copyFillsInStatement: !useCopy)
        do {
            if useCopy {
                // BEGIN; the guarded statement; COPY of the copy fills; COMMIT. A refusal rolls all of it back.
                try session.transaction {
                    let found = try session.query(statement).first!.decode(Int64.self)
                    if found != Int64(first.seq) { throw StoreError.behind(path: location, expected: first.seq, found: Int(found)) }
                    try session.copy(into: "copy_fills", columns: CopyText.columns, chunks: CopyText.chunks(batches))
                }
            } else {
                // One statement: one round trip, its own transaction.
                let found = try session.query(statement).first!.decode(Int64.self)
                if found != Int64(first.seq) { throw StoreError.behind(path: location, expected: first.seq, found: Int(found)) }
            }
        } catch StoreError.io(_, let detail) where detail.contains("SQLSTATE 23505") && detail.contains("commands_pkey") {
            // Another writer inserted the same sequence number between our guard and our insert.
            throw StoreError.behind(path: location, expected: first.seq, found: (try? nextSeq()) ?? first.seq + 1)
        }
    }

    /// The one statement of an append. Every insert is conditioned on the guard (the log's next sequence number is
    /// the first record's), so a refused append writes nothing; the statement returns that next number.
    static func appendStatement(
        _ records: [CommandRecord], history: AppendedHistory, copyFillsInStatement: Bool = true
    ) throws -> PostgresQuery {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var bind = SQLBinds(capacity: 24)
        let last = Int64(records.last!.seq)
        var sql = "WITH next AS (SELECT coalesce(max(seq) + 1, 0)::int8 AS n FROM commands), "
        sql += "go AS (SELECT 1 FROM next WHERE n = \(bind(Int64(records[0].seq))))"
        let guarded = "WHERE EXISTS (SELECT 1 FROM go)"

        var seqs: [Int64] = []
        var requestIDs: [String] = []
        var hasRequestID: [Bool] = []
        var events: [Int64] = []
        var times: [Int64] = []
        var bodies: [String] = []
        for r in records {
            seqs.append(Int64(r.seq))
            requestIDs.append(r.requestID ?? "")
            hasRequestID.append(r.requestID != nil)
            events.append(Int64(r.moment.event))
            times.append(r.moment.time)
            bodies.append(String(decoding: try encoder.encode(r.command), as: UTF8.self))
        }
        sql += ", c AS (INSERT INTO commands (seq, request_id, event, time, body) "
        sql += "SELECT s, CASE WHEN h THEN r END, e, t, b FROM unnest(\(bind(seqs))::int8[], \(bind(requestIDs))::text[], "
        sql += "\(bind(hasRequestID))::bool[], \(bind(events))::int8[], \(bind(times))::int8[], \(bind(bodies))::text[]) "
        sql += "AS x(s, r, h, e, t, b) \(guarded))"

        let firstLedgerSeq = history.firstLedgerSeq
        if !history.entries.isEmpty {
            var kinds: [String] = []
            var entryBodies: [String] = []
            var batches: [(ledger: Int64, batch: CopyFillBatch)] = []
            for (offset, entry) in history.entries.enumerated() {
                let (kind, body) = LedgerRows.body(entry)
                kinds.append(kind)
                entryBodies.append(body)
                if case .copyFills(let b) = entry { batches.append((Int64(firstLedgerSeq + offset), b)) }
            }
            sql += ", l AS (INSERT INTO ledger (seq, command, kind, body) SELECT \(bind(Int64(firstLedgerSeq)))::int8 + o - 1, "
            sql += "\(bind(last))::int8, k, b FROM unnest(\(bind(kinds))::text[], \(bind(entryBodies))::text[]) "
            sql += "WITH ORDINALITY AS x(k, b, o) \(guarded))"
            if !copyFillsInStatement {
                // Sent by COPY in the same transaction.
            } else if batches.count == 1 {
                // The hot path, one fan-out: the batch's own columns are bound as they are; the row is the ordinality.
                let (seq, b) = batches[0]
                if b.count > 0 {
                    sql += #", f AS (INSERT INTO copy_fills (ledger, "row", slot, lots, quote, fee, capped) "#
                    sql += "SELECT \(bind(seq))::int8, (o - 1)::int4, s, lo, q, f, cp FROM unnest(\(bind(b.slots))::int4[], "
                    sql += "\(bind(b.lots))::int8[], \(bind(b.quote))::int8[], \(bind(b.fee))::int8[], \(bind(b.cappedByCash))::bool[]) "
                    sql += "WITH ORDINALITY AS x(s, lo, q, f, cp, o) \(guarded))"
                }
            } else if !batches.isEmpty {
                var ledgers: [Int64] = []
                var rows: [Int32] = []
                var slots: [Int32] = []
                var lots: [Int64] = []
                var quote: [Int64] = []
                var fee: [Int64] = []
                var capped: [Bool] = []
                for (seq, b) in batches {
                    ledgers.append(contentsOf: repeatElement(seq, count: b.count))
                    rows.append(contentsOf: (0..<Int32(b.count)))
                    slots += b.slots
                    lots += b.lots
                    quote += b.quote
                    fee += b.fee
                    capped += b.cappedByCash
                }
                if !ledgers.isEmpty {
                    sql += #", f AS (INSERT INTO copy_fills (ledger, "row", slot, lots, quote, fee, capped) "#
                    sql += "SELECT * FROM unnest(\(bind(ledgers))::int8[], \(bind(rows))::int4[], \(bind(slots))::int4[], "
                    sql += "\(bind(lots))::int8[], \(bind(quote))::int8[], \(bind(fee))::int8[], \(bind(capped))::bool[]) \(guarded))"
                }
            }
            var shareLedgers: [Int64] = []
            var shareRows: [Int32] = []
            var shareSlots: [Int32] = []
            var shareAmounts: [Int64] = []
            for (seq, b) in batches {
                for r in b.profitShare.indices {
                    shareLedgers.append(seq)
                    shareRows.append(Int32(r))
                    shareSlots.append(b.profitShareSlots[r])
                    shareAmounts.append(b.profitShare[r])
                }
            }
            if !batches.isEmpty {
                sql += ", rq AS (INSERT INTO copy_requests (ledger, total, requested, fee_rate) SELECT * FROM unnest("
                sql += "\(bind(batches.map(\.ledger)))::int8[], \(bind(batches.map(\.batch.requestedLots)))::int8[], "
                sql += "\(bind(batches.map { LedgerRows.requestText($0.batch) }))::text[], "
                sql += "\(bind(batches.map(\.batch.feeRate.units)))::int8[]) \(guarded))"
            }
            if !shareLedgers.isEmpty {
                sql += #", p AS (INSERT INTO profit_shares (ledger, "row", slot, amount) "#
                sql += "SELECT * FROM unnest(\(bind(shareLedgers))::int8[], \(bind(shareRows))::int4[], "
                sql += "\(bind(shareSlots))::int4[], \(bind(shareAmounts))::int8[]) \(guarded))"
            }
        }
        if !history.failures.isEmpty {
            sql += ", fo AS (\(failuresInsert(history.failures, &bind)) \(guarded))"
        }
        if !history.frozenCopies.isEmpty {
            sql += ", sc AS (\(frozenInsert(history.frozenCopies, &bind)) \(guarded) "
            sql += "ON CONFLICT (lead, slot) DO UPDATE SET data = EXCLUDED.data)"
        }
        if !history.orders.isEmpty {
            sql += ", po AS (\(ordersInsert(history.orders, &bind)) \(guarded) "
            sql += "ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner, event = EXCLUDED.event, data = EXCLUDED.data)"
        }
        if !history.prices.isEmpty {
            sql += ", pr AS (\(pricesInsert(history.prices, from: history.pricesFrom, &bind)) \(guarded) "
            sql += "ON CONFLICT (k) DO UPDATE SET event = EXCLUDED.event, symbol = EXCLUDED.symbol, price = EXCLUDED.price)"
        }
        if !history.curvePoints.isEmpty {
            let set = CurveColumns.point.split(separator: ", ").dropFirst(2).map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
            sql += ", lc AS (\(curveInsert(history.curvePoints, &bind)) \(guarded) ON CONFLICT (lead, k) DO UPDATE SET \(set))"
        }
        if !history.leadFills.isEmpty {
            sql += ", lf AS (INSERT INTO lead_fills (id, command, \(LeadFillRows.columns)) SELECT i, \(bind(last))::int8, "
            sql += "\(LeadFillRows.columns) FROM \(leadFillsUnnest(history.leadFills, &bind)) \(guarded))"
        }
        sql += " SELECT n FROM next"
        return bind.query(sql)
    }

    /// `INSERT INTO failed_orders … SELECT … FROM unnest(…)` of `failures`, its arrays bound in `bind`.
    static func failuresInsert(_ failures: [StoredFailure], _ bind: inout SQLBinds) -> String {
        let o = failures.map(\.order)
        return "INSERT INTO failed_orders (event, lead, slot, n, command, symbol, side, reason, notional) "
            + "SELECT * FROM unnest(\(bind(o.map { Int64($0.event) }))::int8[], \(bind(o.map(\.lead)))::int4[], "
            + "\(bind(o.map(\.slot)))::int4[], \(bind(failures.map { Int64($0.n) }))::int8[], "
            + "\(bind(failures.map { Int64($0.command) }))::int8[], \(bind(o.map(\.symbol)))::int4[], "
            + "\(bind(o.map(\.side.rawValue)))::text[], \(bind(o.map(\.reason.rawValue)))::text[], "
            + "\(bind(o.map(\.notional.units)))::int8[])"
    }

    /// `INSERT INTO stopped_copies … SELECT … FROM unnest(…)` of `copies` (their bytes as hex text, decoded by the
    /// server), its arrays bound in `bind`.
    static func frozenInsert(_ copies: [FrozenCopy], _ bind: inout SQLBinds) -> String {
        "INSERT INTO stopped_copies (lead, slot, data) SELECT l, s, decode(d, 'hex') FROM unnest("
            + "\(bind(copies.map { Int32($0.lead) }))::int4[], \(bind(copies.map { Int32($0.slot) }))::int4[], "
            + "\(bind(copies.map { Hex.encode($0.bytes) }))::text[]) AS x(l, s, d)"
    }

    /// `unnest(…) AS x(i, lead, n, …)` of `fills`: their ids as `i`, then `LeadFillRows.columns`, bound in `bind`.
    static func leadFillsUnnest(_ fills: [StoredLeadFill], _ bind: inout SQLBinds) -> String {
        let f = fills.map(\.fill)
        return "unnest(\(bind(f.map(\.id)))::text[], \(bind(f.map { Int32($0.lead) }))::int4[], "
            + "\(bind(fills.map { Int64($0.n) }))::int8[], \(bind(f.map { Int64($0.event) }))::int8[], \(bind(f.map(\.time)))::int8[], "
            + "\(bind(f.map { Int32($0.symbol) }))::int4[], \(bind(f.map(\.side.rawValue)))::text[], "
            + "\(bind(f.map(\.quantity.units)))::int8[], \(bind(f.map(\.quote.units)))::int8[], \(bind(f.map(\.fee.units)))::int8[], "
            + "\(bind(f.map(\.price.units)))::int8[]) AS x(i, \(LeadFillRows.columns))"
    }

    /// `INSERT INTO prices … SELECT * FROM unnest(…)` of `prices`, numbered from `from`, bound in `bind`.
    static func pricesInsert(_ prices: [PricePoint], from: Int, _ bind: inout SQLBinds) -> String {
        "INSERT INTO prices (k, event, symbol, price) SELECT * FROM unnest("
            + "\(bind(prices.indices.map { Int64(from + $0) }))::int8[], \(bind(prices.map { Int64($0.event) }))::int8[], "
            + "\(bind(prices.map { Int32($0.symbol) }))::int4[], \(bind(prices.map(\.price.units)))::int8[])"
    }

    /// `INSERT INTO lead_curve … SELECT * FROM unnest(…)` of `points`, bound in `bind`.
    static func curveInsert(_ points: [StoredCurvePoint], _ bind: inout SQLBinds) -> String {
        let values = points.map(CurveColumns.values)
        let columns = (0..<9).map { c in "\(bind(values.map { $0[c] }))::int8[]" }.joined(separator: ", ")
        return "INSERT INTO lead_curve (\(CurveColumns.point)) SELECT * FROM unnest(\(columns))"
    }

    /// `INSERT INTO orders … SELECT … FROM unnest(…)` of `orders` (their bytes as hex text), its arrays bound in `bind`.
    static func ordersInsert(_ orders: [StoredOrder], _ bind: inout SQLBinds) -> String {
        "INSERT INTO orders (id, owner, event, data) SELECT i, o, e, decode(d, 'hex') FROM unnest("
            + "\(bind(orders.map { Int64($0.id) }))::int8[], \(bind(orders.map { Int32($0.user) }))::int4[], "
            + "\(bind(orders.map { Int64($0.event) }))::int8[], \(bind(orders.map { Hex.encode($0.bytes) }))::text[]) AS x(i, o, e, d)"
    }

    /// Inserts `items` in pieces of `size` (a statement binds at most 65,535 values) in one transaction, then clears
    /// the mark an upgrade step left in `meta` under `mark`: what an older database's upgrade stores, once.
    private func storeInPieces<T>(_ items: [T], size: Int, clearing mark: String?, _ insert: ([T], inout SQLBinds) -> String) throws {
        try session.transaction {
            var start = 0
            while start < items.count {
                let piece = Array(items[start..<min(items.count, start + size)])
                var bind = SQLBinds()
                let sql = insert(piece, &bind)
                try session.query(bind.query(sql))
                start += piece.count
            }
            if let mark { try session.query("UPDATE meta SET value = '0' WHERE key = \(mark)") }
        }
    }

    public func frozenCopiesMissing() throws -> Bool { try missing("stopped_copies_from") }

    public func storeFrozenCopies(_ copies: [FrozenCopy]) throws {
        try storeInPieces(copies, size: 1_000, clearing: "stopped_copies_from") { piece, bind in
            Self.frozenInsert(piece, &bind) + " ON CONFLICT (lead, slot) DO NOTHING"
        }
    }

    public func ordersMissing() throws -> Bool { try missing("orders_from") }

    public func storeOrders(_ orders: [StoredOrder]) throws {
        try storeInPieces(orders, size: 1_000, clearing: "orders_from") { piece, bind in
            Self.ordersInsert(piece, &bind) + " ON CONFLICT (id) DO NOTHING"
        }
    }

    public func leadFillsMissing() throws -> Bool { try missing("lead_fills_from") }

    public func storeLeadFills(_ fills: [StoredLeadFill]) throws {
        try storeInPieces(fills, size: 5_000, clearing: "lead_fills_from") { piece, bind in
            let set = LeadFillRows.columns.split(separator: ", ").map { "\($0) = x.\($0)" }.joined(separator: ", ")
            return "UPDATE lead_fills SET \(set) FROM \(Self.leadFillsUnnest(piece, &bind)) WHERE lead_fills.id = x.i"
        }
    }

    public func curvesMissing() throws -> Bool { try missing("curves_from") }

    public func storeCurves(prices: [PricePoint], pricesFrom: Int, points: [StoredCurvePoint]) throws {
        let numbered = prices.enumerated().map { (k: pricesFrom + $0.offset, price: $0.element) }
        try storeInPieces(numbered, size: 5_000, clearing: nil) { piece, bind in
            Self.pricesInsert(piece.map(\.price), from: piece.first?.k ?? 0, &bind) + " ON CONFLICT (k) DO NOTHING"
        }
        try storeInPieces(points, size: 5_000, clearing: "curves_from") { piece, bind in
            Self.curveInsert(piece, &bind) + " ON CONFLICT (lead, k) DO NOTHING"
        }
    }

    /// Whether the mark an upgrade step left in `meta` says rows from before it may be missing (no mark: none stored).
    private func missing(_ mark: String) throws -> Bool {
        let value = try session.query("SELECT value FROM meta WHERE key = \(mark)").first?.decode(String.self)
        guard let value else { return true }
        return (Int(value) ?? 0) > 0
    }

    public func failedOrdersMissing() throws -> Int {
        let value = try session.query("SELECT value FROM meta WHERE key = 'failed_orders_from'").first?.decode(String.self)
        return value.flatMap { Int($0) } ?? 0
    }

    public func storeFailedOrders(_ failures: [(command: Int, first: Int, orders: [FailedCopyOrder])]) throws {
        var stored: [StoredFailure] = []
        for (command, first, orders) in failures {
            for (k, o) in orders.enumerated() { stored.append(StoredFailure(n: first + k, command: command, order: o)) }
        }
        stored.sort()
        try storeInPieces(stored, size: 5_000, clearing: "failed_orders_from") { piece, bind in Self.failuresInsert(piece, &bind) }
    }

    /// The pooled async client of this store's reads, made on first use.
    public var reads: PostgresPool {
        readsOnce.withLock { reads in
            if let reads { return reads }
            let made = PostgresPool(url: url)
            reads = made
            return made
        }
    }
    private let readsOnce = Mutex<PostgresPool?>(nil)

    /// The writer's own pooled client, of one connection: a server's writer takes its lock and commits over it, so
    /// a large commit's buffers stay on one connection, apart from the reads' pool.
    public var writes: PostgresPool {
        writesOnce.withLock { writes in
            if let writes { return writes }
            let made = PostgresPool(url: url, maximumConnections: 1)
            writes = made
            return made
        }
    }
    private let writesOnce = Mutex<PostgresPool?>(nil)
    /// The writer's connection while `whileWriting` holds the lock on it.
    var writerConnection: PostgresConnection?
    /// A `lock_timeout` for taking the writer's lock (several instances: a writer that hangs while holding the
    /// lock must not stop every instance for good); nil waits as long as it takes.
    public var lockTimeout: String?

    public func historyReader() throws -> any HistoryReader { PostgresHistoryReader(reads: reads) }

    public func compareLedger(with engine: Engine) throws -> [String] {
        var comparison = LedgerComparison(engine)
        var next: Int64 = -1
        let pageSize = 5_000
        while true {
            let rows = try session.query("SELECT seq, kind, body FROM ledger WHERE seq > \(next) ORDER BY seq LIMIT \(pageSize)")
            for row in rows {
                let (seq, kind, body) = try row.decode((Int64, String, String).self)
                next = seq
                if let b = comparison.entry(seq: Int(seq), kind: kind, body: body) {
                    try compareFills(ledger: Int(seq), batch: b, into: &comparison)
                }
            }
            if rows.count < pageSize { break }
        }
        let orphans = try session.query(
            "SELECT count(*)::int8 FROM copy_fills f WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE l.seq = f.ledger)"
        ).first!.decode(Int64.self)
        return comparison.finish(orphanFills: Int(orphans))
    }

    /// One batch's stored rows against the replay, fetched as arrays (one row, decoded in binary).
    private func compareFills(ledger seq: Int, batch b: CopyFillBatch, into comparison: inout LedgerComparison) throws {
        let row = try session.query(
            """
            SELECT coalesce(array_agg("row" ORDER BY "row"), '{}'), coalesce(array_agg(slot ORDER BY "row"), '{}'),
                   coalesce(array_agg(lots ORDER BY "row"), '{}'), coalesce(array_agg(quote ORDER BY "row"), '{}'),
                   coalesce(array_agg(fee ORDER BY "row"), '{}'), coalesce(array_agg(capped ORDER BY "row"), '{}'),
                   (SELECT count(*)::int8 FROM profit_shares WHERE ledger = \(Int64(seq)))
            FROM copy_fills WHERE ledger = \(Int64(seq))
            """
        ).first!
        let (rows, slots, lots, quote, fee, capped, shares) =
            try row.decode(([Int32], [Int32], [Int64], [Int64], [Int64], [Bool], Int64).self)
        comparison.fills(
            ledger: seq, batch: b, rows: rows.map(Int.init), slots: slots.map(Int64.init), lots: lots, quote: quote, fee: fee,
            capped: capped, profitShares: Int(shares))
        if let r = try session.query("SELECT total, requested, fee_rate FROM copy_requests WHERE ledger = \(Int64(seq))").first {
            let (total, requested, feeRate) = try r.decode((Int64, String, Int64).self)
            comparison.request(ledger: seq, batch: b, total: total, requested: requested, feeRate: feeRate)
        }
    }
}

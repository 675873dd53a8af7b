import Foundation
import GRDB
import PostgresNIO
import SmartSyncCore

/// How many ledger entries one `records` read brings at most (beside its row budget).
private let entriesPerRead = 4096

/// The chain and the ledger's rows in SQLite.
public final class SQLiteReceiptStore: ReceiptStore, @unchecked Sendable {
    // @unchecked: GRDB's pool and reader are Sendable and the class holds nothing else mutable.
    private let pool: any DatabaseWriter
    /// Reads go where the log's reads go: the pool, or (a read-only snapshot, as `audit` opens) that one moment.
    private let reader: any DatabaseReader

    public init(log: SQLiteCommandLog) {
        pool = log.pool
        reader = log.reader
    }

    public func chainTip() async throws -> (seq: Int, hash: [UInt8])? {
        try await reader.read { db in
            try Row.fetchOne(db, sql: "SELECT seq, hash FROM ledger_chain ORDER BY seq DESC LIMIT 1").map { r in
                (r[0] as Int, [UInt8](r[1] as Data))
            }
        }
    }

    public func records(from seq: Int, maxRows: Int) async throws -> [LedgerRecord] {
        try await reader.read { db in
            var out: [LedgerRecord] = []
            var rows = 0
            let entries = try Row.fetchCursor(
                db, sql: "SELECT seq, kind, body FROM ledger WHERE seq >= ? ORDER BY seq LIMIT ?", arguments: [seq, entriesPerRead])
            while let entry = try entries.next() {
                let (s, kind, body): (Int, String, String) = (entry[0], entry[1], entry[2])
                var batch: BatchRows?
                if kind == "copyFills" {
                    batch = try Self.batch(db, s)
                    rows += batch!.count
                }
                out.append(LedgerRecord(seq: s, kind: kind, body: body, batch: batch))
                if rows >= maxRows { break }
            }
            return out
        }
    }

    private static func batch(_ db: Database, _ seq: Int) throws -> BatchRows {
        var b = BatchRows(
            requestedLots: nil, requested: nil, slots: [], lots: [], quote: [], fee: [], capped: [], shareSlots: [], shareAmounts: [])
        let fills = try Row.fetchCursor(
            db, sql: "SELECT slot, lots, quote, fee, capped FROM copy_fills WHERE ledger = ? ORDER BY row", arguments: [seq])
        while let r = try fills.next() {
            b.slots.append(r[0])
            b.lots.append(r[1])
            b.quote.append(r[2])
            b.fee.append(r[3])
            b.capped.append((r[4] as Int64) != 0)
        }
        for r in try Row.fetchAll(db, sql: "SELECT slot, amount FROM profit_shares WHERE ledger = ? ORDER BY row", arguments: [seq]) {
            b.shareSlots.append(r[0])
            b.shareAmounts.append(r[1])
        }
        if let r = try Row.fetchOne(db, sql: "SELECT total, requested, fee_rate FROM copy_requests WHERE ledger = ?", arguments: [seq]) {
            b.requestedLots = r[0]
            b.requested = try LedgerRows.requests(fromText: r[1], rows: b.count, ledger: seq)
            b.feeRate = r[2]
        }
        return b
    }

    public func storeChain(_ hashes: [(seq: Int, hash: [UInt8])]) async throws {
        try await pool.write { db in
            let insert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO ledger_chain (seq, hash) VALUES (?, ?)")
            for h in hashes { try insert.execute(arguments: [h.seq, Data(h.hash)]) }
        }
    }

    public func chainKey() async throws -> [UInt8] {
        let hex = try await reader.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'chain_key'") }
        guard let key = hex.flatMap(Hex.decode), !key.isEmpty else {
            throw StoreError.io(path: "meta", detail: "the database has no chain_key")
        }
        return key
    }

    public func chainHashes(from seq: Int, through last: Int) async throws -> [Int: [UInt8]] {
        try await reader.read { db in
            var out: [Int: [UInt8]] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT seq, hash FROM ledger_chain WHERE seq BETWEEN ? AND ?", arguments: [seq, last]) {
                out[r[0]] = [UInt8](r[1] as Data)
            }
            return out
        }
    }
}

/// The chain and the ledger's rows in PostgreSQL.
public final class PostgresReceiptStore: ReceiptStore, Sendable {
    private let reads: PostgresPool

    public init(log: PostgresCommandLog) { reads = log.reads }

    public func chainTip() async throws -> (seq: Int, hash: [UInt8])? {
        guard let r = try await reads.query("SELECT seq, encode(hash, 'hex') FROM ledger_chain ORDER BY seq DESC LIMIT 1").first else {
            return nil
        }
        let (seq, hex) = try r.decode((Int64, String).self)
        return (Int(seq), Hex.decode(hex) ?? [])
    }

    public func records(from seq: Int, maxRows: Int) async throws -> [LedgerRecord] {
        let entries = try await reads.query(
            "SELECT seq, kind, body FROM ledger WHERE seq >= \(Int64(seq)) ORDER BY seq LIMIT \(Int64(entriesPerRead))")
        var out: [LedgerRecord] = []
        var rows = 0
        for entry in entries {
            let (s, kind, body) = try entry.decode((Int64, String, String).self)
            var batch: BatchRows?
            if kind == "copyFills" {
                batch = try await self.batch(s)
                rows += batch!.count
            }
            out.append(LedgerRecord(seq: Int(s), kind: kind, body: body, batch: batch))
            if rows >= maxRows { break }
        }
        return out
    }

    private func batch(_ seq: Int64) async throws -> BatchRows {
        var b = BatchRows(
            requestedLots: nil, requested: nil, slots: [], lots: [], quote: [], fee: [], capped: [], shareSlots: [], shareAmounts: [])
        for r in try await reads.query(
            #"SELECT slot::int8, lots, quote, fee, capped FROM copy_fills WHERE ledger = \#(seq) ORDER BY "row""#)
        {
            let (slot, lots, quote, fee, capped) = try r.decode((Int64, Int64, Int64, Int64, Bool).self)
            b.slots.append(slot)
            b.lots.append(lots)
            b.quote.append(quote)
            b.fee.append(fee)
            b.capped.append(capped)
        }
        for r in try await reads.query(#"SELECT slot::int8, amount FROM profit_shares WHERE ledger = \#(seq) ORDER BY "row""#) {
            let (slot, amount) = try r.decode((Int64, Int64).self)
            b.shareSlots.append(slot)
            b.shareAmounts.append(amount)
        }
        if let r = try await reads.query("SELECT total, requested, fee_rate FROM copy_requests WHERE ledger = \(seq)").first {
            let (total, text, rate) = try r.decode((Int64, String, Int64).self)
            b.requestedLots = total
            b.feeRate = rate
            b.requested = try LedgerRows.requests(fromText: text, rows: b.count, ledger: Int(seq))
        }
        return b
    }

    public func storeChain(_ hashes: [(seq: Int, hash: [UInt8])]) async throws {
        guard !hashes.isEmpty else { return }
        let seqs = hashes.map { Int64($0.seq) }
        let hexes = hashes.map { Hex.encode($0.hash) }
        _ = try await reads.query(
            """
            INSERT INTO ledger_chain (seq, hash) SELECT s, decode(h, 'hex') FROM unnest(\(seqs)::int8[], \(hexes)::text[]) AS x(s, h)
            ON CONFLICT (seq) DO UPDATE SET hash = EXCLUDED.hash
            """)
    }

    public func chainKey() async throws -> [UInt8] {
        let hex = try await reads.query("SELECT value FROM meta WHERE key = 'chain_key'").first?.decode(String.self)
        guard let key = hex.flatMap(Hex.decode), !key.isEmpty else {
            throw StoreError.io(path: "meta", detail: "the database has no chain_key")
        }
        return key
    }

    public func chainHashes(from seq: Int, through last: Int) async throws -> [Int: [UInt8]] {
        var out: [Int: [UInt8]] = [:]
        for r in try await reads.query(
            "SELECT seq, encode(hash, 'hex') FROM ledger_chain WHERE seq BETWEEN \(Int64(seq)) AND \(Int64(last))")
        {
            let (s, hex) = try r.decode((Int64, String).self)
            out[Int(s)] = Hex.decode(hex) ?? []
        }
        return out
    }
}

extension AnyCommandLog {
    /// The ledger's hash chain and the rows receipts are built from, in this log's database.
    public func receipts() throws -> any ReceiptStore {
        switch base {
        case let sqlite as SQLiteCommandLog: return SQLiteReceiptStore(log: sqlite)
        case let postgres as PostgresCommandLog: return PostgresReceiptStore(log: postgres)
        default: throw StoreError.io(path: location, detail: "this backend keeps no ledger chain")
        }
    }
}

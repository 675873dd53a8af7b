import GRDB
import GRDBSQLite
import SmartSyncCore

/// The ledger as rows: one `ledger` row per journal entry (a canonical text of it), and for a copy-fill batch one
/// `copy_fills` row per copy fill and one `profit_shares` row per payment. Amounts are integers in 1e-8 units.
enum LedgerRows {
    /// The canonical text of an entry; a batch's text holds its header, its rows live in their own tables.
    static func body(_ entry: JournalEntry) -> (kind: String, body: String) {
        switch entry {
        case .deposit(let u, let amount):
            return ("deposit", "user=\(u) amount=\(amount.units)")
        case .withdrawal(let u, let amount):
            return ("withdrawal", "user=\(u) amount=\(amount.units)")
        case .transfer(let asset, let amount, let from, let to):
            return ("transfer", "asset=\(asset) amount=\(amount.units) from=\(from) to=\(to)")
        case .trade(let t):
            return (
                "trade",
                "account=\(t.account) symbol=\(t.symbol) side=\(t.side.rawValue) quantity=\(t.quantity.units) quote=\(t.quote.units) fee=\(t.fee.units) event=\(t.event) time=\(t.time)"
            )
        case .copyFills(let b):
            return (
                "copyFills",
                "lead=\(b.lead) symbol=\(b.symbol) side=\(b.side.rawValue) event=\(b.event) time=\(b.time) fill=\(b.leadFillID ?? "-") leadPrice=\(b.leadPrice.units) price=\(b.price.units) rows=\(b.count) shares=\(b.profitShare.count)"
            )
        }
    }

    /// The header of a copy-fill batch back from its ledger text (`body`): what a copy's pages need once the batch
    /// left memory. Nil for text that is not a batch's. The lead fill's id is everything between `fill=` and the last
    /// ` leadPrice=`, so an id with spaces reads back whole.
    static func header(fromBody body: String) -> CopyFillHeader? {
        guard let fill = body.range(of: " fill="), let leadPrice = body.range(of: " leadPrice=", options: .backwards),
            fill.upperBound <= leadPrice.lowerBound
        else { return nil }
        func fields(_ text: Substring) -> [Substring: Substring] {
            var out: [Substring: Substring] = [:]
            for pair in text.split(separator: " ") {
                guard let eq = pair.firstIndex(of: "=") else { continue }
                out[pair[..<eq]] = pair[pair.index(after: eq)...]
            }
            return out
        }
        let before = fields(body[..<fill.lowerBound])
        let after = fields(body[leadPrice.lowerBound...])
        let id = body[fill.upperBound..<leadPrice.lowerBound]
        guard let lead = before["lead"].flatMap({ Int($0) }), let symbol = before["symbol"].flatMap({ Int($0) }),
            let side = before["side"].flatMap({ Side(rawValue: String($0)) }), let event = before["event"].flatMap({ Int($0) }),
            let time = before["time"].flatMap({ Int64($0) }), let lp = after["leadPrice"].flatMap({ Int64($0) }),
            let price = after["price"].flatMap({ Int64($0) })
        else { return nil }
        return CopyFillHeader(
            lead: lead, symbol: symbol, side: side, event: event, time: time, leadFillID: id == "-" ? nil : String(id),
            leadPrice: Fixed(units: lp), price: Fixed(units: price))
    }

    /// `header(fromBody:)` of the ledger row at `position`, or an error naming it.
    static func batchHeader(_ body: String, position: Int) throws -> CopyFillHeader {
        guard let header = header(fromBody: body) else {
            throw StoreError.inconsistent(path: "ledger", problems: ["ledger row \(position) is not a copy-fill batch: \(body.prefix(80))"])
        }
        return header
    }

    /// Writes journal entries as ledger rows numbered from `firstSeq`.
    static func write(_ db: Database, entries: [JournalEntry], firstSeq: Int, command: Int) throws {
        guard !entries.isEmpty else { return }
        let insertEntry = try db.cachedStatement(sql: "INSERT INTO ledger (seq, command, kind, body) VALUES (?, ?, ?, ?)")
        let insertFill = try db.cachedStatement(
            sql: "INSERT INTO copy_fills (ledger, row, slot, lots, quote, fee, capped) VALUES (?, ?, ?, ?, ?, ?, ?)")
        let insertShare = try db.cachedStatement(
            sql: "INSERT INTO profit_shares (ledger, row, slot, amount) VALUES (?, ?, ?, ?)")
        let insertRequest = try db.cachedStatement(
            sql: "INSERT INTO copy_requests (ledger, total, requested, fee_rate) VALUES (?, ?, ?, ?)")
        var seq = firstSeq
        for entry in entries {
            let (kind, body) = Self.body(entry)
            try insertEntry.execute(arguments: [seq, command, kind, body])
            if case .copyFills(let b) = entry {
                try insertRows(insertFill, ledger: seq, batch: b)
                for r in b.profitShare.indices {
                    try insertShare.execute(arguments: [seq, r, Int(b.profitShareSlots[r]), b.profitShare[r]])
                }
                try insertRequest.execute(arguments: [seq, b.requestedLots, requestText(b), b.feeRate.units])
            }
            seq += 1
        }
    }

    /// A batch's per-row requests as `copy_requests` keeps them: comma-separated, empty when each row got its request.
    static func requestText(_ b: CopyFillBatch) -> String { b.requested.map(String.init).joined(separator: ",") }

    /// `requestText` back, nil when empty (each row got its request).
    static func requests(fromText text: String, rows: Int, ledger: Int) throws -> [Int64]? {
        guard !text.isEmpty else { return nil }
        let values = text.split(separator: ",").compactMap { Int64($0) }
        guard values.count == rows else {
            throw StoreError.inconsistent(
                path: "copy_requests", problems: ["ledger entry \(ledger) has \(values.count) requests for \(rows) rows"])
        }
        return values
    }

    /// Writes failed copy orders (in key order, see `StoredFailure`).
    static func write(_ db: Database, failures: [StoredFailure]) throws {
        guard !failures.isEmpty else { return }
        let insert = try db.cachedStatement(
            sql:
                "INSERT INTO failed_orders (event, lead, slot, n, command, symbol, side, reason, notional) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        for f in failures {
            let o = f.order
            try insert.execute(arguments: [
                Int(o.event), Int(o.lead), Int(o.slot), f.n, f.command, Int(o.symbol), o.side.rawValue, o.reason.rawValue, o.notional.units,
            ])
        }
    }

    /// A failed copy order from its stored columns.
    static func failedOrder(lead: Int, slot: Int, event: Int, symbol: Int, side: String, reason: String, notional: Int64) throws
        -> FailedCopyOrder
    {
        guard let side = Side(rawValue: side), let reason = FailedCopyOrder.Reason(rawValue: reason) else {
            throw StoreError.io(path: "failed_orders", detail: "a stored failed order has side \(side) and reason \(reason)")
        }
        return FailedCopyOrder(
            lead: Int32(lead), slot: Int32(slot), event: Int32(event), symbol: Int32(symbol), side: side, reason: reason,
            notional: Fixed(units: notional))
    }

    /// One prepared statement, raw binds, one step per copy fill: the fan-out's hot write.
    static func insertRows(_ statement: Statement, ledger: Int, batch b: CopyFillBatch) throws {
        let s = statement.sqliteStatement
        for r in 0..<b.count {
            sqlite3_bind_int64(s, 1, Int64(ledger))
            sqlite3_bind_int64(s, 2, Int64(r))
            sqlite3_bind_int64(s, 3, Int64(b.slots[r]))
            sqlite3_bind_int64(s, 4, b.lots[r])
            sqlite3_bind_int64(s, 5, b.quote[r])
            sqlite3_bind_int64(s, 6, b.fee[r])
            sqlite3_bind_int64(s, 7, b.cappedByCash[r] ? 1 : 0)
            let code = sqlite3_step(s)
            sqlite3_reset(s)
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "inserting copy fill \(r) of ledger entry \(ledger)")
            }
        }
    }

    /// Compares the stored ledger with the engine's journal, row by row.
    static func compare(_ db: Database, engine: Engine) throws -> [String] {
        var comparison = LedgerComparison(engine)
        // A database from before receipts, audited as it is (read-only, not migrated), has no requests to compare.
        let hasRequests = try db.tableExists("copy_requests")
        let entries = try Row.fetchCursor(db, sql: "SELECT seq, kind, body FROM ledger ORDER BY seq")
        while let row = try entries.next() {
            let seq: Int = row["seq"]
            guard let b = comparison.entry(seq: seq, kind: row["kind"], body: row["body"]) else { continue }
            let fills = try Row.fetchAll(
                db, sql: "SELECT row, slot, lots, quote, fee, capped FROM copy_fills WHERE ledger = ? ORDER BY row",
                arguments: [seq])
            let shares = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM profit_shares WHERE ledger = ?", arguments: [seq]) ?? 0
            if hasRequests,
                let r = try Row.fetchOne(db, sql: "SELECT total, requested, fee_rate FROM copy_requests WHERE ledger = ?", arguments: [seq])
            {
                comparison.request(ledger: seq, batch: b, total: r[0], requested: r[1], feeRate: r[2])
            }
            comparison.fills(
                ledger: seq, batch: b, rows: fills.map { $0["row"] }, slots: fills.map { $0["slot"] }, lots: fills.map { $0["lots"] },
                quote: fills.map { $0["quote"] }, fee: fills.map { $0["fee"] }, capped: fills.map { ($0["capped"] as Int64) != 0 },
                profitShares: shares)
        }
        let orphanFills = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM copy_fills WHERE ledger NOT IN (SELECT seq FROM ledger)") ?? 0
        return comparison.finish(orphanFills: orphanFills)
    }
}

/// A lead fill as `lead_fills` keeps it, one column per field (both backends).
enum LeadFillRows {
    /// The columns beside `id` and `command`, in the order `values` gives them.
    static let columns = "lead, n, event, time, symbol, side, quantity, quote, fee, price"

    static func values(_ f: StoredLeadFill) -> [any DatabaseValueConvertible] {
        let x = f.fill
        return [x.lead, f.n, x.event, x.time, x.symbol, x.side.rawValue, x.quantity.units, x.quote.units, x.fee.units, x.price.units]
    }

    /// The fill in a row of `id` then `columns`.
    static func fill(_ row: Row) throws -> StoredLeadFill {
        try fill(
            id: row[0], lead: row[1], n: row[2], event: row[3], time: row[4], symbol: row[5], side: row[6], quantity: row[7],
            quote: row[8], fee: row[9], price: row[10])
    }

    static func fill(
        id: String, lead: Int, n: Int, event: Int, time: Int64, symbol: Int, side: String, quantity: Int64, quote: Int64, fee: Int64,
        price: Int64
    ) throws -> StoredLeadFill {
        guard let side = Side(rawValue: side) else {
            throw StoreError.io(path: "lead_fills", detail: "the stored lead fill \(id) has side \(side)")
        }
        return StoredLeadFill(
            n: n,
            fill: LeadFill(
                id: id, lead: lead, symbol: symbol, side: side, quantity: Fixed(units: quantity), quote: Fixed(units: quote),
                fee: Fixed(units: fee), price: Fixed(units: price), event: event, time: time))
    }
}

/// Mark prices and leads' equity curve points as `prices` and `lead_curve` keep them (both backends).
enum CurveColumns {
    /// `lead_curve`'s columns, in the order `values` gives them.
    static let point = "lead, k, time, event, equity, nav, net_funding, journal_count, price_count"

    static func values(_ p: StoredCurvePoint) -> [Int64] {
        let x = p.point
        return [
            Int64(p.lead), Int64(p.k), x.time, Int64(x.event), x.equity.units, x.nav.units, x.netFunding.units, Int64(x.journalCount),
            Int64(x.priceCount),
        ]
    }

    /// The point of a row of `point`'s columns but `lead` and `k` (`time` first).
    static func point(_ v: [Int64]) -> EquityPoint {
        EquityPoint(
            time: v[0], event: Int(v[1]), equity: Fixed(units: v[2]), nav: Fixed(units: v[3]), netFunding: Fixed(units: v[4]),
            journalCount: Int(v[5]), priceCount: Int(v[6]))
    }

    /// The columns `point(_:)` reads.
    static let pointRead = "time, event, equity, nav, net_funding, journal_count, price_count"
}

import Foundation
import PostgresNIO
import SmartSyncCore

/// A copy's past from PostgreSQL through the store's pooled async client (`PostgresPool`): the reads never block a
/// thread and never queue behind the writer's connection. One query for the fills, one for the failures.
struct PostgresHistoryReader: HistoryReader {
    let reads: PostgresPool

    func copyRows(_ request: CopyRowsRequest) async throws -> CopyRows {
        var history = CopyRows()
        let slot = Int32(request.slot)
        if !request.batches.isEmpty {
            let batches = request.batches.map { Int64($0) }
            let rows = try await reads.query(
                """
                SELECT f.ledger, f.lots, f.quote, f.fee, f.capped, s.amount, l.body FROM copy_fills f
                JOIN ledger l ON l.seq = f.ledger
                LEFT JOIN profit_shares s ON s.ledger = f.ledger AND s.slot = f.slot
                WHERE f.slot = \(slot) AND f.ledger = ANY(\(batches)) ORDER BY f.ledger
                """)
            for row in rows {
                let (ledger, lots, quote, fee, capped, share, body) = try row.decode(
                    (Int64, Int64, Int64, Int64, Bool, Int64?, String).self)
                history.fills.append(
                    CopyRows.Fill(
                        position: Int(ledger), lots: Lots(lots), quote: Fixed(units: quote), fee: Fixed(units: fee),
                        cappedByCash: capped))
                if let share { history.profitShares.append(CopyRows.Share(position: Int(ledger), amount: Fixed(units: share))) }
                history.headers[Int(ledger)] = try LedgerRows.batchHeader(body, position: Int(ledger))
            }
        }
        if !request.failureEvents.isEmpty {
            let events = request.failureEvents.map { Int64($0) }
            let lead = Int32(request.lead)
            let before = Int64(request.failuresBefore)
            let rows = try await reads.query(
                """
                SELECT event, symbol, side, reason, notional FROM failed_orders
                WHERE event = ANY(\(events)) AND lead = \(lead) AND slot = \(slot) AND n < \(before) ORDER BY n
                """)
            for row in rows {
                let (event, symbol, side, reason, notional) = try row.decode((Int64, Int32, String, String, Int64).self)
                history.failures.append(
                    try LedgerRows.failedOrder(
                        lead: request.lead, slot: request.slot, event: Int(event), symbol: Int(symbol), side: side, reason: reason,
                        notional: notional))
            }
        }
        return history
    }

    func order(id: Int) async throws -> [UInt8]? {
        try bytes(try await reads.query("SELECT encode(data, 'hex') FROM orders WHERE id = \(Int64(id))")).first
    }

    func order(placedAt event: Int) async throws -> [UInt8]? {
        try bytes(try await reads.query("SELECT encode(data, 'hex') FROM orders WHERE event = \(Int64(event)) ORDER BY id LIMIT 1"))
            .first
    }

    func orders(user: Int, before: Int, limit: Int) async throws -> [[UInt8]] {
        let (u, b, n) = (Int32(user), Int64(before), Int64(limit))
        return try bytes(
            try await reads.query("SELECT encode(data, 'hex') FROM orders WHERE owner = \(u) AND id < \(b) ORDER BY id DESC LIMIT \(n)"))
    }

    func leadFills(lead: Int, below: Int, before: Int, limit: Int) async throws -> [StoredLeadFill] {
        let (l, b, e, n) = (Int32(lead), Int64(below), Int64(before), Int64(limit))
        let rows = try await reads.query(
            """
            SELECT id, \(unescaped: LeadFillRows.columns) FROM lead_fills WHERE lead = \(l) AND event < \(e) AND n < \(b)
            ORDER BY event DESC, n DESC LIMIT \(n)
            """)
        return try rows.reversed().map { try Self.fill($0) }
    }

    func leadFills(ids: [String]) async throws -> [StoredLeadFill] {
        guard !ids.isEmpty else { return [] }
        let rows = try await reads.query(
            "SELECT id, \(unescaped: LeadFillRows.columns) FROM lead_fills WHERE id = ANY(\(ids)) AND lead IS NOT NULL")
        return try rows.map { try Self.fill($0) }
    }

    private static func fill(_ row: PostgresRow) throws -> StoredLeadFill {
        let (id, lead, n, event, time, symbol, side, quantity, quote, fee, price) = try row.decode(
            (String, Int32, Int64, Int64, Int64, Int32, String, Int64, Int64, Int64, Int64).self)
        return try LeadFillRows.fill(
            id: id, lead: Int(lead), n: Int(n), event: Int(event), time: time, symbol: Int(symbol), side: side, quantity: quantity,
            quote: quote, fee: fee, price: price)
    }

    func curveRows(_ request: CurveRowsRequest) async throws -> CurveRows {
        var rows = CurveRows()
        let (l, below, started) = (Int32(request.lead), Int64(request.pointsBelow), Int64(request.started))
        let stopped = Int64(request.stopped ?? Int.max)
        rows.points = try await reads.query(
            """
            SELECT \(unescaped: CurveColumns.pointRead) FROM lead_curve WHERE lead = \(l) AND k < \(below) AND event > \(started)
            AND event < \(stopped) ORDER BY k
            """
        ).map(Self.point)
        let pricesBelow = Int64(request.pricesBelow)
        // The first price set after the start (update events never decrease as k grows; listings, event -1, are never
        // after a start): one index seek.
        let from = try await reads.query(
            "SELECT k FROM prices WHERE event > \(started) AND k < \(pricesBelow) ORDER BY event, k LIMIT 1"
        ).first?.decode(Int64.self)
        rows.pricesFrom = Int(from ?? pricesBelow)
        let marks = try await reads.query(
            """
            SELECT s, (SELECT price FROM prices WHERE symbol = s AND k < \(Int64(rows.pricesFrom)) ORDER BY k DESC LIMIT 1)
            FROM generate_series(0, \(Int32(request.symbols)) - 1) AS s
            """)
        for row in marks {
            let (s, price) = try row.decode((Int32, Int64?).self)
            if let price { rows.marks[Int(s)] = Fixed(units: price) }
        }
        let end = request.stopped == nil ? request.pricesBelow : min(request.pricesBelow, rows.points.last?.priceCount ?? rows.pricesFrom)
        for row in try await reads.query(
            "SELECT event, symbol, price FROM prices WHERE k >= \(Int64(rows.pricesFrom)) AND k < \(Int64(end)) ORDER BY k")
        {
            let (event, symbol, price) = try row.decode((Int64, Int32, Int64).self)
            rows.prices.append(PricePoint(event: Int(event), symbol: Int(symbol), price: Fixed(units: price)))
        }
        return rows
    }

    func leadCurveRead(_ request: LeadCurveRequest) async throws -> LeadCurveRead {
        var read = LeadCurveRead()
        guard request.pointsBelow > 0 else { return read }
        let (l, below) = (Int32(request.lead), Int64(request.pointsBelow))
        let columns = CurveColumns.pointRead
        read.first = try await reads.query(
            "SELECT \(unescaped: columns) FROM lead_curve WHERE lead = \(l) AND k = 0"
        ).map(Self.point).first
        if let start = read.first?.time {
            for (days, from) in request.windowStarts where from > start {
                read.bases[days] = try await reads.query(
                    """
                    SELECT \(unescaped: columns) FROM lead_curve WHERE lead = \(l) AND k < \(below) AND time <= \(from)
                    ORDER BY time DESC, k DESC LIMIT 1
                    """
                ).map(Self.point).first
            }
        }
        var firstFrom: Int?
        if request.curveFrom > 0 {
            let k = try await reads.query(
                "SELECT min(k) FROM lead_curve WHERE lead = \(l) AND k < \(below) AND event >= \(Int64(request.curveFrom))"
            ).first?.decode(Int64?.self)
            firstFrom = k.flatMap { $0 }.map { Int($0) }
        }
        let shown = request.shownPositions(firstFrom: firstFrom).map { Int64($0) }
        if let a = shown.first, let b = shown.last, Int(b - a) + 1 == shown.count {
            read.shown = try await reads.query(
                "SELECT \(unescaped: columns) FROM lead_curve WHERE lead = \(l) AND k >= \(a) AND k <= \(b) ORDER BY k"
            ).map(Self.point)
        } else if !shown.isEmpty {
            read.shown = try await reads.query(
                "SELECT \(unescaped: columns) FROM lead_curve WHERE lead = \(l) AND k = ANY(\(shown)) ORDER BY k"
            ).map(Self.point)
        }
        return read
    }

    private static func point(_ row: PostgresRow) throws -> EquityPoint {
        let v = try row.decode((Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
        return CurveColumns.point([v.0, v.1, v.2, v.3, v.4, v.5, v.6])
    }

    /// The bytes of rows of one hex-encoded `bytea` column.
    private func bytes(_ rows: [PostgresRow]) throws -> [[UInt8]] {
        var all: [[UInt8]] = []
        for row in rows {
            guard let bytes = Hex.decode(try row.decode(String.self)) else {
                throw StoreError.io(path: "orders", detail: "a stored order is not hex")
            }
            all.append(bytes)
        }
        return all
    }

    func frozenCopy(lead: Int, slot: Int) async throws -> [UInt8]? {
        let (l, s) = (Int32(lead), Int32(slot))
        let rows = try await reads.query("SELECT encode(data, 'hex') FROM stopped_copies WHERE lead = \(l) AND slot = \(s)")
        guard let hex = try rows.first?.decode(String.self) else { return nil }
        guard let bytes = Hex.decode(hex) else { throw StoreError.io(path: "stopped_copies", detail: "a frozen copy is not hex") }
        return bytes
    }
}

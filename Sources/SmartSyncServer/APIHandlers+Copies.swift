import Foundation
import OpenAPIRuntime
import SmartSyncAPI
import SmartSyncCore
import SmartSyncViews

/// A follower's copies as they read them: the list, one copy (whole or summed up), its history, and its past by page
/// (fills beside the lead's, failed orders, equity curve, tracking). Its follower or the operator reads a copy
/// (`visibleCopy`), at one committed moment.
extension APIHandlers {
    func myCopies(_ input: Operations.MyCopies.Input) async throws -> Operations.MyCopies.Output {
        let caller = try RequestScope.require()
        let page = (limit: input.query.limit ?? .max, after: input.query.after)
        let engine = service.read { $0 }
        guard let u = engine.user(named: caller.user) else { return .ok(.init(body: .json([]))) }
        var copies: [CopyReport] = []
        for (n, ref) in Self.listPage(engine.users[u].copies, page) {
            let engine = try await service.viewing(engine, ref)
            var copy =
                input.query.view == .summary
                ? APIViews.copySummary(engine, ref) : ScenarioReport.copy(engine, ref, rows: try await service.copyRows(engine, ref))
            copy.n = n
            copies.append(copy)
        }
        return .ok(.init(body: .json(copies)))
    }

    func copyDetails(_ input: Operations.CopyDetails.Input) async throws -> Operations.CopyDetails.Output {
        let caller = try RequestScope.require()
        if input.query.view == .summary {
            let (committed, ref) = try service.read { engine in (engine, try Self.visibleCopy(engine, input.path.id, caller, owner: false))
            }
            return .ok(.init(body: .json(APIViews.copySummary(try await service.viewing(committed, ref), ref))))
        }
        return .ok(.init(body: .json(try await copyReport(input.path.id, caller))))
    }

    func copyHistory(_ input: Operations.CopyHistory.Input) async throws -> Operations.CopyHistory.Output {
        let caller = try RequestScope.require()
        let page = (limit: input.query.limit ?? .max, after: input.query.after)
        let (committed, ref) = try service.read { engine in (engine, try Self.visibleCopy(engine, input.path.id, caller, owner: false)) }
        let engine = try await service.viewing(committed, ref)
        return .ok(.init(body: .json(Self.listPage(engine.copyHistory(ref), page).map { CopyHistoryReport($0.item, n: $0.n) })))
    }

    /// The copy `id`, whole (its fills and failed orders too), for its follower or the operator.
    func copyReport(_ id: String, _ caller: Caller) async throws -> CopyReport {
        let (engine, ref, past) = try await Self.copyPast(service, id, caller)
        return ScenarioReport.copy(engine, ref, rows: past)
    }

    /// The copy `id` as the caller may see it, the engine of that moment and the copy's past at it.
    func copyPast(_ id: String) async throws -> (Engine, CopyRef, CopyRows) {
        try await Self.copyPast(service, id, try RequestScope.require())
    }

    /// The copy `id` as `caller` may see it (`visibleCopy`), the engine of that committed moment (a stopped copy
    /// released from memory is read from the database: `EngineService.viewing`) and the copy's past at it.
    static func copyPast(_ service: EngineService, _ id: String, _ caller: Caller, owner: Bool = false) async throws
        -> (Engine, CopyRef, CopyRows)
    {
        let (committed, ref) = try service.read { engine in (engine, try visibleCopy(engine, id, caller, owner: owner)) }
        let engine = try await service.viewing(committed, ref)
        return (engine, ref, try await service.copyRows(engine, ref))
    }

    /// The copy `id` if the caller may see it: its follower, or the operator (who may read, not act). Another
    /// user's copy does not exist for the caller (404).
    static func visibleCopy(_ engine: Engine, _ id: String, _ caller: Caller, owner: Bool) throws -> CopyRef {
        guard let ref = engine.copy(named: id) else { throw APIError.notFound("copy \(id)") }
        let follower = engine.follower(of: ref)
        if follower != caller.user && (owner || caller.role != .operator_) {
            if caller.role == .operator_ { throw APIError.forbidden }
            throw APIError.notFound("copy \(id)")
        }
        return ref
    }

    /// A page's bounds: oldest first from `after`, or newest first before `before` (50 by default).
    static func page(order: String?, limit: Int?, before: Int?, after: Int?) -> (limit: Int, cursor: Int?, newest: Bool) {
        let newest = order == "newest"
        return (limit ?? (newest ? 50 : 1_000_000), newest ? before : after, newest)
    }

    func tracking(_ input: Operations.Tracking.Input) async throws -> Operations.Tracking.Output {
        let caller = try RequestScope.require()
        let (committed, ref) = try service.read { engine in (engine, try Self.visibleCopy(engine, input.path.id, caller, owner: false)) }
        return .ok(.init(body: .json(TrackingReport(try await service.viewing(committed, ref).copyView(ref).tracking))))
    }

    func copyFills(_ input: Operations.CopyFills.Input) async throws -> Operations.CopyFills.Output {
        let q = input.query
        let (limit, cursor, newest) = Self.page(order: q.order?.rawValue, limit: q.limit, before: q.before, after: q.after)
        let (engine, ref, past) = try await copyPast(input.path.id)
        let page = APIViews.page(
            engine.copyFills(ref, rows: past).enumerated().map { ($0.offset, $0.element) }, limit: limit, cursor: cursor, newest: newest)
        // The lead fills behind this page.
        let leadFills = try await service.leadFills(engine, ids: Set(page.compactMap { $0.item.leadFillID }))
        let fills = page.map { n, f in
            let lead = f.leadFillID.flatMap { leadFills[$0] }
            return Operations.CopyFills.Output.Ok.Body.JsonPayloadPayload(
                n: n,
                lead: lead.map {
                    .init(quantity: $0.quantity, price: $0.price, quote: $0.quote, fee: $0.fee, time: ISO8601.format($0.time))
                },
                event: f.event, time: ISO8601.format(f.time), symbol: f.symbol, side: f.side == .buy ? .buy : .sell,
                quantity: f.quantity, price: f.price, quote: f.quote, fee: f.fee, leadPrice: f.leadPrice, leadFill: f.leadFillID,
                cappedByCash: f.cappedByCash)
        }
        return .ok(.init(body: .json(fills)))
    }

    /// A copy fill's allocation receipt (docs/receipts.md): its batch's rows read back from the database, the chain
    /// extended through its entry first.
    func copyFillReceipt(_ input: Operations.CopyFillReceipt.Input) async throws -> Operations.CopyFillReceipt.Output {
        let id = input.path.id
        let n = input.path.n
        guard n >= 0 else { throw APIError(.badRequest, code: "invalidInput", "must be 0 or more (a fill's number)", field: "n") }
        let (engine, ref, past) = try await copyPast(id)
        // Numbered as `copyFills` numbers them: the fills whose batch header is at hand.
        let fills = past.fills.compactMap { f in engine.batchHeader(at: f.position, rows: past).map { (f.position, $0) } }
        guard n < fills.count else { throw APIError.notFound("fill \(n) of copy \(id) (it has \(fills.count))") }
        let (position, header) = fills[n]
        try await extendChain(through: position)
        let hashes = try await service.receipts.chainHashes(from: position - 1, through: position)
        guard let record = try await service.receipts.record(position), let hash = hashes[position],
            let previous = position == 0 ? LedgerChain.zero : hashes[position - 1]
        else {
            throw APIError(.serviceUnavailable, code: "unavailable", "the ledger chain does not reach entry \(position) yet")
        }
        let symbol = engine.venue.symbols[header.symbol]
        let context = AllocationReceipt.Context(
            copy: id, fill: n, slot: ref.slot, header: header, time: ISO8601.format(header.time), symbol: symbol.name,
            qtyStep: symbol.qtyStep, feeRate: engine.settings.takerFeeRate, previousHash: previous, chainHash: hash,
            key: try await service.chain.key())
        guard let receipt = AllocationReceipt.build(record, context) else {
            throw APIError(.internalServerError, code: "internal", "ledger entry \(position) holds no row of copy \(id)")
        }
        return .ok(.init(body: .json(receipt)))
    }

    /// Extends the ledger's hash chain through entry `seq` before a read of it; a chain that cannot be extended is a 503.
    func extendChain(through seq: Int) async throws {
        do {
            try await service.chain.catchUp(through: seq)
        } catch {
            throw APIError(.serviceUnavailable, code: "unavailable", "the ledger's hash chain cannot be extended: \(error)")
        }
    }

    /// The head of the ledger's hash chain, extended first over everything committed; with `seq`, the chain up to
    /// that entry (its hash as the chain has it now, to check a head recorded earlier).
    func ledgerChain(_ input: Operations.LedgerChain.Input) async throws -> Operations.LedgerChain.Output {
        _ = try RequestScope.require()
        let committed = service.read { $0.journal.count }
        if let seq = input.query.seq, seq >= committed {
            throw APIError(.notFound, code: "notFound", "the ledger has \(committed) entries, none numbered \(seq) yet", field: "seq")
        }
        if committed > 0 { try await extendChain(through: committed - 1) }
        let head: (seq: Int, hash: [UInt8])?
        if let seq = input.query.seq {
            head = try await service.receipts.chainHashes(from: seq, through: seq)[seq].map { (seq, $0) }
        } else {
            head = try await service.receipts.chainTip()
        }
        return .ok(.init(body: .json(.init(entries: (head?.seq ?? -1) + 1, seq: head?.seq, hash: head.map { Hex.encode($0.hash) }))))
    }

    func failedOrders(_ input: Operations.FailedOrders.Input) async throws -> Operations.FailedOrders.Output {
        let q = input.query
        let (limit, cursor, newest) = Self.page(order: q.order?.rawValue, limit: q.limit, before: q.before, after: q.after)
        let reason = q.reason.flatMap { FailedCopyOrder.Reason(rawValue: $0.rawValue) }
        let (engine, ref, past) = try await copyPast(input.path.id)
        // Numbered within all of the copy's failures, so that `n` and the cursor mean the same with a filter.
        let numbered = engine.failedOrders(ref, rows: past).enumerated().filter { reason == nil || $0.element.reason == reason }
            .map { ($0.offset, $0.element) }
        let failures = try APIViews.page(numbered, limit: limit, cursor: cursor, newest: newest).map { n, f in
            guard let why = Operations.FailedOrders.Output.Ok.Body.JsonPayloadPayload.ReasonPayload(rawValue: f.reason.rawValue) else {
                throw APIError(.internalServerError, code: "internal", "the contract lists no failure reason \(f.reason.rawValue)")
            }
            return Operations.FailedOrders.Output.Ok.Body.JsonPayloadPayload(
                n: n, time: engine.time(ofEvent: Int(f.event)).map(ISO8601.format), event: Int(f.event),
                symbol: engine.venue.symbols[Int(f.symbol)].name, side: f.side == .buy ? .buy : .sell, reason: why,
                explanation: f.reason.explanation, notional: f.notional)
        }
        return .ok(.init(body: .json(failures)))
    }

    func copyEquityCurve(_ input: Operations.CopyEquityCurve.Input) async throws -> Operations.CopyEquityCurve.Output {
        let (engine, ref, past) = try await copyPast(input.path.id)
        let curve = engine.copyEquityCurve(ref, rows: past, curve: try await service.curveRows(engine, ref))
        let points = (input.query.points.map { APIViews.sample(curve, $0) } ?? curve).map { p in
            Operations.CopyEquityCurve.Output.Ok.Body.JsonPayloadPayload(
                event: p.event, time: p.time.map(ISO8601.format), equity: p.equity, netInvested: p.netInvested, nav: p.nav)
        }
        return .ok(.init(body: .json(points)))
    }
}

/// A copy's statement, as JSON or CSV, over `from` ≤ time < `to`.
extension APIHandlers {
    func copyStatement(_ input: Operations.CopyStatement.Input) async throws -> Operations.CopyStatement.Output {
        let span = try Self.span(from: input.query.from, to: input.query.to)
        return .ok(.init(body: .json(try await statement(input.path.id, span))))
    }

    func copyStatementCSV(_ input: Operations.CopyStatementCSV.Input) async throws -> Operations.CopyStatementCSV.Output {
        let span = try Self.span(from: input.query.from, to: input.query.to)
        return .ok(.init(body: .csv(HTTPBody(try await statement(input.path.id, span).csv))))
    }

    /// The statement of the copy `id` over `span`, each fill with its lead fill's quantity and quote beside it.
    func statement(_ id: String, _ span: (from: Int64?, to: Int64?)) async throws -> CopyStatementReport {
        let (engine, ref, past) = try await copyPast(id)
        let statement = engine.copyStatement(ref, rows: past, from: span.from, to: span.to)
        let leadFills = try await service.leadFills(engine, ids: Set(statement.lines.compactMap(\.leadFillID)))
        return CopyStatementReport(statement, leadFills: leadFills)
    }

    /// `from` and `to` as milliseconds: a time as it is; a date its midnight (UTC), or for `to` the next midnight, so
    /// that `to=2021-05-31` includes that day. The contract checked their form; a date that does not exist (02-30) is
    /// refused here, naming the parameter.
    static func span(from: String?, to: String?) throws -> (from: Int64?, to: Int64?) {
        func parse(_ text: String?, _ name: String, endOfDay: Bool) throws -> Int64? {
            guard let text else { return nil }
            guard let t = ISO8601.parse(text) else {
                throw APIError(
                    .unprocessableContent, code: "invalidInput", "is not a date or time that exists (got \"\(text)\")", field: name)
            }
            return endOfDay && text.count == 10 ? t + 86_400_000 : t
        }
        return (try parse(from, "from", endOfDay: false), try parse(to, "to", endOfDay: true))
    }
}

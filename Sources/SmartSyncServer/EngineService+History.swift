import SmartSyncCore
import SmartSyncStore

/// Reads of what a committed engine released to the database: a copy's past, a stopped copy's frozen row, final
/// orders and lead fills. Each takes the committed state a read holds and leaves out rows committed after it.
extension EngineService {
    /// A copy's past as of `engine` (a committed state a read holds): from the database when the engine released
    /// its history there, else from its memory. Rows of a committed state never change, so the two agree.
    public nonisolated func copyRows(_ engine: Engine, _ ref: CopyRef) async throws -> CopyRows {
        guard engine.historyInStore else { return engine.copyRows(ref) }
        return try await history.copyRows(engine.copyRowsRequest(ref))
    }

    /// `engine` as reads of the copy `ref` need it: itself, or, for a stopped copy released from memory, with the
    /// copy's frozen row from the database in place (`Engine.viewing(frozen:of:)`), so the same views show it.
    public nonisolated func viewing(_ engine: Engine, _ ref: CopyRef) async throws -> Engine {
        guard engine.isReleased(ref) else { return engine }
        let id = engine.copyID(of: ref)
        guard let bytes = try await history.frozenCopy(lead: ref.lead, slot: ref.slot) else {
            throw APIError(.internalServerError, code: "internal", "the stopped copy \(id) has no stored row in the database")
        }
        do {
            return try engine.viewing(frozen: bytes, of: ref)
        } catch {
            throw APIError(.internalServerError, code: "internal", "the stored row of the stopped copy \(id) cannot be read: \(error)")
        }
    }

    /// The order `id` as of `engine` (a committed state a read holds): from memory, or, once released, from the
    /// database. A released order is final, so its stored row is what `engine` would show.
    public nonisolated func order(_ engine: Engine, id: Int) async throws -> PlacedOrder? {
        if let o = engine.order(id: id) { return o }
        guard engine.isReleased(orderID: id) else { return nil }
        return try storedOrder(engine, try await history.order(id: id), what: "order \(id)")
    }

    /// The order placed by the command at `event` as of `engine`, from memory or the database.
    public nonisolated func order(_ engine: Engine, placedAt event: Int) async throws -> PlacedOrder? {
        if let o = engine.order(placedAt: event) { return o }
        guard engine.historyInStore, event <= engine.moments.last?.event ?? -1,
            let bytes = try await history.order(placedAt: event)
        else { return nil }
        let o = try storedOrder(engine, bytes, what: "the order placed at event \(event)")
        return o.flatMap { engine.isReleased(orderID: $0.id) ? $0 : nil }
    }

    /// A page of user `u`'s orders as of `engine`, newest first: open ones from memory, final ones from memory or the
    /// database (`Engine.ordersPage`).
    public nonisolated func orders(_ engine: Engine, user u: Int, before: Int, limit: Int, all: Bool) async throws -> [PlacedOrder] {
        var stored: [PlacedOrder] = []
        if all && engine.historyInStore {
            // Ids from the engine's next on were given by commands after its state: rows it must not see (and that
            // would take places in the page's limit).
            for bytes in try await history.orders(user: u, before: min(before, engine.orderCount + 1), limit: limit) {
                if let o = try storedOrder(engine, bytes, what: "an order of user \(u)") { stored.append(o) }
            }
        }
        return engine.ordersPage(user: u, before: before, limit: limit, all: all, stored: stored)
    }

    /// Lead `l`'s fills applied before event `before` as of `engine`: the `limit` latest, oldest first, each with its
    /// number among the lead's fills; from memory and, once released, the database.
    /// A page never splits the fills of one event: the next page back starts before its first fill's event, so the
    /// fills at that event that did not fit are added (the page then holds more than `limit`).
    public nonisolated func leadFills(_ engine: Engine, lead l: Int, before: Int, limit: Int) async throws -> [StoredLeadFill] {
        var page = try await latestLeadFills(engine, lead: l, before: before, below: .max, limit: limit)
        if let first = page.first, page.count == limit {
            var below = first.n
            while true {
                let earlier = try await latestLeadFills(engine, lead: l, before: first.fill.event + 1, below: below, limit: 100)
                let same = earlier.filter { $0.fill.event == first.fill.event }
                page = same + page
                guard let n = same.first?.n, same.count == earlier.count, earlier.count == 100 else { break }
                below = n
            }
        }
        guard page.allSatisfy({ engine.venue.symbols.indices.contains($0.fill.symbol) }) else {
            throw APIError(.internalServerError, code: "internal", "a stored lead fill of lead \(l) names a symbol that is not listed")
        }
        return page
    }

    /// Lead `l`'s fills before event `before` and numbered below `below`: the `limit` latest, oldest first.
    private nonisolated func latestLeadFills(_ engine: Engine, lead l: Int, before: Int, below: Int, limit: Int) async throws
        -> [StoredLeadFill]
    {
        let mine = engine.leadFillsInMemory.filter { $0.fill.lead == l }
        var page = Array(mine.filter { $0.fill.event < before && $0.n < below }.suffix(limit))
        if page.count < limit && engine.historyInStore {
            // Those numbered below the first in memory (so none applied after `engine`'s state) are in the database.
            let first = min(below, mine.first?.n ?? engine.leadFillCount(of: l))
            page = try await history.leadFills(lead: l, below: first, before: before, limit: limit - page.count) + page
        }
        return page
    }

    /// The lead fills with these ids as of `engine`, by id: from memory and, once released, the database.
    public nonisolated func leadFills(_ engine: Engine, ids: Set<String>) async throws -> [String: LeadFill] {
        var wanted = ids
        var found: [String: LeadFill] = [:]
        for f in engine.leadFills.reversed() where !wanted.isEmpty {
            if wanted.remove(f.id) != nil { found[f.id] = f }
        }
        if !wanted.isEmpty && engine.historyInStore {
            for f in try await history.leadFills(ids: wanted.sorted())
            where f.n < engine.leadFillCount(of: f.fill.lead) && engine.venue.symbols.indices.contains(f.fill.symbol) {
                found[f.fill.id] = f.fill
            }
        }
        return found
    }

    private nonisolated func storedOrder(_ engine: Engine, _ bytes: [UInt8]?, what: String) throws -> PlacedOrder? {
        guard let bytes else { return nil }
        do {
            return try engine.order(stored: bytes)
        } catch {
            throw APIError(.internalServerError, code: "internal", "the stored row of \(what) cannot be read: \(error)")
        }
    }

    /// What the copy's equity curve is valued at, as of `engine`: from memory, or from the database once the engine
    /// released its curves.
    public nonisolated func curveRows(_ engine: Engine, _ ref: CopyRef) async throws -> CurveRows {
        guard engine.curvesInStore else { return engine.curveRows(ref) }
        return try await history.curveRows(engine.curveRowsRequest(ref))
    }

    /// The rows of `request` (the market's marks over a span: `Engine.curveRowsRequest(lead:from:)`), as of `engine`.
    public nonisolated func curveRows(_ engine: Engine, _ request: CurveRowsRequest) async throws -> CurveRows {
        guard engine.curvesInStore else { return engine.curveRows(request) }
        return try await history.curveRows(request)
    }

    /// What a lead's view reads of its curve (`request`, from `APIViews.leadCurveRequest`), as of `engine`.
    public nonisolated func leadCurveRead(_ engine: Engine, _ request: LeadCurveRequest) async throws -> LeadCurveRead {
        guard engine.curvesInStore else { return Engine.leadCurveRead(request, points: engine.leads[request.lead].curve) }
        return try await history.leadCurveRead(request)
    }
}

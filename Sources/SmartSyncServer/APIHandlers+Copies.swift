import Foundation
import SmartSyncAPI
import SmartSyncCore
import SmartSyncViews

/// A copy's past by page, through the generated protocol: its fills beside the lead's, its failed orders, its
/// equity curve. Its follower or the operator reads them (`Routes.visibleCopy`), at one committed moment.
extension APIHandlers {
    /// The copy `id` as the caller may see it, the engine of that moment and the copy's past at it.
    func copyPast(_ id: String) async throws -> (Engine, CopyRef, CopyRows) {
        try await Routes.copyPast(service, id, try RequestScope.require())
    }

    /// A page's bounds: oldest first from `after`, or newest first before `before` (50 by default).
    static func page(order: String?, limit: Int?, before: Int?, after: Int?) -> (limit: Int, cursor: Int?, newest: Bool) {
        let newest = order == "newest"
        return (limit ?? (newest ? 50 : 1_000_000), newest ? before : after, newest)
    }

    func tracking(_ input: Operations.Tracking.Input) async throws -> Operations.Tracking.Output {
        let caller = try RequestScope.require()
        let (committed, ref) = try service.read { engine in (engine, try Routes.visibleCopy(engine, input.path.id, caller, owner: false)) }
        let t = try await service.viewing(committed, ref).copyView(ref).tracking
        return .ok(
            .init(
                body: .json(
                    .init(
                        copyRoi: t.copyRoi, leadRoi: t.leadRoi, gap: t.gap,
                        breakdown: .init(
                            fees: t.fees, profitShare: t.profitShare, priceDifference: t.priceDifference,
                            failedOrCapped: t.failedOrCapped, sizing: t.sizing, rounding: t.rounding)))))
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

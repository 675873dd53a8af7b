import Foundation
import HTTPTypes
import Hummingbird
import SmartSyncCore
import SmartSyncStore
import SmartSyncViews

/// Copies: start, details by page, history, curve, settings and stop.
extension Routes {
    // MARK: Copies

    func registerCopies(_ router: Router<AppContext>) {
        router.post("/v1/copies") { request, context in
            let caller = try context.requireCaller()
            let body = try await decodeBody(StartCopyBody.self, request, context)
            // Without an id: from the Idempotency-Key when there is one, so that a retry names the same copy.
            let key = HTTPField.Name("Idempotency-Key").flatMap { request.headers[$0] }
            let sequence = service.commandCount
            let id =
                body.id ?? key.map { "\(caller.user)-\(body.lead)-\(SHA256.hex($0).prefix(12))" }
                ?? "\(caller.user)-\(body.lead)-\(sequence)"
            let start = StartCopyRequest(
                copyID: id, user: caller.user, lead: body.lead, mode: body.mode ?? .smartSync, investment: body.investment,
                buyExisting: body.buyExisting ?? false, stopLoss: body.stopLoss, takeProfit: body.takeProfit,
                amountPerOrder: body.amountPerOrder)
            let applied = try await apply(.startCopy(start), request, caller)
            return try await copyJSON(id, caller, status: applied ? .created : .ok)
        }
        router.get("/v1/copies") { request, context in
            let caller = try context.requireCaller()
            let view = try Self.choice(request, "view", ["full", "summary"])
            let page = try Self.listQuery(request)
            let engine = service.read { $0 }
            guard let u = engine.user(named: caller.user) else { return jsonResponse(.array([])) }
            var copies: [JSONValue] = []
            for (n, ref) in Self.listPage(engine.users[u].copies, page) {
                let engine = try await service.viewing(engine, ref)
                if view == "summary" {
                    copies.append(APIViews.numbered(n, APIViews.copySummary(engine, ref)))
                } else {
                    copies.append(APIViews.numbered(n, ScenarioReport.copy(engine, ref, rows: try await service.copyRows(engine, ref))))
                }
            }
            return jsonResponse(.array(copies))
        }
        router.get("/v1/copies/:id") { request, context in
            let caller = try context.requireCaller()
            let id = try Self.parameter(context, "id")
            let view = try Self.choice(request, "view", ["full", "summary"])
            if view == "summary" {
                return try await jsonResponse(copyRead(id, caller) { engine, ref in APIViews.copySummary(engine, ref) })
            }
            return try await jsonResponse(copyHistoryRead(id, caller) { engine, ref, past in ScenarioReport.copy(engine, ref, rows: past) })
        }
        router.get("/v1/copies/:id/history") { request, context in
            let caller = try context.requireCaller()
            let page = try Self.listQuery(request)
            return try await jsonResponse(
                copyRead(try Self.parameter(context, "id"), caller) { engine, ref in
                    .array(Self.listPage(engine.copyHistory(ref), page).map { APIViews.numbered($0.n, APIViews.history($0.item)) })
                })
        }
        // Settings and stop of a copy: only its follower may act on it.
        router.post("/v1/copies/:id/investment") { request, context in
            try await copyAction(request, context) { id in
                .adjustInvestment(copy: id, delta: try await decodeBody(AdjustBody.self, request, context).delta)
            }
        }
        router.put("/v1/copies/:id/stop-loss") { request, context in
            try await copyAction(request, context) { id in
                .setStopLoss(copy: id, try await decodeBody(StopLossBody.self, request, context).stopLoss)
            }
        }
        router.put("/v1/copies/:id/take-profit") { request, context in
            try await copyAction(request, context) { id in
                .setTakeProfit(copy: id, try await decodeBody(TakeProfitBody.self, request, context).takeProfit)
            }
        }
        router.delete("/v1/copies/:id") { request, context in
            try await copyAction(request, context) { id in .stopCopy(copy: id) }
        }
    }

    /// Checks that the caller owns the copy, builds its command (decoding the body), applies it, returns the copy.
    /// A stop loss or take profit that fires at once (already reached) stops the copy: the answer says so in `fired`.
    func copyAction(_ request: Request, _ context: AppContext, _ make: (String) async throws -> EngineCommand) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try Self.parameter(context, "id")
        _ = try await copyRead(id, caller, owner: true) { _, _ in .null }
        let command = try await make(id)
        let receipt = try await submit(command, request, caller)
        return try await jsonResponse(
            copyHistoryRead(id, caller) { engine, ref, past in
                guard case .object(var pairs) = ScenarioReport.copy(engine, ref, rows: past) else { return .null }
                var fired = false
                switch command {
                case .setStopLoss, .setTakeProfit, .adjustInvestment:
                    fired = receipt.outcome.map { $0.stoppedCopies.contains(ref) } ?? (engine.row(of: ref).stoppedEvent == receipt.event)
                default: break
                }
                pairs.append(("fired", .bool(fired)))
                return .object(pairs)
            })
    }

    /// Reads one copy for its follower or the operator (another user's copy does not exist for the caller: 404); a
    /// stopped copy released from memory is read from the database (`EngineService.viewing`).
    func copyRead(_ id: String, _ caller: Caller, owner: Bool = false, _ body: @Sendable (Engine, CopyRef) throws -> JSONValue) async throws
        -> JSONValue
    {
        let (engine, ref) = try service.read { engine in (engine, try Self.visibleCopy(engine, id, caller, owner: owner)) }
        return try body(try await service.viewing(engine, ref), ref)
    }

    /// `copyRead` with the copy's past (fills, profit share, failed orders), read from the database when the engine
    /// keeps only live state, at the same committed moment as the engine the body sees.
    func copyHistoryRead(
        _ id: String, _ caller: Caller, owner: Bool = false, _ body: @Sendable (Engine, CopyRef, CopyRows) throws -> JSONValue
    ) async throws -> JSONValue {
        let (engine, ref, past) = try await Self.copyPast(service, id, caller, owner: owner)
        return try body(engine, ref, past)
    }

    /// The copy `id` as `caller` may see it (`visibleCopy`), the engine of that committed moment and the copy's past
    /// at it.
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

    /// A copy's details for its follower or the operator.
    func copyValue(_ id: String, _ caller: Caller, owner: Bool = false) async throws -> JSONValue {
        try await copyHistoryRead(id, caller, owner: owner) { engine, ref, past in ScenarioReport.copy(engine, ref, rows: past) }
    }

    func copyJSON(_ id: String, _ caller: Caller, status: HTTPResponse.Status = .ok) async throws -> Response {
        jsonResponse(try await copyValue(id, caller), status: status)
    }
}

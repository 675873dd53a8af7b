import Foundation
import HTTPTypes
import Hummingbird
import SmartSyncCore
import SmartSyncStore
import SmartSyncViews

/// The caller's main account, transfers and orders.
extension Routes {
    // MARK: The caller's main account

    func registerAccount(_ router: Router<AppContext>) {
        router.get("/v1/me") { _, context in
            let caller = try context.requireCaller()
            return try jsonResponse(
                service.read { engine in
                    guard let u = engine.user(named: caller.user) else { throw APIError.notFound("user \(caller.user)") }
                    var user = ScenarioReport.user(engine.users[u])
                    if case .object(var pairs) = user {
                        pairs.append(("role", .string(caller.role.rawValue)))
                        user = .object(pairs)
                    }
                    return user
                })
        }
        router.post("/v1/transfers") { request, context in
            let caller = try context.requireCaller()
            let body = try await decodeBody(TransferBody.self, request, context)
            let direction: TransferDirection
            switch (body.from, body.to) {
            case ("main", "portfolio"): direction = .mainToPortfolio
            case ("portfolio", "main"): direction = .portfolioToMain
            // The contract's rule too (`TransferRequest`), so the validator has refused this already.
            default: throw APIError(.badRequest, code: "invalidInput", "a transfer goes from main to portfolio or back", field: "to")
            }
            return try await command(.transfer(user: caller.user, amount: body.amount, direction: direction), request, caller)
        }
        router.post("/v1/orders") { request, context in
            let caller = try context.requireCaller()
            let body = try await decodeBody(OrderBody.self, request, context)
            let account = body.account ?? .portfolio
            let order: EngineCommand
            if let fraction = body.fraction {
                order = .orderFraction(user: caller.user, account: account, symbol: body.symbol, side: body.side, fraction: fraction)
            } else {
                order = .order(
                    OrderRequest(
                        user: caller.user, account: account, symbol: body.symbol, side: body.side, quoteAmount: body.quoteAmount,
                        quantity: body.quantity, limitPrice: body.limitPrice))
            }
            let receipt = try await submit(order, request, caller)
            return try Self.answer(
                service.read { engine in
                    guard let placed = receipt.outcome?.placedOrder ?? engine.order(placedAt: receipt.event) else {
                        throw APIError.notFound("order")
                    }
                    return APIViews.order(engine, placed, applied: receipt.applied)
                }, receipt, status: receipt.applied ? .created : .ok)
        }
        router.get("/v1/orders") { request, context in
            let caller = try context.requireCaller()
            let status = try Self.choice(request, "status", ["open", "all"])
            let limit = try Self.intQuery(request, "limit", default: 100, range: 1...1_000)
            // The next page: the orders with an id below the last one seen.
            let before = try Self.optionalIntQuery(request, "before", range: 0...Int(Int32.max)) ?? .max
            return try jsonResponse(
                service.read { engine in
                    guard let u = engine.user(named: caller.user) else { throw APIError.notFound("user \(caller.user)") }
                    // Newest first: open orders, or every order.
                    let mine = engine.orders.reversed().lazy.filter {
                        $0.id < before && $0.user == u && (status == "all" || $0.status.isOpen)
                    }.prefix(limit)
                    return .array(mine.map { APIViews.order(engine, $0) })
                })
        }
        router.get("/v1/orders/:id") { _, context in
            let caller = try context.requireCaller()
            guard let id = Int(try Self.parameter(context, "id")) else { throw APIError.notFound("order") }
            return try jsonResponse(
                service.read { engine in
                    guard let u = engine.user(named: caller.user), let o = engine.order(id: id), o.user == u else {
                        throw APIError.notFound("order \(id)")
                    }
                    return APIViews.order(engine, o)
                })
        }
        router.delete("/v1/orders/:id") { request, context in
            let caller = try context.requireCaller()
            guard let id = Int(try Self.parameter(context, "id")) else { throw APIError.notFound("order") }
            _ = try await submit(.cancelOrder(user: caller.user, orderID: id), request, caller)
            return try jsonResponse(
                service.read { engine in
                    guard let o = engine.order(id: id) else { throw APIError.notFound("order \(id)") }
                    return APIViews.order(engine, o)
                })
        }
    }
}

import Foundation
import SmartSyncAPI
import SmartSyncCore
import SmartSyncViews

/// The caller's main account, transfers and orders, through the generated protocol.
extension APIHandlers {
    func me(_ input: Operations.Me.Input) async throws -> Operations.Me.Output {
        let caller = try RequestScope.require()
        let me = try service.read { engine in
            guard let u = engine.user(named: caller.user) else { throw APIError.notFound("user \(caller.user)") }
            let user = engine.users[u]
            let assets = [Symbol.quoteAsset] + user.assets.keys.sorted()
            return Operations.Me.Output.Ok.Body.JsonPayload(
                id: user.id, main: .init(additionalProperties: Dictionary(uniqueKeysWithValues: assets.map { ($0, user.balance($0)) })),
                role: caller.role.rawValue)
        }
        return .ok(.init(body: .json(me)))
    }

    func transfer(_ input: Operations.Transfer.Input) async throws -> Operations.Transfer.Output {
        let caller = try RequestScope.require()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let fields = body.value1
        let direction: TransferDirection
        switch (fields.from, fields.to) {
        case (.main, .portfolio): direction = .mainToPortfolio
        case (.portfolio, .main): direction = .portfolioToMain
        // The contract's rule too (`TransferRequest`), so `ContractMiddleware` has refused this already.
        default: throw APIError(.badRequest, code: "invalidInput", "a transfer goes from main to portfolio or back", field: "to")
        }
        let applied = try await apply(
            .transfer(user: caller.user, amount: fields.amount, direction: direction), caller)
        return .ok(.init(body: .json(applied)))
    }

    func placeOrder(_ input: Operations.PlaceOrder.Input) async throws -> Operations.PlaceOrder.Output {
        let caller = try RequestScope.require()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let b = body.value1
        let account: OrderAccount = b.account == .main ? .main : .portfolio
        let side: Side = b.side == .sell ? .sell : .buy
        let order: EngineCommand
        if let fraction = b.fraction {
            order = .orderFraction(user: caller.user, account: account, symbol: b.symbol, side: side, fraction: fraction)
        } else {
            order = .order(
                OrderRequest(
                    user: caller.user, account: account, symbol: b.symbol, side: side, quoteAmount: b.quoteAmount, quantity: b.quantity,
                    limitPrice: b.limitPrice))
        }
        let receipt = try await submit(order, caller)
        let engine = service.read { $0 }
        var placed = receipt.outcome?.placedOrder
        if placed == nil { placed = try await service.order(engine, placedAt: receipt.event) }
        guard let placed else { throw APIError.notFound("order") }
        let answer = Self.order(engine, placed, applied: receipt.applied)
        RequestScope.setServerTiming(Self.serverTiming(receipt))
        return receipt.applied
            ? .created(.init(body: .json(answer)))
            : .ok(.init(body: .json(answer)))
    }

    func orders(_ input: Operations.Orders.Input) async throws -> Operations.Orders.Output {
        let caller = try RequestScope.require()
        let all = input.query.status == .all
        let limit = input.query.limit ?? 100
        // The next page: the orders with an id below the last one seen.
        let before = input.query.before ?? .max
        let engine = service.read { $0 }
        guard let u = engine.user(named: caller.user) else { throw APIError.notFound("user \(caller.user)") }
        // Newest first: open orders, or every order.
        let mine = try await service.orders(engine, user: u, before: before, limit: limit, all: all)
        return .ok(.init(body: .json(mine.map { Self.order(engine, $0) })))
    }

    func order(_ input: Operations.Order.Input) async throws -> Operations.Order.Output {
        let caller = try RequestScope.require()
        guard let id = Int(input.path.id) else { throw APIError.notFound("order") }
        let engine = service.read { $0 }
        guard let u = engine.user(named: caller.user), let o = try await service.order(engine, id: id), o.user == u else {
            throw APIError.notFound("order \(id)")
        }
        return .ok(.init(body: .json(Self.order(engine, o))))
    }

    func cancelOrder(_ input: Operations.CancelOrder.Input) async throws -> Operations.CancelOrder.Output {
        let caller = try RequestScope.require()
        guard let id = Int(input.path.id) else { throw APIError.notFound("order") }
        _ = try await submit(.cancelOrder(user: caller.user, orderID: id), caller)
        let engine = service.read { $0 }
        guard let o = try await service.order(engine, id: id) else { throw APIError.notFound("order \(id)") }
        return .ok(.init(body: .json(Self.order(engine, o))))
    }

    /// An order as the contract's `Order`: what was asked, what executed (each fill with the lead fill id it made),
    /// the copies its fills fanned out to, and its record at an external venue.
    static func order(_ engine: Engine, _ o: PlacedOrder, applied: Bool? = nil) -> Components.Schemas.Order {
        let symbol = engine.venue.symbols[o.symbol]
        let resting = engine.restingOrders.first { $0.id == o.id }
        let atVenue = engine.venueBook.record(placedOrder: o.id)
        return Components.Schemas.Order(
            id: o.id, status: status(o.status), account: o.account == .main ? .main : .portfolio,
            symbol: symbol.name, side: o.side == .buy ? .buy : .sell, _type: o.kind == .limit ? .limit : .market,
            quantity: o.quantity, quoteAmount: o.quoteAmount, limitPrice: o.limitPrice,
            remaining: resting?.remaining ?? atVenue?.stillToExecute ?? .zero, filledQuantity: o.filledQuantity,
            filledQuote: o.filledQuote, averagePrice: o.averagePrice, fees: o.fees, event: o.event,
            time: ISO8601.format(o.time),
            fills: o.fills.enumerated().map { k, t in
                .init(
                    id: k < o.leadFillIDs.count ? o.leadFillIDs[k] : nil, quantity: t.quantity, price: Engine.ratio(t.quote, t.quantity),
                    quote: t.quote, fee: t.fee, event: t.event, time: ISO8601.format(t.time))
            },
            // The copies its lead fills fanned out to (lead portfolio orders only).
            copies: .init(filled: o.copyFills, failed: o.failedCopyOrders), cancelReason: o.cancelReason, applied: applied,
            clientOrderId: atVenue?.clientOrderID, venueStatus: atVenue.flatMap { .init(rawValue: $0.order.status.rawValue) })
    }

    static func status(_ s: PlacedOrder.Status) -> Components.Schemas.Order.StatusPayload {
        switch s {
        case .accepted: .accepted
        case .partiallyFilled: .partiallyFilled
        case .filled: .filled
        case .cancelled: .cancelled
        case .expired: .expired
        }
    }
}

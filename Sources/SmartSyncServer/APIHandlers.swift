import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime
import SmartSyncCore
import SmartSyncViews

/// The operations served through the protocol that swift-openapi-generator made from the contract
/// (`GeneratedSources/`, the operations listed in `API/openapi-generator-config.yaml`). Each takes and answers the
/// contract's own types, so an answer the contract does not declare does not compile. The others are still the
/// hand-written routes of `Routes+*.swift`, moved here one at a time.
///
/// What reaches a handler has passed `ContractMiddleware` (query parameters and bodies fit the contract) and
/// `APIKeyMiddleware` (the caller, read here through `RequestCaller.current`). A handler throws `APIError`, which
/// `APIErrors` answers as the routes do.
struct APIHandlers: APIProtocol {
    let service: EngineService

    /// Registers the handlers on `router`, beside the hand-written routes.
    func register(on router: Router<AppContext>) throws {
        // Keys sorted: Foundation's encoder on Linux keeps no order of its own.
        let configuration = Configuration(jsonEncodingOptions: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        try registerHandlers(on: router, configuration: configuration, middlewares: [APIErrors()])
    }

    // MARK: Public

    func health(_ input: Operations.Health.Input) async throws -> Operations.Health.Output {
        .ok(.init(body: .json(.init(status: "ok"))))
    }

    func markets(_ input: Operations.Markets.Input) async throws -> Operations.Markets.Output {
        let page = (limit: input.query.limit ?? .max, after: input.query.after)
        let markets = service.read { engine in
            Routes.listPage(engine.venue.symbols.indices, page).map { n, s in
                let symbol = engine.venue.symbols[s]
                return Operations.Markets.Output.Ok.Body.JsonPayloadPayload(
                    n: n, symbol: symbol.name, price: engine.venue.marks[s], qtyStep: symbol.qtyStep, priceTick: symbol.priceTick,
                    minQty: symbol.minQty, minNotional: symbol.minNotional)
            }
        }
        return .ok(.init(body: .json(markets)))
    }

    func leadFills(_ input: Operations.LeadFills.Input) async throws -> Operations.LeadFills.Output {
        let id = input.path.user
        let limit = input.query.limit ?? 500
        let before = input.query.before ?? .max
        let fills = try service.read { engine in
            guard let u = engine.user(named: id), let l = engine.users[u].lead else { throw APIError.notFound("lead \(id)") }
            // Oldest first, the last `limit` before the event `before` (pages go back with before = the first event).
            let fills = engine.leadFills.filter { $0.lead == l }.enumerated().filter { $0.element.event < before }.suffix(limit)
            return fills.map { n, f in
                Operations.LeadFills.Output.Ok.Body.JsonPayloadPayload(
                    n: n, id: f.id, event: f.event, time: ISO8601.format(f.time), symbol: engine.venue.symbols[f.symbol].name,
                    side: f.side == .buy ? .buy : .sell, quantity: f.quantity, price: f.price, quote: f.quote, fee: f.fee)
            }
        }
        return .ok(.init(body: .json(fills)))
    }

    // MARK: Operator

    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        _ = try RequestCaller.requireOperator()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let role: Caller.Role = body.role == ._operator ? .operator_ : .user
        let key = try await service.issueKey(user: body.id, role: role)
        return .created(.init(body: .json(.init(id: body.id, role: role.rawValue, apiKey: key))))
    }

    func deposit(_ input: Operations.Deposit.Input) async throws -> Operations.Deposit.Output {
        let caller = try RequestCaller.requireOperator()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let (applied, timing) = try await apply(.deposit(user: body.user, amount: body.amount), input.headers.idempotencyKey, caller)
        return applied.applied
            ? .created(.init(headers: .init(serverTiming: timing), body: .json(applied)))
            : .ok(.init(headers: .init(serverTiming: timing), body: .json(applied)))
    }

    func withdraw(_ input: Operations.Withdraw.Input) async throws -> Operations.Withdraw.Output {
        let caller = try RequestCaller.requireOperator()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let (applied, timing) = try await apply(.withdraw(user: body.user, amount: body.amount), input.headers.idempotencyKey, caller)
        return applied.applied
            ? .created(.init(headers: .init(serverTiming: timing), body: .json(applied)))
            : .ok(.init(headers: .init(serverTiming: timing), body: .json(applied)))
    }

    func setPrice(_ input: Operations.SetPrice.Input) async throws -> Operations.SetPrice.Output {
        let caller = try RequestCaller.requireOperator()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let (applied, timing) = try await apply(.price(symbol: body.symbol, price: body.price), input.headers.idempotencyKey, caller)
        return .ok(.init(headers: .init(serverTiming: timing), body: .json(applied)))
    }

    func listSymbol(_ input: Operations.ListSymbol.Input) async throws -> Operations.ListSymbol.Output {
        let caller = try RequestCaller.requireOperator()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let symbol: Symbol
        do {
            symbol = try Symbol(
                name: body.symbol, qtyStep: body.qtyStep, priceTick: body.priceTick, minQty: body.minQty ?? body.qtyStep,
                minNotional: body.minNotional ?? .zero)
        } catch {
            // `Symbol.init` throws `FieldError`. The contract checked each field; what is left relates fields (minQty a multiple of qtyStep, a step
            // and a tick whose product is a whole number of units): a well-formed body the rules refuse.
            throw APIError(.unprocessableContent, code: "invalidInput", error.rule, field: error.field)
        }
        let (applied, timing) = try await apply(.listSymbol(symbol, price: body.price, book: nil), input.headers.idempotencyKey, caller)
        return applied.applied
            ? .created(.init(headers: .init(serverTiming: timing), body: .json(applied)))
            : .ok(.init(headers: .init(serverTiming: timing), body: .json(applied)))
    }

    func settings(_ input: Operations.Settings.Input) async throws -> Operations.Settings.Output {
        _ = try RequestCaller.requireOperator()
        let settings = service.read { engine in
            let s = engine.settings
            return Operations.Settings.Output.Ok.Body.JsonPayload(
                takerFeeRate: s.takerFeeRate, minInvestment: s.minInvestment, slippageLimit: s.slippageLimit,
                maxActiveCopiesPerFollower: s.maxActiveCopiesPerFollower, defaultFollowerLimit: s.defaultFollowerLimit,
                maxProfitShareRate: s.maxProfitShareRate,
                defaultExecutionMode: .init(rawValue: engine.venueBook.defaultExecutionMode.rawValue),
                venue: .init(rawValue: engine.venueMode.rawValue))
        }
        return .ok(.init(body: .json(settings)))
    }
}

extension APIHandlers {
    /// A body-taking operation reached without its JSON body (`ContractMiddleware` refuses that first).
    static let noBody = APIError(.badRequest, code: "invalidInput", "a JSON body is required")

    /// Applies a command for `caller` (the Idempotency-Key `key` makes a retry a no-op) and answers what the
    /// command-only operations answer: whether it acted, its event and the commands so far, and `Server-Timing`.
    func apply(_ command: EngineCommand, _ key: String?, _ caller: Caller) async throws -> (Components.Schemas.Applied, String?) {
        let receipt = try await Routes.submit(service, command, key: key, caller)
        return (
            Components.Schemas.Applied(applied: receipt.applied, event: receipt.event, commands: service.commandCount),
            Routes.serverTiming(receipt)
        )
    }
}

/// The caller of the request being handled, for the generated handlers (which see only the operation's input):
/// `APIKeyMiddleware` binds it around the rest of the request.
enum RequestCaller {
    @TaskLocal static var current: Caller?

    /// The caller, or 401.
    static func require() throws -> Caller {
        guard let current else { throw APIError.unauthorized }
        return current
    }

    /// The operator, or 401/403.
    static func requireOperator() throws -> Caller {
        let caller = try require()
        guard caller.role == .operator_ else { throw APIError.forbidden }
        return caller
    }
}

/// Answers what a generated handler threw as the routes answer errors: an `APIError` as its status and
/// `{"error": …}` body. The generated code wraps every error in `ServerError`; a request that fails the generated
/// decoding (which `ContractMiddleware` should have refused first) is a 400 with the decoder's reason, anything else
/// a 500.
struct APIErrors: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch let error as ServerError {
            let answer: APIError
            if let api = error.underlyingError as? APIError {
                answer = api
            } else if error.operationInput == nil {
                answer = APIError(.badRequest, code: "invalidInput", "the request does not fit the contract: \(error.causeDescription)")
            } else {
                answer = APIError(.internalServerError, code: "internal", "\(operationID) failed: \(error.causeDescription)")
            }
            return (
                HTTPResponse(status: answer.status, headerFields: [.contentType: "application/json"]),
                HTTPBody(answer.json.serialized())
            )
        }
    }
}

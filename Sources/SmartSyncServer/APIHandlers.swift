import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import SmartSyncAPI
import SmartSyncCore
import SmartSyncViews
import Synchronization

/// The operations served through the protocol that swift-openapi-generator made from the contract
/// (`SmartSyncAPI`: the operations listed in its `API/openapi-generator-config.yaml`). Each takes and answers the
/// contract's own types, so an answer the contract does not declare does not compile. Every operation but the live
/// stream (a WebSocket, `ServerChannel`) is served here.
///
/// What reaches a handler has passed `ContractMiddleware` (query parameters and bodies fit the contract) and
/// `APIKeyMiddleware` (the caller, read here through `RequestScope.current`). A handler throws `APIError`, which
/// `APIErrors` answers as the routes do.
struct APIHandlers: APIProtocol {
    let service: EngineService

    /// Registers the handlers on `router`, beside the hand-written routes.
    func register(on router: Router<AppContext>) throws {
        // Keys sorted: Foundation's encoder on Linux keeps no order of its own.
        let configuration = Configuration(jsonEncodingOptions: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        try registerHandlers(on: router, configuration: configuration, middlewares: [APIErrors(logger: service.logger)])
    }

    // MARK: Public

    func health(_ input: Operations.Health.Input) async throws -> Operations.Health.Output {
        .ok(.init(body: .json(.init(status: "ok"))))
    }

    func markets(_ input: Operations.Markets.Input) async throws -> Operations.Markets.Output {
        let page = (limit: input.query.limit ?? .max, after: input.query.after)
        let markets = service.read { engine in
            Self.listPage(engine.venue.symbols.indices, page).map { n, s in
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
        let engine = service.read { $0 }
        guard let u = engine.user(named: id), let l = engine.users[u].lead else { throw APIError.notFound("lead \(id)") }
        // Oldest first, the last `limit` before the event `before` (pages go back with before = the first event).
        let fills = try await service.leadFills(engine, lead: l, before: before, limit: limit).map { stored in
            let f = stored.fill
            return Operations.LeadFills.Output.Ok.Body.JsonPayloadPayload(
                n: stored.n, id: f.id, event: f.event, time: ISO8601.format(f.time), symbol: engine.venue.symbols[f.symbol].name,
                side: f.side == .buy ? .buy : .sell, quantity: f.quantity, price: f.price, quote: f.quote, fee: f.fee)
        }
        return .ok(.init(body: .json(fills)))
    }

    // MARK: Operator

    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        _ = try RequestScope.requireOperator()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let role: Caller.Role = body.role == ._operator ? .operator_ : .user
        let key = try await service.issueKey(user: body.id, role: role)
        return .created(.init(body: .json(.init(id: body.id, role: role.rawValue, apiKey: key))))
    }

    func deposit(_ input: Operations.Deposit.Input) async throws -> Operations.Deposit.Output {
        let caller = try RequestScope.requireOperator()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let applied = try await apply(.deposit(user: body.user, amount: body.amount), caller)
        return applied.applied
            ? .created(.init(body: .json(applied)))
            : .ok(.init(body: .json(applied)))
    }

    func withdraw(_ input: Operations.Withdraw.Input) async throws -> Operations.Withdraw.Output {
        let caller = try RequestScope.requireOperator()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let applied = try await apply(.withdraw(user: body.user, amount: body.amount), caller)
        return applied.applied
            ? .created(.init(body: .json(applied)))
            : .ok(.init(body: .json(applied)))
    }

    func setPrice(_ input: Operations.SetPrice.Input) async throws -> Operations.SetPrice.Output {
        let caller = try RequestScope.requireOperator()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let applied = try await apply(.price(symbol: body.symbol, price: body.price), caller)
        return .ok(.init(body: .json(applied)))
    }

    func listSymbol(_ input: Operations.ListSymbol.Input) async throws -> Operations.ListSymbol.Output {
        let caller = try RequestScope.requireOperator()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let symbol: Symbol
        do {
            symbol = try Symbol(
                name: body.symbol, qtyStep: body.qtyStep, priceTick: body.priceTick, minQty: body.minQty ?? body.qtyStep,
                minNotional: body.minNotional ?? .zero)
        } catch {
            // `Symbol.init` throws `FieldError`. The contract checked each field; what is left relates fields (minQty
            // a multiple of qtyStep, a step and a tick whose product is a whole number of units): a well-formed body
            // the rules refuse.
            throw APIError(.unprocessableContent, code: "invalidInput", error.rule, field: error.field)
        }
        let applied = try await apply(.listSymbol(symbol, price: body.price, book: nil), caller)
        return applied.applied
            ? .created(.init(body: .json(applied)))
            : .ok(.init(body: .json(applied)))
    }

    func settings(_ input: Operations.Settings.Input) async throws -> Operations.Settings.Output {
        _ = try RequestScope.requireOperator()
        return .ok(.init(body: .json(service.read(Self.settings))))
    }

    func updateSettings(_ input: Operations.UpdateSettings.Input) async throws -> Operations.UpdateSettings.Output {
        let caller = try RequestScope.requireOperator()
        guard case .json(let body) = input.body else { throw Self.noBody }
        if let mode = body.defaultExecutionMode {
            _ = try await submit(.executionMode(lead: nil, mode == .block ? .block : .follow), caller, keySuffix: "#mode")
        }
        _ = try await submit(
            .updateSettings(
                takerFeeRate: body.takerFeeRate, minInvestment: body.minInvestment,
                maxActiveCopiesPerFollower: body.maxActiveCopiesPerFollower, defaultFollowerLimit: body.defaultFollowerLimit),
            caller)
        return .ok(.init(body: .json(service.read(Self.settings))))
    }

    /// The market's settings as the operator sees them.
    static func settings(_ engine: Engine) -> Components.Schemas.Settings {
        let s = engine.settings
        return Components.Schemas.Settings(
            takerFeeRate: s.takerFeeRate, minInvestment: s.minInvestment, slippageLimit: s.slippageLimit,
            maxActiveCopiesPerFollower: s.maxActiveCopiesPerFollower, defaultFollowerLimit: s.defaultFollowerLimit,
            maxProfitShareRate: s.maxProfitShareRate,
            defaultExecutionMode: engine.venueBook.defaultExecutionMode == .block ? .block : .follow,
            venue: engine.venueMode == .external ? .external : .simulated)
    }

    func venue(_ input: Operations.Venue.Input) async throws -> Operations.Venue.Output {
        _ = try RequestScope.requireOperator()
        return .ok(.init(body: .json(service.read(Self.venue))))
    }

    /// Where orders execute, the orders open at an external venue and the venue reports refused (newest first, 100).
    static func venue(_ engine: Engine) -> Operations.Venue.Output.Ok.Body.JsonPayload {
        let book = engine.venueBook
        let symbols = engine.venue.symbols
        return .init(
            venue: book.mode == .external ? .external : .simulated,
            defaultExecutionMode: book.defaultExecutionMode == .block ? .block : .follow, ordersSent: book.orders.count,
            open: book.open.map { r in
                let owner: Operations.Venue.Output.Ok.Body.JsonPayload.OpenPayloadPayload.ForPayload
                switch r.owner {
                case .lead: owner = .lead
                case .main: owner = .main
                case .copies: owner = r.block == nil ? .copies : .block
                }
                return .init(
                    clientOrderId: r.clientOrderID, status: r.order.status.rawValue, _for: owner, symbol: symbols[r.symbol].name,
                    side: r.side == .buy ? .buy : .sell, limitPrice: r.limitPrice?.description, filledQuantity: r.order.filledQuantity,
                    reserved: r.stillReserved, cancelRequested: r.order.cancelRequested)
            },
            refusals: book.refusals.suffix(100).reversed().map { f in
                .init(clientOrderId: f.clientOrderID, kind: f.kind, detail: f.detail, event: f.event, time: ISO8601.format(f.time))
            })
    }

    func config(_ input: Operations.Config.Input) async throws -> Operations.Config.Output {
        let demo = service.demoStatus.withLock { $0 }
        let answer = service.read { engine in
            let s = engine.settings
            return Operations.Config.Output.Ok.Body.JsonPayload(
                minInvestment: s.minInvestment, takerFeeRate: s.takerFeeRate, maxActiveCopiesPerFollower: s.maxActiveCopiesPerFollower,
                maxProfitShareRate: s.maxProfitShareRate, slippageLimit: s.slippageLimit, defaultFollowerLimit: s.defaultFollowerLimit,
                // The market's clock: the time of the last command (in the demo, a moment of 2021).
                marketTime: engine.moments.isEmpty ? nil : ISO8601.format(engine.now),
                demo: demo.map { .init(from: ISO8601.format($0.from), to: ISO8601.format($0.to), finished: $0.finished) })
        }
        return .ok(.init(body: .json(answer)))
    }

    func buyExistingPreview(_ input: Operations.BuyExistingPreview.Input) async throws -> Operations.BuyExistingPreview.Output {
        let id = input.path.user
        let investment = input.query.investment
        let preview = try service.read { engine in
            do {
                return try engine.buyExistingPreview(lead: id, investment: investment)
            } catch let error as EngineError {
                throw APIError(error)
            }
        }
        return .ok(
            .init(
                body: .json(
                    preview.map { p in
                        .init(
                            symbol: p.symbol, weight: p.weight, notional: p.notional, quantity: p.quantity, price: p.price,
                            skipped: p.skipped?.rawValue, explanation: p.skipped?.explanation)
                    })))
    }
}

extension APIHandlers {
    /// A body-taking operation reached without its JSON body (`ContractMiddleware` refuses that first).
    static let noBody = APIError(.badRequest, code: "invalidInput", "a JSON body is required")

    /// The longest Idempotency-Key accepted.
    static let maxIdempotencyKey = 200

    /// Submits a command for `caller`. The request's Idempotency-Key (scoped to the caller) makes a retry a no-op;
    /// reused for another request it is refused (422). A request that makes two commands gives the second's key a
    /// `suffix`, so that a retry skips each.
    func submit(_ command: EngineCommand, _ caller: Caller, keySuffix: String = "") async throws -> CommandReceipt {
        let key = RequestScope.idempotencyKey
        if let key {
            // HTTP trims a header's value, so a key is what survives that: printable ASCII, no space at either end.
            let bytes = Array(key.utf8)
            let printable = bytes.allSatisfy { (0x20...0x7E).contains($0) } && bytes.first != 0x20 && bytes.last != 0x20
            guard !bytes.isEmpty, bytes.count <= Self.maxIdempotencyKey, printable else {
                throw APIError(
                    .badRequest, code: "invalidInput",
                    "must be 1 to \(Self.maxIdempotencyKey) printable ASCII characters, not starting or ending with a space (got \(bytes.count) bytes)",
                    field: "Idempotency-Key")
            }
        }
        do {
            return try await service.submit(command, requestID: key.map { "\(caller.user):\($0)\(keySuffix)" })
        } catch let error as EngineError {
            throw APIError(error)
        }
    }

    /// `commit;dur=<ms>`: how long the command took to apply and commit, when it was applied.
    static func serverTiming(_ receipt: CommandReceipt) -> String? {
        guard let took = receipt.committedIn else { return nil }
        let ms = Double(took.components.seconds) * 1e3 + Double(took.components.attoseconds) / 1e15
        return "commit;dur=\((ms * 1000).rounded() / 1000)"
    }

    /// A list's page (`limit`, `after`): the items numbered above `after` (all when absent), at most `limit`. Lists
    /// are numbered from 0 in a stable order (each item's `n`), so `after` = the last `n` seen goes on.
    static func listPage<T>(_ items: some Sequence<T>, _ query: (limit: Int, after: Int?)) -> [(n: Int, item: T)] {
        Array(items.enumerated().dropFirst((query.after ?? -1) + 1).prefix(query.limit).map { ($0.offset, $0.element) })
    }

    /// Applies a command for `caller` and answers what the command-only operations answer: whether it acted, its
    /// event and the commands so far (and `Server-Timing`).
    func apply(_ command: EngineCommand, _ caller: Caller, keySuffix: String = "") async throws -> Components.Schemas.Applied {
        let receipt = try await submit(command, caller, keySuffix: keySuffix)
        RequestScope.setServerTiming(Self.serverTiming(receipt))
        return Components.Schemas.Applied(applied: receipt.applied, event: receipt.event, commands: service.commandCount)
    }
}

/// Headers a generated handler sets on its answer (see `RequestScope.answer`).
final class AnswerHeaders: Sendable {
    let serverTiming = Mutex<String?>(nil)
}

/// What the generated handlers (which see only the operation's input) read of the request being handled:
/// `APIKeyMiddleware` binds it around the rest of the request.
enum RequestScope {
    /// The caller, from the API key.
    @TaskLocal static var current: Caller?
    /// The `Idempotency-Key` header as sent. The generated input decodes header values as URI components, so a
    /// key with `%`, `+` or `=` in it would not arrive as the client wrote it.
    @TaskLocal static var idempotencyKey: String?
    /// Headers a handler adds to its answer as written. The generated output encodes header values as URI
    /// components (`commit%3Bdur%3D1.2`), so `Server-Timing` goes here and `APIKeyMiddleware` sets it.
    @TaskLocal static var answer: AnswerHeaders?

    /// Sets the answer's `Server-Timing` (`APIHandlers.serverTiming`).
    static func setServerTiming(_ value: String?) { answer?.serverTiming.withLock { $0 = value } }

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
    /// Where an answer the contract did not expect (a 400 the middleware should have given first, or a 500) is told.
    let logger: Logger

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
                logger.warning("\(operationID): the generated decoding refused what the contract check let through: \(error)")
            } else {
                answer = APIError(.internalServerError, code: "internal", "\(operationID) failed: \(error.causeDescription)")
                logger.error("\(operationID) failed: \(error)")
            }
            return (
                HTTPResponse(status: answer.status, headerFields: [.contentType: "application/json"]),
                HTTPBody(answer.body.text)
            )
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import SmartSyncCore
import SmartSyncViews

/// Server settings, from flags or the environment.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var databasePath = "smartsync.sqlite"
    public var settings = Settings()
    /// The text `/metrics` serves: the exposition of the metrics backend the command line chose (Prometheus). Without
    /// one, `/metrics` answers 404.
    public var metricsText: (@Sendable () -> [UInt8])?

    public init() {}
}

/// The request context: who is calling (set by the API-key middleware).
public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        caller = nil
    }

    /// The caller, or 401.
    func requireCaller() throws -> Caller {
        guard let caller else { throw APIError.unauthorized }
        return caller
    }

    /// The operator, or 401/403.
    func requireOperator() throws -> Caller {
        let caller = try requireCaller()
        guard caller.role == .operator_ else { throw APIError.forbidden }
        return caller
    }
}

/// Reads `Authorization: Bearer <key>` (or `X-API-Key`); an unknown key is 401, no key leaves the caller empty.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let service: EngineService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var key = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        if key == nil, let name = HTTPField.Name("X-API-Key") { key = request.headers[name] }
        if let key {
            guard let caller = try await service.caller(forKey: key) else {
                throw APIError(
                    .unauthorized, code: "unauthorized", "this API key is not valid here (mistyped, or issued by another database)")
            }
            context.caller = caller
        }
        // The generated handlers (`APIHandlers`) read the caller and the Idempotency-Key from here, and leave the
        // headers they add to their answer.
        let idempotencyKey = HTTPField.Name("Idempotency-Key").flatMap { request.headers[$0] }
        let answer = AnswerHeaders()
        var response = try await RequestScope.$current.withValue(context.caller) {
            try await RequestScope.$idempotencyKey.withValue(idempotencyKey) {
                try await RequestScope.$answer.withValue(answer) { try await next(request, context) }
            }
        }
        if let timing = answer.serverTiming.withLock({ $0 }), let name = HTTPField.Name("Server-Timing") {
            response.headers[name] = timing
        }
        return response
    }
}

/// Builds the application around an engine service (the server's `main` and the tests call this).
public func buildApplication(service: EngineService, configuration: ServerConfiguration, logger: Logger)
    -> some ApplicationProtocol
{
    // HEAD answers as GET without the body (RFC 9110 §9.3.2) wherever GET is routed.
    let router = Router(context: AppContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ContractMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: APIKeyMiddleware(service: service))
    Routes(service: service, metricsText: configuration.metricsText).register(on: router)
    do {
        try APIHandlers(service: service).register(on: router)
    } catch {
        fatalError("the API's generated handlers do not register: \(error)")
    }
    WebRoutes.register(on: router)
    return Application(
        router: router,
        server: smartSyncServer(webSocketRouter: streamRouter(service: service)),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "smartsync"),
        logger: logger)
}

/// The request context of the WebSocket upgrade.
public struct StreamContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The connection, so that a refused upgrade can be answered 401 (see `StreamRefusals`).
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}

/// `GET /v1/stream` upgrades to a WebSocket of the caller's live events (prices, lead fills, its copy fills,
/// failed copy orders, copy status). Browsers pass the API key as `?key=`; other clients may use the header.
func streamRouter(service: EngineService) -> Router<StreamContext> {
    let router = Router(context: StreamContext.self)
    router.ws("/v1/stream") { request, context in
        guard let key = streamKey(request), try await service.caller(forKey: key) != nil else {
            StreamRefusals.mark(context.channel)
            return .dontUpgrade
        }
        return .upgrade([:])
    } onUpgrade: { inbound, outbound, context in
        guard let key = streamKey(context.request), let caller = try await service.caller(forKey: key) else { return }
        let (id, events) = service.events.subscribe(user: caller.user, isOperator: caller.role == .operator_)
        defer { service.events.unsubscribe(id) }
        try await outbound.write(.text(StreamEvents.hello(user: caller.user)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await _ in inbound {}  // until the client closes
            }
            group.addTask {
                for await text in events { try await outbound.write(.text(text)) }
            }
            try await group.next()
            group.cancelAll()
        }
    }
    return router
}

private func streamKey(_ request: Request) -> String? {
    if let key = request.uri.queryParameters.get("key") { return key }
    return request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
}

/// One log line per request when it is answered: request id, method, path, status and duration.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        func log(_ status: HTTPResponse.Status) {
            let took = started.duration(to: .now)
            let ms = Double(took.components.seconds) * 1000 + Double(took.components.attoseconds) / 1e15
            context.logger.info(
                "\(request.method) \(request.uri.path) \(status.code) \(String(format: "%.1f", ms)) ms",
                metadata: ["hb.request.status": "\(status.code)", "duration_ms": "\(String(format: "%.3f", ms))"])
        }
        do {
            let response = try await next(request, context)
            log(response.status)
            return response
        } catch let error as any HTTPResponseError {
            log(error.status)
            throw error
        } catch {
            log(.internalServerError)
            throw error
        }
    }
}

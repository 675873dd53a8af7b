import Foundation
import HTTPTypes
import Hummingbird
import SmartSyncCore
import SmartSyncStore
import SmartSyncViews

/// The JSON API (v1). Amounts are strings; errors are `{"error": {"code", "message", "field"}}`. Requests that move
/// money accept an `Idempotency-Key` header: a retry with the same key does not act twice.
struct Routes: Sendable {
    let service: EngineService
    let metricsText: (@Sendable () -> [UInt8])?

    func register(on router: Router<AppContext>) {
        router.get("/metrics") { [metricsText] _, _ in
            guard let metricsText else { throw APIError(.notFound, code: "notFound", "this server exports no metrics") }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: metricsText())))
        }
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: APIContract.json)))
        }
        registerPublic(router)
        registerCopies(router)
    }

    /// A path parameter, percent-decoded (`/v1/copies/a%20b` names the copy `a b`).
    static func parameter(_ context: AppContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    /// An integer query parameter within `range`, or 400 naming it.
    static func intQuery(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        try optionalIntQuery(request, name, range: range) ?? value
    }

    /// An integer query parameter within `range`, nil when absent, or 400 naming it.
    static func optionalIntQuery(_ request: Request, _ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let n = Int(text), range.contains(n) else {
            throw APIError(
                .badRequest, code: "invalidInput", "must be an integer from \(range.lowerBound) to \(range.upperBound)", field: name)
        }
        return n
    }

    /// A list's page (`limit`, `after`): the items numbered above `after` (all when absent), at most `limit` (all when
    /// absent). Lists are numbered from 0 in a stable order (each item's `n`), so `after` = the last `n` seen goes on.
    static func listQuery(_ request: Request) throws -> (limit: Int, after: Int?) {
        (
            try intQuery(request, "limit", default: .max, range: 1...1_000_000),
            try optionalIntQuery(request, "after", range: 0...Int(Int32.max))
        )
    }

    /// The page of `items` that `query` asks for, each with its number.
    static func listPage<T>(_ items: some Sequence<T>, _ query: (limit: Int, after: Int?)) -> [(n: Int, item: T)] {
        Array(items.enumerated().dropFirst((query.after ?? -1) + 1).prefix(query.limit).map { ($0.offset, $0.element) })
    }

    /// A query parameter that takes one of `allowed` (the first when absent), or 400 naming it and listing them.
    static func choice(_ request: Request, _ name: String, _ allowed: [String]) throws -> String {
        try choice(request, name, allowed, default: allowed[0])!
    }

    /// A query parameter that takes one of `allowed` (`fallback` when absent), or 400 naming it and listing them.
    static func choice(_ request: Request, _ name: String, _ allowed: [String], default fallback: String?) throws -> String? {
        guard let text = request.uri.queryParameters.get(name) else { return fallback }
        guard allowed.contains(text) else {
            let list = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
            throw APIError(.badRequest, code: "invalidInput", "must be one of \(list) (got \"\(text)\")", field: name)
        }
        return text
    }

    // MARK: Helpers

    /// The longest Idempotency-Key accepted.
    static let maxIdempotencyKey = 200

    /// Submits a command for the caller. The Idempotency-Key (scoped to the caller) makes a retry a no-op; reused
    /// for another request it is refused (422).
    /// A request that makes two commands gives the second's key a `suffix`, so that a retry skips each.
    func submit(_ command: EngineCommand, _ request: Request, _ caller: Caller, keySuffix: String = "") async throws -> CommandReceipt {
        try await Self.submit(
            service, command, key: HTTPField.Name("Idempotency-Key").flatMap { request.headers[$0] }, caller, keySuffix: keySuffix)
    }

    /// `submit` for a key already read (the generated handlers are given it).
    static func submit(_ service: EngineService, _ command: EngineCommand, key: String?, _ caller: Caller, keySuffix: String = "")
        async throws -> CommandReceipt
    {
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

    /// Applies a command for the caller: true when it acted, false for a retry.
    func apply(_ command: EngineCommand, _ request: Request, _ caller: Caller, keySuffix: String = "") async throws -> Bool {
        try await submit(command, request, caller, keySuffix: keySuffix).applied
    }

    func command(
        _ c: EngineCommand, _ request: Request, _ caller: Caller, status: HTTPResponse.Status = .ok, keySuffix: String = ""
    ) async throws -> Response {
        let receipt = try await submit(c, request, caller, keySuffix: keySuffix)
        let count = service.commandCount
        return Self.answer(
            .object([("applied", .bool(receipt.applied)), ("event", .int(receipt.event)), ("commands", .int(count))]), receipt,
            status: receipt.applied ? status : .ok)
    }

    /// The answer to a command, with `Server-Timing: commit;dur=<ms>` (applying it and committing it) when applied.
    static func answer(_ value: JSONValue, _ receipt: CommandReceipt, status: HTTPResponse.Status) -> Response {
        var response = jsonResponse(value, status: status)
        if let timing = serverTiming(receipt), let name = HTTPField.Name("Server-Timing") { response.headers[name] = timing }
        return response
    }

    /// `commit;dur=<ms>`: how long the command took to apply and commit, when it was applied.
    static func serverTiming(_ receipt: CommandReceipt) -> String? {
        guard let took = receipt.committedIn else { return nil }
        let ms = Double(took.components.seconds) * 1e3 + Double(took.components.attoseconds) / 1e15
        return "commit;dur=\((ms * 1000).rounded() / 1000)"
    }

}

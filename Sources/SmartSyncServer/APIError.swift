import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SmartSyncCore
import SmartSyncScenario

/// An error as the API returns it: an HTTP status and `{"error": {"code", "message", "field"}}`.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var field: String?

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public static let unauthorized = APIError(
        .unauthorized, code: "unauthorized", "send an API key as `Authorization: Bearer <key>`")
    public static let forbidden = APIError(.forbidden, code: "forbidden", "this API key may not do that")

    public static func notFound(_ what: String) -> APIError { APIError(.notFound, code: "notFound", "\(what) not found") }

    /// A refused engine command, with the status its code means.
    public init(_ e: EngineError) {
        let status: HTTPResponse.Status
        switch e.code {
        case .unknownUser, .unknownSymbol, .unknownCopy, .unknownOrder: status = .notFound
        case .invalidInput, .belowMinimumInvestment, .copyingYourself, .overflow: status = .badRequest
        case .duplicateID, .insufficientFunds, .leadNotActive, .leadFollowerLimit, .followerCopyLimit,
            .duplicateActiveCopy, .alreadyLeading, .notLeading, .copyNotActive:
            status = .conflict
        }
        self.init(status, code: e.code.rawValue, e.message, field: e.field)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var error: [(String, JSONValue)] = [("code", .string(code)), ("message", .string(message))]
        error.append(("field", field.map { .string($0) } ?? .null))
        return jsonResponse(.object([("error", .object(error))]), status: status)
    }
}

/// A JSON response from a deterministic value.
func jsonResponse(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
    Response(
        status: status, headers: [.contentType: "application/json"],
        body: .init(byteBuffer: ByteBuffer(string: value.serialized())))
}

/// Decodes a JSON body; a malformed body or field becomes a 400 naming the field.
func decodeBody<T: Decodable>(_ type: T.Type, _ request: Request, _ context: some RequestContext) async throws -> T {
    let buffer = try await request.body.collect(upTo: 1 << 20)
    let data = Data(buffer.readableBytesView)
    do {
        return try JSONDecoder().decode(T.self, from: data)
    } catch let DecodingError.keyNotFound(key, ctx) {
        throw APIError(.badRequest, code: "invalidInput", "is required", field: path(ctx.codingPath + [key]))
    } catch let DecodingError.typeMismatch(_, ctx) {
        throw APIError(.badRequest, code: "invalidInput", "has the wrong type (amounts are strings like \"100.5\")", field: path(ctx.codingPath))
    } catch let DecodingError.valueNotFound(_, ctx) {
        throw APIError(.badRequest, code: "invalidInput", "must not be null", field: path(ctx.codingPath))
    } catch let DecodingError.dataCorrupted(ctx) {
        let detail = (ctx.underlyingError as? DecimalError)?.description ?? ctx.debugDescription
        throw APIError(.badRequest, code: "invalidInput", detail, field: ctx.codingPath.isEmpty ? nil : path(ctx.codingPath))
    } catch let error as DecimalError {
        throw APIError(.badRequest, code: "invalidInput", error.description)
    } catch let error as FieldError {
        throw APIError(.badRequest, code: "invalidInput", error.rule, field: error.field)
    } catch {
        throw APIError(.badRequest, code: "invalidInput", "the body is not valid JSON for this request")
    }
}

private func path(_ keys: [any CodingKey]) -> String {
    keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
}

import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SmartSyncCore
import SmartSyncViews

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
        // The body already fits the contract (anything else was a 400 before the engine saw it): what the engine
        // refuses now is a rule of the market's current state, a step, a tick, a minimum, a limit, an amount that
        // would overflow a balance, copying oneself.
        case .invalidInput, .belowMinimumInvestment, .copyingYourself, .overflow: status = .unprocessableContent
        case .duplicateID, .insufficientFunds, .leadNotActive, .leadFollowerLimit, .followerCopyLimit,
            .duplicateActiveCopy, .alreadyLeading, .notLeading, .copyNotActive, .orderInFlight:
            status = .conflict
        case .requestIDReused: status = .unprocessableContent
        }
        self.init(status, code: e.code.rawValue, e.message, field: e.field)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body.text)))
    }

    /// The body, the contract's `Error`.
    var body: ErrorReport { ErrorReport(code: code, message: message, field: field) }
}

/// Bodies larger than this are refused (413): no request of this API comes near it.
let maxBodyBytes = 64 * 1024

/// Request bodies are checked against the contract's schemas.
let requestValidator = SchemaValidator(schemas: APIContract.schemas, alsoIn: [APIContract.document["paths"] ?? .null])

/// Reads a request body and checks it against the contract's schema `schema`: too large is 413; not JSON, not an
/// object, an unknown field or a value the contract does not allow is 400 naming the field and the rule.
func checkedBody(_ request: Request, schema: String, validator: SchemaValidator = requestValidator) async throws -> ByteBuffer {
    let buffer: ByteBuffer
    do {
        buffer = try await request.body.collect(upTo: maxBodyBytes)
    } catch is NIOTooManyBytesError {
        throw APIError(.contentTooLarge, code: "bodyTooLarge", "the body is larger than \(maxBodyBytes / 1024) KiB")
    }
    let parsed: BodyValue
    do {
        parsed = try JSONDecoder().decode(BodyValue.self, from: Data(buffer.readableBytesView))
    } catch {
        throw APIError(
            .badRequest, code: "invalidInput", buffer.readableBytes == 0 ? "a JSON body is required" : "the body is not valid JSON")
    }
    guard case .object = parsed else { throw APIError(.badRequest, code: "invalidInput", "the body must be a JSON object") }
    try validator.validate(parsed, against: schema)
    return buffer
}

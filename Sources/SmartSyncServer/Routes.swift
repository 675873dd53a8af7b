import Foundation
import HTTPTypes
import Hummingbird
import SmartSyncCore
import SmartSyncStore
import SmartSyncViews

/// What is served beside the API's operations (`APIHandlers`): the metrics and the contract itself.
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
    }
}

import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// HTTP/1.1 with the WebSocket upgrade, plus what Hummingbird's upgradable pipeline does not do by itself:
/// - a request line or head too large for the HTTP decoder gets 414 or 431 and the connection closes (without this
///   guard the upgrade negotiation waits forever for a head the decoder refused);
/// - a refused stream (no valid API key) gets 401 with a JSON error, not an empty 400.
func smartSyncServer(webSocketRouter: Router<StreamContext>) -> HTTPServerBuilder {
    let webSocketResponder = webSocketRouter.buildResponder()
    return HTTPServerBuilder { responder in
        GuardedChannel(
            inner: HTTP1WebSocketUpgradeChannel(
                responder: responder, webSocketResponder: webSocketResponder,
                configuration: .init(http1: .init(additionalChannelHandlers: [StreamRefusalWriter()]))))
    }
}

/// Adds `RequestHeadGuard` in front of the HTTP decoder of every connection.
struct GuardedChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(RequestHeadGuard(), position: .first)
        }.flatMap { inner.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// Watches the raw bytes of a connection's first request head: a request line over 16 KiB is answered 414, a head
/// over 64 KiB 431, and the connection is closed. Once the first head is complete it steps out of the pipeline
/// (later requests on the connection go through Hummingbird's own parser, which answers 400 to what it refuses).
final class RequestHeadGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let maxRequestLine = 16 * 1024
    static let maxHead = 64 * 1024

    private var seen = 0
    private var lineEnd: Int?
    private var tail: [UInt8] = []
    private var refused = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        let buffer = unwrapInboundIn(data)
        var headEnd = false
        for byte in buffer.readableBytesView {
            seen += 1
            tail.append(byte)
            if tail.count > 4 { tail.removeFirst() }
            if lineEnd == nil, tail.suffix(2) == [0x0D, 0x0A] { lineEnd = seen }
            if tail == [0x0D, 0x0A, 0x0D, 0x0A] {
                headEnd = true
                break
            }
            if lineEnd == nil && seen > Self.maxRequestLine {
                return refuse(context, status: "414 URI Too Long", "the request line is longer than \(Self.maxRequestLine) bytes")
            }
            if seen > Self.maxHead {
                return refuse(
                    context, status: "431 Request Header Fields Too Large", "the request head is longer than \(Self.maxHead) bytes")
            }
        }
        context.fireChannelRead(data)
        if headEnd { context.pipeline.syncOperations.removeHandler(context: context, promise: nil) }
    }

    private func refuse(_ context: ChannelHandlerContext, status: String, _ message: String) {
        refused = true
        let body = #"{"error":{"code":"requestTooLarge","message":"\#(message)","field":null}}"#
        let text =
            "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let channel = context.channel
        // Half-close: the client reads the answer and closes; the upgrade negotiation then ends as "input closed"
        // (a full close here makes it log an error for what is the client's mistake).
        context.writeAndFlush(NIOAny(channel.allocator.buffer(string: text))).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
        }
    }
}

/// The connections whose WebSocket upgrade the stream route refused for want of a valid key.
enum StreamRefusals {
    private static let refused = Mutex<Set<ObjectIdentifier>>([])

    static func mark(_ channel: any Channel) { _ = refused.withLock { $0.insert(ObjectIdentifier(channel)) } }
    static func take(_ channel: any Channel) -> Bool { refused.withLock { $0.remove(ObjectIdentifier(channel)) != nil } }
}

/// Turns the empty 400 that a failed WebSocket upgrade gets into a 401 with a JSON error, when the stream route
/// refused it for its key.
final class StreamRefusalWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var body: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status == .badRequest && StreamRefusals.take(context.channel):
            let json =
                #"{"error":{"code":"unauthorized","message":"the stream needs a valid API key: ?key=KEY or `Authorization: Bearer KEY`","field":"key"}}"#
            let buffer = context.channel.allocator.buffer(string: json)
            body = buffer
            var fields: HTTPFields = [.connection: "close", .contentType: "application/json"]
            fields[.contentLength] = String(buffer.readableBytes)
            context.write(wrapOutboundOut(.head(HTTPResponse(status: .unauthorized, headerFields: fields))), promise: promise)
        case .end(let trailers) where body != nil:
            context.write(wrapOutboundOut(.body(body!)), promise: nil)
            body = nil
            context.write(wrapOutboundOut(.end(trailers)), promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }
}

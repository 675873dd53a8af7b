import NIOCore
import NIOPosix

/// A FIX 4.4 initiator over TCP (SwiftNIO): connects, runs a `FIXSession` over the connection and hands `body` a
/// `FIXLink` to send application messages and receive the venue's, in sequence order, each once.
public enum FIXInitiator {
    public struct Disconnected: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Connects to `host:port`, logs on with `session`, runs `body`, then logs out and closes. Returns what `body`
    /// returned, the session's numbers at the end and the venue's messages `body` did not take (they are counted in
    /// `nextIncoming`, so the venue will not send them again). `persist` is called with the numbers after every
    /// change, also when the run ends in an error, so that a store keeps them across restarts.
    public static func run<T: Sendable>(
        host: String, port: Int, session: FIXSession, resetSequence: Bool = false, clock: @escaping @Sendable () -> Int64,
        persist: @escaping @Sendable (FIXSession.Sequence) -> Void = { _ in },
        beforeWrite: (@Sendable ([FIXMessage]) async throws -> Void)? = nil,
        _ body: @Sendable (FIXLink) async throws -> T
    ) async throws -> (result: T, sequence: FIXSession.Sequence, undelivered: [FIXMessage]) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let link = FIXLink(
                session: session, outbound: outbound, connection: channel.channel, clock: clock, persist: persist,
                beforeWrite: beforeWrite)
            try await link.start(resetSequence: resetSequence)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    do {
                        for try await buffer in inbound { try await link.received(buffer) }
                        await link.closed("the venue closed the connection")
                    } catch {
                        await link.closed("\(error)")
                        channel.channel.close(promise: nil)
                    }
                    return nil
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .milliseconds(500))
                        try await link.tick()
                    }
                    return nil
                }
                let result: T
                do {
                    result = try await body(link)
                    try await link.logout()
                } catch {
                    // Closing ends the reading task, so the group can finish.
                    channel.channel.close(promise: nil)
                    throw error
                }
                channel.channel.close(promise: nil)
                group.cancelAll()
                return (result, await link.sequence, await link.undelivered)
            }
        }
    }
}

/// One logged-on connection, as `FIXInitiator.run` hands it to its body.
public actor FIXLink {
    private var session: FIXSession
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let connection: any Channel
    private let clock: @Sendable () -> Int64
    private let persist: @Sendable (FIXSession.Sequence) -> Void
    /// Awaited with each batch of messages before they are written (a store keeps them, so that a restart resumes
    /// the numbers and can resend them).
    private let beforeWrite: (@Sendable ([FIXMessage]) async throws -> Void)?
    /// Encoded messages waiting to be written, in sequence order, and whether a write is in progress: a write
    /// suspends the actor, and a message stamped meanwhile must not overtake the one being written.
    private var queue: [(message: FIXMessage, bytes: ByteBuffer)] = []
    private var writing = false
    private var buffer: [UInt8] = []
    private var delivered: [FIXMessage] = []
    private var waiting: [CheckedContinuation<FIXMessage, any Error>] = []
    private var activeWaiters: [CheckedContinuation<Void, any Error>] = []
    private var closedReason: String?
    /// Every message sent and received, in order, as text with | for SOH (what the session did, for tests and logs).
    public private(set) var transcript: [String] = []

    init(
        session: FIXSession, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, connection: any Channel,
        clock: @escaping @Sendable () -> Int64, persist: @escaping @Sendable (FIXSession.Sequence) -> Void,
        beforeWrite: (@Sendable ([FIXMessage]) async throws -> Void)? = nil
    ) {
        self.beforeWrite = beforeWrite
        self.session = session
        self.outbound = outbound
        self.connection = connection
        self.persist = persist
        self.clock = clock
    }

    public var sequence: FIXSession.Sequence { session.sequence }
    /// The venue's application messages received and not yet taken with `next()`.
    public var undelivered: [FIXMessage] { delivered }
    public var status: FIXSession.Status { session.status }
    /// A gap was asked for (ResendRequest) and has not been filled yet.
    public var resendPending: Bool { session.resendRequested != nil }

    func start(resetSequence: Bool) async throws { try await handle(session.connect(now: clock(), resetSequence: resetSequence)) }

    /// Waits until the venue answered the Logon.
    public func loggedOn() async throws {
        if session.status == .active { return }
        if let closedReason { throw FIXInitiator.Disconnected(description: closedReason) }
        try await withCheckedThrowingContinuation { activeWaiters.append($0) }
    }

    /// Sends an application message (MsgType first, then its body fields); returns it as sent.
    @discardableResult
    public func send(_ message: FIXMessage) async throws -> FIXMessage {
        if let closedReason { throw FIXInitiator.Disconnected(description: closedReason) }
        let stamped = session.send(message, now: clock())
        persist(session.sequence)
        try await write([stamped])
        return stamped
    }

    /// The next application message already received, without waiting (nil when there is none).
    public func nextIfReceived() -> FIXMessage? { delivered.isEmpty ? nil : delivered.removeFirst() }

    /// The next application message from the venue (waits for it).
    public func next() async throws -> FIXMessage {
        if !delivered.isEmpty { return delivered.removeFirst() }
        if let closedReason { throw FIXInitiator.Disconnected(description: closedReason) }
        return try await withCheckedThrowingContinuation { waiting.append($0) }
    }

    func received(_ bytes: ByteBuffer) async throws {
        buffer += bytes.readableBytesView
        while closedReason == nil, let (message, length) = try FIXParser.parse(buffer[...]) {
            buffer.removeFirst(length)
            transcript.append("in  " + message.readable)
            try await handle(session.receive(message, now: clock()))
        }
    }

    func tick() async throws { try await handle(session.tick(now: clock())) }

    func logout() async throws {
        guard closedReason == nil, session.status == .active else { return }
        try await write(session.logout(now: clock()).send)
        // The venue's Logout in answer ends the reading loop; give it a moment.
        for _ in 0..<40 where closedReason == nil && session.status != .disconnected {
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    func closed(_ reason: String) {
        if closedReason == nil { closedReason = reason }
        session.disconnected()
        for w in waiting { w.resume(throwing: FIXInitiator.Disconnected(description: closedReason!)) }
        for w in activeWaiters { w.resume(throwing: FIXInitiator.Disconnected(description: closedReason!)) }
        waiting = []
        activeWaiters = []
    }

    private func handle(_ out: FIXSession.Output) async throws {
        persist(session.sequence)
        // Delivered before anything is written: a write that fails must not lose what the session already counted.
        for message in out.deliver {
            if waiting.isEmpty { delivered.append(message) } else { waiting.removeFirst().resume(returning: message) }
        }
        if session.status == .active {
            for w in activeWaiters { w.resume() }
            activeWaiters = []
        }
        try await write(out.send)
        if let reason = out.disconnect {
            closed(reason)
            connection.close(promise: nil)
        }
    }

    private func write(_ messages: [FIXMessage]) async throws {
        for message in messages {
            transcript.append("out " + message.readable)
            queue.append((message, ByteBuffer(bytes: try message.encoded())))
        }
        guard !writing else { return }  // the write in progress drains the queue, in order
        writing = true
        defer { writing = false }
        while !queue.isEmpty {
            let batch = queue
            queue = []
            if let beforeWrite { try await beforeWrite(batch.map(\.message)) }
            for item in batch { try await outbound.write(item.bytes) }
        }
    }
}

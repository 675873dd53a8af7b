import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import SmartSyncStore
import SmartSyncViews
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Where hooks may point, and how deliveries are retried.
public struct HookPolicy: Sendable {
    /// Hosts a hook may name even when they are loopback or private (`serve --hook-hosts`; the tests' 127.0.0.1).
    public var allowedHosts: Set<String> = []
    /// When true, only `allowedHosts`.
    public var onlyAllowedHosts = false
    /// The waits before each retry: a delivery is tried once, then once after each of these.
    public var retryDelays: [Duration] = [.seconds(1), .seconds(10), .seconds(60), .seconds(600), .seconds(3600)]
    /// How long one attempt may take.
    public var timeout: Duration = .seconds(10)
    /// Hooks one user may register.
    public var hooksPerUser = 10

    public init() {}

    /// Nil when a hook may point at `text`, else why not (one sentence naming the rule).
    public func refusal(of text: String) -> String? {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else { return "must be an http:// or https:// URL" }
        guard let named = url.host?.lowercased(), !named.isEmpty else { return "must name a host" }
        let host = Self.normalized(named)
        guard url.user == nil && url.password == nil else { return "must not carry a user or password (sign with the secret)" }
        if allowedHosts.contains(host) { return nil }
        if onlyAllowedHosts {
            return "must point at one of the hosts this server allows (\(allowedHosts.sorted().joined(separator: ", ")))"
        }
        if Self.isLocal(host) {
            return "must not point at a loopback or private address (\(host)); an operator can allow it with `serve --hook-hosts`"
        }
        return nil
    }

    /// A host as the allow-list compares it: lower case, without IPv6 brackets or a final dot.
    public static func normalized(_ host: String) -> String {
        var h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h.hasSuffix(".") { h.removeLast() }
        return h
    }

    /// Loopback, private, link-local, shared and unspecified addresses, however written (`127.1`, `2130706433`,
    /// `0x7f.0.0.1`, `[::ffff:127.0.0.1]`: the forms the C library's parsers, and so the connection, accept), and
    /// `localhost` names. A name is checked again when a delivery resolves it (`resolvesLocally`).
    static func isLocal(_ host: String) -> Bool {
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        if name == "localhost" || name.hasSuffix(".localhost") || name.hasSuffix(".local") || name.isEmpty { return true }
        return literalAddress(name).map(isLocalAddress) ?? false
    }

    /// The bytes of an IPv4 address in any form `inet_aton` reads, or of an IPv6 address (brackets allowed).
    static func literalAddress(_ host: String) -> [UInt8]? {
        let trimmed = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if trimmed.contains(":") {
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, trimmed, &v6) == 1 else { return nil }
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        var v4 = in_addr()
        guard inet_aton(trimmed, &v4) != 0 else { return nil }
        return withUnsafeBytes(of: &v4.s_addr) { Array($0) }
    }

    /// Whether 4 or 16 address bytes are loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local
    /// (169.254/16, fe80::/10), shared (100.64/10), "this network" (0/8) or unspecified; an IPv4-mapped or -compatible
    /// IPv6 address by its IPv4 part.
    static func isLocalAddress(_ b: [UInt8]) -> Bool {
        if b.count == 16 {
            if b[0..<10].allSatisfy({ $0 == 0 }) && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0)) {
                return b[12..<16].allSatisfy({ $0 == 0 }) || (b[12..<15].allSatisfy({ $0 == 0 }) && b[15] == 1)
                    || isLocalAddress(Array(b[12..<16]))
            }
            // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address: judged by it.
            if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..<12].allSatisfy({ $0 == 0 }) {
                return isLocalAddress(Array(b[12..<16]))
            }
            if b[0] == 0x20 && b[1] == 0x02 { return isLocalAddress(Array(b[2..<6])) }
            // Unique local (fc00::/7), link-local (fe80::/10), site-local (fec0::/10), multicast (ff00::/8).
            return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0x80) == 0x80) || b[0] == 0xff
        }
        guard b.count == 4 else { return true }
        let (a, c) = (b[0], b[1])
        return a == 127 || a == 10 || a == 0 || (a == 172 && (16...31).contains(c)) || (a == 192 && c == 168)
            || (a == 169 && c == 254) || (a == 100 && (64...127).contains(c)) || (a == 198 && (c == 18 || c == 19))
            || (a == 192 && c == 0 && b[2] == 0) || a >= 224  // benchmarking, IETF, multicast and reserved
    }

    /// Whether `host` resolves to a local address (blocking: run it off Swift's cooperative pool). A host the
    /// operator allowed never does.
    func resolvesLocally(_ host: String) -> Bool {
        let name = Self.normalized(host)
        if allowedHosts.contains(name) { return false }
        if Self.isLocal(name) { return true }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0 else {
            return false  // unresolvable: the delivery fails to connect and says so
        }
        defer { freeaddrinfo(list) }
        var next = list
        while let entry = next?.pointee {
            if let address = entry.ai_addr {
                if entry.ai_family == AF_INET {
                    let bytes = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                        withUnsafeBytes(of: p.pointee.sin_addr.s_addr) { Array($0) }
                    }
                    if Self.isLocalAddress(bytes) { return true }
                } else if entry.ai_family == AF_INET6 {
                    let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                        withUnsafeBytes(of: p.pointee.sin6_addr) { Array($0) }
                    }
                    if Self.isLocalAddress(bytes) { return true }
                }
            }
            next = entry.ai_next
        }
        return false
    }
}

/// How a delivery is signed: HMAC-SHA256, keyed with the hook's secret, of the timestamp (Unix seconds), a dot and
/// the body, sent as `SmartSync-Signature: sha256=<hex>` beside `SmartSync-Timestamp: <seconds>`. A receiver
/// computes the same over the bytes it got and refuses an old timestamp (a replay).
public enum HookSignature {
    public static func sign(body: String, timestamp: Int64, secret: String) -> String {
        let code = HMAC<Crypto.SHA256>.authenticationCode(
            for: Array("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + SmartSyncStore.SHA256.hex(Array(code))
    }

    /// HMAC-SHA256 of `message` with `key`, as lowercase hex (the primitive, for its test vectors).
    public static func hmacHex(key: [UInt8], message: [UInt8]) -> String {
        SmartSyncStore.SHA256.hex(Array(HMAC<Crypto.SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))))
    }

}

/// The alerts of one server: the hooks users registered (kept in memory by user, so the engine's writer sees them
/// without awaiting), and the queue of alerts raised. Raising never waits: the writer hands alerts over and goes on;
/// `AlertService` logs and delivers them.
public final class Alerts: Sendable {
    let store: any HookStore
    public let policy: Mutex<HookPolicy>
    /// The hooks by user, and a count of the changes made here (a reload read before a change must not undo it).
    private let state = Mutex<(hooks: [String: [StoredHook]], changes: Int)>(([:], 0))
    /// Set when the server is shutting down: alerts still queued are logged as pending, not sent.
    let stopping = Atomic<Bool>(false)
    /// What the service is handed: the alerts of one command, each for one hook or (nil) for every hook of its user
    /// that asks for its type.
    typealias Job = [(alert: AlertReport, hook: StoredHook?)]
    let queue: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation
    /// Alerts dropped because the queue was full (a receiver far behind): counted, and logged by the service.
    let dropped = Atomic<Int>(0)

    init(store: any HookStore) {
        self.store = store
        policy = Mutex(HookPolicy())
        // At most this many batches (one per command) wait; beyond it the oldest are dropped and counted.
        (queue, continuation) = AsyncStream.makeStream(of: Job.self, bufferingPolicy: .bufferingNewest(10_000))
    }

    /// Reads every hook from the database (at start, and then now and again for hooks other instances added).
    func reload() async throws {
        let before = state.withLock { $0.changes }
        let all = try await store.hooks(user: nil)
        state.withLock { s in
            // A hook added or removed here while the database was read: the next reload brings both.
            if s.changes == before { s.hooks = Dictionary(grouping: all, by: \.user) }
        }
    }

    func added(_ hook: StoredHook) {
        state.withLock { s in
            s.hooks[hook.user, default: []].append(hook)
            s.changes += 1
        }
    }
    func removed(_ n: Int64, user: String) {
        state.withLock { s in
            s.hooks[user]?.removeAll { $0.n == n }
            s.changes += 1
        }
    }

    /// The hooks of `user`.
    func hooks(of user: String) -> [StoredHook] { state.withLock { $0.hooks[user] ?? [] } }

    /// The hook numbered `n`, nil once removed.
    func hook(numbered n: Int64) -> StoredHook? { state.withLock { $0.hooks.values.lazy.flatMap { $0 }.first { $0.n == n } } }

    /// Whether any hook asks for `type`, and the users whose hooks do.
    func users(asking type: AlertReport.Kind) -> [String: [StoredHook]] {
        state.withLock { s in
            s.hooks.compactMapValues { hooks in
                let asking = hooks.filter { $0.events.contains(type.rawValue) }
                return asking.isEmpty ? nil : asking
            }
        }
    }

    var isEmpty: Bool { state.withLock { $0.hooks.values.allSatisfy(\.isEmpty) } }

    /// The users with at least one hook.
    var usersWithHooks: [String] { state.withLock { $0.hooks.filter { !$0.value.isEmpty }.map(\.key) } }

    /// Hands alerts over for logging and delivery, without waiting.
    func raise(_ alerts: Job) {
        guard !alerts.isEmpty else { return }
        if case .dropped = continuation.yield(alerts) { dropped.add(1, ordering: .relaxed) }
    }

    func finish() { continuation.finish() }
}

/// Logs every alert raised as one delivery per hook that asked for it and sends each, signed, retrying with the
/// policy's waits; a restart resumes the deliveries still pending. Runs beside the HTTP server in `serve`'s group.
public struct AlertService: Service {
    let alerts: Alerts
    let logger: Logger
    let now: @Sendable () -> Int64

    public init(alerts: Alerts, logger: Logger, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.alerts = alerts
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        // The hooks, read until the database answers: a server does not stop for its alerts.
        var wait = Duration.seconds(1)
        while true {
            do {
                try await alerts.reload()
                break
            } catch {
                logger.error("alerts: cannot read the hooks (\(error)); trying again in \(wait)")
                do { try await Task.sleep(for: wait) } catch {
                    try? await client.shutdown()
                    return
                }
                wait = min(wait * 2, .seconds(60))
            }
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    // Hooks added by other instances on the same database.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(5))
                        try? await alerts.reload()
                    }
                }
                do {
                    for d in try await alerts.store.pending() { group.addTask { await deliver(d, client: client) } }
                } catch {
                    logger.error("alerts: cannot read the pending deliveries: \(error); they are sent after the next start")
                }
                for await job in alerts.queue {
                    for (alert, target) in job {
                        let hooks = target.map { [$0] } ?? alerts.hooks(of: alert.user).filter { $0.events.contains(alert.type.rawValue) }
                        for hook in hooks {
                            if alerts.stopping.load(ordering: .relaxed) {
                                // Shutting down: logged as pending here (not in a task about to be cancelled), sent
                                // after the next start.
                                _ = await log(alert, to: hook)
                            } else {
                                group.addTask { if let d = await log(alert, to: hook) { await deliver(d, client: client) } }
                            }
                        }
                    }
                }
                // The queue ended (shutdown): waits and sends in flight stop; their deliveries stay pending.
                group.cancelAll()
            }
        } onGracefulShutdown: {
            alerts.stopping.store(true, ordering: .relaxed)
            alerts.finish()
        }
        let dropped = alerts.dropped.load(ordering: .relaxed)
        if dropped > 0 { logger.error("alerts: \(dropped) commands' alerts were dropped: the queue was full") }
        try? await client.shutdown()
    }

    /// Logs a delivery of `alert` to `hook` as pending; nil when the database refused.
    func log(_ alert: AlertReport, to hook: StoredHook) async -> StoredDelivery? {
        let time = now()
        do {
            // Nil when the hook was removed since the alert was raised: nothing to send.
            return try await alerts.store.record(
                StoredDelivery(hook: hook.n, type: alert.type.rawValue, body: alert.text, created: time, updated: time))
        } catch {
            logger.error("alerts: cannot log a \(alert.type.rawValue) delivery to hook-\(hook.n): \(error)")
            return nil
        }
    }

    /// Tries a logged delivery until it is delivered or out of attempts, writing each attempt's result.
    func deliver(_ start: StoredDelivery, client: HTTPClient) async {
        var d = start
        let policy = alerts.policy.withLock { $0 }
        while d.status == .pending {
            if d.attempts > 0 {
                let wait = policy.retryDelays[min(d.attempts - 1, policy.retryDelays.count - 1)]
                do { try await Task.sleep(for: wait) } catch { return }  // shutting down: resumed at the next start
            }
            guard let hook = alerts.hook(numbered: d.hook) else {
                d.status = .failed
                d.error = "the hook was removed"
                break
            }
            d.attempts += 1
            do {
                // The name is checked where it leads now (a name can point at a private address, or change to).
                let host = URLComponents(string: hook.url)?.host ?? ""
                if try await NIOThreadPool.singleton.runIfActive({ policy.resolvesLocally(host) }) {
                    d.status = .failed
                    d.error = "\(host) resolves to a loopback or private address; an operator can allow it with `serve --hook-hosts`"
                    d.updated = now()
                    try? await alerts.store.update(d)
                    break
                }
                let code = try await send(d, to: hook, client: client, timeout: policy.timeout)
                if Task.isCancelled { return }  // shutting down: whatever the answer, it is sent again after a start
                d.responseStatus = code
                if (200..<300).contains(code) {
                    d.status = .delivered
                    d.error = nil
                } else {
                    d.error = "the receiver answered \(code)"
                }
            } catch {
                // Shutting down is not the receiver's failure: the attempt is not counted.
                if Task.isCancelled { return }
                d.responseStatus = nil
                d.error = "\(error)".prefix(300).description
            }
            if d.status == .pending && d.attempts > policy.retryDelays.count { d.status = .failed }
            d.updated = now()
            do { try await alerts.store.update(d) } catch { logger.error("alerts: cannot log delivery \(d.n): \(error)") }
        }
        if d.status == .failed {
            logger.warning("alerts: delivery \(d.n) to hook-\(d.hook) failed after \(d.attempts) attempts: \(d.error ?? "")")
        }
    }

    func send(_ d: StoredDelivery, to hook: StoredHook, client: HTTPClient, timeout: Duration) async throws -> Int {
        let timestamp = now() / 1000
        var request = HTTPClientRequest(url: hook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "SmartSync-Hooks/1")
        request.headers.add(name: "SmartSync-Event", value: d.type)
        request.headers.add(name: "SmartSync-Hook", value: "hook-\(hook.n)")
        request.headers.add(name: "SmartSync-Delivery", value: String(d.n))
        request.headers.add(name: "SmartSync-Timestamp", value: String(timestamp))
        request.headers.add(name: "SmartSync-Signature", value: HookSignature.sign(body: d.body, timestamp: timestamp, secret: hook.secret))
        request.body = .bytes(ByteBuffer(string: d.body))
        let nanos = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let response = try await client.execute(request, timeout: .nanoseconds(nanos))
        // Read (at most 64 KiB of) the answer so the connection can be reused; its content is not kept.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return Int(response.status.code)
    }
}

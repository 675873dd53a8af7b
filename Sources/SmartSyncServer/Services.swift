import Logging
import ServiceLifecycle
import SmartSyncCore

/// The server's long-running parts as services of one `ServiceGroup` (with the HTTP application): they start
/// together, and on SIGTERM / SIGINT shut down in reverse order — the demo feed stops first, then the HTTP server
/// finishes its requests, then the cluster follower gives up its leases, and the snapshot service writes the last
/// snapshot once no command can come in any more.

/// Writes a snapshot of the committed state when the group shuts down (the periodic ones are started by the engine
/// service itself after commits).
public struct SnapshotService: Service {
    let service: EngineService
    let report: @Sendable (String) -> Void

    public init(service: EngineService, report: @escaping @Sendable (String) -> Void) {
        self.service = service
        self.report = report
    }

    public func run() async throws {
        // Idle until the group shuts down (or is cancelled).
        try? await gracefulShutdown()
        do {
            if let (path, bytes) = try await service.saveSnapshot() {
                let size = bytes >= 1_000_000 ? "\(bytes / 1_000_000) MB" : "\(max(1, bytes / 1_000)) KB"
                report("snapshot written on shutdown: \(path) (\(size))")
            }
        } catch {
            report("warning: no snapshot written on shutdown: \(error)")
        }
    }
}

/// Plays the demo market's feed until its data ends, then idles until shutdown.
public struct DemoService: Service {
    let service: EngineService
    let feed: DemoFeed
    let clock: DemoClock
    let logger: Logger

    public init(service: EngineService, feed: DemoFeed, clock: DemoClock, logger: Logger) {
        self.service = service
        self.feed = feed
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await Demo.run(service, feed: feed, clock: clock, logger: logger) }
        try? await gracefulShutdown()
    }
}

/// Follows the shared log, keeps this instance's leases and serves handed-over requests (several instances on one
/// PostgreSQL database). A store that breaks ends it with an error, which shuts the group (and the server) down.
public struct ClusterService: Service {
    let membership: ClusterMembership
    let service: EngineService
    let logger: Logger

    public init(membership: ClusterMembership, service: EngineService, logger: Logger) {
        self.membership = membership
        self.service = service
        self.logger = logger
    }

    public struct StoreBroke: Error, CustomStringConvertible {
        public var description: String { "the database write failed after the engine accepted a command" }
    }

    public func run() async throws {
        let healthy = await cancelWhenGracefulShutdown { await membership.run(service, logger: logger) }
        if !healthy { throw StoreBroke() }
    }
}

/// Extends the ledger's hash chain (docs/receipts.md) over what was committed since, every few seconds, so that a
/// receipt rarely has to wait for it. Hashing is deterministic: instances sharing a database write the same hashes.
public struct LedgerChainService: Service {
    let chain: LedgerChainer
    let logger: Logger
    let interval: Duration

    public init(chain: LedgerChainer, logger: Logger, interval: Duration = .seconds(2)) {
        self.chain = chain
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    try await chain.catchUp()
                    failing = false
                } catch {
                    // Logged once per run of failures; the next round tries again.
                    if !failing { logger.error("ledger chain: \(error)") }
                    failing = true
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

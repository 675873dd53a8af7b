import Foundation
import Logging
import SmartSyncStore
import Synchronization

/// This instance's part in a group of instances sharing one PostgreSQL database.
///
/// Every instance keeps a replica of the engine that follows the shared command log, and appends under the log's
/// write lock after catching up, so all instances apply the same commands in the same order. Each lead's commands
/// (its orders and its followers' copy changes, hence its fan-outs) are executed by the one instance holding the
/// lead's lease; the others hand such commands over through the inbox. A lease lasts `ttl` unless renewed (every
/// second), so the leads of an instance that dies are taken over by whichever instance next needs them.
public final class ClusterMembership: Sendable {
    public let leases: LeaseStore
    /// Leads held, each with the moment until which this instance may rely on holding it without asking.
    private let held = Mutex<[String: ContinuousClock.Instant]>([:])
    /// Margin kept before a lease's expiry: a holder stops relying on a lease well before others may take it.
    private let margin = Duration.seconds(1)

    public init(url: PostgresURL, instance: String, ttl: Duration = .seconds(3)) {
        leases = LeaseStore(url: url, owner: instance, ttl: ttl)
    }

    /// Whether this instance holds a lead.
    enum Holding: Equatable { case held, taken, elsewhere }

    /// Whether this instance holds `lead`, taking it (`.taken`) if it is free or its holder's lease expired.
    func take(_ lead: String) async throws -> Holding {
        let now = ContinuousClock.now
        if let until = held.withLock({ $0[lead] }), now < until { return .held }
        guard try await leases.acquire(lead) else {
            _ = held.withLock { $0.removeValue(forKey: lead) }
            return .elsewhere
        }
        held.withLock { $0[lead] = now + leases.ttl - margin }
        return .taken
    }

    /// Renews every lease held; the leads still held.
    @discardableResult
    func renew() async throws -> Set<String> {
        let now = ContinuousClock.now
        let leads = try await leases.renew()
        let until = now + leases.ttl - margin
        held.withLock { map in
            // Leads taken while the renewal was under way (later than `now`) are kept; others not renewed are lost.
            map = map.filter { leads.contains($0.key) || $0.value > until }
            for lead in leads { map[lead] = max(map[lead] ?? until, until) }
        }
        return leads
    }

    /// Whether this instance may still rely on holding `lead`.
    func holds(_ lead: String) -> Bool {
        let now = ContinuousClock.now
        return held.withLock { $0[lead].map { now < $0 } ?? false }
    }

    var heldLeads: Set<String> {
        let now = ContinuousClock.now
        return held.withLock { Set($0.filter { now < $0.value }.keys) }
    }

    /// Renews the leases every second until cancelled. Its queries are async (they hold no thread while the database
    /// answers) and it never waits for the writer, so a long fan-out does not delay a renewal.
    private func renewing(logger: Logger) -> Task<Void, Never> {
        Task { [self] in
            while !Task.isCancelled {
                do { try await renew() } catch { logger.error("cluster: renewing leases: \(error)") }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Runs until cancelled: renews leases every second (a task of its own), executes handed-over requests for the
    /// leads held, and follows what the other instances append (every 100 ms, so reads and live events stay fresh).
    /// Gives the leases up when cancelled (a graceful stop hands the leads over at once).
    /// Returns false when it stopped because the store broke (the process should exit: a fresh replica is needed).
    @discardableResult
    public func run(_ service: EngineService, logger: Logger) async -> Bool {
        await service.joinCluster(self)
        let renewal = renewing(logger: logger)
        defer { renewal.cancel() }
        let clock = ContinuousClock()
        var nextRefresh = clock.now
        var pause = Duration.milliseconds(1)
        var lastServed = clock.now
        while !Task.isCancelled {
            do {
                // A replica whose store broke cannot execute: give its leads up at once rather than keep them.
                if await service.isBroken {
                    logger.critical("cluster: the store failed after accepting a command; leases given up, this instance must be restarted")
                    renewal.cancel()
                    try? await leases.releaseAll()
                    return false
                }
                // The inbox is polled every millisecond while requests came in the last 200 ms, backing off to
                // 20 ms when idle.
                let leads = heldLeads
                let served = leads.isEmpty ? 0 : try await service.serveInbox(leads: leads)
                if served > 0 { lastServed = clock.now }
                pause = lastServed.duration(to: clock.now) < .milliseconds(200) ? .milliseconds(1) : min(pause * 2, .milliseconds(20))
                if clock.now >= nextRefresh {
                    try await service.refresh()
                    nextRefresh = clock.now + .milliseconds(100)
                }
                try await Task.sleep(for: pause)
            } catch is CancellationError {
                break
            } catch {
                logger.error("cluster: \(error)")
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        renewal.cancel()
        try? await leases.releaseAll()
        return true
    }
}

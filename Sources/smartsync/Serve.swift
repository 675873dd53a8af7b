import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import SmartSyncBench
import SmartSyncCore
import SmartSyncScenario
import SmartSyncServer
import SmartSyncStore
import SmartSyncViews
import Synchronization

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP JSON API on the embedded SQLite database or on PostgreSQL.",
        discussion: """
            Settings come from flags or the environment (SMARTSYNC_DB or DATABASE_URL, SMARTSYNC_HOST, SMARTSYNC_PORT,
            LOG_LEVEL). The database is a SQLite file or a postgres://user:password@host:port/db URL.
            On a database without API keys an operator key is created and printed once. With --demo the server also
            loads BTC, ETH and BCH on the real 2021 daily closes replayed on a fast clock, three leads trading on
            them and followers copying them, and prints their API keys. SIGTERM or Ctrl-C shuts it down gracefully.

            Examples:
              smartsync serve --demo
              smartsync serve --demo --reset
              smartsync serve --db /var/lib/smartsync.sqlite --host 0.0.0.0 --port 8080
              DATABASE_URL=postgres://smartsync:secret@db.internal:5432/smartsync smartsync serve
            """
    )

    @Option(help: "SQLite database file or postgres:// URL (env SMARTSYNC_DB, then DATABASE_URL; default smartsync.sqlite).")
    var db: String = StoreDatabase.defaultLocation(ProcessInfo.processInfo.environment)

    @Option(help: "Address to listen on (env SMARTSYNC_HOST).")
    var host: String = ProcessInfo.processInfo.environment["SMARTSYNC_HOST"] ?? "127.0.0.1"

    @Option(help: "Port (env SMARTSYNC_PORT).")
    var port: Int = Int(ProcessInfo.processInfo.environment["SMARTSYNC_PORT"] ?? "") ?? 8080

    @Flag(help: "Load the demo market, leads and followers, and replay 2021 on a fast clock.")
    var demo = false

    @Option(help: "Seconds per demo day (four price ticks a day; the 2021 data lasts 94 live days after the 30 played at start).")
    var demoInterval: Double = 12

    @Flag(help: "With --demo: delete the demo database first and start afresh (SQLite; only a database that holds the demo).")
    var reset = false

    @Option(
        help: ArgumentHelp("Folder of the demo's price CSV files, instead of the copies compiled into the binary.", visibility: .hidden))
    var data: String?

    @Option(
        help: ArgumentHelp(
            "Load the load-test market into an empty database: one lead (\"lead\") and this many Smart Sync copies of 100 to 100,000 USDT; prints `fixture keys: lead KEY f0 KEY`."
        ))
    var fixtureCopies: Int?

    @Option(
        help:
            "Write a snapshot of the engine every this many commands (0: not by count). Opening replays only the log after the newest. SQLite: beside the file; PostgreSQL: under $SMARTSYNC_SNAPSHOT_DIR (default ./smartsync-snapshots)."
    )
    var snapshotEvery: Int = 1_000

    @Option(help: "Write a snapshot at most this many seconds after a command (0: not by time). One is also written on shutdown.")
    var snapshotSeconds: Int = 600

    @Option(
        help:
            "This instance's name among several on one PostgreSQL database (env SMARTSYNC_INSTANCE; default host:port and a random suffix)."
    )
    var instance: String = ProcessInfo.processInfo.environment["SMARTSYNC_INSTANCE"] ?? ""

    @Option(help: "Seconds a lead's lease lasts unless renewed (PostgreSQL); an instance that dies loses its leads after this.")
    var leaseSeconds: Int = 3

    @Option(
        help:
            "Where orders execute: simulated (the built-in market, the default) or fix://HOST:PORT?sender=ID&target=ID, a FIX 4.4 venue (env SMARTSYNC_VENUE). On PostgreSQL, an instance started without it leaves the venue to the instances that run it."
    )
    var venue: String?

    /// `--venue`, else `SMARTSYNC_VENUE`; nil when neither names one.
    var venueChoice: String? { venue ?? ProcessInfo.processInfo.environment["SMARTSYNC_VENUE"].flatMap { $0.isEmpty ? nil : $0 } }

    @Option(
        help:
            "Hosts webhooks may point at even when loopback or private, comma-separated (e.g. 127.0.0.1 to try alerts locally; env SMARTSYNC_HOOK_HOSTS). Public hosts are always allowed."
    )
    var hookHosts: String = ProcessInfo.processInfo.environment["SMARTSYNC_HOOK_HOSTS"] ?? ""

    @Option(help: "Log level: trace, debug, info, notice, warning, error (env LOG_LEVEL).")
    var logLevel: String = ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info"

    func validate() throws {
        if reset && !demo { throw ValidationError("--reset goes with --demo (it deletes a demo database)") }
        guard demoInterval > 0 && demoInterval <= 86_400 else {
            throw ValidationError("--demo-interval must be above 0 and at most 86400 seconds")
        }
        guard snapshotEvery >= 0 else { throw ValidationError("--snapshot-every must be 0 or more commands") }
        guard snapshotSeconds >= 0 else { throw ValidationError("--snapshot-seconds must be 0 or more seconds") }
        if let venue = venueChoice, venue != "simulated" {
            do { _ = try FIXVenueAddress(venue) } catch { throw ValidationError("--venue \(error.rule)") }
            if demo { throw ValidationError("--demo trades on the simulated market; leave --venue out") }
        }
    }

    func run() async throws {
        var logger = Logger(label: "smartsync")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        if reset {
            do { try DemoReset.reset(db) } catch {
                Terminal.error("error: \(error)")
                throw ExitCode(2)
            }
        }
        // The demo runs on market time (2021); otherwise the wall clock.
        let clock = DemoClock(tickInterval: .milliseconds(Int(demoInterval * 1000 / Double(DemoFeed.ticksPerDay))))
        let onDemoClock = demo
        let now: @Sendable () -> Int64 = { onDemoClock ? clock.now() : Int64(Date().timeIntervalSince1970 * 1000) }
        // HTTP metrics (Hummingbird's middleware, through swift-metrics) and engine metrics share one registry.
        let registry = PrometheusCollectorRegistry()
        var metrics = PrometheusMetricsFactory(registry: registry)
        for timer in EngineMetrics.timers { metrics.durationHistogramBuckets[timer] = EngineMetrics.durationBuckets }
        MetricsSystem.bootstrap(metrics)
        let service: EngineService
        do {
            service = try await EngineService.open(databasePath: db, logger: logger, metrics: metrics, now: now)
        } catch {
            Terminal.error("error: \(error)")
            throw ExitCode(2)
        }
        await service.setSnapshotPolicy(
            EngineService.SnapshotPolicy(commands: snapshotEvery, interval: snapshotSeconds > 0 ? .seconds(snapshotSeconds) : nil))
        // On PostgreSQL this instance may share the database with others: leases, hand-over, following the log.
        var services: [any Service] = [SnapshotService(service: service, report: { Terminal.line($0) })]
        var cluster: ClusterMembership?
        if service.sharesDatabase {
            guard leaseSeconds >= 2 else {
                Terminal.error("error: --lease-seconds must be at least 2 (got \(leaseSeconds))")
                throw ExitCode(2)
            }
            let name = instance.isEmpty ? "\(host):\(port)-\(UInt32.random(in: 0...UInt32.max))" : instance
            let membership = ClusterMembership(url: try PostgresURL(db), instance: name, ttl: .seconds(leaseSeconds))
            await service.joinCluster(membership)
            cluster = membership
            services.append(ClusterService(membership: membership, service: service, logger: logger))
            Terminal.line("instance \(name): leads are leased for \(leaseSeconds) s through the database")
        }
        // Alerts: delivered until the HTTP server has stopped; what is still pending is resumed at the next start.
        let allowed = Set(
            hookHosts.split(separator: ",").map { HookPolicy.normalized($0.trimmingCharacters(in: .whitespaces)) }.filter { !$0.isEmpty })
        service.alerts.policy.withLock { $0.allowedHosts = allowed }
        services.append(AlertService(alerts: service.alerts, logger: logger))
        services.append(LedgerChainService(chain: service.chain, logger: logger))
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        // PostgreSQL's pooled clients (the reads', the writer's, the leases') run from here on, before the start-up's
        // own queries (keys, the load-test market), as a ServiceGroup of their own that stops after the server's.
        let databaseClients = service.adoptDatabaseClients() + [cluster?.leases.adoptClient()].compactMap { $0 }
        let databaseGroup =
            databaseClients.isEmpty ? nil : ServiceGroup(configuration: ServiceGroupConfiguration(services: databaseClients, logger: quiet))
        let databaseRun = databaseGroup.map { group in Task { try await group.run() } }
        if try await !service.hasKeys() {
            let key = try await service.issueKey(user: "operator", role: .operator_)
            Terminal.line("operator API key (shown once): \(key)")
        }
        if let n = fixtureCopies, service.read({ $0.venue.symbols.isEmpty }) {
            Terminal.error("loading \(n) copies…")
            try await service.executeBatch(try FanOutFixture.commands(copies: n).map(\.0))
            Terminal.line(
                "fixture keys: lead \(try await service.issueKey(user: FanOutFixture.lead, role: .user)) f0 \(try await service.issueKey(user: "f0", role: .user))"
            )
        }
        var demoService: DemoService?
        var signIn: String?
        if demo {
            guard service.read({ Demo.isDemo($0) }) else {
                Terminal.error(
                    "error: \(StoreDatabase.describe(db)) holds another market, not the demo; start without --demo, or give --db a new file"
                )
                throw ExitCode(2)
            }
            let feed: DemoFeed
            do { feed = try data.map { try DemoFeed(bars: Demo.bars(dataDirectory: $0)) } ?? DemoFeed.embedded() } catch {
                Terminal.error("error: \(error)")
                throw ExitCode(2)
            }
            let (keys, fresh) = try await Demo.setUp(service, feed: feed, clock: clock)
            let market = ISO8601.format(service.read { $0.now }).prefix(16).replacingOccurrences(of: "T", with: " ")
            if fresh {
                Terminal.line(
                    "demo: new market on \(StoreDatabase.describe(db)); played \(Demo.backfillDays) days of 2021 at once, now at \(market) (UTC), then one day every \(demoInterval.formatted()) s"
                )
            } else {
                Terminal.line(
                    "demo: \(StoreDatabase.describe(db)) already holds the demo; reusing its market (at \(market) UTC) and users (--reset starts afresh)"
                )
                if service.read({ $0.now }) >= feed.ticks.last!.time {
                    Terminal.line(
                        "demo: its market is past the end of the 2021 data and stays still; `smartsync serve --demo --reset` plays it again"
                    )
                }
            }
            Terminal.line("demo API keys (send as `Authorization: Bearer <key>`; keys printed before still work):")
            for (user, key) in keys { Terminal.line("  \(user.padding(toLength: 9, withPad: " ", startingAt: 0)) \(key)") }
            signIn = keys.first { $0.0 == "newcomer" }?.1
            demoService = DemoService(service: service, feed: feed, clock: clock, logger: logger)
        }
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.databasePath = StoreDatabase.describe(db)
        configuration.metricsText = { registry.emitToBuffer() }
        Terminal.line("SmartSync on http://\(host):\(port) (database \(StoreDatabase.describe(db))); API description at /openapi.json")
        if let signIn {
            Terminal.line(
                "→ open http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port) and sign in as newcomer (1,000 USDT, no copy yet) with the key \(signIn)"
            )
        }
        // One group: on SIGTERM / SIGINT the services stop in reverse order (demo feed, HTTP server, cluster
        // follower), then the last snapshot is written; a service that fails (a broken store) stops them all.
        services.append(buildApplication(service: service, configuration: configuration, logger: logger))
        if let demoService { services.append(demoService) }
        if let venue = venueChoice, venue != "simulated" {
            let address = try FIXVenueAddress(venue)
            Terminal.line(
                "orders go to the FIX 4.4 venue \(address)"
                    + (cluster == nil ? "" : " (one instance at a time holds its session; the others stand by)"))
            services.append(FIXVenueService(service: service, address: address, clock: now, logger: logger, membership: cluster))
        } else if venueChoice == nil && service.read({ $0.venueMode }) == .external && cluster != nil {
            // Another instance of this database may serve the venue: leave the mode to the instances that run it.
            Terminal.line("orders go to an external venue, served by an instance started with --venue")
        } else if service.read({ $0.venueMode }) == .external {
            // Back to the simulated market: only when no order is open at the venue (the engine refuses otherwise).
            do { _ = try await service.execute(.venueMode(.simulated)) } catch {
                Terminal.error("error: \(error); start with --venue and the venue's URL until they are final")
                throw ExitCode(2)
            }
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: quiet))
        // A database that fails a write after the engine accepted a command: stop, so that a supervisor restarts the
        // server from the log (the failed transaction wrote nothing; reads kept seeing the last committed state).
        let broke = Mutex(false)
        await service.setOnBroken { error in
            Terminal.error(
                "error: the database write failed after the engine accepted a command (\(error)); stopping so that a restart reopens it from the log"
            )
            broke.withLock { $0 = true }
            Task { await group.triggerGracefulShutdown() }
        }
        do {
            try await group.run()
        } catch {
            let text = "\(error)"
            if text.contains("Address already in use") || text.contains("errno: 98") {
                Terminal.error(
                    "error: port \(port) on \(host) is already in use (another SmartSync, or another program): stop it, or choose another port with --port"
                )
            } else {
                Terminal.error("error: \(text)")
            }
            throw ExitCode(1)
        }
        await databaseGroup?.triggerGracefulShutdown()
        _ = try? await databaseRun?.value
        if broke.withLock({ $0 }) { throw ExitCode(1) }
    }
}

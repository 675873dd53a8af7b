import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import SmartSyncCore
import SmartSyncScenario
import SmartSyncServer
import SmartSyncStore

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

    @Option(help: "Seconds per demo day.")
    var demoInterval: Double = 2

    @Option(help: "Folder of the price CSV files for --demo.")
    var data = "Data"

    @Option(help: ArgumentHelp("Load a benchmark market with this many copies into an empty database.", visibility: .hidden))
    var fixtureCopies: Int?

    @Option(help: "This instance's name among several on one PostgreSQL database (env SMARTSYNC_INSTANCE; default host:port and a random suffix).")
    var instance: String = ProcessInfo.processInfo.environment["SMARTSYNC_INSTANCE"] ?? ""

    @Option(help: "Seconds a lead's lease lasts unless renewed (PostgreSQL); an instance that dies loses its leads after this.")
    var leaseSeconds: Int = 3

    @Option(help: "Log level: trace, debug, info, notice, warning, error (env LOG_LEVEL).")
    var logLevel: String = ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info"

    func run() async throws {
        var logger = Logger(label: "smartsync")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        // HTTP metrics (Hummingbird's middleware, through swift-metrics) and engine metrics share one registry.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let service: EngineService
        do {
            service = try EngineService(
                databasePath: db, logger: logger, metrics: registry, now: { Int64(Date().timeIntervalSince1970 * 1000) })
        } catch {
            Terminal.error("error: \(error)")
            throw ExitCode(2)
        }
        // On PostgreSQL this instance may share the database with others: leases, hand-over, following the log.
        var clusterTask: Task<Void, Never>?
        if service.sharesDatabase {
            guard leaseSeconds >= 2 else {
                Terminal.error("error: --lease-seconds must be at least 2 (got \(leaseSeconds))")
                throw ExitCode(2)
            }
            let name = instance.isEmpty ? "\(host):\(port)-\(UInt32.random(in: 0...UInt32.max))" : instance
            let membership = try ClusterMembership(url: try PostgresURL(db), instance: name, ttl: .seconds(leaseSeconds))
            await service.joinCluster(membership)
            clusterTask = Task {
                if await !membership.run(service, logger: logger) {
                    Terminal.error("error: the database write failed after the engine accepted a command; exiting so that a fresh replica starts")
                    Foundation.exit(1)
                }
            }
            Terminal.line("instance \(name): leads are leased for \(leaseSeconds) s through the database")
        }
        if try await !service.hasKeys() {
            let key = try await service.issueKey(user: "operator", role: .operator_)
            Terminal.line("operator API key (shown once): \(key)")
        }
        if let n = fixtureCopies, await service.read({ $0.venue.symbols.isEmpty }) {
            Terminal.error("loading \(n) copies…")
            try await service.executeBatch(try FanOutFixture.commands(copies: n).map(\.0))
            Terminal.line("fixture keys: lead \(try await service.issueKey(user: FanOutFixture.lead, role: .user)) f0 \(try await service.issueKey(user: "f0", role: .user))")
        }
        var demoTask: Task<Void, Never>?
        if demo {
            let bars = try Demo.bars(dataDirectory: data)
            let keys = try await Demo.setUp(service, bars: bars)
            Terminal.line("demo API keys (send as `Authorization: Bearer <key>`):")
            for (user, key) in keys { Terminal.line("  \(user.padding(toLength: 9, withPad: " ", startingAt: 0)) \(key)") }
            let interval = Duration.milliseconds(Int(demoInterval * 1000))
            demoTask = Task { await Demo.run(service, bars: bars, interval: interval, logger: logger) }
        }
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.databasePath = StoreDatabase.describe(db)
        Terminal.line("SmartSync on http://\(host):\(port) (database \(StoreDatabase.describe(db))); API description at /openapi.json")
        let app = buildApplication(service: service, configuration: configuration, logger: logger)
        try await app.runService()
        demoTask?.cancel()
        clusterTask?.cancel()
        await clusterTask?.value
    }
}

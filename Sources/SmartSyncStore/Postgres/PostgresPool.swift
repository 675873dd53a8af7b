import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// One pooled, async client of a PostgreSQL database (postgres-nio's `PostgresClient`), that starts itself when its
/// owner does not run it. A store has three: its reads (a copy's past, API-key look-ups, the venue sessions' store),
/// its writer's (one connection: the log's lock and `PostgresCommandLog.commit`) and, with several instances, the
/// leases'. Queries are async (no thread waits for the database), and reads are never queued behind the writer's
/// statements.
///
/// A client does nothing until its `run()` runs. A server adopts it (`adoptClient()`) and runs it as a service of its
/// `ServiceGroup`, which also shuts it down in order; anything else (a tool, a test) gets it run by a task of this
/// object's own, started by the first query and cancelled when the object goes away.
public final class PostgresPool: Sendable {
    let client: PostgresClient
    let url: PostgresURL
    let logger: Logger
    private let running = Mutex<Running>(.notYet)

    private enum Running {
        case notYet
        case byItself(Task<Void, Never>)
        case byOwner
    }

    /// A client of at most `maximumConnections` pooled connections (default: `PostgresURL.clientConfiguration()`'s).
    init(url: PostgresURL, maximumConnections: Int? = nil) {
        self.url = url
        var logger = Logger(label: "smartsync.postgres") { label in
            NotYetRunningFilter(base: StreamLogHandler.standardError(label: label))
        }
        logger.logLevel = .warning
        self.logger = logger
        var configuration = url.clientConfiguration()
        if let maximumConnections {
            configuration.options.maximumConnections = maximumConnections
            configuration.options.minimumConnections = min(configuration.options.minimumConnections, maximumConnections)
        }
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    deinit {
        if case .byItself(let task) = running.withLock({ $0 }) { task.cancel() }
    }

    /// The client as a `Service` for the caller's `ServiceGroup` to run, when no query has started it yet (nil
    /// otherwise: it runs already, on a task of this object's).
    public func adoptClient() -> (any Service)? {
        running.withLock { state in
            guard case .notYet = state else { return nil }
            state = .byOwner
            return client
        }
    }

    /// Starts the client on a task of this object's when no owner runs it.
    private func ensureRunning() {
        running.withLock { state in
            if case .notYet = state {
                let client = client
                state = .byItself(Task { await client.run() })
            }
        }
    }

    /// Runs `body` with a connection of the pool leased to it, on the caller's executor.
    func withConnection<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        ensureRunning()
        return try await client.withConnection(isolation: isolation, body)
    }

    /// Runs `body` in a transaction on a leased connection (BEGIN before, COMMIT after, ROLLBACK when it throws).
    func withTransaction<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        ensureRunning()
        return try await client.withTransaction(logger: logger, isolation: isolation, body)
    }

    /// Runs one query and returns its rows, naming the database in the error.
    func query(_ query: PostgresQuery) async throws(StoreError) -> [PostgresRow] {
        ensureRunning()
        do {
            return try await client.query(query, logger: logger).collect()
        } catch {
            throw StoreError(postgres: error, url: url)
        }
    }
}

/// Drops postgres-nio's warning that a connection was asked for before `PostgresClient.run()` was called: this
/// object starts its client with the first query, or its owner starts it just before its first query, so the
/// lease only waits a moment for `run()` (postgres-nio queues it) and the warning says nothing useful.
struct NotYetRunningFilter: LogHandler {
    var base: any LogHandler

    func log(event: LogEvent) {
        if case .warning = event.level, "\(event.message)".contains("hasn't been called yet") { return }
        base.log(event: event)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }
}

import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The pooled, async side of a PostgreSQL store: postgres-nio's `PostgresClient`, for the reads a server answers
/// beside its writer (a copy's past, API-key look-ups) and the venue sessions' store. Queries are async (no thread
/// waits for the database) and run on pooled connections of their own, never queued behind the writer's statements.
///
/// A client does nothing until its `run()` runs. A server adopts it (`adoptClient()`) and runs it as a service of its
/// `ServiceGroup`, which also shuts it down in order; anything else (a tool, a test) gets it run by a task of this
/// object's own, started by the first query and cancelled when the object goes away.
public final class PostgresReads: Sendable {
    let client: PostgresClient
    let url: PostgresURL
    let logger: Logger
    private let running = Mutex<Running>(.notYet)

    private enum Running {
        case notYet
        case byItself(Task<Void, Never>)
        case byOwner
    }

    init(url: PostgresURL) {
        self.url = url
        var logger = Logger(label: "smartsync.postgres.reads")
        logger.logLevel = .warning
        self.logger = logger
        client = PostgresClient(configuration: url.clientConfiguration(), backgroundLogger: logger)
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

    /// Runs one query and returns its rows, naming the database in the error.
    func query(_ query: PostgresQuery) async throws(StoreError) -> [PostgresRow] {
        running.withLock { state in
            if case .notYet = state {
                let client = client
                state = .byItself(Task { await client.run() })
            }
        }
        do {
            return try await client.query(query, logger: logger).collect()
        } catch {
            throw StoreError(postgres: error, url: url)
        }
    }
}

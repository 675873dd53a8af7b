import Logging
import PostgresNIO

/// The pooled, async side of a PostgreSQL store: postgres-nio's `PostgresClient`, for the reads a server answers
/// beside its writer (a copy's past, API-key look-ups). Queries are async (no thread waits for the database) and run
/// on pooled connections of their own, never queued behind the writer's statements. The client's `run()` is the
/// task this object starts and cancels when it goes away (a client does nothing without it).
public final class PostgresReads: Sendable {
    let client: PostgresClient
    let url: PostgresURL
    let logger: Logger
    private let running: Task<Void, Never>

    init(url: PostgresURL) {
        self.url = url
        var logger = Logger(label: "smartsync.postgres.reads")
        logger.logLevel = .warning
        self.logger = logger
        let client = PostgresClient(configuration: url.clientConfiguration(), backgroundLogger: logger)
        self.client = client
        running = Task { await client.run() }
    }

    deinit { running.cancel() }

    /// Runs one query and returns its rows, naming the database in the error.
    func query(_ query: PostgresQuery) async throws(StoreError) -> [PostgresRow] {
        do {
            return try await client.query(query, logger: logger).collect()
        } catch {
            throw StoreError(postgres: error, url: url)
        }
    }
}

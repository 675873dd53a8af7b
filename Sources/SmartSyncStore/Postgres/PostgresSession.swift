import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// One PostgreSQL connection used from synchronous code: each call sends its query and blocks the calling thread
/// until the answer is in. The I/O runs on SwiftNIO's event-loop threads, so the caller may be any thread that is
/// not one of those (an actor's executor, a test, the CLI).
public final class PostgresSession: @unchecked Sendable {
    // @unchecked: `PostgresConnection` is Sendable and queues queries; the class holds nothing else mutable.
    public let connection: PostgresConnection
    public let url: PostgresURL
    let logger: Logger

    private static let ids = Atomic<Int>(0)

    /// Connects (failing with a message naming the URL, without its password, and the cause).
    public init(url: PostgresURL, logger: Logger = Logger(label: "smartsync.postgres")) throws(StoreError) {
        self.url = url
        var logger = logger
        if logger.logLevel < .warning { logger.logLevel = .warning }
        self.logger = logger
        let configuration = try url.configuration()
        let id = Self.ids.add(1, ordering: .relaxed).newValue
        do {
            connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: id, logger: logger
            ).wait()
        } catch {
            throw StoreError(postgres: error, url: url)
        }
    }

    deinit {
        // postgres-nio requires a connection to be closed before it is freed.
        guard !connection.isClosed else { return }
        let connection = self.connection
        if connection.eventLoop.inEventLoop {
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        } else {
            try? connection.close().wait()
        }
    }

    /// Closes the connection (its session locks go with it).
    public func close() { try? connection.close().wait() }

    /// Runs one statement and returns all its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) throws(StoreError) -> PostgresQueryResult {
        do {
            return try connection.query(query, logger: logger).wait()
        } catch {
            throw StoreError(postgres: error, url: url)
        }
    }

    /// Runs `body` between BEGIN and COMMIT; an error rolls the transaction back and is rethrown.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let result = try body()
            try query("COMMIT")
            return result
        } catch {
            _ = try? query("ROLLBACK")
            throw error
        }
    }
}

extension StoreError {
    /// A postgres-nio error in words, naming the URL without its password.
    init(postgres error: any Error, url: PostgresURL) {
        let path = url.description
        if let e = error as? StoreError {
            self = e
            return
        }
        guard let e = error as? PSQLError else {
            self = .io(path: path, detail: "\(error)")
            return
        }
        if let info = e.serverInfo {
            let state = info[.sqlState] ?? "?"
            let message = info[.message] ?? "error"
            let detail = info[.detail].map { " (\($0))" } ?? ""
            switch state {
            case "28P01", "28000":
                self = .accessDenied(path: path, detail: message)
            case "3D000":
                self = .accessDenied(path: path, detail: "\(message); create it first (createdb \(url.database))")
            case "57P03", "57P01", "08006", "08001":
                self = .unreachable(path: path, detail: message)
            case "40P01", "40001":
                self = .io(path: path, detail: "\(message) [SQLSTATE \(state)]; the transaction was rolled back")
            default:
                self = .io(path: path, detail: "PostgreSQL: \(message)\(detail) [SQLSTATE \(state)]")
            }
            return
        }
        switch e.code {
        case .connectionError:
            let cause = e.underlying.map { Self.words($0) } ?? "no answer"
            self = .unreachable(path: path, detail: cause)
        case .authMechanismRequiresPassword:
            self = .accessDenied(path: path, detail: "the server asks for a password and the URL has none")
        case .unsupportedAuthMechanism, .saslError:
            self = .accessDenied(path: path, detail: "authentication failed (\(e.code))")
        case .sslUnsupported:
            self = .unreachable(path: path, detail: "the server does not offer TLS, which sslmode requires")
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            self = .unreachable(path: path, detail: "the connection was closed (\(e.code))")
        default:
            self = .io(path: path, detail: "PostgreSQL client error \(e.code)")
        }
    }

    /// A connection failure in a few words (NIO's errors describe themselves verbosely).
    static func words(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectTimeout") { return "the connection timed out" }
        if text.localizedCaseInsensitiveContains("refused") { return "connection refused" }
        if text.contains("UnknownHost") || text.contains("NXDOMAIN") || text.contains("resolution") || text.contains("getaddrinfo") {
            return "the host name does not resolve"
        }
        if text.contains("No such file") { return "no server socket at that path" }
        return text
    }
}

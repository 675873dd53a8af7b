import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// A `postgres://user:password@host:port/database?sslmode=…&connect_timeout=…&schema=…` URL (also
/// `postgresql://`), parsed into a connection configuration. `description` never shows the password.
/// `schema` keeps SmartSync's tables in that schema (created if missing) instead of the user's default one, so that
/// several SmartSync databases can live in one PostgreSQL database.
public struct PostgresURL: Sendable, CustomStringConvertible {
    public enum SSLMode: String, Sendable { case disable, allow, prefer, require, verifyCA = "verify-ca", verifyFull = "verify-full" }

    /// Host name or address; nil with `unixSocketPath`.
    public var host: String?
    public var port: Int
    /// A Unix-domain socket (`?host=/var/run/postgresql` in the URL): the socket file of that folder for `port`.
    public var unixSocketPath: String?
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// Seconds to wait for the server to accept the connection and the start-up to finish.
    public var connectTimeout: Int
    /// The schema holding SmartSync's tables (the connection's `search_path`); nil: the server's default.
    public var schema: String?

    /// True for a string that names a PostgreSQL database rather than a SQLite file.
    public static func isPostgres(_ string: String) -> Bool {
        string.hasPrefix("postgres://") || string.hasPrefix("postgresql://")
    }

    public init(_ string: String) throws(StoreError) {
        let redacted = Self.redact(string)
        func bad(_ detail: String) -> StoreError { .badURL(path: redacted, detail: detail) }
        guard Self.isPostgres(string) else { throw bad("it does not start with postgres:// or postgresql://") }
        guard let c = URLComponents(string: string) else {
            throw bad("it is not a valid URL (reserved characters in the user or password must be percent-encoded)")
        }
        let decode = { (s: String?) in s.flatMap { $0.removingPercentEncoding ?? $0 } }
        user = decode(c.percentEncodedUser).flatMap { $0.isEmpty ? nil : $0 } ?? "postgres"
        password = decode(c.percentEncodedPassword)
        var host = c.host.flatMap { $0.isEmpty ? nil : $0 }
        if let h = host, h.hasPrefix("["), h.hasSuffix("]") { host = String(h.dropFirst().dropLast()) }
        port = c.port ?? 5432
        guard (1...65535).contains(port) else { throw bad("port \(port) is out of range") }
        let path = decode(c.percentEncodedPath) ?? ""
        let name = path.hasPrefix("/") ? String(path.dropFirst()) : path
        guard !name.contains("/") else { throw bad("the database name \"\(name)\" contains a slash") }
        database = name.isEmpty ? user : name
        sslMode = .prefer
        connectTimeout = 10
        unixSocketPath = nil
        schema = nil
        for item in c.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw bad("sslmode must be disable, allow, prefer, require, verify-ca or verify-full (got \"\(value)\")")
                }
                sslMode = mode
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else { throw bad("connect_timeout must be a positive number of seconds") }
                connectTimeout = seconds
            case "host":
                if value.hasPrefix("/") { unixSocketPath = value + "/.s.PGSQL.\(port)" } else { host = value }
            case "user":
                user = value
            case "password":
                password = value
            case "schema":
                guard Self.isPlainName(value) else { throw bad("schema must be a plain name (lower-case letters, digits, _)") }
                schema = value
            case "application_name":
                break
            default:
                throw bad("unknown parameter \"\(item.name)\" (known: sslmode, connect_timeout, schema, host, user, password, application_name)")
            }
        }
        if host == nil && unixSocketPath == nil { host = "127.0.0.1" }
        self.host = host
    }

    /// The URL without its password: for messages and logs.
    public var description: String {
        var text = "postgres://\(user)@"
        if let socket = unixSocketPath {
            text += "/\(database)?host=\((socket as NSString).deletingLastPathComponent)"
        } else {
            let h = host ?? "127.0.0.1"
            text += (h.contains(":") ? "[\(h)]" : h) + ":\(port)/\(database)"
        }
        if let schema { text += (unixSocketPath == nil ? "?" : "&") + "schema=\(schema)" }
        return text
    }

    /// `string` with any password replaced by `***` (for messages about a URL that does not parse).
    public static func redact(_ string: String) -> String {
        guard let scheme = string.range(of: "://") else { return string }
        let rest = string[scheme.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return string }
        let credentials = rest[..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return string }
        return String(string[..<colon]) + ":***" + String(rest[at...])
    }

    /// The same server and credentials, another database.
    public func with(database: String) -> PostgresURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The same database, another schema (nil: the server's default).
    public func with(schema: String?) -> PostgresURL {
        var copy = self
        copy.schema = schema
        return copy
    }

    /// A name usable unquoted: lower-case ASCII letters, digits and `_`, not starting with a digit, at most 63 bytes.
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.first, !first.isNumber, name.utf8.count <= 63 else { return false }
        return name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
    }

    /// The same settings for a pooled `PostgresClient` (TLS, timeout, application name, schema).
    func clientConfiguration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case .disable:
            tls = .disable
        case .allow, .prefer, .require:
            var config = TLSConfiguration.makeClientConfiguration()
            config.certificateVerification = .none
            tls = sslMode == .require ? .require(config) : .prefer(config)
        case .verifyCA, .verifyFull:
            var config = TLSConfiguration.makeClientConfiguration()
            config.certificateVerification = sslMode == .verifyFull ? .fullVerification : .noHostnameVerification
            tls = .require(config)
        }
        var configuration: PostgresClient.Configuration
        if let socket = unixSocketPath {
            configuration = .init(unixSocketPath: socket, username: user, password: password, database: database)
        } else {
            configuration = .init(host: host ?? "127.0.0.1", port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(Int64(connectTimeout))
        configuration.options.additionalStartupParameters = [("application_name", "smartsync")]
        if let schema { configuration.options.additionalStartupParameters.append(("search_path", schema)) }
        configuration.options.maximumConnections = 4
        return configuration
    }

    func configuration() throws(StoreError) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch sslMode {
            case .disable:
                tls = .disable
            case .allow, .prefer, .require:
                var config = TLSConfiguration.makeClientConfiguration()
                config.certificateVerification = .none
                let context = try NIOSSLContext(configuration: config)
                tls = sslMode == .require ? .require(context) : .prefer(context)
            case .verifyCA, .verifyFull:
                var config = TLSConfiguration.makeClientConfiguration()
                config.certificateVerification = sslMode == .verifyFull ? .fullVerification : .noHostnameVerification
                tls = .require(try NIOSSLContext(configuration: config))
            }
        } catch {
            throw .badURL(path: description, detail: "TLS cannot be set up: \(error)")
        }
        var configuration: PostgresConnection.Configuration
        if let socket = unixSocketPath {
            configuration = .init(unixSocketPath: socket, username: user, password: password, database: database)
        } else {
            configuration = .init(host: host ?? "127.0.0.1", port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(Int64(connectTimeout))
        configuration.options.additionalStartupParameters = [("application_name", "smartsync")]
        if let schema { configuration.options.additionalStartupParameters.append(("search_path", schema)) }
        return configuration
    }
}

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
        if text.contains("UnknownHost") || text.contains("NXDOMAIN") || text.contains("resolution") || text.contains("getaddrinfo") { return "the host name does not resolve" }
        if text.contains("No such file") { return "no server socket at that path" }
        return text
    }
}

/// Databases made and removed on a server (benchmarks and tests use a fresh one each).
public enum PostgresAdmin {
    /// Creates database `name` on the server of `url` (connecting to `url`'s own database to do so) and returns
    /// the URL of the new one.
    public static func createDatabase(_ name: String, on url: PostgresURL) throws(StoreError) -> PostgresURL {
        try checkName(name, url: url)
        let session = try PostgresSession(url: url)
        defer { session.close() }
        try session.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        return url.with(database: name)
    }

    /// Drops database `name` (ending its other connections first) if it exists.
    public static func dropDatabase(_ name: String, on url: PostgresURL) throws(StoreError) {
        try checkName(name, url: url)
        let session = try PostgresSession(url: url.database == name ? url.with(database: "postgres") : url)
        defer { session.close() }
        try session.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
    }

    /// Drops schema `name` of the database of `url` with everything in it, if it exists.
    public static func dropSchema(_ name: String, on url: PostgresURL) throws(StoreError) {
        try checkName(name, url: url)
        let session = try PostgresSession(url: url.with(schema: nil))
        defer { session.close() }
        try session.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(name) CASCADE"))
    }

    private static func checkName(_ name: String, url: PostgresURL) throws(StoreError) {
        guard PostgresURL.isPlainName(name) else {
            throw .badURL(path: url.description, detail: "\"\(name)\" is not a plain name (lower-case letters, digits, _)")
        }
    }
}

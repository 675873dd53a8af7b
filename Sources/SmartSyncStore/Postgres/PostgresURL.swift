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
    public enum SSLMode: String, Sendable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

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
                throw bad(
                    "unknown parameter \"\(item.name)\" (known: sslmode, connect_timeout, schema, host, user, password, application_name)")
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
    package static func isPlainName(_ name: String) -> Bool {
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

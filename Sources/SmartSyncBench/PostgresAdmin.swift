import PostgresNIO
import SmartSyncStore

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

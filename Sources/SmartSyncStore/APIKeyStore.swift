import Crypto
import Foundation
import GRDB
import PostgresNIO
import SmartSyncCore

/// API keys in the same database as the command log, stored as SHA-256 hashes (a key is shown once, when issued).
public protocol APIKeyStore: AnyObject, Sendable {
    /// Issues a new random key for `user`, awaiting the database.
    func issue(user: String, role: String) async throws -> String
    /// The user and role a key belongs to, if any. Asynchronous: it never holds a thread while the database answers,
    /// and never waits behind the writer's commit.
    func lookup(key: String) async throws -> (user: String, role: String)?
    /// How many keys exist.
    func count() async throws -> Int
}

extension APIKeyStore {
    public func issue(user: String, role: some RawRepresentable<String>) async throws -> String {
        try await issue(user: user, role: role.rawValue)
    }

    /// A new random key: `ssk_` and 32 base-36 characters (about 165 bits).
    static func newKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return "ssk_" + (0..<32).map { _ in String(Int.random(in: 0..<36, using: &generator), radix: 36) }.joined()
    }
}

/// The keys in the SQLite file of the log.
public final class SQLiteAPIKeyStore: APIKeyStore, @unchecked Sendable {
    // @unchecked: the writer (a GRDB pool or queue) is Sendable and the class holds nothing else mutable.
    private let pool: any DatabaseWriter

    public init(log: SQLiteCommandLog) {
        pool = log.pool
    }

    public init(writer: any DatabaseWriter) {
        pool = writer
    }

    public func issue(user: String, role: String) async throws -> String {
        let key = Self.newKey()
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO api_keys (hash, user, role, created) VALUES (?, ?, ?, strftime('%s','now'))",
                arguments: [SHA256.hex(key), user, role])
        }
        return key
    }

    public func lookup(key: String) async throws -> (user: String, role: String)? {
        let hash = SHA256.hex(key)
        return try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT user, role FROM api_keys WHERE hash = ?", arguments: [hash])
            else { return nil }
            return (row["user"], row["role"])
        }
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM api_keys") ?? 0 }
    }
}

/// The keys in the PostgreSQL database of the log, through the store's pooled async client (look-ups never queue
/// behind the writer's statements).
public final class PostgresAPIKeyStore: APIKeyStore, Sendable {
    private let reads: PostgresPool

    public init(log: PostgresCommandLog) {
        reads = log.reads
    }

    public func issue(user: String, role: String) async throws -> String {
        let key = Self.newKey()
        let hash = SHA256.hex(key)
        _ = try await reads.query(
            #"INSERT INTO api_keys (hash, "user", role, created) VALUES (\#(hash), \#(user), \#(role), extract(epoch FROM now())::int8)"#)
        return key
    }

    public func lookup(key: String) async throws -> (user: String, role: String)? {
        let hash = SHA256.hex(key)
        guard let row = try await reads.query(#"SELECT "user", role FROM api_keys WHERE hash = \#(hash)"#).first else { return nil }
        let (user, role) = try row.decode((String, String).self)
        return (user, role)
    }

    public func count() async throws -> Int {
        Int(try await reads.query("SELECT count(*)::int8 FROM api_keys").first!.decode(Int64.self))
    }
}

/// SHA-256 (swift-crypto) as lowercase hex: API keys are stored hashed, snapshots carry the hash of their bytes.
public enum SHA256 {
    public static func hex(_ text: String) -> String { hex(digest(Array(text.utf8))) }

    public static func digest(_ bytes: some DataProtocol) -> [UInt8] { Array(Crypto.SHA256.hash(data: bytes)) }

    public static func hex(_ digest: [UInt8]) -> String { digest.map { String($0, radix: 16).leftPadded(2) }.joined() }
}

/// SHA-256 of bytes given in pieces.
struct StreamingSHA256 {
    private var hasher = Crypto.SHA256()

    mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }
    func finalize() -> [UInt8] { Array(hasher.finalize()) }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}

import Foundation
import GRDB
import PostgresNIO
import SmartSyncCore

/// API keys in the same database as the command log, stored as SHA-256 hashes (a key is shown once, when issued).
public protocol APIKeyStore: AnyObject, Sendable {
    /// Issues a new random key for `user`.
    func issue(user: String, role: String) throws -> String
    /// The user and role a key belongs to, if any.
    func lookup(key: String) throws -> (user: String, role: String)?
    /// How many keys exist.
    func count() throws -> Int
}

extension APIKeyStore {
    public func issue(user: String, role: some RawRepresentable<String>) throws -> String {
        try issue(user: user, role: role.rawValue)
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

    public func issue(user: String, role: String) throws -> String {
        let key = Self.newKey()
        try pool.write { db in
            try db.execute(
                sql: "INSERT INTO api_keys (hash, user, role, created) VALUES (?, ?, ?, strftime('%s','now'))",
                arguments: [SHA256.hex(key), user, role])
        }
        return key
    }

    public func lookup(key: String) throws -> (user: String, role: String)? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT user, role FROM api_keys WHERE hash = ?", arguments: [SHA256.hex(key)])
            else { return nil }
            return (row["user"], row["role"])
        }
    }

    public func count() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM api_keys") ?? 0 }
    }
}

/// The keys in the PostgreSQL database of the log, through its connection.
public final class PostgresAPIKeyStore: APIKeyStore, @unchecked Sendable {
    // @unchecked: the session is Sendable (postgres-nio queues the queries of one connection).
    private let session: PostgresSession

    public init(log: PostgresCommandLog) {
        session = log.session
    }

    public func issue(user: String, role: String) throws -> String {
        let key = Self.newKey()
        let hash = SHA256.hex(key)
        try session.query(
            #"INSERT INTO api_keys (hash, "user", role, created) VALUES (\#(hash), \#(user), \#(role), extract(epoch FROM now())::int8)"#)
        return key
    }

    public func lookup(key: String) throws -> (user: String, role: String)? {
        let hash = SHA256.hex(key)
        guard let row = try session.query(#"SELECT "user", role FROM api_keys WHERE hash = \#(hash)"#).first else { return nil }
        let (user, role) = try row.decode((String, String).self)
        return (user, role)
    }

    public func count() throws -> Int {
        Int(try session.query("SELECT count(*)::int8 FROM api_keys").first!.decode(Int64.self))
    }
}

/// SHA-256 (FIPS 180-4), enough to store API keys hashed without another dependency.
public enum SHA256 {
    public static func hex(_ text: String) -> String {
        digest(Array(text.utf8)).map { String($0, radix: 16).leftPadded(2) }.joined()
    }

    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
        0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
        0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
        0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
        0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
        0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    public static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var data = message
        let bitLength = UInt64(message.count) * 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for i in (0..<8).reversed() { data.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: data.count, by: 64) {
            for t in 0..<16 {
                w[t] = (0..<4).reduce(0) { $0 << 8 | UInt32(data[chunk + t * 4 + $1]) }
            }
            for t in 16..<64 {
                let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for t in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k[t] &+ w[t]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            h = [h[0] &+ a, h[1] &+ b, h[2] &+ c, h[3] &+ d, h[4] &+ e, h[5] &+ f, h[6] &+ g, h[7] &+ hh]
        }
        return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - UInt32($0) * 8)) } }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}

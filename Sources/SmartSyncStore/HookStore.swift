import Foundation
import GRDB
import PostgresNIO

/// A webhook a user registered for alerts: where to send them, which events, and the secret they are signed with.
public struct StoredHook: Sendable, Hashable {
    /// Numbered from 1 in the database; the API calls it `hook-<n>`.
    public var n: Int64
    public var user: String
    public var url: String
    /// Event types, in the order given.
    public var events: [String]
    /// The shared secret of the signatures (kept as given: the server needs it to sign).
    public var secret: String
    /// For `trackingGap`: how many points the copy's return may be off the lead's before it fires (decimal text).
    public var trackingGap: String?
    /// Milliseconds since 1970.
    public var created: Int64

    public init(
        n: Int64 = 0, user: String, url: String, events: [String], secret: String, trackingGap: String?, created: Int64
    ) {
        (self.n, self.user, self.url, self.events, self.secret, self.trackingGap, self.created) =
            (n, user, url, events, secret, trackingGap, created)
    }
}

/// One alert sent (or being sent) to a hook, with how its attempts went.
public struct StoredDelivery: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Not delivered yet; another attempt will follow.
        case pending
        /// A 2xx answer came back.
        case delivered
        /// Every attempt failed.
        case failed
    }

    /// Numbered from 1 in the database, across hooks.
    public var n: Int64
    public var hook: Int64
    public var type: String
    /// The JSON body, byte for byte what is signed and sent.
    public var body: String
    public var status: Status
    public var attempts: Int
    /// The HTTP status of the last answer, nil when none came (no connection, a timeout).
    public var responseStatus: Int?
    /// Why the last attempt failed, nil once delivered.
    public var error: String?
    /// Milliseconds since 1970: when the alert was raised, and when it was last tried.
    public var created: Int64
    public var updated: Int64

    public init(
        n: Int64 = 0, hook: Int64, type: String, body: String, status: Status = .pending, attempts: Int = 0,
        responseStatus: Int? = nil, error: String? = nil, created: Int64, updated: Int64
    ) {
        (self.n, self.hook, self.type, self.body, self.status, self.attempts) = (n, hook, type, body, status, attempts)
        (self.responseStatus, self.error, self.created, self.updated) = (responseStatus, error, created, updated)
    }
}

/// Webhooks and their delivery log, in the same database as the command log. Asynchronous: a server's reads and the
/// alert sender's writes never hold a thread while the database answers, and never wait behind the engine's commits.
public protocol HookStore: AnyObject, Sendable {
    /// Stores a new hook and returns it numbered.
    func add(_ hook: StoredHook) async throws -> StoredHook
    /// The hooks of `user`, or every hook (nil), by number.
    func hooks(user: String?) async throws -> [StoredHook]
    /// Removes a hook of `user` and its delivery log; false when `user` has no such hook.
    func remove(_ n: Int64, user: String) async throws -> Bool
    /// Logs a new delivery and returns it numbered; nil when its hook was removed meanwhile (nothing is logged).
    func record(_ delivery: StoredDelivery) async throws -> StoredDelivery?
    /// Writes how the delivery's last attempt went.
    func update(_ delivery: StoredDelivery) async throws
    /// A hook's deliveries, newest first, below number `before` when given.
    func deliveries(hook: Int64, before: Int64?, limit: Int) async throws -> [StoredDelivery]
    /// Deliveries still pending (a restart resumes them), oldest first.
    func pending() async throws -> [StoredDelivery]
}

extension StoredDelivery {
    init(row: (Int64, Int64, String, String, String, Int64, Int64?, String?, Int64, Int64)) {
        self.init(
            n: row.0, hook: row.1, type: row.2, body: row.3, status: Status(rawValue: row.4) ?? .failed, attempts: Int(row.5),
            responseStatus: row.6.map(Int.init), error: row.7, created: row.8, updated: row.9)
    }
}

/// The hooks in the SQLite file of the log.
public final class SQLiteHookStore: HookStore, @unchecked Sendable {
    // @unchecked: the writer (a GRDB pool or queue) is Sendable and the class holds nothing else mutable.
    private let pool: any DatabaseWriter

    public init(log: SQLiteCommandLog) { pool = log.pool }

    static let deliveryColumns = "n, hook, type, body, status, attempts, response_status, error, created, updated"

    public func add(_ hook: StoredHook) async throws -> StoredHook {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO hooks (user, url, events, secret, tracking_gap, created) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [hook.user, hook.url, hook.events.joined(separator: ","), hook.secret, hook.trackingGap, hook.created])
            var stored = hook
            stored.n = db.lastInsertedRowID
            return stored
        }
    }

    public func hooks(user: String?) async throws -> [StoredHook] {
        try await pool.read { db in
            let columns = "n, user, url, events, secret, tracking_gap, created"
            let rows =
                try user.map {
                    try Row.fetchAll(db, sql: "SELECT \(columns) FROM hooks WHERE user = ? ORDER BY n", arguments: [$0])
                } ?? Row.fetchAll(db, sql: "SELECT \(columns) FROM hooks ORDER BY n")
            return rows.map { r in
                StoredHook(
                    n: r[0], user: r[1], url: r[2], events: (r[3] as String).split(separator: ",").map(String.init), secret: r[4],
                    trackingGap: r[5], created: r[6])
            }
        }
    }

    public func remove(_ n: Int64, user: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM hooks WHERE n = ? AND user = ?", arguments: [n, user])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM hook_deliveries WHERE hook = ?", arguments: [n])
            return true
        }
    }

    public func record(_ d: StoredDelivery) async throws -> StoredDelivery? {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO hook_deliveries (hook, type, body, status, attempts, response_status, error, created, updated)
                    SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM hooks WHERE n = ?)
                    """,
                arguments: [
                    d.hook, d.type, d.body, d.status.rawValue, d.attempts, d.responseStatus, d.error, d.created, d.updated, d.hook,
                ])
            guard db.changesCount > 0 else { return nil }
            var stored = d
            stored.n = db.lastInsertedRowID
            return stored
        }
    }

    public func update(_ d: StoredDelivery) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE hook_deliveries SET status = ?, attempts = ?, response_status = ?, error = ?, updated = ? WHERE n = ?",
                arguments: [d.status.rawValue, d.attempts, d.responseStatus, d.error, d.updated, d.n])
        }
    }

    public func deliveries(hook: Int64, before: Int64?, limit: Int) async throws -> [StoredDelivery] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.deliveryColumns) FROM hook_deliveries WHERE hook = ? AND n < ? ORDER BY n DESC LIMIT ?",
                arguments: [hook, before ?? .max, limit]
            ).map(Self.delivery)
        }
    }

    public func pending() async throws -> [StoredDelivery] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.deliveryColumns) FROM hook_deliveries WHERE status = 'pending' ORDER BY n")
                .map(Self.delivery)
        }
    }

    static func delivery(_ r: Row) -> StoredDelivery {
        StoredDelivery(row: (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]))
    }
}

/// The hooks in the PostgreSQL database of the log, through the store's pooled async client.
public final class PostgresHookStore: HookStore, Sendable {
    private let reads: PostgresPool

    public init(log: PostgresCommandLog) { reads = log.reads }

    public func add(_ hook: StoredHook) async throws -> StoredHook {
        let events = hook.events.joined(separator: ",")
        let row = try await reads.query(
            #"""
            INSERT INTO hooks ("user", url, events, secret, tracking_gap, created)
            VALUES (\#(hook.user), \#(hook.url), \#(events), \#(hook.secret), \#(hook.trackingGap), \#(hook.created)) RETURNING n
            """#
        ).first
        var stored = hook
        stored.n = try row?.decode(Int64.self) ?? 0
        return stored
    }

    public func hooks(user: String?) async throws -> [StoredHook] {
        let rows =
            if let user {
                try await reads.query(
                    #"SELECT n, "user", url, events, secret, tracking_gap, created FROM hooks WHERE "user" = \#(user) ORDER BY n"#)
            } else {
                try await reads.query(#"SELECT n, "user", url, events, secret, tracking_gap, created FROM hooks ORDER BY n"#)
            }
        return try rows.map { r in
            let (n, user, url, events, secret, gap, created) = try r.decode((Int64, String, String, String, String, String?, Int64).self)
            return StoredHook(
                n: n, user: user, url: url, events: events.split(separator: ",").map(String.init), secret: secret, trackingGap: gap,
                created: created)
        }
    }

    public func remove(_ n: Int64, user: String) async throws -> Bool {
        // One statement, so the hook and its log go together.
        let removed = try await reads.query(
            #"""
            WITH h AS (DELETE FROM hooks WHERE n = \#(n) AND "user" = \#(user) RETURNING n),
                d AS (DELETE FROM hook_deliveries WHERE hook IN (SELECT n FROM h))
            SELECT count(*)::int8 FROM h
            """#)
        return try removed.first?.decode(Int64.self) ?? 0 > 0
    }

    public func record(_ d: StoredDelivery) async throws -> StoredDelivery? {
        let row = try await reads.query(
            """
            INSERT INTO hook_deliveries (hook, type, body, status, attempts, response_status, error, created, updated)
            SELECT \(d.hook), \(d.type), \(d.body), \(d.status.rawValue), \(Int64(d.attempts)), \(d.responseStatus.map(Int64.init)),
                \(d.error), \(d.created), \(d.updated)
            WHERE EXISTS (SELECT 1 FROM hooks WHERE n = \(d.hook))
            RETURNING n
            """
        ).first
        guard let row else { return nil }
        var stored = d
        stored.n = try row.decode(Int64.self)
        return stored
    }

    public func update(_ d: StoredDelivery) async throws {
        _ = try await reads.query(
            """
            UPDATE hook_deliveries SET status = \(d.status.rawValue), attempts = \(Int64(d.attempts)),
                response_status = \(d.responseStatus.map(Int64.init)), error = \(d.error), updated = \(d.updated)
            WHERE n = \(d.n)
            """)
    }

    public func deliveries(hook: Int64, before: Int64?, limit: Int) async throws -> [StoredDelivery] {
        let below = before ?? .max
        return try await reads.query(
            """
            SELECT n, hook, type, body, status, attempts, response_status, error, created, updated FROM hook_deliveries
            WHERE hook = \(hook) AND n < \(below) ORDER BY n DESC LIMIT \(Int64(limit))
            """
        ).map(Self.delivery)
    }

    public func pending() async throws -> [StoredDelivery] {
        try await reads.query(
            "SELECT n, hook, type, body, status, attempts, response_status, error, created, updated FROM hook_deliveries WHERE status = 'pending' ORDER BY n"
        ).map(Self.delivery)
    }

    static func delivery(_ r: PostgresRow) throws -> StoredDelivery {
        StoredDelivery(
            row: try r.decode((Int64, Int64, String, String, String, Int64, Int64?, String?, Int64, Int64).self))
    }
}

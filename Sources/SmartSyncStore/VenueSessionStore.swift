import GRDB
import PostgresNIO

/// A venue session's sequence numbers and the application messages we sent on it, as the database keeps them.
public struct StoredVenueSession: Sendable, Hashable {
    public var nextOutgoing: Int
    public var nextIncoming: Int
    /// Our messages by sequence number, as sent (the newest `VenueSessionStores.keptMessages`).
    public var sent: [Int: String]
}

/// A FIX session's state in the same database as the command log, so that a restart resumes the session where it
/// was: the venue resends what we missed, and resends of ours come from here. Every call is asynchronous: it never
/// holds a thread of Swift's cooperative pool while the database writes.
public protocol VenueSessionStore: AnyObject, Sendable {
    /// The stored session, nil when none was ever stored under `name`.
    func load(_ name: String) async throws -> StoredVenueSession?
    /// Records messages about to be written (application ones are kept for resends) and the next outgoing number.
    func saveOutgoing(_ name: String, nextOutgoing: Int, messages: [(seq: Int, text: String)]) async throws
    /// Records the next incoming number (after what the venue sent up to it was applied).
    func saveIncoming(_ name: String, nextIncoming: Int) async throws
    /// Starts the session afresh (both numbers at 1, no messages): what a reset Logon does.
    func reset(_ name: String) async throws
}

public enum VenueSessionStores {
    /// Messages kept for resends; older ones are answered with a gap fill.
    public static let keptMessages = 10_000
}

/// The session in the SQLite file of the log (GRDB's async writes run on its own queue).
public final class SQLiteVenueSessionStore: VenueSessionStore, @unchecked Sendable {
    // @unchecked: the pool is Sendable and the class holds nothing else.
    private let pool: DatabasePool

    public init(log: SQLiteCommandLog) { pool = log.pool }

    public func load(_ name: String) async throws -> StoredVenueSession? {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT next_outgoing, next_incoming FROM venue_sessions WHERE name = ?", arguments: [name])
            else { return nil }
            var sent: [Int: String] = [:]
            let rows = try Row.fetchAll(
                db, sql: "SELECT seq, message FROM venue_messages WHERE name = ? ORDER BY seq DESC LIMIT ?",
                arguments: [name, VenueSessionStores.keptMessages])
            for r in rows { sent[r["seq"]] = r["message"] }
            return StoredVenueSession(nextOutgoing: row["next_outgoing"], nextIncoming: row["next_incoming"], sent: sent)
        }
    }

    public func saveOutgoing(_ name: String, nextOutgoing: Int, messages: [(seq: Int, text: String)]) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO venue_sessions (name, next_outgoing, next_incoming) VALUES (?, ?, 1)
                    ON CONFLICT (name) DO UPDATE SET next_outgoing = max(next_outgoing, excluded.next_outgoing)
                    """,
                arguments: [name, nextOutgoing])
            for m in messages {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO venue_messages (name, seq, message) VALUES (?, ?, ?)", arguments: [name, m.seq, m.text])
            }
            if let last = messages.last?.seq, last % 1_000 == 0 {
                try db.execute(
                    sql: "DELETE FROM venue_messages WHERE name = ? AND seq < ?", arguments: [name, last - VenueSessionStores.keptMessages])
            }
        }
    }

    public func saveIncoming(_ name: String, nextIncoming: Int) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO venue_sessions (name, next_outgoing, next_incoming) VALUES (?, 1, ?)
                    ON CONFLICT (name) DO UPDATE SET next_incoming = max(next_incoming, excluded.next_incoming)
                    """,
                arguments: [name, nextIncoming])
        }
    }

    public func reset(_ name: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM venue_messages WHERE name = ?", arguments: [name])
            try db.execute(
                sql: """
                    INSERT INTO venue_sessions (name, next_outgoing, next_incoming) VALUES (?, 1, 1)
                    ON CONFLICT (name) DO UPDATE SET next_outgoing = 1, next_incoming = 1
                    """,
                arguments: [name])
        }
    }
}

/// The session in the PostgreSQL database of the log, through the store's pooled async client.
public final class PostgresVenueSessionStore: VenueSessionStore, @unchecked Sendable {
    // @unchecked: PostgresPool is Sendable and the class holds nothing else.
    private let reads: PostgresPool

    public init(log: PostgresCommandLog) { reads = log.reads }

    public func load(_ name: String) async throws -> StoredVenueSession? {
        guard let row = try await reads.query("SELECT next_outgoing, next_incoming FROM venue_sessions WHERE name = \(name)").first
        else { return nil }
        let (out, inc) = try row.decode((Int64, Int64).self)
        var sent: [Int: String] = [:]
        let limit = VenueSessionStores.keptMessages
        for r in try await reads.query("SELECT seq, message FROM venue_messages WHERE name = \(name) ORDER BY seq DESC LIMIT \(limit)") {
            let (seq, text) = try r.decode((Int64, String).self)
            sent[Int(seq)] = text
        }
        return StoredVenueSession(nextOutgoing: Int(out), nextIncoming: Int(inc), sent: sent)
    }

    public func saveOutgoing(_ name: String, nextOutgoing: Int, messages: [(seq: Int, text: String)]) async throws {
        // One statement: the numbers and the messages are stored together or not at all.
        let seqs = messages.map { Int64($0.seq) }
        let texts = messages.map(\.text)
        _ = try await reads.query(
            """
            WITH s AS (
                INSERT INTO venue_sessions (name, next_outgoing, next_incoming) VALUES (\(name), \(Int64(nextOutgoing)), 1)
                ON CONFLICT (name) DO UPDATE SET next_outgoing = greatest(venue_sessions.next_outgoing, excluded.next_outgoing)
            )
            INSERT INTO venue_messages (name, seq, message)
            SELECT \(name), seq, message FROM unnest(\(seqs)::int8[], \(texts)::text[]) AS m(seq, message)
            ON CONFLICT (name, seq) DO UPDATE SET message = excluded.message
            """)
        if let last = messages.last?.seq, last % 1_000 == 0 {
            _ = try await reads.query(
                "DELETE FROM venue_messages WHERE name = \(name) AND seq < \(Int64(last - VenueSessionStores.keptMessages))")
        }
    }

    public func saveIncoming(_ name: String, nextIncoming: Int) async throws {
        _ = try await reads.query(
            """
            INSERT INTO venue_sessions (name, next_outgoing, next_incoming) VALUES (\(name), 1, \(Int64(nextIncoming)))
            ON CONFLICT (name) DO UPDATE SET next_incoming = greatest(venue_sessions.next_incoming, excluded.next_incoming)
            """)
    }

    public func reset(_ name: String) async throws {
        _ = try await reads.query("DELETE FROM venue_messages WHERE name = \(name)")
        _ = try await reads.query(
            """
            INSERT INTO venue_sessions (name, next_outgoing, next_incoming) VALUES (\(name), 1, 1)
            ON CONFLICT (name) DO UPDATE SET next_outgoing = 1, next_incoming = 1
            """)
    }
}

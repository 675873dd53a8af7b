import Foundation
import PostgresNIO
import ServiceLifecycle
import SmartSyncCore

/// Leases and the hand-over inbox of several instances on one PostgreSQL database, through a pooled client of their
/// own (postgres-nio's `PostgresClient`): no call blocks a thread, so renewals and hand-overs run as tasks. Leases
/// are rows, not session locks, so any pooled connection serves them.
///
/// A lease row `(lead, owner, expires)` names the one instance that executes a lead's commands (its orders and its
/// followers' copy changes, hence its fan-outs). The holder renews it every second; an instance that dies stops
/// renewing, and once `expires` passes any instance may take the lead over. Instances that receive a command for a
/// lead they do not hold put it in `inbox`; the holder executes it and writes the outcome into the same row.
public final class LeaseStore: Sendable {
    let client: PostgresPool
    /// This instance's name in the lease table.
    public let owner: String
    /// How long a lease lasts without renewal.
    public let ttl: Duration

    /// Connects on the first query (an unreachable database fails that query, naming it).
    public init(url: PostgresURL, owner: String, ttl: Duration = .seconds(3)) {
        client = PostgresPool(url: url, maximumConnections: 2)
        self.owner = owner
        self.ttl = ttl
    }

    private var ttlMilliseconds: Int64 { Int64(ttl.components.seconds * 1000 + ttl.components.attoseconds / 1_000_000_000_000_000) }

    /// Takes `lead` if it is free, expired or already ours; true when this instance holds it afterwards.
    public func acquire(_ lead: String) async throws -> Bool {
        let rows = try await query(
            """
            INSERT INTO leases (lead, owner, expires) VALUES (\(lead), \(owner), now() + \(ttlMilliseconds) * interval '1 millisecond')
            ON CONFLICT (lead) DO UPDATE SET owner = excluded.owner, expires = excluded.expires
            WHERE leases.expires < now() OR leases.owner = excluded.owner
            RETURNING owner
            """)
        return rows.first != nil
    }

    /// Extends every lease this instance holds; returns the leads it still holds.
    public func renew() async throws -> Set<String> {
        let rows = try await query(
            """
            UPDATE leases SET expires = now() + \(ttlMilliseconds) * interval '1 millisecond'
            WHERE owner = \(owner) AND expires >= now() RETURNING lead
            """)
        return Set(try rows.map { try $0.decode(String.self) })
    }

    /// The instance that holds the lead's lease or held it last (expired or not).
    public func lastHolder(of lead: String) async throws -> String? {
        try await query("SELECT owner FROM leases WHERE lead = \(lead)").first?.decode(String.self)
    }

    /// The live holder of `lead`, nil when the lead is free or its lease expired.
    public func holder(of lead: String) async throws -> String? {
        try await query("SELECT owner FROM leases WHERE lead = \(lead) AND expires >= now()").first?.decode(String.self)
    }

    /// Gives up every lease (a graceful shutdown hands the leads over at once).
    public func releaseAll() async throws {
        try await query("DELETE FROM leases WHERE owner = \(owner)")
    }

    /// All leases, for operators and tests: lead → (owner, still valid).
    public func leases() async throws -> [String: (owner: String, valid: Bool)] {
        var out: [String: (owner: String, valid: Bool)] = [:]
        for row in try await query("SELECT lead, owner, expires >= now() FROM leases") {
            let (lead, owner, valid) = try row.decode((String, String, Bool).self)
            out[lead] = (owner, valid)
        }
        return out
    }

    // MARK: The inbox

    /// Hands a command for `lead` to its holder; returns the request's row id.
    public func enqueue(lead: String, requestID: String, command: EngineCommand) async throws -> Int64 {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = String(decoding: try encoder.encode(command), as: UTF8.self)
        return try await query(
            "INSERT INTO inbox (lead, request_id, body) VALUES (\(lead), \(requestID), \(body)) RETURNING id"
        ).first!.decode(Int64.self)
    }

    /// The outcome of a handed-over request: nil while pending; applied (true/false) or the engine's refusal.
    public func outcome(of id: Int64) async throws -> Result<Bool, EngineError>? {
        guard
            let row = try await query(
                "SELECT done, applied, error_code, error_field, error_message FROM inbox WHERE id = \(id)"
            ).first
        else { return nil }
        let (done, applied, code, field, message) = try row.decode((Bool, Bool?, String?, String?, String?).self)
        guard done else { return nil }
        if let code {
            return .failure(EngineError(EngineError.Code(rawValue: code) ?? .invalidInput, field: field ?? "", message ?? ""))
        }
        return .success(applied ?? false)
    }

    /// A request waiting for a lead's holder.
    public struct Pending: Sendable {
        public var id: Int64
        public var lead: String
        public var requestID: String
        public var command: EngineCommand
    }

    /// Requests waiting for any of `leads`, oldest first.
    public func pending(for leads: Set<String>, limit: Int = 100) async throws -> [Pending] {
        guard !leads.isEmpty else { return [] }
        let decoder = JSONDecoder()
        return try await query(
            "SELECT id, lead, request_id, body FROM inbox WHERE NOT done AND lead = ANY(\(Array(leads))) ORDER BY id LIMIT \(limit)"
        ).map { row in
            let (id, lead, requestID, body) = try row.decode((Int64, String, String, String).self)
            return Pending(id: id, lead: lead, requestID: requestID, command: try decoder.decode(EngineCommand.self, from: Data(body.utf8)))
        }
    }

    /// Marks a request as being executed, so that its requester can no longer withdraw it; false when it was
    /// withdrawn or answered already (then it must not run).
    public func claim(_ id: Int64) async throws -> Bool {
        try await query("UPDATE inbox SET claimed = true WHERE id = \(id) AND NOT done RETURNING id").first != nil
    }

    /// Withdraws a request nobody has started executing; false when it was claimed or answered (read its outcome).
    public func withdraw(_ id: Int64) async throws -> Bool {
        try await query(
            """
            UPDATE inbox SET done = true, error_code = 'withdrawn' WHERE id = \(id) AND NOT done AND NOT claimed RETURNING id
            """
        ).first != nil
    }

    /// Records the outcome of a request (the first outcome recorded stays).
    public func complete(_ id: Int64, _ outcome: Result<Bool, EngineError>) async throws {
        switch outcome {
        case .success(let applied):
            try await query("UPDATE inbox SET done = true, applied = \(applied) WHERE id = \(id) AND NOT done")
        case .failure(let e):
            try await query(
                """
                UPDATE inbox SET done = true, error_code = \(e.code.rawValue), error_field = \(e.field), error_message = \(e.message)
                WHERE id = \(id) AND NOT done
                """)
        }
    }

    /// The pooled client as a `Service` for the caller's `ServiceGroup` (see `PostgresPool.adoptClient()`).
    public func adoptClient() -> (any Service)? { client.adoptClient() }

    /// Runs one statement and returns its rows, without blocking a thread.
    @discardableResult
    private func query(_ query: PostgresQuery) async throws(StoreError) -> [PostgresRow] {
        try await client.query(query)
    }
}

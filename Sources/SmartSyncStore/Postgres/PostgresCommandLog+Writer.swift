import Foundation
import PostgresNIO
import SmartSyncCore

/// The log's awaiting face (a server's writer), through the writer's pooled client (`writes`): the lock, the
/// request-id look-up, catch-up reads and the commit. The blocking face (`withWriteLock`, `append`) is in
/// `PostgresCommandLog.swift`; both write the same rows with the same statement.
extension PostgresCommandLog {
    /// `withWriteLock` on the writer's connection (`writes`), leased for the body's lifetime: the session-level
    /// advisory lock is taken on it and released after the body (a lost connection releases it too), and the
    /// body's commits go over the same connection.
    public func whileWriting<T: Sendable>(isolation: isolated (any Actor)?, _ body: () async throws -> T) async throws -> T {
        let lock = PostgresSchema.lock(PostgresSchema.writerLock, scope: scope)
        let unlock = PostgresSchema.unlock(PostgresSchema.writerLock, scope: scope)
        let timeout = lockTimeout
        let logger = session.logger
        let url = url
        return try await writes.withConnection(isolation: isolation) { connection in
            writerConnection = connection
            defer { writerConnection = nil }
            do {
                // Each answer is read to its end: `query` returns once the columns are described, before the
                // server has taken the lock (or refused it).
                if let timeout {
                    _ = try await connection.query("SELECT set_config('lock_timeout', \(timeout), false)", logger: logger).collect()
                }
                _ = try await connection.query(lock, logger: logger).collect()
            } catch {
                throw StoreError(postgres: error, url: url)
            }
            let result: T
            do {
                result = try await body()
            } catch {
                _ = try? await connection.query(unlock, logger: logger).collect()
                throw error
            }
            _ = try? await connection.query(unlock, logger: logger).collect()
            return result
        }
    }

    public nonisolated(nonsending) func storedCommand(requestID: String) async throws -> CommandRecord? {
        try await reads.query("SELECT seq, request_id, event, time, body FROM commands WHERE request_id = \(requestID)").first
            .map { try Self.record($0, JSONDecoder()) }
    }

    public nonisolated(nonsending) func commands(from seq: Int, limit: Int) async throws -> [CommandRecord] {
        let decoder = JSONDecoder()
        return try await reads.query(
            "SELECT seq, request_id, event, time, body FROM commands WHERE seq >= \(Int64(seq)) ORDER BY seq LIMIT \(Int64(limit))"
        ).map { try Self.record($0, decoder) }
    }

    /// `append` over the writer's connection (the one `whileWriting` holds, else leased from `writes`): the one
    /// guarded statement, or (a large fan-out) BEGIN, the statement, COPY of the copy fills, COMMIT.
    public nonisolated(nonsending) func commit(_ records: [CommandRecord], outcomes: [CommandOutcome]) async throws {
        guard let first = records.first else { return }
        let history = AppendedHistory(records, outcomes)
        let batches = Self.copyFillBatches(history)
        let useCopy = batches.fills >= copyThreshold
        let statement = try Self.appendStatement(records, history: history, copyFillsInStatement: !useCopy)
        let location = location
        let logger = session.logger
        do {
            let chunks = useCopy ? CopyText.chunks(batches.parts) : []
            let apply: @Sendable (PostgresConnection) async throws -> Int64 = { connection in
                guard useCopy else { return try await connection.query(statement, logger: logger).collect().first!.decode(Int64.self) }
                return try await connection.withTransaction(logger: logger) { connection in
                    let found = try await connection.query(statement, logger: logger).collect().first!.decode(Int64.self)
                    guard found == Int64(first.seq) else { return found }
                    try await connection.copyFrom(table: "copy_fills", columns: CopyText.columns, logger: logger) { writer in
                        for chunk in chunks { try await writer.write(chunk) }
                    }
                    return found
                }
            }
            let found: Int64
            if let connection = writerConnection {
                found = try await apply(connection)
            } else {
                found = try await writes.withConnection { try await apply($0) }
            }
            if found != Int64(first.seq) { throw StoreError.behind(path: location, expected: first.seq, found: Int(found)) }
        } catch let error as StoreError {
            throw await behind(error, first: first.seq)
        } catch {
            throw await behind(StoreError(postgres: error, url: url), first: first.seq)
        }
    }

    /// Another writer inserted the same sequence number between our guard and our insert: `behind`.
    private nonisolated(nonsending) func behind(_ error: StoreError, first: Int) async -> StoreError {
        guard case .io(_, let detail) = error, detail.contains("SQLSTATE 23505"), detail.contains("commands_pkey") else { return error }
        let next = try? await reads.query("SELECT coalesce(max(seq) + 1, 0)::int8 FROM commands").first?.decode(Int64.self)
        return StoreError.behind(path: location, expected: first, found: next.map { Int($0) } ?? first + 1)
    }

    /// The copy fills of an append's ledger entries, by ledger row, and how many there are.
    static func copyFillBatches(_ history: AppendedHistory) -> (parts: [(ledger: Int64, batch: CopyFillBatch)], fills: Int) {
        var batches: [(ledger: Int64, batch: CopyFillBatch)] = []
        var fills = 0
        for (offset, entry) in history.entries.enumerated() {
            if case .copyFills(let b) = entry {
                batches.append((Int64(history.firstLedgerSeq + offset), b))
                fills += b.count
            }
        }
        return (batches, fills)
    }

    /// A `commands` row (seq, request_id, event, time, body) as a record.
    static func record(_ row: PostgresRow, _ decoder: JSONDecoder) throws -> CommandRecord {
        let (s, id, event, time, text) = try row.decode((Int64, String?, Int64, Int64, String).self)
        return CommandRecord(
            seq: Int(s), requestID: id, moment: Moment(event: Int(event), time: time),
            command: try decoder.decode(EngineCommand.self, from: Data(text.utf8)))
    }
}

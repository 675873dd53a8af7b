import Foundation
import GRDB
import GRDBSQLite
import PostgresNIO
import SmartSyncStore

/// The baseline of the durable fan-out benchmark: insert `rows` rows shaped like copy fills (seven integers,
/// the same primary key) with one prepared statement in one transaction, committed with the store's pragmas.
public enum StoreBenchmark {
    /// Time of one committed insert of `rows` rows into a fresh table of the database at `path`.
    public static func baselineInsert(path: String, rows: Int, round: Int) throws -> Duration {
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: path, configuration: config)
        let table = "baseline_\(round)"
        try pool.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE \(table) (
                        ledger INTEGER NOT NULL, row INTEGER NOT NULL, slot INTEGER NOT NULL, lots INTEGER NOT NULL,
                        quote INTEGER NOT NULL, fee INTEGER NOT NULL, capped INTEGER NOT NULL, PRIMARY KEY (ledger, row)
                    ) WITHOUT ROWID
                    """)
        }
        let clock = ContinuousClock()
        return try clock.measure {
            try pool.write { db in
                let statement = try db.makeStatement(sql: "INSERT INTO \(table) VALUES (?, ?, ?, ?, ?, ?, ?)")
                let s = statement.sqliteStatement
                for r in 0..<rows {
                    sqlite3_bind_int64(s, 1, 1)
                    sqlite3_bind_int64(s, 2, Int64(r))
                    sqlite3_bind_int64(s, 3, Int64(r))
                    sqlite3_bind_int64(s, 4, Int64(r * 3))
                    sqlite3_bind_int64(s, 5, Int64(r * 1_000_003))
                    sqlite3_bind_int64(s, 6, Int64(r * 1_001))
                    sqlite3_bind_int64(s, 7, 0)
                    let code = sqlite3_step(s)
                    sqlite3_reset(s)
                    guard code == SQLITE_DONE else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
                }
            }
        }
    }

    /// How the PostgreSQL baseline inserts its rows.
    public enum PostgresInsert: String, Sendable, CaseIterable {
        /// `COPY … FROM STDIN` in text format, in its own transaction: the fastest way found.
        case copy
        /// One `INSERT … SELECT FROM unnest(…)` statement with the columns bound as binary arrays.
        case unnest
    }

    /// Time of one committed insert of `rows` rows shaped like copy fills (the PostgreSQL table's types and primary
    /// key) into a fresh table of the database of `url`.
    public static func baselineInsert(
        postgres url: PostgresURL, rows: Int, round: Int, method: PostgresInsert = .copy
    ) throws -> Duration {
        let session = try PostgresSession(url: url)
        defer { session.close() }
        let table = "baseline_\(round)"
        try session.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(table)"))
        try session.query(
            PostgresQuery(
                unsafeSQL: """
                    CREATE TABLE \(table) (
                        ledger bigint NOT NULL, "row" integer NOT NULL, slot integer NOT NULL, lots bigint NOT NULL,
                        quote bigint NOT NULL, fee bigint NOT NULL, capped boolean NOT NULL, PRIMARY KEY (ledger, "row"))
                    """))
        let batch = CopyText.Part(
            ledger: 1, slots: (0..<rows).map { Int32($0) }, lots: (0..<rows).map { Int64($0 * 3) },
            quote: (0..<rows).map { Int64($0 * 1_000_003) }, fee: (0..<rows).map { Int64($0 * 1_001) },
            capped: [Bool](repeating: false, count: rows))
        let clock = ContinuousClock()
        return try clock.measure {
            switch method {
            case .copy:
                try session.transaction {
                    try session.copy(into: table, columns: CopyText.columns, chunks: CopyText.chunks([batch]))
                }
            case .unnest:
                var binds = PostgresBindings(capacity: 5)
                binds.append(batch.slots)
                binds.append(batch.lots)
                binds.append(batch.quote)
                binds.append(batch.fee)
                binds.append(batch.capped)
                try session.query(
                    PostgresQuery(
                        unsafeSQL: """
                            INSERT INTO \(table) SELECT 1, (o - 1)::int4, s, l, q, f, c
                            FROM unnest($1::int4[], $2::int8[], $3::int8[], $4::int8[], $5::bool[]) WITH ORDINALITY AS x(s, l, q, f, c, o)
                            """, binds: binds))
            }
        }
    }
}

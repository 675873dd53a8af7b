import GRDB

/// The database schema: one migrator whose shipped steps are never edited, only appended to.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE commands (
                        seq INTEGER PRIMARY KEY,
                        request_id TEXT UNIQUE,
                        event INTEGER NOT NULL,
                        time INTEGER NOT NULL,
                        body TEXT NOT NULL
                    );
                    CREATE TABLE ledger (
                        seq INTEGER PRIMARY KEY,
                        command INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        body TEXT NOT NULL
                    );
                    CREATE TABLE copy_fills (
                        ledger INTEGER NOT NULL,
                        row INTEGER NOT NULL,
                        slot INTEGER NOT NULL,
                        lots INTEGER NOT NULL,
                        quote INTEGER NOT NULL,
                        fee INTEGER NOT NULL,
                        capped INTEGER NOT NULL,
                        PRIMARY KEY (ledger, row)
                    ) WITHOUT ROWID;
                    CREATE TABLE profit_shares (
                        ledger INTEGER NOT NULL,
                        row INTEGER NOT NULL,
                        slot INTEGER NOT NULL,
                        amount INTEGER NOT NULL,
                        PRIMARY KEY (ledger, row)
                    ) WITHOUT ROWID;
                    CREATE TABLE lead_fills (id TEXT PRIMARY KEY, command INTEGER NOT NULL) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2-api-keys") { db in
            try db.execute(
                sql: "CREATE TABLE api_keys (hash TEXT PRIMARY KEY, user TEXT NOT NULL, role TEXT NOT NULL, created INTEGER NOT NULL)")
        }
        migrator.registerMigration("v3-history") { db in
            // History is read from the database, not from memory: a copy's row in a batch is found by its slot,
            // and failed copy orders are stored (keyed by event, lead, slot: one look-up per event for a copy).
            // Rows are written in key order (slots ascend in a batch), so the keys cost the fan-out no random writes.
            try db.execute(
                sql: """
                    CREATE TABLE copy_fills_by_slot (
                        ledger INTEGER NOT NULL,
                        slot INTEGER NOT NULL,
                        row INTEGER NOT NULL,
                        lots INTEGER NOT NULL,
                        quote INTEGER NOT NULL,
                        fee INTEGER NOT NULL,
                        capped INTEGER NOT NULL,
                        PRIMARY KEY (ledger, slot)
                    ) WITHOUT ROWID;
                    INSERT INTO copy_fills_by_slot (ledger, slot, row, lots, quote, fee, capped)
                        SELECT ledger, slot, row, lots, quote, fee, capped FROM copy_fills ORDER BY ledger, row;
                    DROP TABLE copy_fills;
                    ALTER TABLE copy_fills_by_slot RENAME TO copy_fills;
                    CREATE TABLE profit_shares_by_slot (
                        ledger INTEGER NOT NULL,
                        slot INTEGER NOT NULL,
                        row INTEGER NOT NULL,
                        amount INTEGER NOT NULL,
                        PRIMARY KEY (ledger, slot)
                    ) WITHOUT ROWID;
                    INSERT INTO profit_shares_by_slot (ledger, slot, row, amount)
                        SELECT ledger, slot, row, amount FROM profit_shares ORDER BY ledger, row;
                    DROP TABLE profit_shares;
                    ALTER TABLE profit_shares_by_slot RENAME TO profit_shares;
                    CREATE TABLE failed_orders (
                        event INTEGER NOT NULL,
                        lead INTEGER NOT NULL,
                        slot INTEGER NOT NULL,
                        n INTEGER NOT NULL,
                        command INTEGER NOT NULL,
                        symbol INTEGER NOT NULL,
                        side TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        notional INTEGER NOT NULL,
                        PRIMARY KEY (event, lead, slot, n)
                    ) WITHOUT ROWID;
                    INSERT INTO meta (key, value)
                        SELECT 'failed_orders_from', coalesce(max(seq) + 1, 0) FROM commands;
                    """)
        }
        migrator.registerMigration("v4-venue-sessions") { db in
            // A FIX session's numbers and the messages we sent on it (to resend when the venue asks), kept across
            // restarts.
            try db.execute(
                sql: """
                    CREATE TABLE venue_sessions (
                        name TEXT PRIMARY KEY, next_outgoing INTEGER NOT NULL, next_incoming INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE TABLE venue_messages (
                        name TEXT NOT NULL, seq INTEGER NOT NULL, message TEXT NOT NULL, PRIMARY KEY (name, seq)) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v6-stopped-copies") { db in
            // Stopped copies leave memory: each one's frozen row (`Engine.frozenCopy`), written with the command that
            // stopped it (a rowid table: the rows, ~250 bytes, are too wide to be the key's B-tree). Copies stopped before
            // this step have none yet: `stopped_copies_from` says up to which
            // command, and the first open that can write stores them from its replay.
            try db.execute(
                sql: """
                    CREATE TABLE stopped_copies (
                        lead INTEGER NOT NULL, slot INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (lead, slot));
                    INSERT INTO meta (key, value)
                        SELECT 'stopped_copies_from', coalesce(max(seq) + 1, 0) FROM commands;
                    """)
        }
        migrator.registerMigration("v7-orders") { db in
            // Final orders leave memory: each one's stored form (`Engine.storedOrder`), written with the command that
            // made it final; a user's orders page by id, a retried request finds its order by event. Orders made final
            // before this step have none yet: `orders_from` marks the gap, the first open that can write fills it.
            try db.execute(
                sql: """
                    CREATE TABLE orders (
                        id INTEGER PRIMARY KEY, owner INTEGER NOT NULL, event INTEGER NOT NULL, data BLOB NOT NULL);
                    CREATE INDEX orders_by_owner ON orders (owner, id);
                    CREATE INDEX orders_by_event ON orders (event);
                    INSERT INTO meta (key, value) SELECT 'orders_from', coalesce(max(seq) + 1, 0) FROM commands;
                    """)
        }
        migrator.registerMigration("v8-lead-fills") { db in
            // Lead fills leave memory: `lead_fills` (until now their ids) gets the whole fill and its number `n` among
            // its lead's fills; a lead's fills page by event. Rows from before this step have only their id:
            // `lead_fills_from` marks the gap, the first open that can write fills it in.
            try db.execute(
                sql: """
                    ALTER TABLE lead_fills ADD COLUMN lead INTEGER;
                    ALTER TABLE lead_fills ADD COLUMN n INTEGER;
                    ALTER TABLE lead_fills ADD COLUMN event INTEGER;
                    ALTER TABLE lead_fills ADD COLUMN time INTEGER;
                    ALTER TABLE lead_fills ADD COLUMN symbol INTEGER;
                    ALTER TABLE lead_fills ADD COLUMN side TEXT;
                    ALTER TABLE lead_fills ADD COLUMN quantity INTEGER;
                    ALTER TABLE lead_fills ADD COLUMN quote INTEGER;
                    ALTER TABLE lead_fills ADD COLUMN fee INTEGER;
                    ALTER TABLE lead_fills ADD COLUMN price INTEGER;
                    CREATE INDEX lead_fills_by_lead ON lead_fills (lead, event, n);
                    INSERT INTO meta (key, value) SELECT 'lead_fills_from', coalesce(max(seq) + 1, 0) FROM commands;
                    """)
        }
        migrator.registerMigration("v9-curves") { db in
            // Equity curves leave memory: every mark price set (`prices`, numbered `k` from 0) and every point of each
            // lead's equity curve (`lead_curve`, numbered `k` within the lead). A copy's curve reads its lead's points
            // after its start and the prices from then on; a lead's view reads its first point, the base points of its
            // returns by time, and the points it shows by number. Before this step none was stored: `curves_from`.
            try db.execute(
                sql: """
                    CREATE TABLE prices (
                        k INTEGER PRIMARY KEY, event INTEGER NOT NULL, symbol INTEGER NOT NULL, price INTEGER NOT NULL);
                    CREATE INDEX prices_by_symbol ON prices (symbol, k);
                    CREATE INDEX prices_by_event ON prices (event);
                    CREATE TABLE lead_curve (
                        lead INTEGER NOT NULL, k INTEGER NOT NULL, time INTEGER NOT NULL, event INTEGER NOT NULL,
                        equity INTEGER NOT NULL, nav INTEGER NOT NULL, net_funding INTEGER NOT NULL,
                        journal_count INTEGER NOT NULL, price_count INTEGER NOT NULL, PRIMARY KEY (lead, k));
                    CREATE INDEX lead_curve_by_time ON lead_curve (lead, time, k);
                    CREATE INDEX lead_curve_by_event ON lead_curve (lead, event, k);
                    INSERT INTO meta (key, value) SELECT 'curves_from', coalesce(max(seq) + 1, 0) FROM commands;
                    """)
        }
        migrator.registerMigration("v10-hooks") { db in
            // Alerts: the webhooks users register and each hook's delivery log (HookStore.swift).
            try db.execute(
                sql: """
                    CREATE TABLE hooks (
                        n INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL,
                        secret TEXT NOT NULL, tracking_gap TEXT, created INTEGER NOT NULL);
                    CREATE INDEX hooks_by_user ON hooks (user, n);
                    CREATE TABLE hook_deliveries (
                        n INTEGER PRIMARY KEY AUTOINCREMENT, hook INTEGER NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL,
                        status TEXT NOT NULL, attempts INTEGER NOT NULL, response_status INTEGER, error TEXT,
                        created INTEGER NOT NULL, updated INTEGER NOT NULL);
                    CREATE INDEX hook_deliveries_by_hook ON hook_deliveries (hook, n);
                    CREATE INDEX hook_deliveries_pending ON hook_deliveries (status, n);
                    """)
        }
        migrator.registerMigration("v11-receipts") { db in
            // Allocation receipts (docs/receipts.md): each copy-fill batch's request, `total` lots in all and, when
            // the order executed in part, each row's request (comma-separated; empty when each row got its request), and
            // the fee rate its fees were capped at;
            // and the ledger's hash chain, one hash per entry, extended by the server in the background. Batches
            // from before this step have no request row; the chain covers the whole ledger.
            try db.execute(
                sql: """
                    CREATE TABLE copy_requests (
                        ledger INTEGER PRIMARY KEY, total INTEGER NOT NULL, requested TEXT NOT NULL, fee_rate INTEGER NOT NULL);
                    CREATE TABLE ledger_chain (seq INTEGER PRIMARY KEY, hash BLOB NOT NULL);
                    INSERT INTO meta (key, value) VALUES ('chain_key', lower(hex(randomblob(32))));
                    """)
        }
        return migrator
    }

    /// Refuses a database whose applied schema steps this build does not know (written by a newer SmartSync),
    /// and (with `integrity`) one that fails SQLite's quick integrity check; both before anything is written. The
    /// integrity check reads the whole file, so opening for work skips it (a restart must not take longer as
    /// history grows); `audit` runs it.
    static func check(_ reader: some DatabaseReader, path: String, integrity: Bool) throws {
        try reader.read { db in
            let known = Set(migrator.migrations)
            if try db.tableExists("grdb_migrations") {
                let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                let unknown = applied.filter { !known.contains($0) }
                if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknown: unknown) }
            } else if try (Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'") ?? 0) > 0 {
                throw StoreError.notADatabase(path: path, detail: "it holds tables but no SmartSync schema")
            }
            guard integrity else { return }
            let result = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "?"
            if result != "ok" { throw StoreError.corrupt(path: path, detail: result) }
        }
    }
}

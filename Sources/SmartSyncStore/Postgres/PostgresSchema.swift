import PostgresNIO

/// The PostgreSQL schema: the same tables as the SQLite one, created by numbered steps recorded in
/// `schema_migrations`. Shipped steps are never edited, only appended to.
enum PostgresSchema {
    /// Steps in order; each is a list of statements run in one transaction with its `schema_migrations` row.
    static let migrations: [(id: String, statements: [String])] = [
        (
            "v1",
            [
                "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)",
                """
                CREATE TABLE commands (
                    seq bigint PRIMARY KEY,
                    request_id text UNIQUE,
                    event bigint NOT NULL,
                    time bigint NOT NULL,
                    body text NOT NULL
                )
                """,
                "CREATE TABLE ledger (seq bigint PRIMARY KEY, command bigint NOT NULL, kind text NOT NULL, body text NOT NULL)",
                """
                CREATE TABLE copy_fills (
                    ledger bigint NOT NULL,
                    "row" integer NOT NULL,
                    slot integer NOT NULL,
                    lots bigint NOT NULL,
                    quote bigint NOT NULL,
                    fee bigint NOT NULL,
                    capped boolean NOT NULL,
                    PRIMARY KEY (ledger, "row")
                )
                """,
                """
                CREATE TABLE profit_shares (
                    ledger bigint NOT NULL,
                    "row" integer NOT NULL,
                    slot integer NOT NULL,
                    amount bigint NOT NULL,
                    PRIMARY KEY (ledger, "row")
                )
                """,
                "CREATE TABLE lead_fills (id text PRIMARY KEY, command bigint NOT NULL)",
            ]
        ),
        (
            "v2-api-keys",
            [#"CREATE TABLE api_keys (hash text PRIMARY KEY, "user" text NOT NULL, role text NOT NULL, created bigint NOT NULL)"#]
        ),
        (
            // Several instances: who executes each lead's fan-out (a lease with an expiry), and the requests that
            // other instances hand to that lead's holder.
            "v3-cluster",
            [
                "CREATE TABLE leases (lead text PRIMARY KEY, owner text NOT NULL, expires timestamptz NOT NULL)",
                """
                CREATE TABLE inbox (
                    id bigserial PRIMARY KEY,
                    lead text NOT NULL,
                    request_id text NOT NULL,
                    body text NOT NULL,
                    created timestamptz NOT NULL DEFAULT now(),
                    done boolean NOT NULL DEFAULT false,
                    claimed boolean NOT NULL DEFAULT false,
                    applied boolean,
                    error_code text,
                    error_field text,
                    error_message text
                )
                """,
                "CREATE INDEX inbox_pending ON inbox (lead, id) WHERE NOT done",
            ]
        ),
        (
            // History is read from the database, not from memory (see the SQLite schema's v3-history).
            "v4-history",
            [
                "ALTER TABLE copy_fills DROP CONSTRAINT copy_fills_pkey",
                "ALTER TABLE copy_fills ADD PRIMARY KEY (ledger, slot)",
                "ALTER TABLE profit_shares DROP CONSTRAINT profit_shares_pkey",
                "ALTER TABLE profit_shares ADD PRIMARY KEY (ledger, slot)",
                """
                CREATE TABLE failed_orders (
                    event bigint NOT NULL,
                    lead integer NOT NULL,
                    slot integer NOT NULL,
                    n bigint NOT NULL,
                    command bigint NOT NULL,
                    symbol integer NOT NULL,
                    side text NOT NULL,
                    reason text NOT NULL,
                    notional bigint NOT NULL,
                    PRIMARY KEY (event, lead, slot, n)
                )
                """,
                "INSERT INTO meta (key, value) SELECT 'failed_orders_from', (coalesce(max(seq) + 1, 0))::text FROM commands",
            ]
        ),
        (
            "v5-venue-sessions",
            [
                "CREATE TABLE venue_sessions (name text PRIMARY KEY, next_outgoing bigint NOT NULL, next_incoming bigint NOT NULL)",
                "CREATE TABLE venue_messages (name text NOT NULL, seq bigint NOT NULL, message text NOT NULL, PRIMARY KEY (name, seq))",
            ]
        ),
        (
            // Stopped copies leave memory (see the SQLite schema's v6-stopped-copies).
            "v6-stopped-copies",
            [
                "CREATE TABLE stopped_copies (lead integer NOT NULL, slot integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (lead, slot))",
                "INSERT INTO meta (key, value) SELECT 'stopped_copies_from', (coalesce(max(seq) + 1, 0))::text FROM commands",
            ]
        ),
        (
            // Final orders leave memory (see the SQLite schema's v7-orders).
            "v7-orders",
            [
                "CREATE TABLE orders (id bigint PRIMARY KEY, owner integer NOT NULL, event bigint NOT NULL, data bytea NOT NULL)",
                "CREATE INDEX orders_by_owner ON orders (owner, id)",
                "CREATE INDEX orders_by_event ON orders (event)",
                "INSERT INTO meta (key, value) SELECT 'orders_from', (coalesce(max(seq) + 1, 0))::text FROM commands",
            ]
        ),
        (
            // Lead fills leave memory (see the SQLite schema's v8-lead-fills).
            "v8-lead-fills",
            [
                "ALTER TABLE lead_fills ADD COLUMN lead integer, ADD COLUMN n bigint, ADD COLUMN event bigint, ADD COLUMN time bigint, "
                    + "ADD COLUMN symbol integer, ADD COLUMN side text, ADD COLUMN quantity bigint, ADD COLUMN quote bigint, "
                    + "ADD COLUMN fee bigint, ADD COLUMN price bigint",
                "CREATE INDEX lead_fills_by_lead ON lead_fills (lead, event, n)",
                "INSERT INTO meta (key, value) SELECT 'lead_fills_from', (coalesce(max(seq) + 1, 0))::text FROM commands",
            ]
        ),
        (
            // Equity curves leave memory (see the SQLite schema's v9-curves).
            "v9-curves",
            [
                "CREATE TABLE prices (k bigint PRIMARY KEY, event bigint NOT NULL, symbol integer NOT NULL, price bigint NOT NULL)",
                "CREATE INDEX prices_by_symbol ON prices (symbol, k)",
                "CREATE INDEX prices_by_event ON prices (event)",
                """
                CREATE TABLE lead_curve (
                    lead integer NOT NULL, k bigint NOT NULL, time bigint NOT NULL, event bigint NOT NULL, equity bigint NOT NULL,
                    nav bigint NOT NULL, net_funding bigint NOT NULL, journal_count bigint NOT NULL, price_count bigint NOT NULL,
                    PRIMARY KEY (lead, k))
                """,
                "CREATE INDEX lead_curve_by_time ON lead_curve (lead, time, k)",
                "CREATE INDEX lead_curve_by_event ON lead_curve (lead, event, k)",
                "INSERT INTO meta (key, value) SELECT 'curves_from', (coalesce(max(seq) + 1, 0))::text FROM commands",
            ]
        ),
        (
            // Alerts: the webhooks users register and each hook's delivery log (HookStore.swift).
            "v10-hooks",
            [
                #"""
                CREATE TABLE hooks (
                    n bigserial PRIMARY KEY, "user" text NOT NULL, url text NOT NULL, events text NOT NULL,
                    secret text NOT NULL, tracking_gap text, created bigint NOT NULL)
                """#,
                #"CREATE INDEX hooks_by_user ON hooks ("user", n)"#,
                """
                CREATE TABLE hook_deliveries (
                    n bigserial PRIMARY KEY, hook bigint NOT NULL, type text NOT NULL, body text NOT NULL,
                    status text NOT NULL, attempts bigint NOT NULL, response_status bigint, error text,
                    created bigint NOT NULL, updated bigint NOT NULL)
                """,
                "CREATE INDEX hook_deliveries_by_hook ON hook_deliveries (hook, n)",
                "CREATE INDEX hook_deliveries_pending ON hook_deliveries (status, n)",
            ]
        ),
        (
            // Allocation receipts: batches' requests and the ledger's hash chain (see the SQLite schema's v11-receipts).
            "v11-receipts",
            [
                "CREATE TABLE copy_requests (ledger bigint PRIMARY KEY, total bigint NOT NULL, requested text NOT NULL, fee_rate bigint NOT NULL)",
                "CREATE TABLE ledger_chain (seq bigint PRIMARY KEY, hash bytea NOT NULL)",
                // The rows' salt key: two version-4 UUIDs, 244 random bits, as 64 hex digits.
                "INSERT INTO meta (key, value) VALUES ('chain_key', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))",
            ]
        ),
    ]

    /// Advisory locks (they are per database) as `(class, hashtext(schema))` pairs, so that SmartSync schemas in
    /// one database do not share them: opening (check and migrate), and the one writer of the command log.
    static let openingLock: Int32 = 0x5353_4D49  // "SSMI"
    static let writerLock: Int32 = 0x5353_5752  // "SSWR"

    static func lock(_ kind: Int32, scope: String) -> PostgresQuery {
        "SELECT pg_advisory_lock(\(kind), hashtext(\(scope)))"
    }

    static func unlock(_ kind: Int32, scope: String) -> PostgresQuery {
        "SELECT pg_advisory_unlock(\(kind), hashtext(\(scope)))"
    }

    /// Checks and migrates the database of `session` under the opening lock, so that instances starting together
    /// see either no schema or a complete one, and migrate once. `scope` is the schema SmartSync uses.
    static func open(_ session: PostgresSession, scope: String) throws {
        try session.query(lock(openingLock, scope: scope))
        defer { _ = try? session.query(unlock(openingLock, scope: scope)) }
        if let schema = session.url.schema {
            try session.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"))
        }
        try check(session)
        try migrate(session)
    }

    /// Refuses a database whose applied steps this build does not know (written by a newer SmartSync), and one that
    /// holds tables but no SmartSync schema; both with read-only queries, before anything is written.
    static func check(_ session: PostgresSession) throws {
        let path = session.url.description
        let hasMigrations =
            try session.query(
                "SELECT count(*)::int8 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations'"
            ).first!.decode(Int64.self) > 0
        if hasMigrations {
            let known = Set(migrations.map(\.id))
            let applied = try session.query("SELECT identifier FROM schema_migrations ORDER BY applied, identifier").map {
                try $0.decode(String.self)
            }
            let unknown = applied.filter { !known.contains($0) }
            if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknown: unknown) }
        } else {
            let tables = try session.query("SELECT count(*)::int8 FROM pg_tables WHERE schemaname = current_schema()")
                .first!.decode(Int64.self)
            if tables > 0 {
                throw StoreError.notADatabase(path: path, detail: "its schema holds \(tables) tables but no SmartSync schema_migrations")
            }
        }
    }

    /// Applies the missing steps in one transaction.
    static func migrate(_ session: PostgresSession) throws {
        try session.transaction {
            try session.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    identifier text PRIMARY KEY, applied timestamptz NOT NULL DEFAULT clock_timestamp())
                """)
            let applied = Set(try session.query("SELECT identifier FROM schema_migrations").map { try $0.decode(String.self) })
            for (id, statements) in migrations where !applied.contains(id) {
                for statement in statements { try session.query(PostgresQuery(unsafeSQL: statement)) }
                try session.query("INSERT INTO schema_migrations (identifier) VALUES (\(id))")
            }
        }
    }
}

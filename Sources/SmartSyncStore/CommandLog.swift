import SmartSyncCore

/// One accepted command as the log keeps it.
public struct CommandRecord: Sendable, Hashable {
    /// Position in the log, from 0, without gaps.
    public var seq: Int
    /// Makes a retried request a no-op.
    public var requestID: String?
    public var moment: Moment
    public var command: EngineCommand

    public init(seq: Int, requestID: String?, moment: Moment, command: EngineCommand) {
        self.seq = seq
        self.requestID = requestID
        self.moment = moment
        self.command = command
    }
}

/// Durable storage of an engine in domain terms: the command log and the ledger it produced. SQLite
/// (`SQLiteCommandLog`) and PostgreSQL (`PostgresCommandLog`) implement it; `DurableEngine` works on either.
///
/// Several engines may share one log (PostgreSQL): each appends only inside `withWriteLock`, after applying what the
/// others appended (`DurableEngine.catchUp()`), and `append` refuses a batch that does not continue the log.
public protocol CommandLog: AnyObject {
    /// Where the log lives (a path or URL), for messages.
    var location: String { get }
    /// The settings the log was created with; a new log records `proposed`.
    func settings(proposing proposed: Settings) throws -> Settings
    /// Calls `body` with every stored command, in order.
    func forEachCommand(_ body: (CommandRecord) throws -> Void) throws
    /// Calls `body` with every stored command whose `seq` is `seq` or later, in order.
    func forEachCommand(from seq: Int, _ body: (CommandRecord) throws -> Void) throws
    /// Commands in the log.
    func commandCount() throws -> Int
    /// A random id the database got when it was created (empty when it has none and cannot be given one now):
    /// snapshots carry it, so a snapshot of another database is never loaded.
    func databaseID() throws -> String
    /// The command stored under a request id, if any.
    func command(requestID: String) throws -> CommandRecord?
    /// Runs `body` as the only writer of the log among every process sharing it (SQLite: the file is already
    /// locked for this process; PostgreSQL: a session-level advisory lock held while `body` runs). Reentrant.
    func withWriteLock<T>(_ body: () throws -> T) throws -> T
    /// Atomically appends `records` and what they did (`outcomes`, one per record): their journal entries as ledger
    /// rows numbered from the first outcome's `journalStart`, and the ids of their lead fills. All of it, or nothing.
    /// Throws `StoreError.behind`, writing nothing, when the log's next `seq` is not `records.first!.seq` (another
    /// writer appended first).
    func append(_ records: [CommandRecord], outcomes: [CommandOutcome]) throws
    /// Differences between the stored ledger and the journal of `engine`, row by row (empty when they agree).
    func compareLedger(with engine: Engine) throws -> [String]
    /// Commands before this one made failed copy orders that the database does not hold yet (it was created
    /// before failed orders were stored): 0 once it holds them all. `storeFailedOrders` fills the gap.
    func failedOrdersMissing() throws -> Int
    /// Stores the failed copy orders of commands before `failedOrdersMissing()` (from a replay) and closes the gap.
    func storeFailedOrders(_ failures: [(command: Int, first: Int, orders: [FailedCopyOrder])]) throws
    /// Reads copies' past from this database, from any task.
    func historyReader() throws -> any HistoryReader
    /// True while copies stopped before the database stored frozen copies may lack theirs (`storeFrozenCopies`
    /// closes the gap).
    func frozenCopiesMissing() throws -> Bool
    /// Stores frozen copies (keeping any already stored) and closes the gap `frozenCopiesMissing` reports.
    func storeFrozenCopies(_ copies: [FrozenCopy]) throws
    /// True while orders made final before the database stored orders may lack their rows (`storeOrders` closes the
    /// gap).
    func ordersMissing() throws -> Bool
    /// Stores final orders (keeping any already stored) and closes the gap `ordersMissing` reports.
    func storeOrders(_ orders: [StoredOrder]) throws
    /// True while lead fills applied before the database stored them whole may lack their rows (`storeLeadFills`
    /// closes the gap).
    func leadFillsMissing() throws -> Bool
    /// Stores lead fills whole (their ids are stored already, with the command that applied them) and closes the gap
    /// `leadFillsMissing` reports.
    func storeLeadFills(_ fills: [StoredLeadFill]) throws
    /// True while mark prices and curve points from before the database stored them may lack their rows.
    func curvesMissing() throws -> Bool
    /// Stores mark prices (numbered from `pricesFrom`) and curve points (keeping any already stored), and closes the
    /// gap `curvesMissing` reports.
    func storeCurves(prices: [PricePoint], pricesFrom: Int, points: [StoredCurvePoint]) throws

    // MARK: The writer's path in a server: the same operations, awaiting the database

    // A server's commands await these instead of blocking a thread on the database: SQLite through GRDB's async
    // writes and reads (they run on GRDB's own queues), PostgreSQL through postgres-nio's pooled `PostgresClient`.
    // They run on the caller's executor (`nonisolated(nonsending)`, or an `isolation` parameter), so the log stays
    // owned by one actor.

    /// `withWriteLock`, awaiting the lock; `body` runs on the caller's actor (`isolation`).
    func whileWriting<T: Sendable>(isolation: isolated (any Actor)?, _ body: () async throws -> T) async throws -> T
    /// `command(requestID:)`, awaiting the database.
    nonisolated(nonsending) func storedCommand(requestID: String) async throws -> CommandRecord?
    /// The stored commands whose `seq` is `seq` or later, in order, at most `limit` of them.
    nonisolated(nonsending) func commands(from seq: Int, limit: Int) async throws -> [CommandRecord]
    /// `append`, awaiting the commit: all of it, or nothing.
    nonisolated(nonsending) func commit(_ records: [CommandRecord], outcomes: [CommandOutcome]) async throws
}

/// What one append writes beside its commands, gathered from their outcomes.
struct AppendedHistory: Sendable {
    /// Journal entries in order; the first is ledger row `firstLedgerSeq`.
    var entries: [JournalEntry] = []
    var firstLedgerSeq = 0
    /// Lead fills in order, each with its number among its lead's fills.
    var leadFills: [StoredLeadFill] = []
    /// Mark prices set, numbered from `pricesFrom`; leads' new curve points.
    var prices: [PricePoint] = []
    var pricesFrom = 0
    var curvePoints: [StoredCurvePoint] = []
    /// Failed copy orders in key order (event, lead, slot, number).
    var failures: [StoredFailure] = []
    /// Stopped copies' frozen rows (`CommandOutcome.frozenCopies`).
    var frozenCopies: [FrozenCopy] = []
    /// Orders made final (`CommandOutcome.storedOrders`); an order made final twice in one append keeps its last.
    var orders: [StoredOrder] = []

    init(_ records: [CommandRecord], _ outcomes: [CommandOutcome]) {
        firstLedgerSeq = outcomes.first?.journalStart ?? 0
        for (record, o) in zip(records, outcomes) {
            entries += o.journal
            leadFills += o.storedLeadFills
            if prices.isEmpty { pricesFrom = o.pricesStart }
            prices += o.prices
            curvePoints += o.curvePoints
            frozenCopies += o.frozenCopies
            orders += o.storedOrders
            for (k, f) in o.failedOrders.enumerated() {
                failures.append(StoredFailure(n: o.failedOrdersStart + k, command: record.seq, order: f))
            }
        }
        failures.sort()
        // A point two commands of one moment wrote keeps its last version (one row per key for an upsert).
        if Set(curvePoints.map { [$0.lead, $0.k] }).count < curvePoints.count {
            var last: [[Int]: StoredCurvePoint] = [:]
            for p in curvePoints { last[[p.lead, p.k]] = p }
            curvePoints = last.values.sorted { ($0.lead, $0.k) < ($1.lead, $1.k) }
        }
        if Set(orders.map(\.id)).count < orders.count {
            var last: [Int: StoredOrder] = [:]
            for o in orders { last[o.id] = o }
            orders = last.values.sorted { $0.id < $1.id }
        }
    }
}

/// A failed copy order as the `failed_orders` table keeps it: numbered in the order of all failures, with the
/// command that made it, keyed `(event, lead, slot, n)` so that a copy's failures at an event are one look-up.
struct StoredFailure: Comparable, Sendable {
    var n: Int
    var command: Int
    var order: FailedCopyOrder

    static func < (a: Self, b: Self) -> Bool {
        (a.order.event, a.order.lead, a.order.slot, a.n) < (b.order.event, b.order.lead, b.order.slot, b.n)
    }

    static func == (a: Self, b: Self) -> Bool { a.n == b.n && a.command == b.command && a.order == b.order }
}

/// Reads a copy's past from the database (`CopyRows` for a `CopyRowsRequest`): what a server's reads use once
/// its engine released the history to the database. Safe from any task; it never waits for the writer.
public protocol HistoryReader: Sendable {
    func copyRows(_ request: CopyRowsRequest) async throws -> CopyRows
    /// The frozen row of the stopped copy in `slot` of lead `lead` (`Engine.frozenCopy`), nil when none is stored.
    func frozenCopy(lead: Int, slot: Int) async throws -> [UInt8]?
    /// The stored form of the final order `id` (`Engine.storedOrder(_:)`), nil when none is stored.
    func order(id: Int) async throws -> [UInt8]?
    /// The stored form of the final order placed at `event`, nil when none is stored.
    func order(placedAt event: Int) async throws -> [UInt8]?
    /// The stored forms of the `limit` final orders of user `user` with the highest ids below `before`, newest first.
    func orders(user: Int, before: Int, limit: Int) async throws -> [[UInt8]]
    /// Lead `lead`'s fills numbered below `below` and applied before event `before`: the `limit` latest, oldest first.
    func leadFills(lead: Int, below: Int, before: Int, limit: Int) async throws -> [StoredLeadFill]
    /// The lead fills with these ids (those stored).
    func leadFills(ids: [String]) async throws -> [StoredLeadFill]
    /// What a copy's equity curve is valued at (see `CurveRowsRequest`).
    func curveRows(_ request: CurveRowsRequest) async throws -> CurveRows
    /// What a lead's view reads of its curve (see `LeadCurveRequest`).
    func leadCurveRead(_ request: LeadCurveRequest) async throws -> LeadCurveRead
}

extension CommandLog {
    public func forEachCommand(_ body: (CommandRecord) throws -> Void) throws {
        try forEachCommand(from: 0, body)
    }
}

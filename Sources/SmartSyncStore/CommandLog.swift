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

/// Durable storage of an engine in domain terms: the command log and the ledger it produced. SQLite implements it
/// (`SQLiteCommandLog`); another database can, without touching the core or `DurableEngine`.
public protocol CommandLog: AnyObject {
    /// Where the log lives (a path or URL), for messages.
    var location: String { get }
    /// The settings the log was created with; a new log records `proposed`.
    func settings(proposing proposed: Settings) throws -> Settings
    /// Calls `body` with every stored command, in order.
    func forEachCommand(_ body: (CommandRecord) throws -> Void) throws
    /// Atomically appends `records` and, as ledger rows numbered from `firstLedgerSeq`, the entries `ledger` of the
    /// engine's journal, and the ids of the lead fills `leadFills` of `engine.leadFills`. All of it, or nothing.
    func append(
        _ records: [CommandRecord], engine: Engine, ledger: Range<Int>, firstLedgerSeq: Int, leadFills: Range<Int>
    ) throws
    /// Differences between the stored ledger and the journal of `engine`, row by row (empty when they agree).
    func compareLedger(with engine: Engine) throws -> [String]
}

import Foundation
import Logging
import Metrics
import NIOPosix
import ServiceLifecycle
import SmartSyncCore
import SmartSyncStore
import SmartSyncViews
import Synchronization

/// The one owner of the engine in a server process: every command goes through this actor, one at a time in the
/// order it arrived (`inOrder`), and is committed to the store before the call returns. A command's work (a fan-out
/// to 100,000 copies takes about 100 ms of CPU) runs on the writer's own thread (`WriterExecutor`), so it never holds
/// a thread of Swift's cooperative pool; its commit is awaited (GRDB's async write, postgres-nio's pooled client), so
/// no thread blocks on the database. Reads never wait for a command: they see the state after the last committed
/// command (published when its commit returns), not the one being applied.
public actor EngineService {
    /// Commands and their commits run on the writer's own thread, never on Swift's cooperative pool.
    nonisolated let writer = WriterExecutor()
    public nonisolated var unownedExecutor: UnownedSerialExecutor { writer.asUnownedSerialExecutor() }
    let store: Store
    private nonisolated let keys: any APIKeyStore
    let logger: Logger
    /// Milliseconds since 1970; the core takes time as input.
    private let now: @Sendable () -> Int64
    /// Live events for WebSocket subscribers.
    public nonisolated let events = EventHub()
    /// Webhooks and the alerts raised for them (EngineService+Alerts.swift, Alerts.swift).
    public nonisolated let alerts: Alerts
    /// The ledger's hash chain, extended in the background (`LedgerChainService`) and before a receipt.
    public nonisolated let chain: LedgerChainer
    nonisolated let receipts: any ReceiptStore
    /// The copies whose tracking gap is beyond a hook's threshold (`hook n/copy id`), so it fires once per crossing.
    var gapsBeyond: Set<String> = []
    /// The demo's span and progress when the server runs the demo market (shown by `GET /v1/config`).
    public nonisolated let demoStatus = Mutex<DemoStatus?>(nil)
    let opened = ContinuousClock.now
    // The engine's metrics, through the swift-metrics API: the backend is the factory given to `init` (the command
    // line picks Prometheus and serves it at /metrics; by default `MetricsSystem`'s, which does nothing until
    // bootstrapped).
    private let commandSeconds: Metrics.Timer
    private let fanOutSeconds: Metrics.Timer
    private let activeCopies: Gauge
    private let copyFills: Counter
    private var failures: [FailedCopyOrder.Reason: Counter] = [:]
    /// Keys already verified (keys are never revoked yet, so the cache cannot go stale).
    private nonisolated let knownKeys = Mutex<[String: Caller]>([:])
    /// The engine as of the last committed command: what reads see. A copy shares its buffers with the writer's
    /// engine; the writer's next change copies only the buffers it changes (copy-on-write).
    private nonisolated let committed: Mutex<(engine: Engine, commands: Int, cache: ReadCache)>
    /// Reads copies' past from the database (the engine keeps only live state in memory).
    /// Reads of what the engine released to the database (EngineService+History.swift).
    nonisolated let history: any HistoryReader
    /// The venue sessions' numbers and sent messages, in the same database.
    public nonisolated let venueSessions: any VenueSessionStore
    /// What starts the client order ids this database sends to a venue: the first 8 hex digits of its id (nil when
    /// it has none), so that two databases on one venue account never send the same id.
    public nonisolated let orderIDPrefix: String?

    /// Opens the database `databasePath` names (as `init` does) on a thread of NIO's blocking pool, so that reading
    /// the snapshot and replaying the log after it never holds a thread of Swift's cooperative pool.
    public static func open(
        databasePath: String, settings: Settings = Settings(), logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory, now: @escaping @Sendable () -> Int64
    ) async throws -> EngineService {
        try await NIOThreadPool.singleton.runIfActive {
            let service = try EngineService(databasePath: databasePath, settings: settings, logger: logger, metrics: metrics, now: now)
            HeapTrim.release()  // what reading the snapshot and replaying the log freed
            return service
        }
    }

    /// Opens the database `databasePath` names: a SQLite file, or a `postgres://user:password@host:port/db` URL.
    /// This blocks its thread while it reads; from async code use `open`.
    public init(
        databasePath: String, settings: Settings = Settings(), logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory, now: @escaping @Sendable () -> Int64
    ) throws {
        store = try StoreDatabase.open(databasePath, settings: settings, releaseHistory: true, warn: { logger.warning("\($0)") })
        if let from = store.openedFromSnapshot {
            let replayed = store.commandCount - from
            logger.info(
                "opened from a snapshot", metadata: ["commands": .stringConvertible(from), "replayed": .stringConvertible(replayed)])
        }
        committed = Mutex((store.engine.readOnlyCopy, store.commandCount, ReadCache()))
        keys = try store.log.apiKeys()
        alerts = Alerts(store: try store.log.hooks())
        receipts = try store.log.receipts()
        chain = LedgerChainer(store: receipts)
        history = try store.historyReader()
        venueSessions = try store.log.venueSessions()
        let hex = store.databaseID.lowercased().filter { $0.isHexDigit }
        orderIDPrefix = hex.count >= 8 ? String(hex.prefix(8)) : nil
        storeIsShared = store.log.isPostgres
        databaseReads = (store.log.base as? PostgresCommandLog)?.reads
        databaseWrites = (store.log.base as? PostgresCommandLog)?.writes
        self.logger = logger
        self.now = now
        commandSeconds = Metrics.Timer(label: EngineMetrics.commandSeconds, factory: metrics)
        fanOutSeconds = Metrics.Timer(label: EngineMetrics.fanOutSeconds, factory: metrics)
        activeCopies = Gauge(label: EngineMetrics.activeCopies, factory: metrics)
        copyFills = Counter(label: EngineMetrics.copyFills, factory: metrics)
        for reason in FailedCopyOrder.Reason.allCases {
            failures[reason] = Counter(label: EngineMetrics.failedCopyOrders, dimensions: [("reason", reason.rawValue)], factory: metrics)
        }
        activeCopies.record(store.engine.leads.reduce(0) { $0 + $1.book.activeCount })
    }

    func updateGauges() {
        activeCopies.record(store.engine.leads.reduce(0) { $0 + $1.book.activeCount })
    }

    /// Called once the store broke (a write failed after the engine accepted a command), with the error.
    private var onBroken: (@Sendable (String) -> Void)?

    public func setOnBroken(_ handler: (@Sendable (String) -> Void)?) { onBroken = handler }

    /// Called (in tests) after a command is committed and before reads see it.
    private var afterCommit: (@Sendable () -> Void)?

    func setAfterCommit(_ hook: (@Sendable () -> Void)?) { afterCommit = hook }

    /// Makes the engine as of the last commit what reads see, and starts a snapshot when one is due.
    func publish() {
        let copy = (store.engine.readOnlyCopy, store.commandCount, ReadCache())
        committed.withLock { $0 = copy }
        snapshotIfDue(copy.0, commands: copy.1)
    }

    // MARK: Snapshots (EngineService+Snapshots.swift)

    var snapshotPolicy = SnapshotPolicy()
    var lastSnapshot: (commands: Int, at: ContinuousClock.Instant)?
    var snapshotInFlight: Task<Void, Never>?
    nonisolated let snapshotQueue = DispatchQueue(label: "smartsync.snapshots", qos: .utility)

    /// Counts what a committed command did.
    func observe(_ command: EngineCommand, _ outcome: CommandOutcome, took: Duration?) {
        if let took { commandSeconds.record(duration: took) }
        let fills = outcome.copyFillCount
        if fills > 0 { copyFills.increment(by: Int64(fills)) }
        switch command {
        case .order, .orderFraction: if fills > 0, let took { fanOutSeconds.record(duration: took) }
        default: break
        }
        for f in outcome.failedOrders { failures[f.reason]?.increment() }
    }

    // MARK: Commands

    /// Applies a command; a repeated `requestID` (the Idempotency-Key) does nothing and returns false.
    @discardableResult
    public func execute(_ command: EngineCommand, requestID: String? = nil) async throws -> Bool {
        try await submit(command, requestID: requestID).applied
    }

    /// Applies a command and says where it is in the log. A `requestID` already in the log with the same command
    /// does nothing (a retry); with another command it is refused (422): one key names one request. New commands
    /// must also pass the engine's admission rules. With several instances on one database, a lead's commands (its
    /// orders and its followers' copy changes) run on the instance holding the lead's lease: here if this instance
    /// holds or can take it, otherwise handed over and awaited.
    ///
    /// The command runs in a task of its own: a caller that goes away (a closed connection) never cuts it between
    /// the engine and its commit.
    public func submit(_ command: EngineCommand, requestID: String? = nil) async throws -> CommandReceipt {
        try await Task { try await self.submitInOrder(command, requestID: requestID) }.value
    }

    /// `executeHere` when its turn comes.
    private func executeInTurn(_ command: EngineCommand, requestID: String?) async throws -> CommandReceipt {
        try await inOrder { try await executeHere(command, requestID: requestID) }
    }

    private func submitInOrder(_ command: EngineCommand, requestID: String?) async throws -> CommandReceipt {
        guard let cluster else { return try await executeInTurn(command, requestID: requestID) }
        // Commands of no lead, or naming a user that does not exist (refused wherever they run), run here.
        let lead: String? = try await inOrder {
            try await refreshInOrder()
            guard let lead = Self.lead(of: command, in: store.engine), store.engine.user(named: lead) != nil else { return nil }
            return lead
        }
        guard let lead else { return try await executeInTurn(command, requestID: requestID) }
        switch try await cluster.take(lead) {
        case .held:
            return try await executeInTurn(command, requestID: requestID)
        case .taken:
            // Just taken over: what waited for the previous holder goes first, in order.
            try await serveInbox(leads: [lead])
            return try await executeInTurn(command, requestID: requestID)
        case .elsewhere:
            let id = requestID ?? "handover:\(cluster.leases.owner):\(UUID().uuidString)"
            let retried: CommandReceipt? = try await inOrder {
                if let prior = try await store.storedRequest(id) {
                    // Applied by another instance since this one's refresh above (a narrow race): catch up, so that
                    // the answer can read it.
                    if prior.seq >= store.commandCount { try await refreshInOrder() }
                    return try Self.retry(prior, command)
                }
                try store.engine.admit(command)
                return nil
            }
            if let retried { return retried }
            let row = try await cluster.leases.enqueue(lead: lead, requestID: id, command: command)
            let outcome = try await Self.awaitOutcome(row: row, lead: lead, cluster: cluster, service: self)
            let prior = try await inOrder {
                try await refreshInOrder()
                return try await store.storedRequest(id)
            }
            let applied = try outcome.get()
            guard let prior else {
                throw APIError(
                    .serviceUnavailable, code: "outcomeUnknown",
                    "the command was applied elsewhere but is not visible here yet; retry with the same Idempotency-Key")
            }
            return CommandReceipt(applied: applied, event: prior.seq, outcome: nil)
        }
    }

    /// A request id already in the log: the same command is a retry (nothing done again); another is refused.
    static func retry(_ prior: PriorRequest, _ command: EngineCommand) throws(EngineError) -> CommandReceipt {
        guard prior.command == command else {
            throw EngineError(
                .requestIDReused, field: "Idempotency-Key",
                "was already used for a different request (command \(prior.seq)); use a new key for a new request")
        }
        return CommandReceipt(applied: false, event: prior.seq, outcome: nil)
    }

    /// The time of the next command: the clock, never before the last command's (a clock stepping back would make a
    /// lead's curve go back in time, and its returns windows search it by time).
    private func commandTime() -> Int64 { max(now(), store.engine.now) }

    // MARK: One command at a time

    /// True while a command (or a catch-up) runs; those waiting for their turn, first come first.
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Runs `body` when every command that arrived before it is done, and keeps the next one out until `body` is
    /// done: the engine's state and the log's end change only inside, one command after the other, even though a
    /// command awaits its commit (and the actor takes other calls meanwhile). Not reentrant.
    func inOrder<T>(_ body: () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer {
            // Hands the turn to the next in line (busy stays true), or frees it.
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }

    /// Applies a command on this instance, committed before it returns. Call inside `inOrder`.
    func executeHere(_ command: EngineCommand, requestID: String?) async throws -> CommandReceipt {
        try await store.log.whileWriting(isolation: self) {
            // Several instances: first what the others appended (their events go to this instance's listeners).
            if cluster != nil { try await refreshInOrder() }
            if let requestID, let prior = try await store.storedRequest(requestID) { return try Self.retry(prior, command) }
            try store.engine.admit(command)
            let moment = Moment(event: store.commandCount, time: commandTime())
            let started = ContinuousClock.now
            let outcome: CommandOutcome?
            do {
                outcome = try await store.commit(command, at: moment, requestID: requestID, requestIDChecked: true)
            } catch {
                // The database refused a command the engine had accepted: memory is ahead of the log. Reads keep
                // seeing the last committed state; the server must stop and be restarted (it reopens from the log).
                if store.isBroken { onBroken?("\(error)") }
                throw error
            }
            let took = started.duration(to: .now)
            if let outcome {
                afterCommit?()
                publish()
                observe(command, outcome, took: took)
                updateGauges()
                publishEvents(command, outcome)
                raiseAlerts(outcome)
            }
            return CommandReceipt(applied: outcome != nil, event: moment.event, outcome: outcome, committedIn: outcome == nil ? nil : took)
        }
    }

    /// Applies several commands as one commit.
    public func executeBatch(_ commands: [EngineCommand]) async throws {
        try await Task { try await self.executeBatchInOrder(commands) }.value
    }

    private func executeBatchInOrder(_ commands: [EngineCommand]) async throws {
        try await inOrder {
            try await store.log.whileWriting(isolation: self) {
                if cluster != nil { try await refreshInOrder() }
                let time = commandTime()
                let outcomes: [CommandOutcome]
                do {
                    outcomes = try await store.commitBatch(
                        commands.enumerated().map { ($1, Moment(event: store.commandCount + $0, time: time), nil) })
                } catch {
                    if store.isBroken { onBroken?("\(error)") }
                    throw error
                }
                publish()
                for (command, outcome) in zip(commands, outcomes) {
                    observe(command, outcome, took: nil)
                    raiseAlerts(outcome)
                }
                updateGauges()
            }
        }
    }

    // MARK: Several instances (EngineService+Cluster.swift)

    var cluster: ClusterMembership?
    nonisolated let databaseReads: PostgresPool?
    nonisolated let databaseWrites: PostgresPool?
    nonisolated let storeIsShared: Bool

    /// Reads the engine as of the last committed command, without waiting for a command being applied.
    public nonisolated func read<T>(_ body: (Engine) throws -> T) rethrows -> T {
        let engine = committed.withLock { $0.engine }
        return try body(engine)
    }

    /// An answer computed once per committed state and shared by every read of that state asking with the same `key`
    /// (the lead board: its figures sum every copy, and every visitor asks for it). `body` is given the state it
    /// must read as of (the database too) and that state's cache.
    nonisolated func readShared<T: Sendable>(_ key: String, _ body: (Engine, ReadCache) async throws -> T) async rethrows -> T {
        let (engine, cache) = committed.withLock { ($0.engine, $0.cache) }
        if let answer = cache.answers.withLock({ $0[key] }) as? T { return answer }
        let answer = try await body(engine, cache)
        cache.answers.withLock { if $0.count < 64 { $0[key] = answer } }
        return answer
    }

    /// Commands in the log as of the last commit (what reads see).
    public nonisolated var commandCount: Int { committed.withLock { $0.commands } }

    /// The engine and its command count as of the last commit.
    nonisolated var committedState: (engine: Engine, commands: Int) { committed.withLock { ($0.engine, $0.commands) } }

    // MARK: API keys

    /// Creates a user (if new) and issues an API key for it; the key is shown once and stored hashed.
    public func issueKey(user: String, role: Caller.Role) async throws -> String {
        try await Task {
            try await self.inOrder {
                if self.cluster != nil { try await self.refreshInOrder() }
                if self.store.engine.user(named: user) == nil { _ = try await self.executeHere(.addUser(user), requestID: nil) }
            }
            return try await self.keys.issue(user: user, role: role)
        }.value
    }

    /// The caller a key names, nil for an unknown key. Never waits on the engine: known keys are answered from
    /// memory, others from the database's key table through an async read of its own (SQLite reads beside the
    /// writer; PostgreSQL on a connection of its own).
    public nonisolated func caller(forKey key: String) async throws -> Caller? {
        if let known = knownKeys.withLock({ $0[key] }) { return known }
        guard let (user, role) = try await keys.lookup(key: key), let r = Caller.Role(rawValue: role) else { return nil }
        let caller = Caller(user: user, role: r)
        knownKeys.withLock { if $0.count < 100_000 { $0[key] = caller } }
        return caller
    }

    public nonisolated func hasKeys() async throws -> Bool { try await keys.count() > 0 }
}

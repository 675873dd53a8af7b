import SmartSyncCore

/// An engine kept durable in a `CommandLog`.
///
/// The core is deterministic, so the log holds every accepted command (with its moment, and an optional request id
/// that makes a retry a no-op) and the ledger each produced. One command = one `append`, holding its log record and
/// all its ledger rows, so a process killed at any moment leaves each lead fill with its whole fan-out either
/// committed or absent. Opening loads the newest valid snapshot (when given `SnapshotFiles`) and replays the log after
/// it, or replays the whole log into a fresh engine.
public final class DurableEngine<Log: CommandLog>: EngineHost {
    public private(set) var engine: Engine
    public let log: Log
    /// Commands in the log.
    public private(set) var commandCount: Int
    /// Where snapshots are kept, if anywhere.
    public let snapshots: SnapshotFiles?
    /// The snapshot opening started from (its command count), nil when it replayed the whole log.
    public private(set) var openedFromSnapshot: Int?
    /// The database's id, written into its snapshots (empty when it keeps none).
    public let databaseID: String
    /// Set when a write failed after the engine accepted a command: memory is ahead of the log; reopen.
    private var broken = false
    /// True once a write failed after the engine accepted a command (or a catch-up failed): reopen.
    public var isBroken: Bool { broken }

    /// True when the engine keeps only its live state: each command's history is dropped from memory once committed
    /// (`Engine.releaseHistory()`), and copies' past is read from the database (`log.historyReader()`).
    public let releasesHistory: Bool
    /// What releasing drops besides copy-fill rows, failed orders and journal entries: a part the database may lack
    /// (an older database: stopped copies' frozen rows, final orders or lead fills from before it stored them) stays
    /// in memory until this open has stored it.
    private var releasing = HistoryParts.all

    /// Opens `log` with the log's settings (`settings` for a new log): from the newest valid snapshot in `snapshots`
    /// that the log reaches (others are skipped, each reported to `warn`), then the commands after it.
    /// `upTo` stops the replay before that command (to see the state at a position of the log). `releaseHistory`
    /// keeps history in the database only (a snapshot whose engine did so opens that way whatever it says).
    public init(
        log: Log, settings: Settings = Settings(), snapshots: SnapshotFiles? = nil, upTo end: Int? = nil,
        releaseHistory: Bool = false, warn: (String) -> Void = { _ in }
    ) throws {
        self.log = log
        self.snapshots = snapshots
        let settings = try log.settings(proposing: settings)
        engine = Engine(settings: settings)
        commandCount = 0
        databaseID = snapshots == nil ? "" : try log.databaseID()
        if try log.frozenCopiesMissing() { releasing.remove(.stoppedCopies) }
        if try log.ordersMissing() { releasing.remove(.finalOrders) }
        if try log.leadFillsMissing() { releasing.remove(.leadFills) }
        if try log.curvesMissing() { releasing.remove(.curves) }
        var releases = releaseHistory
        let missing = releaseHistory && end == nil ? try log.failedOrdersMissing() : 0
        if missing > 0 {
            // A database from before failed orders were stored: replay up to there and store them, once.
            releasesHistory = true
            var failures: [(command: Int, first: Int, orders: [FailedCopyOrder])] = []
            try catchUp(upTo: missing) { record, outcome in
                if !outcome.failedOrders.isEmpty { failures.append((record.seq, outcome.failedOrdersStart, outcome.failedOrders)) }
            }
            do {
                try log.storeFailedOrders(failures)
                warn(
                    "upgraded: the failed copy orders of the first \(missing) commands are now stored in the database (replayed once from the log)"
                )
            } catch {
                warn(
                    "the failed copy orders of the first \(missing) commands could not be stored (\(error)); pages will not show them until a writable open stores them"
                )
            }
        } else {
            if let snapshots, !snapshots.list().isEmpty {
                let logged = try log.commandCount()
                if let (engine, commands) = snapshots.newest(atMost: logged, database: databaseID, warn: { warn($0.description) }) {
                    self.engine = engine
                    commandCount = commands
                    openedFromSnapshot = commands
                    releases = releases || engine.historyInStore
                }
            }
            releasesHistory = releases
        }
        if releasesHistory { engine.releaseHistory(releasing) }
        try catchUp(upTo: end)
        if releasesHistory && releasing != .all && end == nil { storeMissingParts(warn: warn) }
    }

    /// An older database: stores what it lacks of the parts `releasing` leaves out, from this replay (which kept them
    /// in memory), once; then releases them. A read-only open (a snapshot of a SQLite file) keeps them in memory,
    /// and the next writable open stores them.
    private func storeMissingParts(warn: (String) -> Void) {
        let parts: [(HistoryParts, String, () throws -> Int)] = [
            (
                .stoppedCopies, "stopped copies",
                {
                    let stopped = self.engine.stoppedCopiesInMemory
                    try self.log.storeFrozenCopies(stopped.map { self.engine.frozenCopy($0) })
                    return stopped.count
                }
            ),
            (
                .finalOrders, "final orders",
                {
                    let final = self.engine.allFinalOrdersInMemory
                    try self.log.storeOrders(final.map { Engine.storedOrder($0) })
                    return final.count
                }
            ),
            (
                .curves, "mark prices and equity curve points",
                {
                    let e = self.engine
                    let points = e.leads.indices.flatMap { l in
                        e.leads[l].curve.enumerated().map {
                            StoredCurvePoint(lead: l, k: e.curveReleased(of: l) + $0.offset, point: $0.element)
                        }
                    }
                    try self.log.storeCurves(prices: e.priceHistory, pricesFrom: e.priceHistoryReleased, points: points)
                    return e.priceHistory.count + points.count
                }
            ),
            (
                .leadFills, "lead fills",
                {
                    let fills = self.engine.leadFillsInMemory
                    try self.log.storeLeadFills(fills)
                    return fills.count
                }
            ),
        ]
        for (part, name, store) in parts where !releasing.contains(part) {
            do {
                let count = try store()
                releasing.insert(part)
                warn("upgraded: the \(count) \(name) are now kept in the database, not in memory")
            } catch StoreError.readOnly {
                continue
            } catch {
                warn("the \(name) could not be stored in the database (\(error)); they stay in memory until an open stores them")
            }
        }
        engine.releaseHistory(releasing)
    }

    public func execute(_ command: EngineCommand, at moment: Moment) throws {
        try execute(command, at: moment, requestID: nil)
    }

    /// Applies a command and commits it with its ledger rows at once. A `requestID` seen before makes the call a
    /// no-op (returns nil): retries after a crash or a lost reply do not act twice.
    @discardableResult
    public func execute(_ command: EngineCommand, at moment: Moment, requestID: String?) throws -> CommandOutcome? {
        try executeBatch([(command, moment, requestID)]).first
    }

    /// Applies several commands as one commit (bulk set-up): all of them, or (on a refusal) none. Returns what each
    /// accepted command did (commands whose request id is in the log already are skipped).
    @discardableResult
    public func executeBatch(_ commands: [(EngineCommand, Moment, String?)]) throws -> [CommandOutcome] {
        guard !broken else { throw StoreError.broken(path: log.location) }
        let log = log
        let (records, outcomes) = try stage(commands, isLogged: { try log.command(requestID: $0) != nil })
        guard !records.isEmpty else { return [] }
        do {
            try log.append(records, outcomes: outcomes)
        } catch {
            broken = true
            throw StoreError(error, path: log.location)
        }
        committed(records.count)
        return outcomes
    }

    /// `execute(_:at:requestID:)` awaiting the database (`CommandLog.commit`) instead of blocking a thread on it:
    /// what a server's writer calls. The engine applies the command first; a commit that fails leaves it broken.
    /// `requestIDChecked`: the caller has just looked the request id up (`storedRequest`) and found none, so it is
    /// not looked up again.
    @discardableResult
    public nonisolated(nonsending) func commit(
        _ command: EngineCommand, at moment: Moment, requestID: String?, requestIDChecked: Bool = false
    ) async throws -> CommandOutcome? {
        try await commitBatch([(command, moment, requestID)], requestIDsChecked: requestIDChecked).first
    }

    /// `executeBatch` awaiting the database.
    @discardableResult
    public nonisolated(nonsending) func commitBatch(
        _ commands: [(EngineCommand, Moment, String?)], requestIDsChecked: Bool = false
    ) async throws -> [CommandOutcome] {
        guard !broken else { throw StoreError.broken(path: log.location) }
        var logged = Set<String>()
        for case (_, _, let id?) in commands where !requestIDsChecked {
            if try await log.storedCommand(requestID: id) != nil { logged.insert(id) }
        }
        let (records, outcomes) = try stage(commands, isLogged: { logged.contains($0) })
        guard !records.isEmpty else { return [] }
        do {
            try await log.commit(records, outcomes: outcomes)
        } catch {
            broken = true
            throw StoreError(error, path: log.location)
        }
        committed(records.count)
        return outcomes
    }

    /// Runs `commands` on the engine and returns their records and outcomes, skipping those whose request id
    /// `isLogged` (or that repeat one of the batch). One command runs in place: a refused command changes nothing,
    /// so no copy of the state is needed. Several run on a copy that replaces the engine only when all were accepted.
    private func stage(
        _ commands: [(EngineCommand, Moment, String?)], isLogged: (String) throws -> Bool
    ) throws -> (records: [CommandRecord], outcomes: [CommandOutcome]) {
        if commands.count == 1 {
            let (command, moment, requestID) = commands[0]
            if let requestID, try isLogged(requestID) { return ([], []) }
            var outcome = try engine.execute(command, at: moment)
            freeze(&outcome, engine)
            return ([CommandRecord(seq: commandCount, requestID: requestID, moment: moment, command: command)], [outcome])
        }
        var working = engine
        var accepted: [CommandRecord] = []
        var outcomes: [CommandOutcome] = []
        var seen = Set<String>()
        for (command, moment, requestID) in commands {
            if let requestID, try seen.contains(requestID) || isLogged(requestID) { continue }
            var outcome = try working.execute(command, at: moment)
            freeze(&outcome, working)
            outcomes.append(outcome)
            accepted.append(CommandRecord(seq: commandCount + accepted.count, requestID: requestID, moment: moment, command: command))
            if let requestID { seen.insert(requestID) }
        }
        if !accepted.isEmpty { swap(&engine, &working) }
        return (accepted, outcomes)
    }

    /// The frozen rows of the copies a command stopped, and the orders it made final, are written with the command
    /// (`engine` is the state right after it: neither changes again), whether or not this engine releases them: a
    /// later open of the database may.
    private func freeze(_ outcome: inout CommandOutcome, _ engine: Engine) {
        if !outcome.stoppedCopies.isEmpty { outcome.frozenCopies = outcome.stoppedCopies.map { engine.frozenCopy($0) } }
        for o in outcome.orders where !o.status.isOpen { outcome.storedOrders.append(Engine.storedOrder(o)) }
    }

    /// After `count` commands were committed.
    private func committed(_ count: Int) {
        commandCount += count
        if releasesHistory { engine.releaseHistory(releasing) }
    }

    /// Applies the commands other engines appended to the shared log since this one's `commandCount`, in order, and
    /// returns how many. Call it inside `log.withWriteLock` before executing, so that the next append continues the
    /// log. A stored command that no longer applies leaves the engine broken (reopen). `upTo` stops before that
    /// command; `each` is called after every command applied, with what it did (what a server tells its listeners
    /// about commands other instances executed).
    @discardableResult
    public func catchUp(upTo end: Int? = nil, each: ((CommandRecord, CommandOutcome) -> Void)? = nil) throws -> Int {
        guard !broken else { throw StoreError.broken(path: log.location) }
        let start = commandCount
        do {
            try log.forEachCommand(from: commandCount) { record in
                if let end, record.seq >= end { throw ReachedEnd() }
                let outcome = try replay(record)  // not inside `each?(…)`: a nil `each` would skip it
                each?(record, outcome)
            }
        } catch is ReachedEnd {
        } catch {
            broken = true
            throw StoreError(error, path: log.location)
        }
        return commandCount - start
    }

    /// `catchUp(each:)` awaiting the database: reads the commands after `commandCount` in pages and applies them.
    @discardableResult
    public nonisolated(nonsending) func catchUpAwaiting(each: ((CommandRecord, CommandOutcome) -> Void)? = nil) async throws -> Int {
        guard !broken else { throw StoreError.broken(path: log.location) }
        let start = commandCount
        let pageSize = 2_000
        do {
            while true {
                let page = try await log.commands(from: commandCount, limit: pageSize)
                for record in page {
                    let outcome = try replay(record)
                    each?(record, outcome)
                }
                if page.count < pageSize { break }
            }
        } catch {
            broken = true
            throw StoreError(error, path: log.location)
        }
        return commandCount - start
    }

    /// Applies one stored command, the next of the log.
    private func replay(_ record: CommandRecord) throws -> CommandOutcome {
        guard record.seq == commandCount else {
            throw StoreError.inconsistent(
                path: log.location, problems: ["the command log has a gap: \(record.seq) where \(commandCount) was expected"])
        }
        let outcome: CommandOutcome
        do {
            outcome = try engine.execute(record.command, at: record.moment)
        } catch {
            throw StoreError.inconsistent(path: log.location, problems: ["command \(record.seq) no longer applies: \(error)"])
        }
        committed(1)
        return outcome
    }

    /// Runs `body` as the log's only writer, after applying what other engines appended (see `catchUp()`).
    public func withWriteLock<T>(_ body: () throws -> T) throws -> T {
        try log.withWriteLock {
            try catchUp()
            return try body()
        }
    }

    /// True when a command with this request id is in the log.
    public func hasApplied(requestID: String) throws -> Bool { try log.command(requestID: requestID) != nil }

    /// `priorRequest` awaiting the database.
    public nonisolated(nonsending) func storedRequest(_ requestID: String) async throws -> PriorRequest? {
        try await log.storedCommand(requestID: requestID).map { PriorRequest(seq: $0.seq, command: $0.command) }
    }

    /// The command logged with this request id, if any (looked up in the log: request ids are not held in memory).
    public func priorRequest(_ requestID: String) throws -> PriorRequest? {
        try log.command(requestID: requestID).map { PriorRequest(seq: $0.seq, command: $0.command) }
    }

    /// Writes a snapshot of `engine` (a copy of this one's after `commands` commands) from any thread: what a server
    /// runs in the background from the state its reads see. Nil when this engine keeps no snapshots.
    public var snapshotWriter: (@Sendable (_ engine: Engine, _ commands: Int) throws -> (path: String, bytes: Int))? {
        guard let snapshots else { return nil }
        let id = databaseID
        return { engine, commands in try snapshots.write(engine, commands: commands, database: id) }
    }

    /// Writes a snapshot of the engine as it stands now; nil when this engine keeps none.
    @discardableResult
    public func saveSnapshot() throws -> (path: String, bytes: Int)? {
        guard !broken else { return nil }
        return try snapshotWriter?(engine, commandCount)
    }

    /// The engine's audit (conservation, balances against the journal) and the stored ledger against the journal
    /// the log produces. Empty when everything matches.
    public func verify() throws -> [String] {
        guard !engine.historyInStore else {
            return ["this engine released its history to the database; open it with the whole history to verify it"]
        }
        return engine.audit().problems + (try log.compareLedger(with: engine))
    }

    /// Reads copies' past from the database, from any task (what reads of a releasing engine use).
    public func historyReader() throws -> any HistoryReader { try log.historyReader() }
}

/// Stops a replay at the position asked for.
private struct ReachedEnd: Error {}

/// A command already in the log under a request id.
public struct PriorRequest: Sendable, Hashable {
    public var seq: Int
    public var command: EngineCommand
}

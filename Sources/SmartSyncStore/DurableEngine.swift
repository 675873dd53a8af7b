import SmartSyncCore

/// An engine kept durable in a `CommandLog`.
///
/// The core is deterministic, so the log holds every accepted command (with its moment, and an optional request id
/// that makes a retry a no-op) and the ledger each produced. One command = one `append`, holding its log record and
/// all its ledger rows, so a process killed at any moment leaves each lead fill with its whole fan-out either
/// committed or absent. Opening replays the log into a fresh engine.
public final class DurableEngine<Log: CommandLog>: EngineHost {
    public private(set) var engine: Engine
    public let log: Log
    /// Commands in the log.
    public private(set) var commandCount: Int
    /// Each request id in the log: the command's sequence number and a fingerprint of the command, so that a
    /// retry can be told from a different request reusing the id.
    private var requestIDs: [String: PriorRequest]
    /// Set when a write failed after the engine accepted a command: memory is ahead of the log; reopen.
    private var broken = false
    /// True once a write failed after the engine accepted a command (or a catch-up failed): reopen.
    public var isBroken: Bool { broken }

    /// Replays `log` into a fresh engine with the log's settings (`settings` for a new log).
    public init(log: Log, settings: Settings = Settings()) throws {
        self.log = log
        engine = Engine(settings: try log.settings(proposing: settings))
        commandCount = 0
        requestIDs = [:]
        try catchUp()
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
        var accepted: [CommandRecord] = []
        var outcomes: [CommandOutcome] = []
        if commands.count == 1 {
            // One command runs in place: a refused command changes nothing, so no copy of the state is needed.
            let (command, moment, requestID) = commands[0]
            if let requestID, requestIDs[requestID] != nil { return [] }
            outcomes = [try engine.execute(command, at: moment)]
            accepted = [CommandRecord(seq: commandCount, requestID: requestID, moment: moment, command: command)]
        } else {
            // Several run on a copy that replaces the engine only when all were accepted.
            var working = engine
            var seen = Set<String>()
            for (command, moment, requestID) in commands {
                if let requestID, requestIDs[requestID] != nil || seen.contains(requestID) { continue }
                outcomes.append(try working.execute(command, at: moment))
                accepted.append(CommandRecord(seq: commandCount + accepted.count, requestID: requestID, moment: moment, command: command))
                if let requestID { seen.insert(requestID) }
            }
            guard !accepted.isEmpty else { return [] }
            swap(&engine, &working)
        }
        do {
            try log.append(accepted, outcomes: outcomes)
        } catch {
            broken = true
            throw StoreError(error, path: log.location)
        }
        commandCount += accepted.count
        for record in accepted { remember(record) }
        return outcomes
    }

    /// Applies the commands other engines appended to the shared log since this one's `commandCount`, in order, and
    /// returns how many. Call it inside `log.withWriteLock` before executing, so that the next append continues the
    /// log. A stored command that no longer applies leaves the engine broken (reopen).
    @discardableResult
    public func catchUp() throws -> Int { try catchUp(each: nil) }

    /// `catchUp()`, calling `each` after every command applied with what it did (what a server needs to tell its
    /// listeners about commands other instances executed).
    public func catchUp(each: ((CommandRecord, CommandOutcome) -> Void)?) throws -> Int {
        guard !broken else { throw StoreError.broken(path: log.location) }
        let start = commandCount
        do {
            try log.forEachCommand(from: commandCount) { record in
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
                remember(record)
                commandCount += 1
                each?(record, outcome)
            }
        } catch {
            broken = true
            throw StoreError(error, path: log.location)
        }
        return commandCount - start
    }

    /// Runs `body` as the log's only writer, after applying what other engines appended (see `catchUp()`).
    public func withWriteLock<T>(_ body: () throws -> T) throws -> T {
        try log.withWriteLock {
            try catchUp()
            return try body()
        }
    }

    /// True when a command with this request id is in the log.
    public func hasApplied(requestID: String) -> Bool { requestIDs[requestID] != nil }

    /// The command logged with this request id, if any: its sequence number and fingerprint.
    public func priorRequest(_ requestID: String) -> PriorRequest? { requestIDs[requestID] }

    private func remember(_ record: CommandRecord) {
        if let id = record.requestID { requestIDs[id] = PriorRequest(seq: record.seq, fingerprint: PriorRequest.fingerprint(record.command)) }
    }

    /// The engine's audit (conservation, balances against the journal) and the stored ledger against the journal
    /// the log produces. Empty when everything matches.
    public func verify() throws -> [String] {
        engine.audit().problems + (try log.compareLedger(with: engine))
    }
}

/// A command already in the log under a request id.
public struct PriorRequest: Sendable, Hashable {
    public var seq: Int
    public var fingerprint: Int

    /// Equal commands have equal fingerprints within one process (Swift's hashing is seeded per process, and both
    /// sides are computed here).
    public static func fingerprint(_ command: EngineCommand) -> Int { command.hashValue }
}

import Foundation
import Logging
import SmartSyncCore
import SmartSyncScenario
import SmartSyncStore

/// Who is calling: a user of the engine, with a role.
public struct Caller: Sendable, Hashable {
    public enum Role: String, Sendable, Codable { case user, operator_ = "operator" }
    public var user: String
    public var role: Role
}

/// The one owner of the engine in a server process: every command goes through this actor, in order, and is
/// committed to the store before the call returns. Reads see the state after the last committed command.
public actor EngineService {
    private let store: SQLiteStore
    private let keys: APIKeyStore
    private let logger: Logger
    /// Milliseconds since 1970; the core takes time as input.
    private let now: @Sendable () -> Int64

    public init(databasePath: String, settings: Settings = Settings(), logger: Logger, now: @escaping @Sendable () -> Int64) throws {
        store = try SQLiteStore(path: databasePath, settings: settings)
        keys = try APIKeyStore(log: store.log)
        self.logger = logger
        self.now = now
    }

    // MARK: Commands

    /// Applies a command now; a repeated `requestID` (the Idempotency-Key) does nothing and returns false.
    @discardableResult
    public func execute(_ command: EngineCommand, requestID: String? = nil) throws -> Bool {
        let moment = Moment(event: store.commandCount, time: now())
        return try store.execute(command, at: moment, requestID: requestID)
    }

    /// Applies several commands as one commit.
    public func executeBatch(_ commands: [EngineCommand]) throws {
        let time = now()
        try store.executeBatch(commands.enumerated().map { ($1, Moment(event: store.commandCount + $0, time: time), nil) })
    }

    /// Reads the engine.
    public func read<T: Sendable>(_ body: (Engine) throws -> T) rethrows -> T { try body(store.engine) }

    public var commandCount: Int { store.commandCount }

    // MARK: API keys

    /// Creates a user (if new) and issues an API key for it; the key is shown once and stored hashed.
    public func issueKey(user: String, role: Caller.Role) throws -> String {
        if store.engine.user(named: user) == nil { try execute(.addUser(user)) }
        return try keys.issue(user: user, role: role)
    }

    public func caller(forKey key: String) throws -> Caller? {
        guard let (user, role) = try keys.lookup(key: key), let r = Caller.Role(rawValue: role) else { return nil }
        return Caller(user: user, role: r)
    }

    public func hasKeys() throws -> Bool { try keys.count() > 0 }
}

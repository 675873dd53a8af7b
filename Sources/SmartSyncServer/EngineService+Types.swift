import SmartSyncCore
import SmartSyncScenario
import Synchronization

/// What a submitted command became.
public struct CommandReceipt: Sendable {
    /// False when its request id was already in the log: nothing was done again.
    public var applied: Bool
    /// Its position in the log, which is also its event: what it did can be read at that event.
    public var event: Int
    /// What it did, when this instance applied it now (nil for a retry or a command another instance applied).
    public var outcome: CommandOutcome?
    /// How long applying it and committing it took (the engine and one database transaction), when applied here.
    public var committedIn: Duration?
}

/// Answers shared by the reads of one committed state (a new, empty one with every commit).
final class ReadCache: Sendable {
    let answers = Mutex<[String: JSONValue]>([:])
}

/// Who is calling: a user of the engine, with a role.
public struct Caller: Sendable, Hashable {
    public enum Role: String, Sendable, Codable, CaseIterable {
        case user, operator_ = "operator"
        public init(from decoder: any Decoder) throws { self = try decodeCase(decoder) }
    }
    public var user: String
    public var role: Role
}

import SmartSyncCore
import SmartSyncViews
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
    let answers = Mutex<[String: any Sendable]>([:])
    /// Each active lead's curve as the board shows it (returns and a sparkline), read once for every board order.
    let boardCurves = Mutex<[Int: LeadCurveRead]?>(nil)
}

/// Who is calling: a user of the engine, with a role.
public struct Caller: Sendable, Hashable {
    public enum Role: String, Sendable, Codable, CaseIterable {
        case user
        // swift-format-ignore: AlwaysUseLowerCamelCase
        // `operator` is a keyword; the stored and sent name is "operator".
        case operator_ = "operator"
        public init(from decoder: any Decoder) throws { self = try decodeCase(decoder) }
    }
    public var user: String
    public var role: Role
}

/// The engine's metrics: their labels (the metric names with the command line's Prometheus backend) and the
/// duration buckets its timers are meant to have.
public enum EngineMetrics {
    /// Time to apply and commit one command.
    public static let commandSeconds = "smartsync_command_seconds"
    /// Time from a lead order to its lead fill and whole fan-out being committed.
    public static let fanOutSeconds = "smartsync_fanout_seconds"
    /// Active copies across all leads.
    public static let activeCopies = "smartsync_active_copies"
    /// Copy fills applied.
    public static let copyFills = "smartsync_copy_fills_total"
    /// Copy orders not sent or not fully executed, by `reason`.
    public static let failedCopyOrders = "smartsync_failed_copy_orders_total"
    /// The timers' labels.
    public static let timers = [commandSeconds, fanOutSeconds]
    /// From 0.1 ms (a small command) to 5 s (a fan-out to a million copies on a slow disk).
    public static let durationBuckets: [Duration] = [
        .microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(20), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .seconds(1), .seconds(5),
    ]
}

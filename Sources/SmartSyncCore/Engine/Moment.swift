/// When and why a command runs: the scenario event (or request) number and its time in milliseconds since
/// 1970. The core never reads a clock; the same commands at the same moments give the same state.
public struct Moment: Sendable, Hashable {
    public var event: Int
    public var time: Int64

    public init(event: Int, time: Int64) {
        self.event = event
        self.time = time
    }
}

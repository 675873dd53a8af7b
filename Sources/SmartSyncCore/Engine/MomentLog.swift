/// The moment of every command the engine accepted, in order, in 8 bytes a command instead of 16: events come in
/// runs of consecutive numbers (a server numbers each command; a scenario numbers its events), so a run keeps its
/// first event once and each command only its time.
///
/// Events never decrease (the engine refuses nothing here; its callers number commands in order). A repeated event
/// with another time starts a new run, and `time(ofEvent:)` answers the first time, as a search of the list did.
public struct MomentLog: Sendable, Sequence {
    /// The first event of each run and the position of its first time in `times`.
    private var runs: [(event: Int, start: Int)] = []
    private var times: [Int64] = []

    public init() {}

    public var count: Int { times.count }
    public var isEmpty: Bool { times.isEmpty }

    public var last: Moment? {
        guard let run = runs.last, let time = times.last else { return nil }
        return Moment(event: run.event + (times.count - 1 - run.start), time: time)
    }

    mutating func append(_ m: Moment) {
        if let last, m.event == last.event + 1 {
            times.append(m.time)
        } else {
            runs.append((m.event, times.count))
            times.append(m.time)
        }
    }

    /// The time of the first command at `event`, if the engine saw one.
    public func time(ofEvent event: Int) -> Int64? {
        // The first run whose last event is at or after `event` (runs are in event order).
        var lo = 0
        var hi = runs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if lastEvent(ofRun: mid) < event { lo = mid + 1 } else { hi = mid }
        }
        guard lo < runs.count, runs[lo].event <= event else { return nil }
        return times[runs[lo].start + (event - runs[lo].event)]
    }

    private func lastEvent(ofRun k: Int) -> Int {
        let end = k + 1 < runs.count ? runs[k + 1].start : times.count
        return runs[k].event + (end - 1 - runs[k].start)
    }

    public func makeIterator() -> AnyIterator<Moment> {
        var run = 0
        var k = 0
        return AnyIterator {
            guard k < times.count else { return nil }
            while run + 1 < runs.count && runs[run + 1].start <= k { run += 1 }
            defer { k += 1 }
            return Moment(event: runs[run].event + (k - runs[run].start), time: times[k])
        }
    }

    /// Bytes held (for the memory figures).
    var byteCount: Int { 8 * times.capacity + 16 * runs.capacity }
}

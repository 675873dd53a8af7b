/// The moment of every command the engine accepted, in order, in 8 bytes a command instead of 16: events come in
/// runs of consecutive numbers (a server numbers each command; a scenario numbers its events), so a run keeps its
/// first event once and each command only its time.
///
/// The times are kept in chunks (`ChunkedArray`), so an append after a commit copies the last chunk, not every time
/// logged so far.
///
/// Events never decrease (the engine refuses nothing here; its callers number commands in order). A repeated event
/// with another time starts a new run, and `time(ofEvent:)` answers the first time, as a search of the list did.
public struct MomentLog: Sendable, Sequence {
    /// Times a chunk holds: 32 KiB, below glibc's mmap threshold.
    static let chunkSize = 4096
    /// The first event of each run and the position of its first time.
    private var runs: [(event: Int, start: Int)] = []
    private var times = ChunkedArray<Int64>(chunkSize: Self.chunkSize)
    public var count: Int { times.count }

    public init() {}

    public var isEmpty: Bool { count == 0 }

    private func time(at k: Int) -> Int64 { times[k] }

    public var last: Moment? {
        guard let run = runs.last, count > 0 else { return nil }
        return Moment(event: run.event + (count - 1 - run.start), time: time(at: count - 1))
    }

    mutating func append(_ m: Moment) {
        let continuesRun = last.map { m.event == $0.event + 1 } ?? false
        if !continuesRun { runs.append((m.event, count)) }
        times.append(m.time)
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
        return time(at: runs[lo].start + (event - runs[lo].event))
    }

    private func lastEvent(ofRun k: Int) -> Int {
        let end = k + 1 < runs.count ? runs[k + 1].start : count
        return runs[k].event + (end - 1 - runs[k].start)
    }

    public func makeIterator() -> AnyIterator<Moment> {
        var run = 0
        var k = 0
        return AnyIterator {
            guard k < count else { return nil }
            while run + 1 < runs.count && runs[run + 1].start <= k { run += 1 }
            defer { k += 1 }
            return Moment(event: runs[run].event + (k - runs[run].start), time: time(at: k))
        }
    }

    /// Bytes held (for the memory figures).
    var byteCount: Int { times.byteCount(stride: 8) + 16 * runs.capacity }
}

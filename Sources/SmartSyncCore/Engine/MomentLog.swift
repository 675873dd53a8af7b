/// The moment of every command the engine accepted, in order, in 4 bytes a command instead of 16: events come in
/// runs of consecutive numbers (a server numbers each command; a scenario numbers its events), so a run keeps its
/// first event once and each command only its time (`TimeLog`: an offset from its chunk's first time).
///
/// The times are kept in chunks, so an append after a commit copies the last chunk, not every time logged so far.
///
/// Events never decrease (the engine refuses nothing here; its callers number commands in order). A repeated event
/// with another time starts a new run, and `time(ofEvent:)` answers the first time, as a search of the list did.
public struct MomentLog: Sendable, Sequence {
    /// Times a chunk holds: 32 KiB, below glibc's mmap threshold.
    static let chunkSize = 4096
    /// The first event of each run and the position of its first time.
    private var runs: [(event: Int, start: Int)] = []
    private var times = TimeLog(chunkSize: Self.chunkSize)
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
    var byteCount: Int { times.byteCount + 16 * runs.capacity }
}

/// Times (milliseconds) in chunks: each time is a 4-byte offset from its chunk's first time, unless the chunk spans
/// more than 2^32 ms (49 days) or goes back before its first time; such a chunk keeps 8-byte times instead.
struct TimeLog: Sendable {
    let chunkSize: Int
    private var offsets: ChunkedArray<UInt32>
    /// The first time of each chunk.
    private var bases: [Int64] = []
    /// The chunks whose times did not fit as offsets, whole (their `offsets` are zeros).
    private var wide: [Int: [Int64]] = [:]
    var count: Int { offsets.count }

    init(chunkSize: Int) {
        self.chunkSize = chunkSize
        offsets = ChunkedArray(chunkSize: chunkSize)
    }

    subscript(k: Int) -> Int64 {
        let c = k / chunkSize
        if let times = wide[c] { return times[k % chunkSize] }
        return bases[c] + Int64(offsets[k])
    }

    mutating func append(_ time: Int64) {
        if count % chunkSize == 0 { bases.append(time) }
        let c = count / chunkSize
        if wide[c] != nil {
            wide[c]!.append(time)
            offsets.append(0)
        } else if case (let offset, let overflow) = time.subtractingReportingOverflow(bases[c]), !overflow, offset >= 0,
            offset <= Int64(UInt32.max)
        {
            offsets.append(UInt32(offset))
        } else {
            wide[c] = (c * chunkSize..<count).map { self[$0] } + [time]
            offsets.append(0)
        }
    }

    var byteCount: Int { offsets.byteCount(stride: 4) + 8 * bases.capacity + wide.values.reduce(0) { $0 + 8 * $1.capacity } }
}

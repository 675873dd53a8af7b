import SmartSyncBench
import Testing

@testable import SmartSyncCore

/// The engine's list of command moments, kept as runs of consecutive events.
@Suite("Moment log")
struct MomentLogTests {
    /// Random non-decreasing events (steps of 0 with a new time, 1, or a jump) against the plain list it replaces:
    /// the same moments back in order, the same last one, and the time of every event, seen or not, as a search of
    /// the list for the first moment with that event finds it. 10,000 commands fill two chunks and start a third.
    @Test(arguments: [1 as UInt64, 2, 3, 4, 5])
    func answersAsThePlainListDid(seed: UInt64) {
        var rng = SplitMix(seed: seed)
        var log = MomentLog()
        var list: [Moment] = []
        var event = Int.random(in: 0...3, using: &rng)
        var time: Int64 = 1_700_000_000_000
        for _ in 0..<10_000 {
            switch Int.random(in: 0...9, using: &rng) {
            case 0: break  // the same event again, later
            case 1: event += Int.random(in: 2...50, using: &rng)
            default: event += 1
            }
            time += Int64.random(in: 1...60_000, using: &rng)
            let m = Moment(event: event, time: time)
            log.append(m)
            list.append(m)
        }
        #expect(Array(log) == list)
        #expect(log.count == list.count && log.last == list.last)
        var first: [Int: Int64] = [:]
        for m in list where first[m.event] == nil { first[m.event] = m.time }
        for e in -1...(event + 2) {
            #expect(log.time(ofEvent: e) == first[e], "event \(e)")
        }
        #expect(log.byteCount < MemoryLayout<Moment>.stride * list.count)  // even with a new run every fifth command
    }

    /// A copy taken before appends (what reads hold while the writer goes on) keeps its moments, across a chunk's end.
    @Test func aCopyKeepsItsMoments() {
        var log = MomentLog()
        for k in 0..<(MomentLog.chunkSize - 1) { log.append(Moment(event: k, time: Int64(k) * 10)) }
        let held = log
        for k in (MomentLog.chunkSize - 1)..<(MomentLog.chunkSize + 5) { log.append(Moment(event: k, time: Int64(k) * 10)) }
        #expect(
            held.count == MomentLog.chunkSize - 1
                && held.last == Moment(event: MomentLog.chunkSize - 2, time: Int64(MomentLog.chunkSize - 2) * 10))
        #expect(held.time(ofEvent: MomentLog.chunkSize) == nil && log.time(ofEvent: MomentLog.chunkSize) == Int64(MomentLog.chunkSize) * 10)
        #expect(
            Array(log).count == MomentLog.chunkSize + 5 && Array(held).map(\.time) == Array(log).prefix(MomentLog.chunkSize - 1).map(\.time)
        )
    }

    @Test func anEmptyLogKnowsNoTime() {
        let log = MomentLog()
        #expect(log.isEmpty && log.last == nil && log.time(ofEvent: 0) == nil && Array(log).isEmpty)
    }

    /// Times are 4-byte offsets from their chunk's first time; a chunk with a time before its first (a clock set
    /// back) or more than 2^32 ms after it keeps 8-byte times, and every time comes back as it went in.
    @Test func timesThatDoNotFitAsOffsetsAreKeptWhole() {
        var log = TimeLog(chunkSize: 4)
        let t0: Int64 = 1_700_000_000_000
        let times: [Int64] = [
            t0, t0 + 5, t0 + Int64(UInt32.max), t0 + 7,  // fits: the largest offset is 2^32 − 1
            t0, t0 - 1, t0 + 3, t0 + 4,  // goes back: wide from the second
            t0, t0 + 1, t0 + Int64(UInt32.max) + 1, t0 + 2,  // too far: wide from the third
            -5, 0, 9, 10,  // negative times fit as offsets too
            -(1 << 62), .max, .min, 0,  // offsets that overflow a subtraction: wide
            t0,
        ]
        for t in times { log.append(t) }
        #expect(log.count == times.count)
        #expect((0..<times.count).map { log[$0] } == times)
        var narrow = TimeLog(chunkSize: MomentLog.chunkSize)
        for k in 0..<(3 * MomentLog.chunkSize) { narrow.append(t0 + Int64(k) * 1_000) }
        #expect(narrow.byteCount < 5 * narrow.count)  // 4 B a time and a base per chunk
    }
}

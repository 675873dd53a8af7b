@testable import SmartSyncCore
import Testing

/// The engine's list of command moments, kept as runs of consecutive events.
@Suite("Moment log")
struct MomentLogTests {
    /// Random non-decreasing events (steps of 0 with a new time, 1, or a jump) against the plain list it replaces:
    /// the same moments back in order, the same last one, and the time of every event, seen or not, as a search of
    /// the list for the first moment with that event finds it.
    @Test(arguments: [1 as UInt64, 2, 3, 4, 5])
    func answersAsThePlainListDid(seed: UInt64) {
        var rng = SplitMix(seed: seed)
        var log = MomentLog()
        var list: [Moment] = []
        var event = Int.random(in: 0...3, using: &rng)
        var time: Int64 = 1_700_000_000_000
        for _ in 0..<2_000 {
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
        for e in -1...(event + 2) {
            #expect(log.time(ofEvent: e) == list.first { $0.event == e }?.time, "event \(e)")
        }
        #expect(log.byteCount < MemoryLayout<Moment>.stride * list.count)  // even with a new run every fifth command
    }

    @Test func anEmptyLogKnowsNoTime() {
        let log = MomentLog()
        #expect(log.isEmpty && log.last == nil && log.time(ofEvent: 0) == nil && Array(log).isEmpty)
    }
}

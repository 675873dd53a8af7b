import Foundation
import SmartSyncViews
import Synchronization

/// What `bench soak` prints, and the figures it collects on the way.
extension Bench.Soak {
    func report(_ r: SoakResult, reads: LatencyHistogram, beforeMarket: (bytes: Int, anonymous: Int), database: String) {
        let ms = { (d: Duration) in Bench.Row.ns(d) / 1e6 }
        func percentile(_ values: [Duration], _ p: Double) -> Double {
            guard !values.isEmpty else { return .nan }
            let sorted = values.sorted()
            return ms(sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)])
        }
        let readP50 = reads.percentileMilliseconds(0.5)
        let readP99 = reads.percentileMilliseconds(0.99)
        let orderP50 = percentile(r.orders, 0.5)
        let commitP50 = percentile(r.commits, 0.5)
        let firstMemory = r.memory.first?.bytes ?? 0
        let lastMemory = r.memory.last?.bytes ?? 0
        let restartFirst = r.restarts.first?.seconds ?? .nan
        let restartLast = r.restarts.last?.seconds ?? .nan
        if json {
            let value = JSONValue.object([
                ("copies", .int(copies)), ("fills", .int(fills)), ("database", .string(database)),
                ("residentBytesBeforeMarket", .int(beforeMarket.bytes)),
                ("anonymousBytesBeforeMarket", .int(beforeMarket.anonymous)),
                (
                    "memory",
                    .array(
                        r.memory.map {
                            .object([
                                ("fills", .int($0.fills)), ("residentBytes", .int($0.bytes)), ("anonymousBytes", .int($0.anonymous)),
                            ])
                        })
                ),
                (
                    "restartSeconds",
                    .array(
                        r.restarts.map {
                            .object([
                                ("fills", .int($0.fills)), ("seconds", .string(String($0.seconds))),
                                ("afterCrashSeconds", .string(String($0.crashSeconds))), ("afterCrashReplayed", .int($0.replayed)),
                            ])
                        })
                ),
                (
                    "reads",
                    .object([("count", .int(reads.count)), ("p50Ms", .string(String(readP50))), ("p99Ms", .string(String(readP99)))])
                ),
                ("orderMsP50", .string(String(orderP50))), ("orderMsP99", .string(String(percentile(r.orders, 0.99)))),
                ("commitMsP50", .string(String(commitP50))), ("commitMsP99", .string(String(percentile(r.commits, 0.99)))),
            ])
            print(value.serialized())
            return
        }
        let snapshots = "a snapshot every \(snapshotEvery ?? fills / 10) commands"
        print("bench soak: \(copies) copies, \(fills) lead fills, database \(database), \(snapshots)")
        print(
            "resident memory (MB) after fills: "
                + r.memory.map { "\($0.fills): \(String(format: "%.0f", Double($0.bytes) / 1e6))" }.joined(separator: ", "))
        print(
            String(
                format: "  after %d ÷ after %d: %.2f (target ≤ 1.1); per copy after %d: %.0f B (target ≤ 1024)",
                fills, fills / 10, Double(lastMemory) / Double(max(firstMemory, 1)), fills, Double(lastMemory) / Double(copies)))
        print(
            String(
                format: "  the process before the market: %.0f MB; the market added %.0f B per copy",
                Double(beforeMarket.bytes) / 1e6, Double(lastMemory - beforeMarket.bytes) / Double(copies)))
        let lastAnonymous = r.memory.last?.anonymous ?? 0
        print(
            String(
                format:
                    "  anonymous (heap and stacks, without code mapped from files): %.0f MB after %d fills, %.0f B per copy; %.0f MB before the market",
                Double(lastAnonymous) / 1e6, fills, Double(lastAnonymous) / Double(copies), Double(beforeMarket.anonymous) / 1e6))
        print(
            "restart after a graceful stop (from its shutdown snapshot, s): "
                + r.restarts.map { "after \($0.fills): \(String(format: "%.2f", $0.seconds))" }.joined(separator: ", ")
                + String(format: "; ratio %.2f (target ≤ 2 s and ≤ 1.5)", restartLast / restartFirst))
        print(
            "  after a crash (newest periodic snapshot + the commands after it, s): "
                + r.restarts.map { "after \($0.fills): \(String(format: "%.2f", $0.crashSeconds)) (\($0.replayed) replayed)" }.joined(
                    separator: ", "))
        print(
            String(
                format: "reads during fan-outs: %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms (target p99 ≤ 10 ms)",
                reads.count, readP50, readP99, ms(reads.max)))
        print(
            String(
                format:
                    "lead order answer: p50 %.1f ms, p99 %.1f ms; bare durable fan-out (commit): p50 %.1f ms, p99 %.1f ms; ratio of medians %.2f (target ≤ 1.5)",
                orderP50, percentile(r.orders, 0.99), commitP50, percentile(r.commits, 0.99), orderP50 / commitP50))
    }
}

/// What the soak's threads share.
final class SoakState: Sendable {
    let stop = Mutex(false)
    let ordersInFlight = Mutex(0)
    /// Read latencies in a histogram of fixed size (4 MB, allocated before memory is measured), so that recording
    /// hundreds of thousands of reads does not grow the memory the soak measures.
    let reads = Mutex(LatencyHistogram())
    let readErrors = Mutex(0)
}

struct SoakResult {
    var orders: [Duration] = []
    var commits: [Duration] = []
    var memory: [(fills: Int, bytes: Int, anonymous: Int)] = []
    /// Restart after a graceful stop (from the shutdown snapshot), and after a crash (the newest periodic snapshot and
    /// the commands after it, `replayed`).
    var restarts: [(fills: Int, seconds: Double, crashSeconds: Double, replayed: Int)] = []
}

/// Latencies counted in 10 µs buckets up to 10 s (longer ones in the last), with the exact maximum.
struct LatencyHistogram {
    static let bucket: Int64 = 10_000  // nanoseconds
    private var counts = [UInt32](repeating: 0, count: 1_000_000)
    private(set) var count = 0
    private(set) var max: Duration = .zero

    mutating func record(_ d: Duration) {
        let ns = d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
        counts[Int(Swift.min(Swift.max(ns, 0) / Self.bucket, Int64(counts.count - 1)))] += 1
        count += 1
        if d > max { max = d }
    }

    /// The `p` quantile in milliseconds (the upper edge of its bucket: at most 10 µs above the true value).
    func percentileMilliseconds(_ p: Double) -> Double {
        guard count > 0 else { return .nan }
        let rank = Swift.max(1, Int((Double(count) * p).rounded(.up)))
        var seen = 0
        for (k, n) in counts.enumerated() where n > 0 {
            seen += Int(n)
            if seen >= rank { return Double(Int64(k + 1) * Self.bucket) / 1e6 }
        }
        return Double(Int64(counts.count) * Self.bucket) / 1e6
    }
}

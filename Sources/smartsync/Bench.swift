import ArgumentParser
import Foundation
import SmartSyncBench
import SmartSyncCore
import SmartSyncScenario
import SmartSyncStore
import SmartSyncViews

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print their figures.",
        discussion: """
            Examples:
              swift run -c release smartsync bench fanout
              swift run -c release smartsync bench fanout --durable --copies 100000
              swift run -c release smartsync bench fanout --durable --db postgres://postgres:secret@127.0.0.1/postgres --copies 100000
            """,
        subcommands: [FanOut.self, Soak.self, Open.self, Venue.self, ForecastBench.self, ReceiptBench.self]
    )
}

extension Bench {
    struct FanOut: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fanout",
            abstract: "Time one lead fill's fan-out (plan + merge + allocate + apply) to N copies.",
            discussion: """
                For each N, builds one lead with N Smart Sync copies (100 to 100,000 USDT, already holding ETH),
                then times 5 lead fills (buys and partial sells of BTC and ETH), each fanned out to every copy,
                and a baseline loop that only reads and writes the same per-copy data. Memory is the process's
                resident set (Linux /proc) added by the set-up, and the exact bytes of the copy book, the fan-out's
                buffers and one fill's journal batch.
                Build with -c release for meaningful numbers. Targets (issue 3): 1M copies in ≤ 50 ms, within 5× the
                baseline, ≤ 512 bytes per copy; --check exits 1 when a target is missed.

                Example:
                  swift run -c release smartsync bench fanout --copies 1000 --copies 100000 --copies 1000000
                """
        )

        @Option(name: .customLong("copies"), help: "Number of copies (repeatable).")
        var copies: [Int] = [1_000, 100_000, 1_000_000]

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        @Flag(help: "Exit 1 when a target is missed.")
        var check = false

        @Flag(help: "Commit each fan-out to a database (the store), next to a plain-insert baseline on the same backend.")
        var durable = false

        @Option(
            help: ArgumentHelp(
                "With --durable: a SQLite file to create (default: a temporary file, removed after), or a postgres:// URL (env DATABASE_URL).",
                discussion:
                    "On PostgreSQL the bench creates a fresh database per N on that server (smartsync_bench_PID_N) and drops it after."))
        var db: String?

        @Option(help: ArgumentHelp("With --durable on PostgreSQL: how the baseline inserts (copy, unnest).", visibility: .hidden))
        var postgresBaseline: StoreBenchmark.PostgresInsert = .copy

        @Flag(
            inversion: .prefixedNo,
            help:
                "Touch and free heap memory for the fills' journal batches before timing, as a running server's heap would be (first-touch page faults are measured with --no-warm-heap)."
        )
        var warmHeap = true

        func validate() throws {
            for n in copies where n < 1 || n > 5_000_000 {
                throw ValidationError("--copies must be between 1 and 5000000 (got \(n))")
            }
        }

        func run() throws {
            if durable {
                try runDurable()
                return
            }
            var rows: [Row] = []
            for n in copies {
                if Terminal.stderrIsTerminal { Terminal.progress("setting up \(n) copies…") }
                rows.append(try measure(copies: n))
                if Terminal.stderrIsTerminal { Terminal.endProgress() }
            }
            if json {
                print(JSONValue.array(rows.map(\.json)).serialized())
            } else {
                print(Row.header)
                for r in rows { print(r.line) }
                print("fan-out: median of 5 lead fills (min–max); baseline: a loop reading and writing the same per-copy columns.")
                print("B/copy: (copy book + fan-out buffers + one fill's journal batch) ÷ N, from array capacities;")
                print("process B/copy: resident memory the whole set-up added (users, main accounts, copies, journal) ÷ N.")
                if warmHeap { print("heap warmed before timing (--no-warm-heap measures first-touch page faults too).") }
            }
            if check {
                let missed = rows.filter { !$0.meetsTargets }
                for r in missed { Terminal.error("target missed at \(r.copies) copies: \(r.line)") }
                if !missed.isEmpty { throw ExitCode(1) }
            }
        }

        func measure(copies n: Int) throws -> Row {
            let before = Terminal.residentBytes()
            var engine = try FanOutFixture.make(copies: n)
            let state = Terminal.residentBytes() - before
            let orders = try FanOutFixture.orders()
            var times: [Duration] = []
            var batchBytes = 0
            let clock = ContinuousClock()
            if warmHeap { Terminal.warmHeap(bytes: n * 64 * orders.count) }
            for (k, order) in orders.enumerated() {
                let failedBefore = engine.failedOrders.count
                let elapsed = try clock.measure {
                    try engine.placeOrder(order, at: Moment(event: 10 + k, time: Int64(k)))
                }
                times.append(elapsed)
                guard case .copyFills(let batch)? = engine.journal.last, batch.count > 0 else {
                    throw ValidationError("fan-out \(k) produced no copy fills (\(engine.failedOrders.count - failedBefore) failed)")
                }
                batchBytes = max(batchBytes, batch.byteCount)
            }
            let audit = engine.audit()
            guard audit.balanced else { throw ValidationError("audit failed after the bench: \(audit.problems.prefix(3))") }

            // Baseline: read and write the same per-copy columns, no decisions.
            let baseline = try baselineLoop(engine, clock: clock)
            times.sort()
            return Row(
                copies: n, median: times[times.count / 2], min: times.first!, max: times.last!, baseline: baseline,
                processBytes: state, bookBytes: engine.leads[0].book.byteCount, workspaceBytes: engine.fanOutWorkspaceBytes,
                batchBytes: batchBytes)
        }

        /// The committed fan-out: engine + one SQLite transaction holding the command and every copy fill row.
        func runDurable() throws {
            let counts = copies == [1_000, 100_000, 1_000_000] ? [10_000, 100_000] : copies
            var lines: [JSONValue] = []
            if !json {
                print("copies   committed fan-out ms (min–max)   ns/copy   baseline insert ms (min–max)   ×baseline")
            }
            let location = StoreDatabase.location(db, environment: ProcessInfo.processInfo.environment)
            let server = try location.flatMap { PostgresURL.isPostgres($0) ? try PostgresURL($0) : nil }
            for n in counts {
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smartsync-bench-\(getpid())-\(n)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }
                // PostgreSQL: a fresh database per N on the server named, dropped afterwards.
                let scratch = "smartsync_bench_\(getpid())_\(n)"
                let benchURL = try server.map { try PostgresAdmin.createDatabase(scratch, on: $0) }
                defer { if let server { try? PostgresAdmin.dropDatabase(scratch, on: server) } }
                let path = benchURL.map { "\($0)" } ?? location ?? folder.appendingPathComponent("bench.sqlite").path
                if Terminal.stderrIsTerminal { Terminal.progress("setting up \(n) copies in \(path)…") }
                let store: Store
                if let benchURL {
                    store = try Store(log: AnyCommandLog(try PostgresCommandLog(url: benchURL)))
                } else {
                    store = try StoreDatabase.open(path)
                }
                guard store.commandCount == 0 else { throw ValidationError("--db \(path) must be a new file") }
                try store.executeBatch(try FanOutFixture.commands(copies: n).map { ($0.0, $0.1, nil) })
                if Terminal.stderrIsTerminal { Terminal.endProgress() }
                if warmHeap { Terminal.warmHeap(bytes: n * 64 * 5) }
                let clock = ContinuousClock()
                var times: [Duration] = []
                for (k, order) in try FanOutFixture.orders().enumerated() {
                    times.append(try clock.measure { try store.execute(.order(order), at: Moment(event: 10 + k, time: Int64(k))) })
                }
                let problems = try store.verify()
                guard problems.isEmpty else { throw ValidationError("the store does not verify: \(problems.prefix(3))") }
                var baseline: [Duration] = []
                let baselinePath = folder.appendingPathComponent("baseline.sqlite").path
                for round in 0..<5 {
                    if let benchURL {
                        baseline.append(
                            try StoreBenchmark.baselineInsert(postgres: benchURL, rows: n, round: round, method: postgresBaseline))
                    } else {
                        baseline.append(try StoreBenchmark.baselineInsert(path: baselinePath, rows: n, round: round))
                    }
                }
                times.sort()
                baseline.sort()
                let ms = { (d: Duration) in Row.ns(d) / 1e6 }
                let ratio = Row.ns(times[2]) / Row.ns(baseline[2])
                if json {
                    lines.append(
                        .object([
                            ("copies", .int(n)), ("committedNanosMedian", .int(Int(Row.ns(times[2])))),
                            ("baselineNanosMedian", .int(Int(Row.ns(baseline[2])))), ("ratioToBaseline", .string(String(ratio))),
                        ]))
                } else {
                    print(
                        "\(n)".padding(toLength: 9, withPad: " ", startingAt: 0)
                            + String(format: "%10.1f (%.1f–%.1f)", ms(times[2]), ms(times[0]), ms(times[4])).padding(
                                toLength: 33, withPad: " ", startingAt: 0)
                            + String(format: "%7.0f", Row.ns(times[2]) / Double(n)) + "   "
                            + String(format: "%10.1f (%.1f–%.1f)", ms(baseline[2]), ms(baseline[0]), ms(baseline[4])).padding(
                                toLength: 31, withPad: " ", startingAt: 0)
                            + String(format: "%6.2f", ratio))
                }
            }
            if json {
                print(JSONValue.array(lines).serialized())
            } else {
                if server != nil {
                    print(
                        "committed: Engine fan-out + one PostgreSQL transaction (a guarded statement with the command and ledger rows, the copy fills by COPY from 1,000 rows, COMMIT as the server syncs it); median of 5 lead fills."
                    )
                    print(
                        postgresBaseline == .copy
                            ? "baseline: the same number of copy-fill-shaped rows inserted by COPY (text) in one transaction into a fresh table."
                            : "baseline: the same number of copy-fill-shaped rows inserted as binary arrays with unnest in one statement into a fresh table."
                    )
                } else {
                    print(
                        "committed: Engine fan-out + one SQLite transaction (WAL, synchronous=FULL) with the command and one row per copy fill; median of 5 lead fills."
                    )
                    print(
                        "baseline: the same number of 7-integer rows inserted with one prepared statement in one transaction, same pragmas."
                    )
                }
            }
        }

        /// A loop over the copy book that reads cash and holdings and writes cash, holdings, cost, fees and the
        /// batch columns, like a fan-out would, without sizing, checks or allocation. Median of 5.
        func baselineLoop(_ engine: Engine, clock: ContinuousClock) throws -> Duration {
            let book = engine.leads[0].book
            var cash = book.cash
            var lots0 = book.lots[0]
            var lots1 = book.lots.count > 1 ? book.lots[1] : book.lots[0]
            var cost1 = book.cost.count > 1 ? book.cost[1] : book.cost[0]
            var fees = book.feesPaid
            let status = book.status
            var times: [Duration] = []
            var checksum: Int64 = 0
            for round in 0..<5 {
                let elapsed = clock.measure {
                    var slots: [Int32] = []
                    var outLots: [Int64] = []
                    var outQuote: [Int64] = []
                    var outFee: [Int64] = []
                    slots.reserveCapacity(cash.count)
                    outLots.reserveCapacity(cash.count)
                    outQuote.reserveCapacity(cash.count)
                    outFee.reserveCapacity(cash.count)
                    for i in 0..<cash.count where status[i] == .active {
                        let equity = cash[i] &+ lots0[i] &* 30 &+ lots1[i] &* 60
                        let q = equity >> 10
                        cash[i] = cash[i] &- q
                        lots0[i] = lots0[i] &+ Int64(round & 1)
                        lots1[i] = lots1[i] &+ 1
                        cost1[i] = cost1[i] &+ q
                        fees[i] = fees[i] &+ 1
                        slots.append(Int32(truncatingIfNeeded: i))
                        outLots.append(q)
                        outQuote.append(q)
                        outFee.append(1)
                    }
                    checksum &+= Int64(slots.count) &+ outLots.last! &+ outQuote.last! &+ outFee.last!
                }
                times.append(elapsed)
            }
            // Keep the results alive so the loop is not optimized away.
            if checksum == .min { print(cash.count, lots0.count, lots1.count, cost1.count, fees.count) }
            return times.sorted()[2]
        }
    }

    struct Row {
        var copies: Int
        var median: Duration
        var min: Duration
        var max: Duration
        var baseline: Duration
        /// Resident memory the whole set-up added (users, main accounts, copies, journal).
        var processBytes: Int
        /// The lead's copy book (all per-copy state).
        var bookBytes: Int
        /// The fan-out's reusable buffers.
        var workspaceBytes: Int
        /// One fan-out's journal batch (kept).
        var batchBytes: Int

        static func ns(_ d: Duration) -> Double {
            Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
        }

        var nsPerCopy: Double { Row.ns(median) / Double(copies) }
        var ratio: Double { Row.ns(median) / Swift.max(Row.ns(baseline), 1) }
        /// Copy state + fan-out buffers + one fan-out's journal batch, per copy: what the target bounds.
        var bytesPerCopy: Int { (bookBytes + workspaceBytes + batchBytes) / copies }
        var processBytesPerCopy: Int { processBytes / copies }

        var meetsTargets: Bool {
            nsPerCopy <= 50 && ratio <= 5 && bytesPerCopy <= 512 && (copies < 1_000_000 || Row.ns(median) <= 50e6)
        }

        static let header =
            "copies     fan-out ms (min–max)        ns/copy  baseline ms  baseline ns/copy  ×baseline  B/copy  process B/copy"

        var line: String {
            func f(_ v: Double, _ digits: Int) -> String {
                let p = pow10(digits)
                let r = (v * p).rounded() / p
                var s = String(r)
                if let dot = s.firstIndex(of: ".") {
                    let decimals = s.distance(from: dot, to: s.endIndex) - 1
                    if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
                } else if digits > 0 {
                    s += "." + String(repeating: "0", count: digits)
                }
                return s
            }
            func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: Swift.max(0, w - s.count)) + s }
            let ms = f(Row.ns(median) / 1e6, 3) + " (" + f(Row.ns(min) / 1e6, 3) + "–" + f(Row.ns(max) / 1e6, 3) + ")"
            return pad(String(copies), 7) + "  " + pad(ms, 27) + "  " + pad(f(nsPerCopy, 1), 7) + "  "
                + pad(f(Row.ns(baseline) / 1e6, 3), 11) + "  " + pad(f(Row.ns(baseline) / Double(copies), 1), 16) + "  "
                + pad(f(ratio, 2), 9) + "  " + pad(String(bytesPerCopy), 6) + "  " + pad(String(processBytesPerCopy), 14)
        }

        var json: JSONValue {
            .object([
                ("copies", .int(copies)),
                ("fanOutNanosMedian", .int(Int(Row.ns(median)))),
                ("fanOutNanosMin", .int(Int(Row.ns(min)))),
                ("fanOutNanosMax", .int(Int(Row.ns(max)))),
                ("nsPerCopy", .string(String(nsPerCopy))),
                ("baselineNanos", .int(Int(Row.ns(baseline)))),
                ("ratioToBaseline", .string(String(ratio))),
                ("bytesPerCopy", .int(bytesPerCopy)),
                ("copyBookBytes", .int(bookBytes)),
                ("workspaceBytes", .int(workspaceBytes)),
                ("batchBytes", .int(batchBytes)),
                ("processBytesPerCopy", .int(processBytesPerCopy)),
                ("meetsTargets", .bool(meetsTargets)),
            ])
        }
    }
}

private func pow10(_ n: Int) -> Double {
    var p = 1.0
    for _ in 0..<n { p *= 10 }
    return p
}

extension StoreBenchmark.PostgresInsert: ExpressibleByArgument {}

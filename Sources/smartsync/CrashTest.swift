import ArgumentParser
import Foundation
import SmartSyncBench
import SmartSyncCore
import SmartSyncScenario
import SmartSyncServer
import SmartSyncStore
import SmartSyncViews

#if canImport(Glibc)
    import Glibc
#endif

/// The commands both the worker and the in-memory reference apply: a market, a lead, `copies` followers, then a
/// deterministic stream of lead orders and price moves, each with a request id.
enum CrashStream {
    static func setup(copies: Int) throws -> [(EngineCommand, Moment, String?)] {
        let start = Moment(event: 0, time: 0)
        var commands: [(EngineCommand, Moment, String?)] = [
            (
                .listSymbol(
                    try Symbol(
                        name: "BTC-USDT", qtyStep: Fixed("0.00001"), priceTick: Fixed("0.01"), minQty: Fixed("0.00001"),
                        minNotional: Fixed(5)), price: Fixed(50_000), book: nil), start, "setup"
            ),
            (
                .listSymbol(
                    try Symbol(
                        name: "ETH-USDT", qtyStep: Fixed("0.0001"), priceTick: Fixed("0.01"), minQty: Fixed("0.0001"), minNotional: Fixed(5)
                    ), price: Fixed(3_000), book: nil), start, nil
            ),
            (.addUser("lead"), start, nil),
            (.deposit(user: "lead", amount: Fixed(1_000_000)), start, nil),
            (
                .startLeading(
                    user: "lead", portfolio: Fixed(1_000_000), profitShareRate: nil, slippageLimit: nil, followerLimit: copies + 1), start,
                nil
            ),
        ]
        for i in 0..<copies {
            let investment = Fixed(100 + (i * 7919) % 20_000)
            commands.append((.addUser("f\(i)"), start, nil))
            commands.append((.deposit(user: "f\(i)", amount: investment), start, nil))
            let stopLoss: Threshold? = i % 7 == 0 ? .ratio(Fixed.constant("0.05")) : nil
            commands.append(
                (
                    .startCopy(StartCopyRequest(copyID: "c\(i)", user: "f\(i)", lead: "lead", investment: investment, stopLoss: stopLoss)),
                    start, nil
                ))
        }
        return commands
    }

    /// Command `k` of the stream.
    static func command(_ k: Int) -> (EngineCommand, Moment, String) {
        let moment = Moment(event: k + 1, time: Int64(k + 1) * 60_000)
        let symbol = k % 2 == 0 ? "BTC-USDT" : "ETH-USDT"
        let command: EngineCommand
        switch k % 5 {
        case 0, 1: command = .orderFraction(user: "lead", account: .portfolio, symbol: symbol, side: .buy, fraction: Fixed.constant("0.1"))
        case 2: command = .orderFraction(user: "lead", account: .portfolio, symbol: symbol, side: .sell, fraction: Fixed.constant("0.3"))
        case 3: command = .price(symbol: symbol, price: Fixed(k % 2 == 0 ? 45_000 + (k * 1_237) % 10_000 : 2_700 + (k * 37) % 600))
        default: command = .orderFraction(user: "lead", account: .portfolio, symbol: symbol, side: .sell, fraction: .one)
        }
        return (command, moment, "stream-\(k)")
    }
}

extension Fixed {
    /// A known-good decimal constant.
    static func constant(_ text: String) -> Fixed {
        do { return try Fixed(text) } catch { preconditionFailure("bad constant \(text): \(error)") }
    }
}

struct CrashTestWorker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crashtest-worker", abstract: "The child process of `smartsync crashtest` (applies the stream).",
        shouldDisplay: false)

    @Option var db: String
    @Option var copies: Int
    @Option var commands: Int
    @Option var snapshotEvery = 0

    func run() throws {
        // Shaped like a server: history only in the database, snapshots without it.
        let store = try StoreDatabase.open(db, releaseHistory: true)
        if store.commandCount == 0 { try store.executeBatch(try CrashStream.setup(copies: copies)) }
        for k in 0..<commands {
            let (command, moment, id) = CrashStream.command(k)
            if try store.hasApplied(requestID: id) { continue }
            try store.execute(command, at: moment, requestID: id)
            // Snapshots written in the foreground, so that kills land in the middle of writing them too.
            if snapshotEvery > 0 && k % snapshotEvery == snapshotEvery - 1 { try store.saveSnapshot() }
        }
    }
}

struct CrashTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crashtest",
        abstract: "SIGKILL the engine at random moments and prove nothing is lost or applied twice.",
        discussion: """
            Runs `smartsync crashtest-worker` as a child process on a SQLite database (or, with --db, on a fresh schema of
            a PostgreSQL database per round): it sets up a lead with N copies
            (one transaction) and applies a stream of lead orders and price moves, each with a request id. The parent
            kills it with SIGKILL after a random delay, then reopens the database and checks: the ledger is exactly what
            the command log produces (every copy fill once, none missing), the audit is balanced, the request ids are
            unique. It restarts the worker, which resumes the stream and skips what was committed. When a worker
            finishes, the final state must equal, byte for byte, the same stream applied in memory without crashes.
            Exit 0 when every check passed, 1 otherwise.

            With --venue fix://… the worker trades at a FIX 4.4 venue instead (the server's adapter, `serve --venue`):
            --commands lead limit orders one after another, each copied as a merged order, while the parent kills it.
            After each kill the database is reopened and checked against the acceptor's message log (--acceptor-log,
            QuickFIX's log as `scripts/fix-venue` writes it): the audit balances, no client order id was sent twice, every
            execution SmartSync applied was reported by the venue, once; at the end of a round every execution the venue
            reported is applied and allocated. Prints `N kills, 0 failures`.

            Examples:
              smartsync crashtest --kills 50 --copies 2000 --commands 120
              smartsync crashtest --kills 20 --db postgres://postgres:secret@127.0.0.1:5432/postgres
              scripts/fix-venue start && smartsync crashtest --kills 50 --copies 200 --commands 30 \\
                --venue 'fix://127.0.0.1:5001?sender=SMARTSYNC3&target=VENUE'
            """
    )

    @Option(help: "How many SIGKILLs to deliver (at least).")
    var kills = 50

    @Option(help: "Copies of the lead.")
    var copies = 2_000

    @Option(help: "Commands in the stream after set-up.")
    var commands = 120

    @Option(help: "Seed of the kill delays.")
    var seed: UInt64 = 1

    @Option(help: "Longest delay before a kill, in milliseconds (default: the time of one uninterrupted run).")
    var maxDelay: Int?

    @Option(help: "A postgres:// URL: run each round on a fresh schema of that database (dropped afterwards) instead of a SQLite file.")
    var db: String?

    @Option(
        help:
            "The worker writes a snapshot every this many commands (0: none); reopening starts from the newest valid one, and it must equal the log's replay at its position."
    )
    var snapshotEvery = 0

    @Option(help: "Trade at this FIX 4.4 venue (fix://HOST:PORT?sender=…&target=…) while killing the worker.")
    var venue: String?

    @Option(help: "With --venue: the acceptor's message log, to check SmartSync against (QuickFIX's, as scripts/fix-venue writes it).")
    var acceptorLog = "/tmp/smartsync-fix-venue/executor.log"

    /// Where round `name` keeps its state: a SQLite file in `folder`, or a fresh schema on the PostgreSQL server.
    func location(_ name: String, in folder: URL) -> String {
        guard let db else { return folder.appendingPathComponent("\(name).sqlite").path }
        return db + (db.contains("?") ? "&" : "?") + "schema=crashtest_\(getpid())_\(name)"
    }

    func run() throws {
        if let venue {
            do { _ = try FIXVenueAddress(venue) } catch {
                Terminal.error("error: --venue \(error.rule)")
                throw ExitCode(2)
            }
            guard FileManager.default.fileExists(atPath: acceptorLog) else {
                Terminal.error("error: no acceptor log at \(acceptorLog) (start the venue with scripts/fix-venue, or give --acceptor-log)")
                throw ExitCode(2)
            }
            return try runAtVenue(venue, acceptorLog: acceptorLog)
        }
        var rng = SplitMix(seed: seed)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smartsync-crashtest-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // PostgreSQL rounds keep their snapshots in this run's folder (removed with it); the workers inherit it.
        setenv(StoreDatabase.snapshotDirectoryVariable, folder.appendingPathComponent("snapshots").path, 1)
        var schemas: [String] = []
        if let db {
            guard PostgresURL.isPostgres(db) else {
                Terminal.error("error: --db takes a postgres:// URL (without it, the test runs on SQLite files)")
                throw ExitCode(2)
            }
        }
        defer {
            if let db, let server = try? PostgresURL(db) {
                for schema in schemas { try? PostgresAdmin.dropSchema(schema, on: server) }
            }
        }

        Terminal.error("building the in-memory reference (\(copies) copies, \(commands) commands)…")
        var reference = MemoryHost(engine: Engine())
        for (c, m, _) in try CrashStream.setup(copies: copies) { try reference.execute(c, at: m) }
        for k in 0..<commands {
            let (c, m, _) = CrashStream.command(k)
            try reference.execute(c, at: m)
        }
        let expected = ScenarioReport.json(reference.engine).serialized()

        // Kill delays spread over the time one uninterrupted worker takes, so kills land in set-up, in the middle of
        // fan-outs and commits, and in recovery.
        let calibration = location("calibration", in: folder)
        schemas.append("crashtest_\(getpid())_calibration")
        let started = ContinuousClock.now
        let probe = try spawnWorker(db: calibration)
        probe.waitUntilExit()
        let fullRun = started.duration(to: .now)
        let longest = longestDelay(after: fullRun)
        Terminal.error("one uninterrupted worker run takes \(fullRun); kill delays up to \(longest) ms")

        var delivered = 0
        var rounds = 0
        var checks = 0
        var failures: [String] = []
        while delivered < kills && failures.isEmpty {
            rounds += 1
            let db = location("round\(rounds)", in: folder)
            schemas.append("crashtest_\(getpid())_round\(rounds)")
            var finished = false
            while !finished && failures.isEmpty {
                let worker = try spawnWorker(db: db)
                let delay = Int(rng.next() % UInt64(longest)) + 5
                finished = wait(worker, upTo: delay)
                if !finished {
                    kill(worker.processIdentifier, SIGKILL)
                    worker.waitUntilExit()
                    delivered += 1
                } else if worker.terminationStatus != 0 {
                    failures.append("round \(rounds): the worker exited with status \(worker.terminationStatus)")
                    break
                }
                // Reopen after every kill (and at the end) and check everything.
                do {
                    // Opened as a restarting server opens it (newest snapshot, history in the database), and replayed
                    // whole with its history (what audit proves): the two engines must be the same state.
                    let server = try StoreDatabase.open(db, releaseHistory: true)
                    let store = try StoreDatabase.openExisting(db)
                    var problems = try store.verify()
                    var replayed = store.engine
                    replayed.releaseHistory()
                    if store.commandCount != server.commandCount || replayed.snapshotBytes() != server.engine.snapshotBytes() {
                        problems.append("the state opened as a server opens it differs from the whole log's replay")
                    }
                    if snapshotEvery > 0 {
                        for check in try SnapshotFiles.check(database: db) {
                            switch check {
                            case .different(let entry): problems.append("snapshot \(entry.path) differs from the log's replay")
                            case .skipped(let problem): problems.append("\(problem)")
                            case .equal: break
                            }
                        }
                    }
                    checks += 1
                    if !problems.isEmpty {
                        failures.append("round \(rounds) after kill \(delivered): " + problems.prefix(3).joined(separator: "; "))
                    }
                    if finished {
                        let actual = ScenarioReport.json(store.engine).serialized()
                        if actual != expected {
                            failures.append("round \(rounds): the final state differs from the crash-free reference")
                        }
                    }
                    Terminal.error(
                        "round \(rounds): \(finished ? "finished" : "killed after \(delay) ms") — \(store.commandCount) commands committed\(server.openedFromSnapshot.map { " (opened from the snapshot at \($0))" } ?? ""), ledger consistent: \(problems.isEmpty), kills so far \(delivered)"
                    )
                } catch {
                    failures.append("round \(rounds): reopening after a kill failed: \(error)")
                }
            }
        }
        print("crashtest: \(delivered) SIGKILLs over \(rounds) rounds, \(checks) reopen checks, \(failures.count) failures")
        for f in failures { print("  " + f) }
        if !failures.isEmpty { throw ExitCode(1) }
    }

    func spawnWorker(db: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = [
            "crashtest-worker", "--db", db, "--copies", String(copies), "--commands", String(commands), "--snapshot-every",
            String(snapshotEvery),
        ]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// The longest kill delay in milliseconds: --max-delay, else the time of one uninterrupted run (at least 50 ms), so
    /// that kills land in set-up, in the middle of the work and in recovery.
    func longestDelay(after fullRun: Duration) -> Int {
        maxDelay ?? max(50, Int(fullRun.components.seconds * 1000 + fullRun.components.attoseconds / 1_000_000_000_000_000))
    }

    /// Waits for the process up to `ms`; true when it exited by then.
    func wait(_ p: Process, upTo ms: Int) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(ms)
        while ContinuousClock.now < deadline {
            if !p.isRunning { return true }
            usleep(2_000)
        }
        return !p.isRunning
    }
}

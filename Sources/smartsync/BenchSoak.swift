import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SmartSyncBench
import SmartSyncCore
import SmartSyncScenario
import SmartSyncServer
import SmartSyncStore
import SmartSyncViews
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension Bench {
    /// A server-shaped run: the HTTP server on a database with N copies, a lead placing K orders back to back over
    /// HTTP, readers reading over HTTP all along, memory and restart measured as the history grows.
    struct Soak: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "soak",
            abstract: "Run the server with N copies through K lead fills; print memory, restart time, read and order latencies.",
            discussion: """
                Starts the HTTP server in this process on 127.0.0.1 (a free port) on a new database holding the
                load-test market of `serve --fixture-copies N` (one lead, N Smart Sync copies of 100 to 100,000 USDT).
                The lead then places K market orders over HTTP, one after the other (buys and partial sells of BTC and
                ETH), each fanned out to every copy. Meanwhile --readers threads read over HTTP without pause
                (GET /v1/me, /v1/leads, a copy's summary, each with an API key); the reads that start while an order
                is in flight are the ones counted.

                Printed: resident memory every K/10 fills; the restart time at K/10 and at K fills (a child process
                opens the database as a restarting server would): after a crash (the newest periodic snapshot and the
                commands after it) and after a graceful stop (the snapshot written at shutdown); the p50/p99 of the reads
                made while fan-outs commit; an order's full answer time beside its bare durable fan-out (applying the
                fill and committing it: the `Server-Timing: commit` the answer carries).

                Targets (issue 13, N = 100,000, K = 1,000 on SQLite): reads p99 ≤ 10 ms; an order's answer ≤ 1.5×
                its bare durable fan-out; memory after K fills ≤ 1.1× after K/10 and ≤ 1 KB per copy; restart ≤ 2 s
                after K fills and ≤ 1.5× the restart after K/10.

                Examples:
                  swift run -c release smartsync bench soak --copies 100000 --fills 1000
                  swift run -c release smartsync bench soak --copies 10000 --fills 100 --db postgres://postgres:secret@127.0.0.1/postgres
                """
        )

        @Option(help: "Copies of the lead.")
        var copies = 100_000

        @Option(help: "Lead fills (orders) to run.")
        var fills = 1_000

        @Option(
            help: ArgumentHelp(
                "A new SQLite file (default: a temporary file, removed after), or a postgres:// URL (a fresh database smartsync_soak_PID is created on that server and dropped after)."
            ))
        var db: String?

        @Option(help: "Threads reading over HTTP while the lead trades.")
        var readers = 1

        @Option(
            help: "The server writes a snapshot every this many commands (SQLite; default fills/10; 0: none), as `serve --snapshot-every`.")
        var snapshotEvery: Int?

        @Option(
            help:
                "Mark price updates after each lead fill (alternately BTC and ETH, a few ticks apart): each adds a point to the lead's equity curve, as a live price feed does."
        )
        var pricesPerFill = 0

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        @Flag(help: "Keep the database (print where it is) instead of removing it.")
        var keep = false

        func validate() throws {
            guard copies >= 1 && copies <= 2_000_000 else { throw ValidationError("--copies must be 1 to 2,000,000") }
            guard pricesPerFill >= 0 && pricesPerFill <= 1_000 else { throw ValidationError("--prices-per-fill must be 0 to 1,000") }
            guard fills >= 10 else { throw ValidationError("--fills must be at least 10 (memory is printed every fills/10)") }
            guard readers >= 1 && readers <= 16 else { throw ValidationError("--readers must be 1 to 16") }
        }

        func run() async throws {
            // The database.
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smartsync-soak-\(getpid())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            // PostgreSQL's snapshots go to this run's folder (removed with it); the restart's child inherits it.
            setenv(StoreDatabase.snapshotDirectoryVariable, folder.appendingPathComponent("snapshots").path, 1)
            var server: PostgresURL?
            let scratch = "smartsync_soak_\(getpid())"
            let location: String
            if let db, PostgresURL.isPostgres(db) {
                let url = try PostgresURL(db)
                server = url
                _ = try PostgresAdmin.createDatabase(scratch, on: url)
                // The URL given, credentials and options kept, naming the scratch database.
                guard var components = URLComponents(string: db) else {
                    throw ValidationError("--db \(PostgresURL.redact(db)) is not a URL")
                }
                components.path = "/" + scratch
                location = components.string ?? db
            } else {
                location = db ?? folder.appendingPathComponent("soak.sqlite").path
                guard !FileManager.default.fileExists(atPath: location) else {
                    throw ValidationError("--db \(location) must be a new file")
                }
            }
            defer {
                if !keep {
                    try? FileManager.default.removeItem(at: folder)
                    if let server { try? PostgresAdmin.dropDatabase(scratch, on: server) }
                } else {
                    Terminal.error("database kept: \(StoreDatabase.describe(location))")
                }
            }

            // The server, as `serve --fixture-copies N` runs it.
            var logger = Logger(label: "soak")
            logger.logLevel = .error
            let service = try await EngineService.open(
                databasePath: location, logger: logger, now: { Int64(Date().timeIntervalSince1970 * 1000) })
            let state = SoakState()
            let beforeMarket = Terminal.residentBytes()
            let anonymousBeforeMarket = Terminal.anonymousResidentBytes()
            await service.setSnapshotPolicy(EngineService.SnapshotPolicy(commands: snapshotEvery ?? fills / 10, interval: nil))
            progress("loading \(copies) copies…")
            try await service.executeBatch(try FanOutFixture.commands(copies: copies).map(\.0))
            let leadKey = try await service.issueKey(user: FanOutFixture.lead, role: .user)
            var readerKeys: [String] = []
            for r in 0..<readers { readerKeys.append(try await service.issueKey(user: "f\(r)", role: .user)) }
            let port = try HTTPClient.freePort()
            var configuration = ServerConfiguration()
            configuration.host = "127.0.0.1"
            configuration.port = port
            let app = buildApplication(service: service, configuration: configuration, logger: logger)
            // Stopped gracefully at the end (cancelling the server's task made HummingbirdCore log two errors).
            let httpServer = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
            let serverTask = Task { try await httpServer.run() }
            do {
                try await measure(
                    location: location, service: service, port: port, leadKey: leadKey, readerKeys: readerKeys, state: state,
                    before: (beforeMarket, anonymousBeforeMarket))
            } catch {
                await httpServer.triggerGracefulShutdown()
                _ = await serverTask.result
                throw error
            }
            await httpServer.triggerGracefulShutdown()
            _ = await serverTask.result
        }

        /// Trades and reads against the running server, then prints the report.
        private func measure(
            location: String, service: EngineService, port: Int, leadKey: String, readerKeys: [String], state: SoakState, before: (Int, Int)
        ) async throws {
            try await HTTPClient.waitUntilUp(port: port)

            // Readers and the lead, on threads of their own (blocking sockets stay off Swift's cooperative pool).
            var readerThreads: [Thread] = []
            for (r, key) in readerKeys.enumerated() {
                let thread = Thread { Self.read(port: port, key: key, copy: "c\(r)", state: state) }
                thread.start()
                readerThreads.append(thread)
            }
            let total = fills
            let database = location
            let checkpoints = Set((1...10).map { $0 * total / 10 })
            let restartAt: Set<Int> = [total / 10, total]
            let snapshotNow: @Sendable () throws -> Void = {
                let done = DispatchSemaphore(value: 0)
                let failure = Mutex<String?>(nil)
                Task {
                    do { _ = try await service.saveSnapshot() } catch { failure.withLock { $0 = "\(error)" } }
                    done.signal()
                }
                done.wait()
                if let failure = failure.withLock({ $0 }) { throw ValidationError("writing a snapshot failed: \(failure)") }
            }
            let perFill = pricesPerFill
            // The price feed: `perFill` updates after lead fill k, through the service (as an operator's feed would).
            let setPrices: @Sendable (Int) throws -> Void = { k in
                guard perFill > 0 else { return }
                let done = DispatchSemaphore(value: 0)
                let failure = Mutex<String?>(nil)
                Task {
                    do {
                        for j in 0..<perFill {
                            let n = k * perFill + j
                            let (symbol, base) = n % 2 == 0 ? ("BTC-USDT", Int64(60_000)) : ("ETH-USDT", Int64(3_000))
                            // Within ±0.5% of the listing price, on the 0.01 tick.
                            let price = Fixed(units: base * Fixed.unitsPerOne + Int64(n % 101 - 50) * base * 10_000)
                            _ = try await service.submit(.price(symbol: symbol, price: price))
                        }
                    } catch { failure.withLock { $0 = "\(error)" } }
                    done.signal()
                }
                done.wait()
                if let failure = failure.withLock({ $0 }) { throw ValidationError("a price update failed: \(failure)") }
            }
            let result: SoakResult = try await withCheckedThrowingContinuation { continuation in
                let lead = Thread {
                    do {
                        continuation.resume(
                            returning: try Self.trade(
                                port: port, key: leadKey, fills: total, checkpoints: checkpoints, restartAt: restartAt,
                                database: database, state: state, snapshotNow: snapshotNow, setPrices: setPrices,
                                progress: { k in if Terminal.stderrIsTerminal { Terminal.progress("lead fill \(k) of \(total)") } }))
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                lead.stackSize = 1 << 20
                lead.start()
            }
            state.stop.withLock { $0 = true }
            while readerThreads.contains(where: { !$0.isFinished }) { try await Task.sleep(for: .milliseconds(5)) }
            if Terminal.stderrIsTerminal { Terminal.endProgress() }
            let reads = state.reads.withLock { $0 }
            report(result, reads: reads, beforeMarket: before, database: StoreDatabase.describe(location))
        }

        private func progress(_ text: String) { if Terminal.stderrIsTerminal { Terminal.progress(text) } }

        /// Reads over HTTP until stopped; a read that starts while an order is in flight is recorded.
        static func read(port: Int, key: String, copy: String, state: SoakState) {
            guard let client = try? HTTPClient(port: port) else { return }
            let paths = ["/v1/me", "/v1/leads", "/v1/copies/\(copy)?view=summary"]
            var k = 0
            let clock = ContinuousClock()
            while !state.stop.withLock({ $0 }) {
                let during = state.ordersInFlight.withLock { $0 } > 0
                let start = clock.now
                guard let answer = try? client.request("GET", paths[k % paths.count], key: key), answer.status == 200 else {
                    state.readErrors.withLock { $0 += 1 }
                    return
                }
                let took = start.duration(to: clock.now)
                if during { state.reads.withLock { $0.record(took) } }
                k += 1
            }
        }

        /// Places the lead's orders over HTTP, one after the other, measuring memory and restarts on the way.
        static func trade(
            port: Int, key: String, fills: Int, checkpoints: Set<Int>, restartAt: Set<Int>, database: String, state: SoakState,
            snapshotNow: () throws -> Void, setPrices: (Int) throws -> Void = { _ in }, progress: (Int) -> Void
        ) throws -> SoakResult {
            let client = try HTTPClient(port: port)
            let bodies = [
                #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "20000"}"#,
                #"{"symbol": "ETH-USDT", "side": "buy", "quoteAmount": "20000"}"#,
                #"{"symbol": "BTC-USDT", "side": "sell", "fraction": "0.5"}"#,
                #"{"symbol": "ETH-USDT", "side": "sell", "fraction": "0.3"}"#,
            ]
            var result = SoakResult()
            let clock = ContinuousClock()
            for k in 1...fills {
                state.ordersInFlight.withLock { $0 += 1 }
                let start = clock.now
                let answer = try client.request("POST", "/v1/orders", key: key, body: bodies[(k - 1) % bodies.count])
                let took = start.duration(to: clock.now)
                state.ordersInFlight.withLock { $0 -= 1 }
                guard answer.status == 201 else {
                    throw ValidationError(
                        "order \(k) was answered \(answer.status): \(String(decoding: answer.body, as: UTF8.self).prefix(300))")
                }
                result.orders.append(took)
                try setPrices(k)
                // `commit;dur=<ms>`: without it the ratio the target bounds cannot be computed.
                guard let timing = answer.headers["server-timing"], timing.hasPrefix("commit;dur="),
                    let ms = timing.split(separator: "=").last.flatMap({ Double($0) })
                else {
                    throw ValidationError(
                        "order \(k) was answered without Server-Timing: commit;dur=<ms> (got \(answer.headers["server-timing"] ?? "none"))")
                }
                result.commits.append(.nanoseconds(Int64(ms * 1e6)))
                if checkpoints.contains(k) {
                    result.memory.append((k, Terminal.residentBytes(), Terminal.anonymousResidentBytes()))
                    if restartAt.contains(k) {
                        // After a crash: the newest periodic snapshot and the commands after it. After a graceful
                        // stop: the snapshot written at shutdown (what `serve` does on SIGTERM), nothing to replay.
                        let crash = try restart(database)
                        try snapshotNow()
                        let graceful = try restart(database)
                        result.restarts.append((k, graceful.seconds, crash.seconds, crash.replayed))
                    }
                }
                progress(k)
            }
            return result
        }

        /// Opens the database in a child process as a restarting server would: its time to open, in seconds, and the
        /// commands it replayed after the snapshot it started from.
        static func restart(_ database: String) throws -> (seconds: Double, replayed: Int) {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            child.arguments = ["bench", "open", "--db", database]
            let out = Pipe()
            child.standardOutput = out
            try child.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            child.waitUntilExit()
            let words = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace)
            guard child.terminationStatus == 0, words.count == 2, let seconds = Double(words[0]), let replayed = Int(words[1])
            else { throw ValidationError("reopening \(database) failed (exit \(child.terminationStatus))") }
            return (seconds, replayed)
        }

    }

    /// Opens a database as a restarting server does and prints the seconds it took (for `bench soak`).
    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "open", abstract: "Open a database as a restarting server does; print the seconds it took.",
            shouldDisplay: false)

        @Option var db: String

        func run() throws {
            let clock = ContinuousClock()
            var store: Store?
            let took = try clock.measure {
                store = try StoreDatabase.openExisting(db, fromSnapshot: true, warn: { Terminal.error("warning: \($0)") })
            }
            guard let store, !store.isBroken else { throw ExitCode(1) }
            let replayed = store.commandCount - (store.openedFromSnapshot ?? 0)
            print(Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18, replayed)
        }
    }
}

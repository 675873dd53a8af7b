import ArgumentParser
import Foundation
import Logging
import SmartSyncBench
import SmartSyncCore
import SmartSyncServer
import SmartSyncStore

#if canImport(Glibc)
    import Glibc
#endif

/// The child process of `smartsync crashtest --venue`: the server's engine and FIX adapter on a SQLite file, a lead
/// with copies, and a stream of lead limit orders sent one after another to the venue (each with a request id, so a
/// restarted worker resumes the stream). It exits once every order is final and the copies are settled.
struct CrashTestVenueWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crashtest-venue-worker", abstract: "The child process of `smartsync crashtest --venue`.",
        shouldDisplay: false)

    @Option var db: String
    @Option var venue: String
    @Option var copies: Int
    @Option var orders: Int

    /// Order `k` of the stream with its request ids: the same on every restart (two buys of 0.05 BTC at 50,000, then
    /// a sell of 0.05 at 50,000; the executor fills a limit order whole at its price). Every fourth is a block order
    /// (a market buy for 2,500 USDT or a market sell of 0.05 with the copies', one immediate-or-cancel order at the
    /// slippage limit), between switching the lead to block and back.
    static func commands(_ k: Int) -> [(EngineCommand, String)] {
        let side: Side = k % 3 == 2 ? .sell : .buy
        guard k % 4 == 3 else {
            return [
                (
                    .order(
                        OrderRequest(
                            user: "lead", symbol: "BTC-USDT", side: side, quantity: Fixed.constant("0.05"), limitPrice: Fixed(50_000))),
                    "venue-\(k)"
                )
            ]
        }
        let block =
            side == .buy
            ? OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(2_500))
            : OrderRequest(user: "lead", symbol: "BTC-USDT", side: .sell, quantity: Fixed.constant("0.05"))
        return [
            (.executionMode(lead: "lead", .block), "venue-\(k)-block"), (.order(block), "venue-\(k)"),
            (.executionMode(lead: "lead", .follow), "venue-\(k)-follow"),
        ]
    }

    func run() async throws {
        var logger = Logger(label: "crashtest-venue")
        logger.logLevel = .error
        let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        let service = try await EngineService.open(databasePath: db, logger: logger, now: clock)
        if service.read({ $0.venue.symbols.isEmpty }) {
            try await service.executeBatch(try CrashStream.setup(copies: copies).map(\.0))
        }
        let adapter = FIXVenueService(service: service, address: try FIXVenueAddress(venue), clock: clock, logger: logger)
        let running = Task { try await adapter.run() }
        func settled() -> Bool { service.read { $0.venueMode == .external && $0.venueBook.open.isEmpty && !$0.venueBook.isBusy(lead: 0) } }
        for k in 0..<orders {
            for (command, id) in Self.commands(k) {
                while !settled() { try await Task.sleep(for: .milliseconds(1)) }
                _ = try await service.execute(command, requestID: id)
            }
        }
        while !settled() { try await Task.sleep(for: .milliseconds(1)) }
        running.cancel()
        _ = try? await running.value
    }
}

/// What QuickFIX's acceptor logged for one session from a point on: the orders it received and the executions it
/// reported.
struct AcceptorLog {
    /// ClOrdIDs of NewOrderSingle messages received, resends (PossDupFlag) left out.
    var newOrders: [String] = []
    /// Executions reported, resends left out: (ClOrdID, ExecID, LastQty).
    var executions: [(order: String, id: String, quantity: Fixed)] = []

    /// Reads `path` from byte `offset` for the session `FIX.4.4:VENUE->TARGET` (its header lines name it so).
    init(path: String, from offset: UInt64, target: String) throws {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        var direction: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("<") {
                direction = line.hasSuffix("->\(target), incoming>") ? "in" : line.hasSuffix("->\(target), outgoing>") ? "out" : nil
                continue
            }
            guard let direction, let open = line.firstIndex(of: "("), line.hasSuffix(")") else { continue }
            var tags: [Int: String] = [:]
            for field in line[line.index(after: open)..<line.index(before: line.endIndex)].split(separator: "\u{1}") {
                guard let eq = field.firstIndex(of: "="), let tag = Int(field[..<eq]) else { continue }
                tags[tag] = String(field[field.index(after: eq)...])
            }
            guard tags[43] != "Y", let id = tags[11] else { continue }
            if direction == "in" && tags[35] == "D" { newOrders.append(id) }
            if direction == "out" && tags[35] == "8", ["F", "1", "2"].contains(tags[150] ?? ""), let exec = tags[17],
                let quantity = tags[32].flatMap({ try? Fixed($0) })
            {
                executions.append((id, exec, quantity))
            }
        }
    }
}

extension CrashTest {
    /// `crashtest --venue`: rounds of a worker trading at the venue, killed at random moments; after each kill the
    /// database is reopened and checked against the acceptor's own message log.
    func runAtVenue(_ venue: String, acceptorLog: String) throws {
        let address = try FIXVenueAddress(venue)
        var rng = SplitMix(seed: seed)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smartsync-crashtest-venue-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var keep = false
        defer { if !keep { try? FileManager.default.removeItem(at: folder) } }
        func logSize() -> UInt64 { ((try? FileManager.default.attributesOfItem(atPath: acceptorLog)[.size]) as? UInt64) ?? 0 }

        let calibration = folder.appendingPathComponent("calibration.sqlite").path
        let started = ContinuousClock.now
        let probe = try spawnVenueWorker(db: calibration, venue: venue)
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else {
            print("crashtest: the worker could not trade at \(address) (exit \(probe.terminationStatus)); is the venue up?")
            throw ExitCode(1)
        }
        let fullRun = started.duration(to: .now)
        let longest = longestDelay(after: fullRun)
        Terminal.error("one uninterrupted worker run at \(address) takes \(fullRun); kill delays up to \(longest) ms")

        var delivered = 0
        var rounds = 0
        var checks = 0
        var failures: [String] = []
        while delivered < kills && failures.isEmpty {
            rounds += 1
            let db = folder.appendingPathComponent("round\(rounds).sqlite").path
            let offset = logSize()
            var finished = false
            var killsThisRound = 0
            while !finished && failures.isEmpty {
                let worker = try spawnVenueWorker(db: db, venue: venue)
                // Every fifth restart runs unkilled: a worker that cannot finish after restarts (a session that never
                // resumes, an order stuck open) is a failure, not an endless round.
                let unkilled = killsThisRound > 0 && killsThisRound % 5 == 0
                let delay = unkilled ? max(20_000, 10 * longest) : Int(rng.next() % UInt64(longest)) + 5
                finished = wait(worker, upTo: delay)
                if !finished && unkilled {
                    kill(worker.processIdentifier, SIGKILL)
                    worker.waitUntilExit()
                    failures.append("round \(rounds): the worker did not finish within \(delay) ms after \(killsThisRound) restarts")
                    break
                }
                if !finished { killsThisRound += 1 }
                if !finished {
                    kill(worker.processIdentifier, SIGKILL)
                    worker.waitUntilExit()
                    delivered += 1
                } else if worker.terminationStatus != 0 {
                    failures.append("round \(rounds): the worker exited with status \(worker.terminationStatus)")
                    break
                }
                usleep(50_000)  // the acceptor's log catches up with what it sent
                do {
                    let problems = try checkVenueRound(
                        db: db, log: AcceptorLog(path: acceptorLog, from: offset, target: address.sender), complete: finished)
                    checks += 1
                    if !problems.isEmpty {
                        failures.append("round \(rounds) after kill \(delivered): " + problems.prefix(3).joined(separator: "; "))
                    }
                    Terminal.error(
                        "round \(rounds): \(finished ? "finished" : "killed after \(delay) ms") — consistent: \(problems.isEmpty), kills so far \(delivered)"
                    )
                } catch {
                    failures.append("round \(rounds): reopening after a kill failed: \(error)")
                }
            }
        }
        print("crashtest: \(delivered) kills, \(failures.count) failures (\(rounds) rounds at \(address), \(checks) reopen checks)")
        for f in failures { print("  " + f) }
        if !failures.isEmpty {
            keep = true
            print("  the rounds' databases are kept in \(folder.path)")
            throw ExitCode(1)
        }
    }

    /// The database after a kill against what the acceptor logged: the books balance and match the log's replay; no
    /// client order id went out twice; every execution SmartSync applied is one the acceptor reported, once; and at
    /// the end of a round, every execution the acceptor reported is applied and allocated.
    func checkVenueRound(db: String, log: AcceptorLog, complete: Bool) throws -> [String] {
        // Opened as the worker opens it (a kill before the file had its tables leaves a database to create).
        let store = try StoreDatabase.open(db)
        var problems = try store.verify()
        let book = store.engine.venueBook
        var seen: Set<String> = []
        for id in log.newOrders where !seen.insert(id).inserted { problems.append("client order id \(id) was sent twice") }
        var reported: [String: Fixed] = [:]
        for e in log.executions { reported["\(e.order)/\(e.id)"] = e.quantity }
        var applied = 0
        for record in book.orders {
            for exec in record.order.executionIDs {
                applied += 1
                if reported["\(record.clientOrderID)/\(exec)"] == nil {
                    problems.append("execution \(exec) of \(record.clientOrderID) was applied but the venue never reported it")
                }
            }
            if Set(record.order.executionIDs).count != record.order.executionIDs.count {
                problems.append("an execution of \(record.clientOrderID) was applied twice")
            }
        }
        for refusal in book.refusals {
            problems.append("the venue report on \(refusal.clientOrderID) was refused: \(refusal.kind): \(refusal.detail)")
        }
        if complete {
            // The lead fills of block orders, from a replay that keeps history (the worker's snapshot released them).
            var blockFills: [String: Fixed]?
            func blockFill(_ id: String) throws -> Fixed {
                if blockFills == nil {
                    let replayed = try StoreDatabase.openExisting(db)
                    blockFills = Dictionary(
                        replayed.engine.leadFills.filter { $0.id.hasSuffix("/block") }.map { ($0.id, $0.quantity) }, uniquingKeysWith: +)
                }
                return blockFills?[id] ?? .zero
            }
            if applied != log.executions.count {
                problems.append("the venue reported \(log.executions.count) executions, SmartSync applied \(applied)")
            }
            for record in book.orders {
                if !record.order.status.isFinal { problems.append("\(record.clientOrderID) is still \(record.order.status.rawValue)") }
                if let copies = record.copies, copies.allocatedQuantity != record.order.filledQuantity {
                    problems.append(
                        "\(record.clientOrderID) executed \(record.order.filledQuantity), allocated \(copies.allocatedQuantity)")
                }
                // A block order's lots all went to the lead (its lead fill) or a copy.
                if record.block != nil, let copies = record.copies {
                    let step = store.engine.venue.symbols[record.symbol].qtyStep.units
                    let lead = try blockFill("\(record.clientOrderID)/block")
                    let given = lead + Fixed(units: copies.lotsGiven * step)
                    if given != record.order.filledQuantity {
                        problems.append("block order \(record.clientOrderID) executed \(record.order.filledQuantity), gave \(given)")
                    }
                }
            }
        }
        return problems
    }

    func spawnVenueWorker(db: String, venue: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = ["crashtest-venue-worker", "--db", db, "--venue", venue, "--copies", String(copies), "--orders", String(commands)]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return p
    }
}

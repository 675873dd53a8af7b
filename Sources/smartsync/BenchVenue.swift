import ArgumentParser
import Foundation
import Logging
import SmartSyncBench
import SmartSyncCore
import SmartSyncScenario
import SmartSyncServer
import SmartSyncStore
import SmartSyncViews

#if canImport(Glibc)
    import Glibc
#endif

extension Bench {
    /// A lead order's round trip to a FIX venue and back into the copies' books, beside the same on the simulated
    /// market.
    struct Venue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "venue",
            abstract: "Time lead order → execution report → copy fills committed, at a FIX venue and on the simulated market.",
            discussion: """
                For each copy count: a new SQLite database with the load-test market (one lead, N Smart Sync copies of
                100 to 100,000 USDT), the server's engine and, for the venue, its FIX adapter (`serve --venue`). The
                lead places --orders limit orders at the mark, one after another (buys and sells of BTC). Timed from
                the order's command to the copies' fills committed: on the simulated market that is the order's own
                command (it fills and fans out at once); at the venue it is the lead order logged, sent, its
                execution report applied (the lead fill), the copies' merged order logged, sent, and its execution
                report applied and allocated. QuickFIX's executor (scripts/fix-venue) fills each limit order whole
                at its price.

                Examples:
                  scripts/fix-venue start
                  swift run -c release smartsync bench venue --venue 'fix://127.0.0.1:5001?sender=SMARTSYNC&target=VENUE'
                """
        )

        @Option(help: "The FIX 4.4 venue (fix://HOST:PORT?sender=…&target=…).")
        var venue: String

        @Option(help: "Copy counts, comma-separated.")
        var copies = "1000,100000"

        @Option(help: "Lead orders timed per market.")
        var orders = 20

        func validate() throws {
            do { _ = try FIXVenueAddress(venue) } catch { throw ValidationError("--venue \(error.rule)") }
            guard orders >= 2 else { throw ValidationError("--orders must be at least 2") }
            guard counts.allSatisfy({ (1...1_000_000).contains($0) }), !counts.isEmpty else {
                throw ValidationError("--copies takes counts from 1 to 1,000,000, comma-separated")
            }
        }

        var counts: [Int] { copies.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

        /// Order `k`: a buy of 1 BTC at the mark, then a sell of 0.5 BTC, and so on.
        static func order(_ k: Int) -> OrderRequest {
            OrderRequest(
                user: FanOutFixture.lead, symbol: "BTC-USDT", side: k % 2 == 0 ? .buy : .sell,
                quantity: k % 2 == 0 ? .one : Fixed.constant("0.5"), limitPrice: Fixed(60_000))
        }

        func run() async throws {
            let address = try FIXVenueAddress(venue)
            print("copies    market      orders   p50 ms   p90 ms   max ms   copy fills per order")
            for n in counts {
                for atVenue in [false, true] {
                    let (times, fills) = try await measure(copies: n, address: atVenue ? address : nil)
                    let sorted = times.sorted()
                    func ms(_ d: Duration) -> String {
                        String(format: "%8.2f", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1e3)
                    }
                    print(
                        "\(String(n).padding(toLength: 9, withPad: " ", startingAt: 0)) \((atVenue ? "FIX venue" : "simulated").padding(toLength: 11, withPad: " ", startingAt: 0)) \(String(times.count).padding(toLength: 7, withPad: " ", startingAt: 0)) \(ms(sorted[sorted.count / 2])) \(ms(sorted[sorted.count * 9 / 10])) \(ms(sorted.last!))   \(fills / max(times.count, 1))"
                    )
                }
            }
        }

        func measure(copies n: Int, address: FIXVenueAddress?) async throws -> (times: [Duration], copyFills: Int) {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "smartsync-bench-venue-\(getpid())-\(n)-\(address == nil ? "sim" : "fix")")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
            let service = try await EngineService.open(
                databasePath: folder.appendingPathComponent("bench.sqlite").path, logger: logger, now: clock)
            Terminal.error("loading \(n) copies…")
            try await service.executeBatch(try FanOutFixture.commands(copies: n).map(\.0))
            var running: Task<Void, any Error>?
            if let address {
                let adapter = FIXVenueService(service: service, address: address, clock: clock, logger: logger)
                running = Task { try await adapter.run() }
            }
            defer { running?.cancel() }
            func settled() -> Bool { service.read { $0.venueBook.open.isEmpty && !$0.venueBook.isBusy(lead: 0) } }
            if address != nil {
                let deadline = ContinuousClock.now + .seconds(20)
                while service.read({ $0.venueMode }) != .external {
                    guard ContinuousClock.now < deadline else { throw ValidationError("the venue adapter did not start") }
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            func copyFills() -> Int { service.read { $0.leads[0].book.fillCount.reduce(0) { $0 + Int($1) } } }
            let fillsBefore = copyFills()
            var times: [Duration] = []
            let clockNow = ContinuousClock()
            for k in 0..<orders {
                let started = clockNow.now
                _ = try await service.execute(.order(Self.order(k)))
                let deadline = started + .seconds(60)
                while !settled() {
                    guard clockNow.now < deadline else { throw ValidationError("order \(k) was not settled within 60 s: is the venue up?") }
                    try await Task.sleep(for: .microseconds(100))
                }
                times.append(started.duration(to: clockNow.now))
            }
            let fills = copyFills() - fillsBefore
            running?.cancel()
            _ = try? await running?.value
            return (times, fills)
        }
    }
}

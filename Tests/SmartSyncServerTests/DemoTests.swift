import Foundation
import Logging
import SmartSyncCore
import SmartSyncScenario
import SmartSyncStore
import SmartSyncViews
import Testing

@testable import SmartSyncServer

/// The demo market: real prices only, leads that look like real ones, market time.
@Suite struct DemoTests {
    /// Every tick is the open, an extreme or the close of its day's real bar (none invented), four a day in
    /// order, and the leads decide on the close.
    @Test func demoPricesAreTheRealBars() throws {
        let feed = try DemoFeed.embedded()
        #expect(feed.days == 124 && feed.ticks.count == 124 * 4)
        #expect(ISO8601.format(feed.ticks.first!.time) == "2021-05-05T00:00:00Z")
        #expect(ISO8601.format(feed.ticks.last!.time) == "2021-09-05T18:00:00Z")
        for (k, tick) in feed.ticks.enumerated() {
            if k > 0 { #expect(tick.time > feed.ticks[k - 1].time) }
            for (symbol, price) in tick.prices {
                let bar = feed.bars[symbol]![tick.day]
                #expect([bar.open, bar.high, bar.low, bar.close].contains(price))
                if tick.phase == 0 { #expect(price == bar.open) }
                if tick.phase == 3 { #expect(price == bar.close) }
            }
        }
        // The files in the binary are the repository's Data/ files.
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data")
        #expect(try DemoFeed(bars: Demo.bars(dataDirectory: data.path)).ticks.map(\.time) == feed.ticks.map(\.time))
    }

    /// The whole demo, played as a server plays it: one lead ends up, one down, win rates are not all 0%, and no
    /// lead ever falls near −90% (the old demo's leads all lost, BCH halving on each loop). Every time it stamps is
    /// in 2021, and the books balance.
    @Test func theDemoLeadsLookLikeRealOnes() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smartsync-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let feed = try DemoFeed.embedded()
        let clock = DemoClock(tickInterval: .milliseconds(1))
        let service = try EngineService(
            databasePath: folder.appendingPathComponent("demo.sqlite").path, logger: Logger(label: "test"), now: { clock.now() })
        let (keys, fresh) = try await Demo.setUp(service, feed: feed, clock: clock)
        #expect(fresh && keys.count == 12 && keys.last?.0 == "newcomer")
        // Set-up played the first 30 days.
        #expect(service.read { $0.now } == feed.ticks[Demo.backfillDays * 4 - 1].time)
        var worst = [String: Fixed]()
        for tick in feed.ticks[(Demo.backfillDays * 4)...] {
            try await Demo.play(tick, service: service, feed: feed, clock: clock, live: false, logger: nil)
            if tick.phase == 3 {
                for (user, roi) in service.read({ e in e.leads.indices.map { (e.users[e.leads[$0].user].id, e.leadView($0).roi) } }) {
                    worst[user] = min(worst[user] ?? .zero, roi)
                }
            }
        }
        let leads = service.read { e in e.leads.indices.map { e.leadView($0) } }
        #expect(leads.map(\.user) == ["trend", "balanced", "swing"])
        #expect(leads.contains { $0.roi.isPositive } && leads.contains { $0.roi.isNegative })
        #expect(leads.filter { $0.winRate.isPositive }.count >= 2)
        #expect(leads.allSatisfy { $0.closedRoundTrips >= 2 })
        for (user, roi) in worst { #expect(roi > Fixed(units: -35_000_000), "\(user) fell to \(roi)") }
        // The server's engine keeps only live state: the books are audited from the database, whole.
        #expect(service.read { $0.historyInStore })
        let problems = try StoreDatabase.openExisting(folder.appendingPathComponent("demo.sqlite").path).verify()
        let times = service.read { e in e.moments.map(\.time) }
        #expect(problems.isEmpty)
        #expect(times.allSatisfy { ISO8601.format($0).hasPrefix("2021-") })
        #expect(service.read { Demo.isDemo($0) })
    }

    /// The clock stands at a tick and, live, moves on toward the next one without reaching it.
    @Test func theDemoClockKeepsMarketTime() async throws {
        let clock = DemoClock(tickInterval: .milliseconds(50))
        clock.set(1_000_000, live: false)
        #expect(clock.now() == 1_000_000)
        clock.set(1_000_000, live: true)
        try await Task.sleep(for: .milliseconds(120))
        #expect(clock.now() == 1_000_000 + DemoFeed.tickSpacing - 1)
        clock.set(500, live: false)  // never backwards
        #expect(clock.now() >= 1_000_000)
    }
}

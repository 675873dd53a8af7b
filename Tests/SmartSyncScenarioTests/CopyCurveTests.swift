import Foundation
import SmartSyncCore
import Testing

@testable import SmartSyncScenario

/// A copy's equity curve is rebuilt from the journal and the price history (nothing is stored per copy); these tests
/// hold it to the copy's equity as the engine knew it at each moment.
@Suite("Copy equity curves")
struct CopyCurveTests {
    typealias S = LifecycleScenarioSupport

    /// Runs an example event by event, noting every active copy's equity after each event; then every point of each
    /// copy's curve taken at an event with one lead curve point equals the equity noted then, and the last point of
    /// an active copy equals its equity now. Stops, adjustments, buy-existing, stop losses and profit share are in
    /// these examples, so every kind of ledger entry a copy has is replayed.
    @Test("Curve points equal the copy's equity at that moment", arguments: ["quickstart", "lifecycle", "replay-2021"])
    func curveMatchesHistory(name: String) throws {
        let examples = URL(fileURLWithPath: S.dataDirectory).deletingLastPathComponent().appendingPathComponent("Examples").path
        let data = try #require(FileManager.default.contents(atPath: examples + "/\(name).json"))
        var runner = try ScenarioRunner(try Scenario(json: data, directory: examples))
        // The replay has 200 followers: 25 of them keep the debug-build test quick and still cover every kind.
        var noted: [CopyRef: [Int: Fixed]] = [:]
        while runner.next < runner.scenario.events.count {
            try runner.step()
            let engine = runner.engine
            let event = runner.scenario.events[runner.next - 1].index
            for ref in engine.allCopies.prefix(25) where engine.leads[ref.lead].book[ref.slot].status == .active {
                noted[ref, default: [:]][event] = engine.copyEquity(ref)
            }
        }
        let engine = runner.engine
        var compared = 0
        for ref in engine.allCopies.prefix(25) {
            let curve = engine.copyEquityCurve(ref)
            let id = engine.leads[ref.lead].book[ref.slot].id
            try #require(!curve.isEmpty, "\(id) has no curve")
            let pointsPerEvent = Dictionary(grouping: engine.leads[ref.lead].curve, by: \.event).mapValues(\.count)
            for point in curve.dropFirst() where point.time != nil && pointsPerEvent[point.event] == 1 {
                guard let expected = noted[ref]?[point.event] else { continue }
                #expect(point.equity == expected, "\(id) at event \(point.event)")
                compared += 1
            }
            if engine.leads[ref.lead].book[ref.slot].status == .active {
                #expect(curve.last?.equity == engine.copyEquity(ref), "\(id): last point")
            }
        }
        #expect(compared > 0)
    }

    /// The buy-existing preview is what a copy started at that moment buys: same symbols, same quantities.
    @Test("The buy-existing preview matches the copy's first fills")
    func buyExistingPreview() throws {
        let data = S.json(
            events: """
                [ { "type": "startLeading", "user": "lead1", "portfolio": "10000" },
                  { "type": "order", "user": "lead1", "symbol": "BTC-USDT", "side": "buy", "quoteAmount": "3000" } ]
                """)
        var runner = try ScenarioRunner(try Scenario(json: data))
        try runner.runAll()
        let preview = try runner.engine.buyExistingPreview(lead: "lead1", investment: S.fx("1000"))
        try #require(preview.count == 1)
        #expect(preview[0].symbol == "BTC-USDT" && preview[0].skipped == nil)
        var engine = runner.engine
        try engine.startCopy(
            StartCopyRequest(copyID: "c1", user: "alice", lead: "lead1", investment: S.fx("1000"), buyExisting: true),
            at: Moment(event: 100, time: 0))
        let fills = engine.copyFills(try #require(engine.copy(named: "c1")))
        try #require(fills.count == 1)
        #expect(fills[0].quantity == preview[0].quantity)
        #expect(fills[0].symbol == preview[0].symbol)
        // Too small an investment: the preview says why nothing would be bought, in the planner's words.
        let tiny = try runner.engine.buyExistingPreview(lead: "lead1", investment: S.fx("10"))
        #expect(tiny.first?.skipped == .belowMinNotional)
        #expect(throws: EngineError.self) { try runner.engine.buyExistingPreview(lead: "alice", investment: S.fx("10")) }
    }
}

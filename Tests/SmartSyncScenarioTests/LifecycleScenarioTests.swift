import Foundation
import SmartSyncCore
import SmartSyncViews
import Testing

@testable import SmartSyncScenario

// Scenario-level lifecycle checks (DESIGN §7): price bars from CSV files, and lifecycle events read from JSON.

/// Paths and small helpers of these tests (inside one type so nothing clashes with the other scenario tests).
enum LifecycleScenarioSupport {
    /// /work/main/Data, found from this file's path (Tests/SmartSyncScenarioTests/<this file>).
    static var dataDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Data").path
    }

    static var btcCSVPath: String { dataDirectory + "/btc-usd-daily-2021.csv" }

    static func fx(_ text: String) -> Fixed {
        do { return try Fixed(text) } catch { preconditionFailure("bad test literal \(text)") }
    }

    static func time(_ iso: String) -> Int64 {
        guard let t = ISO8601.parse(iso) else { preconditionFailure("bad test time \(iso)") }
        return t
    }

    /// A scenario with BTC-USDT (DESIGN §7's filters) at `price`, users lead1 (10,000) and alice (5,000).
    static func json(price: String = "57480.96", events: String) -> Data {
        Data(
            """
            {
              "settings": { "takerFeeRate": "0.001", "minInvestment": "100", "slippageLimit": "0.005" },
              "symbols": [ { "symbol": "BTC-USDT", "price": "\(price)", "qtyStep": "0.00001", "priceTick": "0.01",
                             "minQty": "0.00001", "minNotional": "5" } ],
              "users": [ { "id": "lead1", "deposit": "10000" }, { "id": "alice", "deposit": "5000" } ],
              "events": \(events)
            }
            """.utf8)
    }

    /// A fresh temporary directory for files written by one test.
    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smartsync-lifecycle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    static func string(_ v: JSONValue?) -> String? {
        if case .string(let s)? = v { return s }
        return nil
    }

    static func array(_ v: JSONValue?) -> [JSONValue] {
        if case .array(let a)? = v { return a }
        return []
    }
}

@Suite("Lifecycle scenarios: price bars and lifecycle events (DESIGN §7)")
struct LifecycleScenarioTests {
    typealias S = LifecycleScenarioSupport

    /// The shipped file has CRLF line endings, a header and 124 daily bars from 2021-05-05 to 2021-09-05; the first
    /// bar is 53,213.52 / 57,954.68 / 52,895.15 / 57,480.96 (open/high/low/close).
    @Test("PriceBar.parseCSV reads the shipped CRLF file: 124 bars, first close 57,480.96")
    func shippedCSV() throws {
        let data = try #require(FileManager.default.contents(atPath: S.btcCSVPath), "cannot read \(S.btcCSVPath)")
        #expect(data.contains(13), "the file is expected to have CRLF line endings")
        let bars = try PriceBar.parseCSV(data)
        #expect(bars.count == 124)
        let first = try #require(bars.first)
        #expect(first.time == S.time("2021-05-05T00:00:00Z"))
        #expect(first.open == S.fx("53213.52") && first.high == S.fx("57954.68") && first.low == S.fx("52895.15"))
        #expect(first.close == S.fx("57480.96"))
        #expect(bars.last?.time == S.time("2021-09-05T00:00:00Z") && bars.last?.close == S.fx("51773.63"))
        #expect(zip(bars, bars.dropFirst()).allSatisfy { $0.time < $1.time })
        #expect(bars.allSatisfy { $0.low <= $0.close && $0.close <= $0.high })
        // The same text with LF line endings gives the same bars.
        let lf = Array(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n").utf8)
        #expect(!lf.contains(13))
        #expect(try PriceBar.parseCSV(lf) == bars)
    }

    /// Each malformed CSV names its 1-based line (the header is line 1).
    @Test(
        "A malformed CSV gives an error naming the line",
        arguments: [
            ("time,open,high,low,close,volume\r\n2021-05-05T00:00:00Z,1,2,0.5,1.5,10\r\n2021-05-06T00:00:00Z,1,2,abc,1.5,10\r\n", 3, "low"),
            ("time,open,high,low,close\nyesterday,1,2,0.5,1.5\n", 2, "ISO 8601"),
            ("time,open,high,low,close\n2021-05-06T00:00:00Z,1,2,0.5,1.5\n2021-05-05T00:00:00Z,1,2,0.5,1.5\n", 3, "time order"),
            ("time,open,high,low\n2021-05-05T00:00:00Z,1,2,0.5\n", 1, "close"),
            ("time,open,high,low,close\n2021-05-05T00:00:00Z,1,2,0.5,1.5\n2021-05-06T00:00:00Z,1,2\n", 3, "missing"),
            ("time,open,high,low,close\n2021-05-05T00:00:00Z,1,2,0.5,1.123456789\n", 2, "close"),
        ])
    func malformedCSV(text: String, line: Int, mentions: String) {
        do {
            let bars = try PriceBar.parseCSV(Array(text.utf8))
            Issue.record("parsed \(bars.count) bars from a malformed CSV")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.description.hasPrefix("line \(line):"), "\(error)")
            #expect(error.description.contains(mentions), "\(error)")
        }
    }

    /// The same error through a scenario: it names the event's `path` field and the CSV line.
    @Test("A scenario whose priceBars file is malformed names the event, the field and the line")
    func malformedCSVInScenario() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = "time,open,high,low,close,volume\r\n2021-05-05T00:00:00Z,1,2,0.5,1.5,10\r\n2021-05-06T00:00:00Z,1,2,0.5,oops,10\r\n"
        try Data(csv.utf8).write(to: URL(fileURLWithPath: dir + "/bad.csv"))
        let json = S.json(
            events: """
                [ { "type": "startLeading", "user": "lead1", "portfolio": "10000" },
                  { "type": "priceBars", "symbol": "BTC-USDT", "path": "bad.csv" } ]
                """)
        do {
            _ = try Scenario(json: json, directory: dir)
            Issue.record("a malformed CSV was accepted")
        } catch {
            #expect(error.path == "events[1].path", "\(error)")
            #expect(error.event == 1)
            #expect(error.message.contains("line 3"), "\(error)")
            #expect(error.message.contains("close"), "\(error)")
        }
        // A range with no bars in it, and a missing file, are errors of the same field.
        for (event, text) in [
            (
                #"{ "type": "priceBars", "symbol": "BTC-USDT", "path": "btc-usd-daily-2021.csv", "from": "2030-01-01T00:00:00Z" }"#,
                "no bars"
            ),
            (#"{ "type": "priceBars", "symbol": "BTC-USDT", "path": "missing.csv" }"#, "cannot read"),
        ] {
            do {
                _ = try Scenario(json: S.json(events: "[ \(event) ]"), directory: S.dataDirectory)
                Issue.record("accepted \(event)")
            } catch {
                #expect(error.path == "events[0].path", "\(error)")
                #expect(error.message.contains(text), "\(error)")
            }
        }
    }

    /// The copy (1,000, stop loss 100) follows the lead's buy of 0.08 BTC at the first close 57,480.96:
    /// N = 4,598.4768 of E_lead 10,000 → n = 459.84768 = 800 lots of 0.5748096, fee 0.45984768 → cash 539.69247232,
    /// equity 539.69247232 + 0.008 p. The stop fires at E ≤ 900 ⇔ p ≤ 45,038.44096.
    /// Bars 2021-05-05…05-12 (closes down to 49,613.66) leave it active and the mark at the last close, 49,613.66.
    /// Bars 05-13…05-20: 49,661.42, 49,868.15, 46,717.79, 46,421.22, then 43,546.65 on 05-17 fires it: the copy sells
    /// 0.008 BTC for 348.3732 − 0.3483732 → 887.71729912 back to alice (5,000 − 1,000 + that); the mark ends at
    /// 40,561.78 (05-20). The liquidation fill carries the bar's time.
    @Test("priceBars closes move the mark, bar by bar, and can trigger a stop loss")
    func priceBarsMoveTheMark() throws {
        let json = S.json(
            events: """
                [ { "type": "startLeading", "user": "lead1", "portfolio": "10000" },
                  { "type": "startCopy", "user": "alice", "lead": "lead1", "copy": "c1", "investment": "1000",
                    "stopLoss": { "amount": "100" } },
                  { "type": "order", "user": "lead1", "symbol": "BTC-USDT", "side": "buy", "quantity": "0.08" },
                  { "type": "priceBars", "symbol": "BTC-USDT", "path": "btc-usd-daily-2021.csv",
                    "from": "2021-05-05T00:00:00Z", "to": "2021-05-12T00:00:00Z" },
                  { "type": "priceBars", "symbol": "BTC-USDT", "path": "btc-usd-daily-2021.csv",
                    "from": "2021-05-13T00:00:00Z", "to": "2021-05-20T00:00:00Z" } ]
                """)
        let scenario = try Scenario(json: json, directory: S.dataDirectory)
        #expect(scenario.events[3].time == S.time("2021-05-12T00:00:00Z"))
        #expect(scenario.events[4].time == S.time("2021-05-20T00:00:00Z"))
        if case .priceBars(_, let bars) = scenario.events[3].kind {
            #expect(bars.count == 8 && bars.first?.price == S.fx("57480.96") && bars.last?.price == S.fx("49613.66"))
        } else {
            Issue.record("event 3 is not priceBars")
        }

        var runner = try ScenarioRunner(scenario)
        for _ in 0..<3 { try runner.step() }
        let ref = try #require(runner.engine.copy(named: "c1"))
        #expect(runner.engine.copyView(ref).cash == S.fx("539.69247232"))
        #expect(runner.engine.copyView(ref).holdings.first?.quantity == S.fx("0.008"))

        try runner.step()
        #expect(runner.engine.venue.marks[0] == S.fx("49613.66"))
        #expect(runner.engine.copyView(ref).status == .active)
        // The lead's equity curve has a point for every bar (each at the bar's time).
        #expect(runner.engine.leads[0].curve.filter { $0.event == 3 }.count == 8)

        try runner.step()
        #expect(runner.engine.venue.marks[0] == S.fx("40561.78"))
        let view = runner.engine.copyView(ref)
        #expect(view.status == .stopped && view.stopReason == .stopLoss)
        let sell = try #require(runner.engine.copyFills(ref).last)
        #expect(sell.side == .sell && sell.event == 4 && sell.time == S.time("2021-05-17T00:00:00Z"))
        #expect(sell.price == S.fx("43546.65") && sell.quantity == S.fx("0.008") && sell.fee == S.fx("0.3483732"))
        let alice = try #require(runner.engine.user(named: "alice"))
        #expect(runner.engine.users[alice].cash == S.fx("4887.71729912"))

        let report = ScenarioReport.json(runner.engine)
        let copy = try #require(S.array(report["copies"]).first)
        #expect(S.string(copy["status"]) == "stopped" && S.string(copy["stopReason"]) == "stopLoss")
        #expect(report["audit"]?["balanced"] == .bool(true))
    }

    /// `stopCopy`'s `mode` in a scenario. The lead (10,000) buys 1,000 USDT at 50,000 = 0.02 BTC; c1 (alice, 1,000)
    /// copies 0.002 BTC for 100.1, cash 899.9. c1 keeps its holdings: alice's main account gets 0.002 BTC and 899.9
    /// USDT back (5,000 − 1,000 + 899.9 = 4,899.9). c2 (tiny, 150, started after the buy with buyExisting: 10% of
    /// 150 at the lead's weight ≈ 0.0003 BTC) closes and stops when the lead sells everything. A misspelt mode is
    /// refused, naming the field.
    @Test("stopCopy's mode in scenarios: keepHoldings and closeOnly, and a misspelt mode refused")
    func stopModesInScenarios() throws {
        let engine = try run(
            scenarioJSON(
                events: """
                    [ { "type": "startLeading", "user": "lead1", "portfolio": "10000" },
                      { "type": "startCopy", "user": "alice", "lead": "lead1", "copy": "c1", "investment": "1000" },
                      { "type": "order", "user": "lead1", "symbol": "BTC-USDT", "side": "buy", "quoteAmount": "1000" },
                      { "type": "startCopy", "user": "tiny", "lead": "lead1", "copy": "c2", "investment": "150", "buyExisting": true },
                      { "type": "stopCopy", "copy": "c1", "mode": "keepHoldings" },
                      { "type": "stopCopy", "copy": "c2", "mode": "closeOnly" },
                      { "type": "order", "user": "lead1", "symbol": "BTC-USDT", "side": "buy", "quoteAmount": "500" },
                      { "type": "order", "user": "lead1", "symbol": "BTC-USDT", "side": "sell", "quantity": "0.03" } ]
                    """))
        let alice = try #require(engine.user(named: "alice"))
        #expect(engine.users[alice].cash == S.fx("4899.9") && engine.users[alice].balance("BTC") == S.fx("0.002"))
        let c1 = try #require(engine.copy(named: "c1"))
        let c2 = try #require(engine.copy(named: "c2"))
        #expect(engine.copyView(c1).status == .stopped && engine.copyView(c1).stopReason == .follower)
        let view = engine.copyView(c2)
        #expect(view.status == .stopped && view.stopReason == .follower && view.holdings.isEmpty)
        // c2 bought nothing after it started closing: its only buy is the one at its start (buy existing).
        let buys = engine.copyFills(c2).filter { $0.side == .buy }
        #expect(buys.count == 1, "\(buys)")
        expectError(
            scenarioJSON(events: #"[ { "type": "stopCopy", "copy": "c1", "mode": "later" } ]"#), path: "events[0].mode",
            contains: "closeOnly")
        // Controls in a scenario: the engine's refusal names the field under "controls"; the key is required.
        expectError(
            scenarioJSON(
                events: """
                    [ { "type": "startLeading", "user": "lead1", "portfolio": "10000" },
                      { "type": "startCopy", "user": "alice", "lead": "lead1", "copy": "c1", "investment": "1000" },
                      { "type": "setCopyControls", "copy": "c1", "controls": { "pairs": ["DOGE-USDT"] } } ]
                    """), path: "events[2].controls.pairs[0]", contains: "not a listed pair")
        expectError(
            scenarioJSON(events: #"[ { "type": "setCopyControls", "copy": "c1", "control": null } ]"#), path: "events[0].controls",
            contains: "required")
    }

    /// DESIGN §7's example scenario, every lifecycle event in it, read from JSON: at the end the copy is stopped by
    /// its follower, the lead has stopped, everything alice put in came back to her main account (no dust), the
    /// report's tracking parts add up to its gap and the books balance.
    @Test("DESIGN §7's example runs end to end; the report shows the lifecycle and a balanced audit")
    func designExampleScenario() throws {
        let json = S.json(
            price: "60000",
            events: """
                [ { "type": "startLeading", "user": "lead1", "portfolio": "10000", "profitShareRate": "0.1" },
                  { "type": "startCopy", "user": "alice", "lead": "lead1", "copy": "c1", "mode": "smartSync",
                    "investment": "1000", "buyExisting": false, "stopLoss": { "amount": "300" } },
                  { "type": "order", "user": "lead1", "symbol": "BTC-USDT", "side": "buy", "quoteAmount": "1000" },
                  { "type": "price", "symbol": "BTC-USDT", "price": "66000" },
                  { "type": "order", "user": "lead1", "symbol": "BTC-USDT", "side": "sell", "quantity": "0.01" },
                  { "type": "adjustInvestment", "copy": "c1", "delta": "-200" },
                  { "type": "setTakeProfit", "copy": "c1", "takeProfit": { "ratio": "0.5" } },
                  { "type": "setStopLoss", "copy": "c1", "stopLoss": null },
                  { "type": "transfer", "user": "lead1", "from": "portfolio", "to": "main", "amount": "500" },
                  { "type": "stopCopy", "copy": "c1" },
                  { "type": "stopLeading", "user": "lead1" } ]
                """)
        var runner = try ScenarioRunner(try Scenario(json: json))
        try runner.runAll()
        let engine = runner.engine
        let ref = try #require(engine.copy(named: "c1"))
        let view = engine.copyView(ref)
        #expect(view.status == .stopped && view.stopReason == .follower)
        #expect(view.netInvested == view.totalIn - view.totalOut && view.totalIn == S.fx("1000"))
        let alice = try #require(engine.user(named: "alice"))
        #expect(engine.users[alice].cash == S.fx("4000") + view.totalOut)
        #expect(engine.users[alice].assets.values.allSatisfy { $0.isZero })
        #expect(engine.leadView(0).status == .stopped)
        let lead1 = try #require(engine.user(named: "lead1"))
        #expect(engine.users[lead1].balance("BTC") == S.fx("0.00666"))  // 0.01666 bought, 0.01 sold

        let report = ScenarioReport.json(engine)
        let copy = try #require(S.array(report["copies"]).first)
        #expect(S.string(copy["status"]) == "stopped" && S.string(copy["stopReason"]) == "follower")
        #expect(S.string(copy["cash"]) == "0" && S.array(copy["holdings"]).isEmpty)
        let tracking = try #require(copy["tracking"])
        let parts = ["fees", "profitShare", "priceDifference", "failedOrCapped", "sizing", "rounding"]
            .compactMap { S.string(tracking["breakdown"]?[$0]) }.map(S.fx)
        #expect(parts.count == 6)
        let gap = S.fx(try #require(S.string(tracking["gap"])))
        #expect(parts.reduce(Fixed.zero, +) == gap)
        #expect(gap == S.fx(try #require(S.string(tracking["copyRoi"]))) - S.fx(try #require(S.string(tracking["leadRoi"]))))
        let lead = try #require(S.array(report["leads"]).first)
        #expect(S.string(lead["status"]) == "stopped")
        #expect(report["audit"]?["balanced"] == .bool(true))
    }

    /// Every shipped example (Examples/*.json, priceBars paths relative to that folder) runs to the end with a balanced
    /// audit, empty stopped copy accounts, and tracking parts that add up to each gap. In the 2021 replay, the large
    /// Smart Sync copies (≥ 10,000) that never had a failed or cash-capped order explain their gap up to a tiny
    /// rounding part.
    @Test(
        "The shipped examples run with balanced books and consistent lifecycle and tracking",
        arguments: ["quickstart", "lifecycle", "replay-2021"])
    func shippedExamples(name: String) throws {
        let examples = URL(fileURLWithPath: S.dataDirectory).deletingLastPathComponent().appendingPathComponent("Examples").path
        let data = try #require(FileManager.default.contents(atPath: examples + "/\(name).json"))
        var runner = try ScenarioRunner(try Scenario(json: data, directory: examples))
        try runner.runAll()
        let engine = runner.engine
        #expect(engine.audit().balanced, "\(engine.audit().problems.prefix(3))")
        var largeClean = 0
        for ref in engine.allCopies {
            let view = engine.copyView(ref)
            if view.status == .stopped {
                #expect(view.cash.isZero && view.holdings.isEmpty && view.stopReason != nil, "\(view.id)")
            }
            let t = view.tracking
            #expect(t.fees + t.profitShare + t.priceDifference + t.failedOrCapped + t.sizing + t.rounding == t.gap, "\(view.id)")
            #expect(t.gap == t.copyRoi - t.leadRoi, "\(view.id)")
            if view.mode == .smartSync && view.totalIn >= S.fx("10000") && engine.failedOrders(ref).isEmpty
                && engine.copyFills(ref).allSatisfy({ !$0.cappedByCash })
            {
                largeClean += 1
                #expect(abs(t.rounding.units) < S.fx("0.001").units, "\(view.id): \(t)")
            }
        }
        if name == "replay-2021" { #expect(largeClean > 0) }
        let report = ScenarioReport.json(engine)
        #expect(report["audit"]?["balanced"] == .bool(true))
    }

    /// A refused lifecycle event stops the run with an error naming the event and the field.
    @Test("Refused lifecycle events name the event index and field")
    func refusedLifecycleEvents() throws {
        let cases: [(String, String, String)] = [
            (#"{ "type": "adjustInvestment", "copy": "c1", "delta": "-950" }"#, "events[2].delta", "minimum"),
            (#"{ "type": "removeFollower", "user": "alice", "copy": "c1" }"#, "events[2].user", "no active lead portfolio"),
            (#"{ "type": "setStopLoss", "copy": "c1", "stopLoss": { "ratio": "1.5" } }"#, "events[2].stopLoss.ratio", "at most 1"),
            (#"{ "type": "transfer", "user": "lead1", "from": "main", "to": "portfolio", "amount": "1" }"#, "events[2].amount", "exceeds"),
        ]
        for (event, path, text) in cases {
            let json = S.json(
                events: """
                    [ { "type": "startLeading", "user": "lead1", "portfolio": "10000" },
                      { "type": "startCopy", "user": "alice", "lead": "lead1", "copy": "c1", "investment": "1000" },
                      \(event) ]
                    """)
            do {
                var runner = try ScenarioRunner(try Scenario(json: json))
                try runner.runAll()
                Issue.record("accepted \(event)")
            } catch let error as ScenarioError {
                #expect(error.path == path, "\(error)")
                #expect(error.event == 2)
                #expect(error.message.contains(text), "\(error)")
            }
        }
        // A stopped copy is read-only.
        let json = S.json(
            events: """
                [ { "type": "startLeading", "user": "lead1", "portfolio": "10000" },
                  { "type": "startCopy", "user": "alice", "lead": "lead1", "copy": "c1", "investment": "1000" },
                  { "type": "stopCopy", "copy": "c1" },
                  { "type": "adjustInvestment", "copy": "c1", "delta": "100" } ]
                """)
        do {
            var runner = try ScenarioRunner(try Scenario(json: json))
            try runner.runAll()
            Issue.record("adjusted a stopped copy")
        } catch let error as ScenarioError {
            #expect(error.path == "events[3].copy" && error.message.contains("read-only"), "\(error)")
        }
    }
}

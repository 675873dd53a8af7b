import Foundation
import SmartSyncCore
import SmartSyncViews
import Testing

@testable import SmartSyncScenario

/// A scenario around DESIGN §7's example: the given symbols and users, then `events`.
func scenarioJSON(events: String, users: String? = nil, symbolsExtra: String = "") -> Data {
    let u =
        users ?? """
            [ { "id": "lead1", "deposit": "10000" }, { "id": "alice", "deposit": "5000" }, { "id": "tiny", "deposit": "150" } ]
            """
    return Data(
        """
        {
          "settings": { "takerFeeRate": "0.001", "minInvestment": "100", "slippageLimit": "0.005" },
          "symbols": [ { "symbol": "BTC-USDT", "price": "50000", "qtyStep": "0.00001", "priceTick": "0.01",
                         "minQty": "0.00001", "minNotional": "5" \(symbolsExtra) } ],
          "users": \(u),
          "events": \(events)
        }
        """.utf8)
}

func run(_ data: Data) throws -> Engine {
    var runner = try ScenarioRunner(try Scenario(json: data))
    try runner.runAll()
    return runner.engine
}

func expectError(_ data: Data, path: String, contains text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try run(data)
        Issue.record("expected an error at \(path)", sourceLocation: sourceLocation)
    } catch let error as ScenarioError {
        #expect(error.path == path, sourceLocation: sourceLocation)
        #expect(error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct ScenarioTests {
    // DESIGN §2: lead equity 10,000 buys 1,000 → r = 10% → a copy with equity 1,000 buys 100.
    @Test func designExampleThroughAScenario() throws {
        let engine = try run(
            scenarioJSON(
                events: """
                    [ { "type": "startLeading", "user": "lead1", "portfolio": "10000" },
                      { "type": "startCopy", "user": "alice", "lead": "lead1", "copy": "c1", "investment": "1000" },
                      { "type": "order", "user": "lead1", "symbol": "BTC-USDT", "side": "buy", "quoteAmount": "1000" } ]
                    """))
        let report = ScenarioReport.json(engine)
        guard case .array(let copies)? = report["copies"], let c1 = copies.first else {
            Issue.record("no copies in report")
            return
        }
        // 100 USDT at 50,000 = 0.002 BTC; fee 0.1% of 100 = 0.1; cash 1000 − 100.1 = 899.9.
        #expect(c1["cash"] == .string("899.9"))
        #expect(c1["feesPaid"] == .string("0.1"))
        guard case .array(let fills)? = c1["fills"], let fill = fills.first else {
            Issue.record("no fills")
            return
        }
        #expect(fill["quantity"] == .string("0.002"))
        #expect(fill["price"] == .string("50000"))
        #expect(fill["leadPrice"] == .string("50000"))
        #expect(fill["event"] == .int(2))
        #expect(report["audit"]?["balanced"] == .bool(true))
    }

    @Test func tooSmallCopyShowsFailedOrderWithReason() throws {
        // tiny invests 150 of a 10,000 lead; the lead buys 300 (3%) → tiny's order is 4.5 USDT < minNotional 5.
        let engine = try run(
            scenarioJSON(
                events: """
                    [ { "type": "startLeading", "user": "lead1", "portfolio": "10000" },
                      { "type": "startCopy", "user": "tiny", "lead": "lead1", "copy": "t", "investment": "150" },
                      { "type": "order", "user": "lead1", "symbol": "BTC-USDT", "side": "buy", "quoteAmount": "300" } ]
                    """))
        let summary = ScenarioReport.summary(engine)
        #expect(summary.contains("failed copy order at event 2: buy BTC-USDT for 4.5 USDT — belowMinNotional"))
        let c = try #require(engine.copy(named: "t"))
        #expect(engine.failedOrders(c).map(\.reason) == [.belowMinNotional])
    }

    @Test func reportHasTheFixedFieldNames() throws {
        let engine = try run(
            scenarioJSON(
                events: """
                    [ { "type": "startLeading", "user": "lead1", "portfolio": "10000" },
                      { "type": "startCopy", "user": "alice", "lead": "lead1", "copy": "c1", "investment": "1000",
                        "stopLoss": { "amount": "300" } } ]
                    """))
        let report = ScenarioReport.json(engine)
        for key in ["users", "leads", "copies", "feesCollected", "audit"] { #expect(report[key] != nil, "\(key)") }
        guard case .array(let leads)? = report["leads"], case .array(let copies)? = report["copies"] else {
            Issue.record("missing arrays")
            return
        }
        for key in [
            "user", "status", "cash", "holdings", "equity", "roi", "pnl", "aum", "followers", "winRate", "maxDrawdown",
            "profitShareEarned",
        ] {
            #expect(leads[0][key] != nil, "leads[].\(key)")
        }
        for key in [
            "id", "user", "lead", "mode", "status", "stopReason", "netInvested", "cash", "equity", "holdings", "realizedPnl",
            "unrealizedPnl", "roi", "feesPaid", "profitSharePaid", "fills", "failedOrders", "tracking",
        ] {
            #expect(copies[0][key] != nil, "copies[].\(key)")
        }
        #expect(copies[0]["tracking"]?["gap"] != nil)
        #expect(report["users"].map { "\($0.serialized())" }?.contains("\"USDT\"") == true)
    }

    @Test func sameScenarioGivesTheSameBytes() throws {
        let data = try #require(FileManager.default.contents(atPath: examplesPath("quickstart.json")))
        let a = ScenarioReport.json(try run(data)).serialized()
        let b = ScenarioReport.json(try run(data)).serialized()
        #expect(a == b)
        #expect(a.contains("\"balanced\": true"))
    }

    // Bad input: the error names the event index and the field, and the rule.
    @Test func badInputNamesEventAndField() {
        let lead = #"{ "type": "startLeading", "user": "lead1", "portfolio": "10000" }"#
        expectError(
            scenarioJSON(
                events:
                    "[\(lead), { \"type\": \"order\", \"user\": \"lead1\", \"symbol\": \"BTC-USDT\", \"side\": \"buy\", \"quoteAmount\": \"-5\" }]"
            ),
            path: "events[1].quoteAmount", contains: "must be positive")
        expectError(
            scenarioJSON(
                events:
                    "[\(lead), { \"type\": \"order\", \"user\": \"lead1\", \"symbol\": \"BTC-USDT\", \"side\": \"buy\", \"quoteAmount\": \"abc\" }]"
            ),
            path: "events[1].quoteAmount", contains: "not a decimal number")
        expectError(
            scenarioJSON(
                events:
                    "[\(lead), { \"type\": \"order\", \"user\": \"lead1\", \"symbol\": \"BTC-USDT\", \"side\": \"buy\", \"quoteAmount\": 5 }]"
            ),
            path: "events[1].quoteAmount", contains: "decimal string")
        expectError(
            scenarioJSON(
                events:
                    "[\(lead), { \"type\": \"order\", \"user\": \"lead1\", \"symbol\": \"BTC-USDT\", \"side\": \"sell\", \"quantity\": \"0.000001\" }]"
            ),
            path: "events[1].quantity", contains: "multiple of qtyStep")
        expectError(
            scenarioJSON(
                events:
                    "[\(lead), { \"type\": \"order\", \"user\": \"lead1\", \"symbol\": \"DOGE-USDT\", \"side\": \"buy\", \"quoteAmount\": \"10\" }]"
            ),
            path: "events[1].symbol", contains: "no symbol")
        expectError(
            scenarioJSON(
                events:
                    "[\(lead), { \"type\": \"startCopy\", \"user\": \"nobody\", \"lead\": \"lead1\", \"copy\": \"x\", \"investment\": \"100\" }]"
            ),
            path: "events[1].user", contains: "no user")
        expectError(
            scenarioJSON(
                events:
                    "[\(lead), { \"type\": \"startCopy\", \"user\": \"alice\", \"lead\": \"lead1\", \"copy\": \"x\", \"investment\": \"99.99\" }]"
            ),
            path: "events[1].investment", contains: "at least 100")
        expectError(
            scenarioJSON(events: "[\(lead), { \"type\": \"price\", \"symbol\": \"BTC-USDT\", \"price\": \"92233720368.54775808\" }]"),
            path: "events[1].price", contains: "out of range")
        expectError(
            scenarioJSON(events: "[\(lead), { \"type\": \"price\", \"symbol\": \"BTC-USDT\", \"price\": \"1.123456789\" }]"),
            path: "events[1].price", contains: "more than 8 digits")
        expectError(
            scenarioJSON(events: "[\(lead), { \"type\": \"teleport\" }]"), path: "events[1].type", contains: "unknown event type")
        expectError(
            scenarioJSON(
                events: "[\(lead), { \"type\": \"price\", \"symbol\": \"BTC-USDT\", \"price\": \"60000\", \"time\": \"yesterday\" }]"),
            path: "events[1].time", contains: "ISO 8601")
        expectError(
            scenarioJSON(
                events:
                    "[\(lead), { \"type\": \"order\", \"user\": \"lead1\", \"symbol\": \"BTC-USDT\", \"side\": \"buy\", \"quoteAmount\": \"20000\" }]"
            ),
            path: "events[1].quoteAmount", contains: "more than the lead portfolio's")
    }

    @Test func symbolFilterErrorsNameTheField() {
        let bad = Data(
            """
            { "symbols": [ { "symbol": "BTCUSDT", "price": "1", "qtyStep": "0.1", "priceTick": "0.1" } ], "events": [] }
            """.utf8)
        do {
            _ = try Scenario(json: bad)
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "symbols[0].symbol")
            #expect(error.message.contains("BASE-USDT"))
        }
    }

    @Test func refusedEventChangesNothing() throws {
        // The second copy start is refused (duplicate active copy); the runner stops before it, state as after event 1.
        var runner = try ScenarioRunner(
            try Scenario(
                json: scenarioJSON(
                    events: """
                        [ { "type": "startLeading", "user": "lead1", "portfolio": "10000" },
                          { "type": "startCopy", "user": "alice", "lead": "lead1", "copy": "c1", "investment": "1000" },
                          { "type": "startCopy", "user": "alice", "lead": "lead1", "copy": "c2", "investment": "1000" } ]
                        """)))
        try runner.step()
        try runner.step()
        let before = ScenarioReport.json(runner.engine).serialized()
        #expect(throws: ScenarioError.self) { try runner.step() }
        #expect(ScenarioReport.json(runner.engine).serialized() == before)
        #expect(runner.engine.users[runner.engine.user(named: "alice")!].balance("USDT") == Fixed(4000))
    }

    @Test(arguments: [
        ("2021-05-05T00:00:00Z", Int64(1_620_172_800_000)),
        ("2021-05-05", Int64(1_620_172_800_000)),
        ("2021-05-05T02:00:00+02:00", Int64(1_620_172_800_000)),
        ("1970-01-01T00:00:00.250Z", Int64(250)),
    ])
    func iso8601(_ text: String, _ ms: Int64) {
        #expect(ISO8601.parse(text) == ms)
    }

    @Test func iso8601RoundTripsAndRejects() {
        #expect(ISO8601.format(1_620_172_800_000) == "2021-05-05T00:00:00Z")
        #expect(ISO8601.parse("2021-02-29T00:00:00Z") == nil)
        #expect(ISO8601.parse("2021-05-05T00:00:00") == nil)
        #expect(ISO8601.parse("05/05/2021") == nil)
    }
}

/// Path of a file in the repository's Examples folder.
func examplesPath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples").appendingPathComponent(name).path
}

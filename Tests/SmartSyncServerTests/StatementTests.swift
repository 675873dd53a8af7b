import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SmartSyncCore
import SmartSyncViews
import Testing

@testable import SmartSyncServer

/// `GET /v1/copies/{id}/statement` and `statement.csv`: the numbers of the fixture worked out by hand (fee 0.1%).
@Suite struct StatementTests {
    /// `GET /v1/leading/profit-share` and `.csv`. The fixture's lead (10%) buys 1,000 of BTC at 50,000: alice-1 (1,000)
    /// holds 0.002 for 100.1. BTC → 60,000; the lead sells everything: alice-1 gets 120 − 0.12 = 119.88, realizes
    /// 19.78 and pays 1.978. alice-1 then stops (released from memory, read back from the database).
    @Test func aLeadsProfitShareStatement() async throws {
        let f = try await Fixture()
        _ = try await f.service.submit(.order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(1_000))))
        _ = try await f.service.submit(.price(symbol: "BTC-USDT", price: Fixed(60_000)))
        _ = try await f.service.submit(.order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .sell, quantity: try Fixed("0.02"))))
        _ = try await f.service.submit(.stopCopy(copy: "alice-1"))
        try await f.app().test(.router) { client in
            var a = try await APIRefusalTests.call(client, .get, "/v1/leading/profit-share", key: f.keys["lead"])
            #expect(a.status == .ok, "\(a.body ?? "")")
            let lines = try #require(a.object["lines"] as? [[String: Any]])
            #expect(lines.map { $0["copy"] as? String } == ["alice-1"] && lines.first?["amount"] as? String == "1.978")
            #expect(lines.first?["type"] as? String == "sale" && lines.first?["follower"] == nil, "a lead does not see who follows")
            let released = f.service.read { engine in engine.copy(named: "alice-1").map { engine.isReleased($0) } }
            #expect(released == true, "the stopped copy was read back from the database")
            #expect(a.object["opening"] as? String == "0" && a.object["closing"] as? String == "1.978")
            a = try await APIRefusalTests.call(client, .get, "/v1/leading/profit-share?from=2099-01-01", key: f.keys["lead"])
            #expect(a.object["opening"] as? String == "1.978" && (a.object["lines"] as? [Any])?.isEmpty == true)
            a = try await APIRefusalTests.call(client, .get, "/v1/leading/profit-share", key: f.keys["bob"])
            #expect(a.status == .notFound)
            a = try await APIRefusalTests.call(client, .get, "/v1/leading/profit-share?from=2021-02-30", key: f.keys["lead"])
            #expect(a.status == .unprocessableContent && a.field == "from")
            let csv = try await client.execute(uri: "/v1/leading/profit-share.csv", method: .get, headers: headers(f.keys["lead"])) {
                (status: $0.status, text: String(buffer: $0.body))
            }
            #expect(csv.status == .ok)
            let rows = csv.text.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            #expect(rows.first == ["type", "time", "event", "copy", "amount", "earned_after"])
            #expect(rows.map { $0[0] } == ["type", "opening", "sale", "closing"] && rows[2][4] == "1.978" && rows[3][5] == "1.978")
        }
    }

    @Test func aCopysStatementAsJSONAndCSV() async throws {
        let f = try await Fixture()
        // Lead 10,000 buys 5,000 of BTC at 50,000: alice's copy of 1,000 spends half, 500 for 0.01 BTC and 0.50 fee.
        _ = try await f.service.submit(.order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(5_000))))
        try await f.app().test(.router) { client in
            let alice = f.keys["alice"]
            let a = try await APIRefusalTests.call(client, .get, "/v1/copies/alice-1/statement", key: alice)
            #expect(a.status == .ok)
            let lines = try #require(a.object["lines"] as? [[String: Any]])
            #expect(lines.map { $0["type"] as? String } == ["started", "buy"])
            #expect(lines.map { $0["cashAfter"] as? String } == ["1000", "499.5"])
            let buy = lines[1]
            #expect(buy["quantity"] as? String == "0.01" && buy["fee"] as? String == "0.5" && buy["costChange"] as? String == "500.5")
            let lead = try #require(buy["leadFill"] as? [String: Any])
            #expect(lead["price"] as? String == "50000" && lead["quantity"] as? String == "0.1" && lead["quote"] as? String == "5000")
            let closing = try #require(a.object["closing"] as? [String: Any])
            #expect(closing["cash"] as? String == "499.5")
            let held = try #require((closing["holdings"] as? [[String: Any]])?.first)
            #expect(held["symbol"] as? String == "BTC-USDT" && held["quantity"] as? String == "0.01" && held["cost"] as? String == "500.5")
            #expect((a.object["totals"] as? [String: Any])?["fees"] as? String == "0.5")

            // The CSV: a header, the opening row, one row per line, the closing rows.
            let csv = try await client.execute(uri: "/v1/copies/alice-1/statement.csv", method: .get, headers: headers(alice)) {
                (status: $0.status, type: $0.headers[.contentType], text: String(buffer: $0.body))
            }
            #expect(csv.status == .ok && csv.type?.hasPrefix("text/csv") == true)
            let rows = csv.text.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            #expect(rows.first == CopyStatementReport.csvColumns)
            #expect(rows.map { $0[0] } == ["type", "opening", "started", "buy", "closing", "closing_holding"])
            let column = Dictionary(uniqueKeysWithValues: CopyStatementReport.csvColumns.enumerated().map { ($1, $0) })
            #expect(rows[3][column["cash_after"]!] == "499.5" && rows[3][column["lead_quantity"]!] == "0.1")
            #expect(rows[5][column["holding_after"]!] == "0.01" && rows[5][column["cost_change"]!] == "500.5")

            // A span before everything: nothing in it, nothing held at either end.
            let before = try await APIRefusalTests.call(client, .get, "/v1/copies/alice-1/statement?to=2021-05-03", key: alice)
            #expect(before.status == .ok && (before.object["lines"] as? [Any])?.isEmpty == true)
            #expect((before.object["closing"] as? [String: Any])?["cash"] as? String == "0")
            // Through the end of the fixture's day (2021-05-05): everything.
            let day = try await APIRefusalTests.call(client, .get, "/v1/copies/alice-1/statement?from=2021-05-05&to=2021-05-05", key: alice)
            #expect((day.object["lines"] as? [Any])?.count == 2)
        }
    }

    @Test func badSpansAndOtherUsersAreRefused() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            var a = try await APIRefusalTests.call(client, .get, "/v1/copies/alice-1/statement?from=yesterday", key: f.keys["alice"])
            #expect(a.status == .badRequest && a.field == "from")
            a = try await APIRefusalTests.call(client, .get, "/v1/copies/alice-1/statement.csv?to=2021-02-30", key: f.keys["alice"])
            #expect(a.status == .unprocessableContent && a.field == "to")
            a = try await APIRefusalTests.call(client, .get, "/v1/copies/alice-1/statement", key: f.keys["bob"])
            #expect(a.status == .notFound)
            a = try await APIRefusalTests.call(client, .get, "/v1/copies/alice-1/statement", key: nil)
            #expect(a.status == .unauthorized)
            // The operator reads it.
            a = try await APIRefusalTests.call(client, .get, "/v1/copies/alice-1/statement", key: f.keys["operator"])
            #expect(a.status == .ok)
        }
    }
}

/// `GET /v1/leads/{user}/forecast`: the lead's fills of the span replayed for a new copy.
@Suite struct ForecastAPITests {
    @Test func aForecastReplaysTheLeadsFillsForANewCopy() async throws {
        let f = try await Fixture()
        // The lead spends 5,000 of its 10,000 on BTC at 50,000; BTC is 60,000 now.
        _ = try await f.service.submit(.order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(5_000))))
        _ = try await f.service.submit(.price(symbol: "BTC-USDT", price: Fixed(60_000)))
        try await f.app().test(.router) { client in
            let a = try await APIRefusalTests.call(client, .get, "/v1/leads/lead/forecast?investment=1000", key: nil)
            #expect(a.status == .ok)
            // A copy of 1,000 from the lead's start: 500 for 0.01 BTC (+0.50 fee), worth 600 now: equity 1,099.50, and
            // the lead 10,000 − 5,005 + 6,000 = 10,995: both +9.95%, no gap.
            #expect(a.object["leadFills"] as? Int == 1 && a.object["copyFills"] as? Int == 1 && a.object["days"] as? Int == 30)
            #expect(a.object["equity"] as? String == "1099.5" && a.object["fees"] as? String == "0.5")
            let tracking = try #require(a.object["tracking"] as? [String: Any])
            #expect(
                tracking["copyRoi"] as? String == "0.0995" && tracking["leadRoi"] as? String == "0.0995"
                    && tracking["gap"] as? String == "0")
            #expect(a.object["smallestTrackingInvestment"] as? String == "100")
            var refused = try await APIRefusalTests.call(client, .get, "/v1/leads/lead/forecast?investment=1000&days=0", key: nil)
            #expect(refused.status == .badRequest && refused.field == "days")
            refused = try await APIRefusalTests.call(client, .get, "/v1/leads/lead/forecast?investment=1000&buyExisting=yes", key: nil)
            #expect(refused.status == .badRequest && refused.field == "buyExisting")
            // Buying the lead's holdings at the start: the same here (the lead held nothing then).
            let buying = try await APIRefusalTests.call(client, .get, "/v1/leads/lead/forecast?investment=1000&buyExisting=true", key: nil)
            #expect(buying.status == .ok && buying.object["buyExisting"] as? Bool == true && buying.object["equity"] as? String == "1099.5")
            refused = try await APIRefusalTests.call(client, .get, "/v1/leads/lead/forecast", key: nil)
            #expect(refused.status == .badRequest && refused.field == "investment")
            refused = try await APIRefusalTests.call(client, .get, "/v1/leads/alice/forecast?investment=1000", key: nil)
            #expect(refused.status == .notFound)
            // A lead that stopped: no copy can start, so no forecast.
            _ = try await f.service.submit(.stopLeading(user: "lead"))
            refused = try await APIRefusalTests.call(client, .get, "/v1/leads/lead/forecast?investment=1000", key: nil)
            #expect(refused.status == .unprocessableContent && refused.field == "user")
        }
    }
}

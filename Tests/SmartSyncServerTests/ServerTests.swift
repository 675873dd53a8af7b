import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import HummingbirdWebSocket
import Logging
import NIOCore
import Prometheus
import SmartSyncCore
import SmartSyncViews
import Synchronization
import Testing
import Yams

@testable import SmartSyncServer

/// A server on a fresh database with an operator, a lead (with a portfolio and BTC listed) and two followers.
struct Fixture {
    let folder: URL
    let service: EngineService
    let keys: [String: String]
    /// The engine's metrics, with the Prometheus backend `serve` uses.
    let metrics = PrometheusCollectorRegistry()

    init() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("smartsync-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        service = try EngineService(
            databasePath: folder.appendingPathComponent("s.sqlite").path, logger: Logger(label: "test"),
            metrics: PrometheusMetricsFactory(registry: metrics), now: { 1_620_172_800_000 })
        var keys: [String: String] = [:]
        keys["operator"] = try await service.issueKey(user: "operator", role: .operator_)
        for user in ["lead", "alice", "bob"] { keys[user] = try await service.issueKey(user: user, role: .user) }
        self.keys = keys
        let btc = try Symbol(
            name: "BTC-USDT", qtyStep: try Fixed("0.00001"), priceTick: try Fixed("0.01"), minQty: try Fixed("0.00001"),
            minNotional: Fixed(5))
        try await service.executeBatch([
            .listSymbol(btc, price: Fixed(50_000), book: nil),
            .deposit(user: "lead", amount: Fixed(20_000)), .deposit(user: "alice", amount: Fixed(5_000)),
            .deposit(user: "bob", amount: Fixed(5_000)),
            .startLeading(user: "lead", portfolio: Fixed(10_000), profitShareRate: nil, slippageLimit: nil, followerLimit: nil),
            .startCopy(StartCopyRequest(copyID: "alice-1", user: "alice", lead: "lead", investment: Fixed(1_000))),
        ])
    }

    func app() -> some ApplicationProtocol {
        var configuration = ServerConfiguration()
        configuration.metricsText = { [metrics] in metrics.emitToBuffer() }
        return buildApplication(service: service, configuration: configuration, logger: Logger(label: "test"))
    }
}

func headers(_ key: String?, idempotency: String? = nil) -> HTTPFields {
    var h = HTTPFields()
    h[.contentType] = "application/json"
    if let key { h[.authorization] = "Bearer \(key)" }
    if let idempotency, let name = HTTPField.Name("Idempotency-Key") { h[name] = idempotency }
    return h
}

func json(_ buffer: ByteBuffer) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView), options: [.fragmentsAllowed])
}

@Suite struct ServerTests {
    @Test func healthAndOpenAPIDocument() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                let doc = try #require(try json(response.body) as? [String: Any])
                #expect(doc["openapi"] as? String == "3.1.0")
                // The served document is the contract kept in the repository, read here by Yams on its own.
                let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("Sources/SmartSyncAssets/openapi.yaml")
                let kept = try Yams.load(yaml: String(contentsOf: file, encoding: .utf8)) as? [String: Any]
                let keptJSON = try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: try #require(kept)))
                #expect((keptJSON as? NSDictionary) == (doc as NSDictionary))
                // Every operation says what it does; every request body refuses undeclared fields.
                let paths = try #require(doc["paths"] as? [String: [String: Any]])
                var operations = 0
                for (path, item) in paths {
                    for (method, op) in item {
                        guard let op = op as? [String: Any] else { continue }
                        operations += 1
                        #expect((op["summary"] as? String)?.isEmpty == false, "\(method) \(path) has no summary")
                        #expect((op["description"] as? String)?.isEmpty == false, "\(method) \(path) has no description")
                        // What the contract middleware and the body check can answer is declared.
                        let responses = Set((op["responses"] as? [String: Any] ?? [:]).keys)
                        let query = (op["parameters"] as? [[String: Any]] ?? []).contains { $0["in"] as? String == "query" }
                        if query || op["requestBody"] != nil { #expect(responses.contains("400"), "\(method) \(path) lacks 400") }
                        if op["requestBody"] != nil {
                            #expect(responses.isSuperset(of: ["413", "422"]), "\(method) \(path) lacks 413 or 422")
                        }
                        #expect(responses.contains("414"), "\(method) \(path) lacks 414")
                    }
                }
                #expect(operations == 53)
                let schemas = try #require((doc["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
                for (name, schema) in schemas where name.hasSuffix("Request") {
                    // An object with exclusive fields is its fields `allOf` the rule relating them: the fields part closes it.
                    let fields = (schema["allOf"] as? [[String: Any]])?.first ?? schema
                    #expect(fields["additionalProperties"] as? Bool == false, "\(name) accepts undeclared fields")
                }
            }
        }
    }

    /// `/metrics` counts what the engine did: one copy fill, one fan-out timed, one active copy, no failures.
    @Test func metricsCountWhatTheEngineDid() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(
                    response.status == .ok && text.contains("smartsync_active_copies 1.0\n")
                        && !text.contains("smartsync_copy_fills_total 1\n"), "\(text)")
            }
            try await client.execute(
                uri: "/v1/orders", method: .post, headers: headers(f.keys["lead"]),
                body: ByteBuffer(string: #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "1000"}"#)
            ) { #expect($0.status == .created) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("smartsync_copy_fills_total 1\n"), "\(text)")
                #expect(text.contains("smartsync_fanout_seconds_count 1\n"), "\(text)")
                #expect(text.contains(#"smartsync_failed_copy_orders_total{reason="belowMinNotional"} 0"#), "\(text)")
            }
        }
        // A server whose command line chose no backend exports none.
        try await buildApplication(service: f.service, configuration: ServerConfiguration(), logger: Logger(label: "test")).test(.router) {
            client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .notFound) }
        }
    }

    /// DESIGN's example over HTTP: lead 10,000 buys 1,000 of BTC → alice's 1,000 copy buys 100 = 0.002 BTC.
    @Test func leadOrderFansOutAndFollowerSeesIt() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/orders", method: .post, headers: headers(f.keys["lead"]),
                body: ByteBuffer(string: #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "1000"}"#)
            ) { #expect($0.status == .created) }
            try await client.execute(uri: "/v1/copies/alice-1/fills", method: .get, headers: headers(f.keys["alice"])) { response in
                #expect(response.status == .ok)
                let fills = try #require(try json(response.body) as? [[String: Any]])
                #expect(fills.count == 1)
                #expect(fills.first?["quantity"] as? String == "0.002")
                #expect(fills.first?["leadPrice"] as? String == "50000")
            }
            try await client.execute(uri: "/v1/leads?sort=aum", method: .get) { response in
                let leads = try #require(try json(response.body) as? [[String: Any]])
                #expect(leads.first?["user"] as? String == "lead")
                #expect(leads.first?["followers"] as? Int == 1)
            }
        }
    }

    @Test func followerLifecycleOverHTTP() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/copies", method: .post, headers: headers(f.keys["bob"]),
                body: ByteBuffer(string: #"{"id": "bob-1", "lead": "lead", "investment": "100", "stopLoss": {"ratio": "0.5"}}"#)
            ) { response in
                #expect(response.status == .created)
                let copy = try #require(try json(response.body) as? [String: Any])
                #expect(copy["netInvested"] as? String == "100")
            }
            try await client.execute(
                uri: "/v1/copies/bob-1/investment", method: .post, headers: headers(f.keys["bob"]),
                body: ByteBuffer(string: #"{"delta": "50"}"#)
            ) { response in
                #expect(response.status == .ok)
                let copy = try json(response.body) as? [String: Any]
                #expect(copy?["netInvested"] as? String == "150")
            }
            try await client.execute(
                uri: "/v1/copies/bob-1/take-profit", method: .put, headers: headers(f.keys["bob"]),
                body: ByteBuffer(string: #"{"takeProfit": {"amount": "1000"}}"#)
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/copies/bob-1", method: .delete, headers: headers(f.keys["bob"])) { response in
                let copy = try #require(try json(response.body) as? [String: Any])
                #expect(copy["status"] as? String == "stopped")
                #expect(copy["stopReason"] as? String == "follower")
            }
            try await client.execute(uri: "/v1/me", method: .get, headers: headers(f.keys["bob"])) { response in
                let me = try #require(try json(response.body) as? [String: Any])
                #expect((me["main"] as? [String: String])?["USDT"] == "5000")
            }
            // The stopped copy left memory; every read of it comes from its frozen row in the database.
            let released = f.service.read { engine in engine.copy(named: "bob-1").map { engine.isReleased($0) } }
            #expect(released == true)
            for uri in ["/v1/copies/bob-1", "/v1/copies/bob-1?view=summary"] {
                try await client.execute(uri: uri, method: .get, headers: headers(f.keys["bob"])) { response in
                    #expect(response.status == .ok, "\(uri)")
                    let copy = try #require(try json(response.body) as? [String: Any])
                    #expect(copy["status"] as? String == "stopped" && copy["stopReason"] as? String == "follower", "\(uri)")
                    #expect(copy["netInvested"] as? String == "0" && copy["takeProfit"] != nil, "\(uri)")
                }
            }
            try await client.execute(uri: "/v1/copies?view=summary", method: .get, headers: headers(f.keys["bob"])) { response in
                let copies = try #require(try json(response.body) as? [[String: Any]])
                #expect(copies.map { $0["id"] as? String } == ["bob-1"] && copies.first?["status"] as? String == "stopped")
            }
            for uri in ["/v1/copies/bob-1/tracking", "/v1/copies/bob-1/equity-curve", "/v1/copies/bob-1/history"] {
                try await client.execute(uri: uri, method: .get, headers: headers(f.keys["bob"])) { #expect($0.status == .ok, "\(uri)") }
            }
            try await client.execute(uri: "/v1/leading/followers", method: .get, headers: headers(f.keys["lead"])) { response in
                let followers = try #require(try json(response.body) as? [[String: Any]])
                #expect(followers.first { $0["copy"] as? String == "bob-1" }?["status"] as? String == "stopped")
            }
            // Acting on it is refused as before: it is stopped.
            try await client.execute(uri: "/v1/copies/bob-1", method: .delete, headers: headers(f.keys["bob"])) { response in
                #expect(response.status == .conflict)
            }
        }
    }

    /// The three ways to stop over HTTP (`DELETE /v1/copies/{id}?mode=`). The lead buys 1,000 USDT of BTC at 50,000
    /// (0.02 BTC); alice-1 (1,000 of the lead's 10,000) copies 0.002 BTC. bob-1 starts with buyExisting and keeps
    /// its holdings: its BTC lands in bob's main account. alice-1 closes: it buys nothing more (the lead's second buy
    /// leaves it at 0.002) and stops in the same request as the lead's sale of everything.
    @Test func stopModesOverHTTP() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            let (lead, alice, bob) = (f.keys["lead"], f.keys["alice"], f.keys["bob"])
            var a = try await APIRefusalTests.call(
                client, .post, "/v1/orders", key: lead, #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "1000"}"#)
            #expect(a.status == .ok || a.status == .created)
            let before = await APIRefusalTests.commands(f)
            a = try await APIRefusalTests.call(client, .delete, "/v1/copies/alice-1?mode=later", key: alice)
            #expect(a.status == .badRequest && a.field == "mode", "\(a.body ?? "")")
            #expect(await APIRefusalTests.commands(f) == before)

            a = try await APIRefusalTests.call(
                client, .post, "/v1/copies", key: bob, #"{"id": "bob-1", "lead": "lead", "investment": "1000", "buyExisting": true}"#)
            #expect(a.status == .created)
            a = try await APIRefusalTests.call(client, .delete, "/v1/copies/bob-1?mode=keepHoldings", key: bob)
            #expect(a.status == .ok && a.object["status"] as? String == "stopped" && a.object["stopReason"] as? String == "follower")
            a = try await APIRefusalTests.call(client, .get, "/v1/me", key: bob)
            let main = try #require(a.object["main"] as? [String: String])
            #expect(main["BTC"].flatMap { try? Fixed($0) }.map(\.isPositive) == true, "\(main)")

            a = try await APIRefusalTests.call(client, .delete, "/v1/copies/alice-1?mode=closeOnly", key: alice)
            #expect(a.status == .ok && a.object["status"] as? String == "closing", "\(a.body ?? "")")
            a = try await APIRefusalTests.call(client, .delete, "/v1/copies/alice-1?mode=closeOnly", key: alice)
            #expect(a.status == .conflict && a.field == "mode", "\(a.body ?? "")")
            a = try await APIRefusalTests.call(client, .post, "/v1/copies/alice-1/investment", key: alice, #"{"delta": "50"}"#)
            #expect(a.status == .conflict && a.field == "delta", "\(a.body ?? "")")
            a = try await APIRefusalTests.call(
                client, .post, "/v1/orders", key: lead, #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "1000"}"#)
            #expect(a.status == .created, "\(a.body ?? "")")
            a = try await APIRefusalTests.call(client, .get, "/v1/copies/alice-1", key: alice)
            #expect(a.object["status"] as? String == "closing")
            let holdings = try #require(a.object["holdings"] as? [[String: Any]])
            #expect(holdings.map { $0["quantity"] as? String } == ["0.002"], "a closing copy bought: \(holdings)")
            a = try await APIRefusalTests.call(client, .get, "/v1/copies/alice-1/history", key: alice)
            #expect((a.body as? [[String: Any]])?.contains { $0["type"] as? String == "closeOnly" } == true)

            a = try await APIRefusalTests.call(
                client, .post, "/v1/orders", key: lead, #"{"symbol": "BTC-USDT", "side": "sell", "quantity": "0.04"}"#)
            #expect(a.status == .created, "\(a.body ?? "")")
            a = try await APIRefusalTests.call(client, .get, "/v1/copies/alice-1", key: alice)
            #expect(a.object["status"] as? String == "stopped" && a.object["stopReason"] as? String == "follower", "\(a.object)")
        }
    }

    /// Copy controls over HTTP: set at the start and with `PUT /v1/copies/{id}/controls`, shown on the copy and in its
    /// history; a bad value or an unknown field is refused naming the field and changes nothing. bob-1 (1,000 of the
    /// lead's 10,000) caps an order at 40: the lead's 1,000 USDT BTC buy gives it 40 USDT = 0.0008 BTC, not 0.002.
    @Test func copyControlsOverHTTP() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            let (lead, bob) = (f.keys["lead"], f.keys["bob"])
            var a = try await APIRefusalTests.call(
                client, .post, "/v1/copies", key: bob,
                #"{"id": "bob-1", "lead": "lead", "investment": "1000", "controls": {"pairs": ["BTC-USDT"], "maxOrderAmount": "40"}}"#)
            #expect(a.status == .created, "\(a.body ?? "")")
            let controls = a.object["controls"] as? [String: Any]
            #expect(controls?["pairs"] as? [String] == ["BTC-USDT"] && controls?["maxOrderAmount"] as? String == "40")
            a = try await APIRefusalTests.call(
                client, .post, "/v1/orders", key: lead, #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "1000"}"#)
            #expect(a.status == .created)
            a = try await APIRefusalTests.call(client, .get, "/v1/copies/bob-1", key: bob)
            #expect((a.object["holdings"] as? [[String: Any]])?.map { $0["quantity"] as? String } == ["0.0008"], "\(a.object)")

            let before = await APIRefusalTests.commands(f)
            for (body, status, field) in [
                (#"{"pairs": ["DOGE-USDT"]}"#, HTTPResponse.Status.notFound, "pairs[0]"),  // unknownSymbol, as for an order
                (#"{"pairs": []}"#, .badRequest, "pairs"),
                (#"{"maxSymbolWeight": "1.5"}"#, .badRequest, "maxSymbolWeight"),
                (#"{"maxOrderAmount": "0"}"#, .badRequest, "maxOrderAmount"),
                (#"{"maxOrderAmmount": "10"}"#, .badRequest, "maxOrderAmmount"),
            ] {
                a = try await APIRefusalTests.call(client, .put, "/v1/copies/bob-1/controls", key: bob, body)
                #expect(a.status == status && a.field == field, "\(body): \(a.status) \(a.body ?? "")")
            }
            #expect(await APIRefusalTests.commands(f) == before)
            a = try await APIRefusalTests.call(client, .put, "/v1/copies/bob-1/controls", key: bob, #"{"maxSymbolWeight": "0.5"}"#)
            #expect(a.status == .ok && (a.object["controls"] as? [String: Any])?["maxSymbolWeight"] as? String == "0.5")
            #expect((a.object["controls"] as? [String: Any])?["pairs"] == nil, "PUT replaces all the controls")
            a = try await APIRefusalTests.call(client, .put, "/v1/copies/bob-1/controls", key: bob, "{}")
            #expect(a.status == .ok && a.object["controls"] == nil)
            a = try await APIRefusalTests.call(client, .get, "/v1/copies/bob-1/history", key: bob)
            let changes = (a.body as? [[String: Any]] ?? []).filter { $0["type"] as? String == "controlsSet" }
            #expect(changes.count == 3 && changes.last?["controls"] is NSNull, "\(changes)")
        }
    }

    /// A copy fill's receipt over HTTP checks alone (`AllocationReceipt.verify`, what `smartsync verify-receipt` runs);
    /// a fill that does not exist, another follower's copy and a negative number are refused.
    @Test func allocationReceiptOverHTTP() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            let (lead, bob) = (f.keys["lead"], f.keys["bob"])
            var a = try await APIRefusalTests.call(
                client, .post, "/v1/copies", key: bob, #"{"id": "bob-1", "lead": "lead", "investment": "1000"}"#)
            #expect(a.status == .created, "\(a.body ?? "")")
            a = try await APIRefusalTests.call(
                client, .post, "/v1/orders", key: lead, #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "1000"}"#)
            #expect(a.status == .created)
            let receipt = try await client.execute(uri: "/v1/copies/bob-1/fills/0/receipt", method: .get, headers: headers(bob)) {
                response in
                #expect(response.status == .ok)
                return try JSONDecoder().decode(AllocationReceipt.self, from: Data(buffer: response.body))
            }
            #expect(receipt.copy == "bob-1" && receipt.fill == 0 && receipt.side == "buy" && receipt.symbol == "BTC-USDT")
            #expect(receipt.steps.lots.method == "exact" && receipt.row.requestedLots == receipt.row.lots)
            let checks = receipt.verify()
            #expect(checks.count > 10 && checks.allSatisfy(\.ok), "\(checks.filter { !$0.ok })")
            // The chain's head reaches past the receipt's entry; signed-in callers only.
            a = try await APIRefusalTests.call(client, .get, "/v1/ledger/chain", key: bob)
            let entries = a.object["entries"] as? Int ?? 0
            #expect(a.status == .ok && entries > receipt.ledger && (a.object["hash"] as? String)?.count == 64, "\(a.body ?? "")")
            #expect(a.object["seq"] as? Int == entries - 1)
            // The chain up to the receipt's entry: its hash is the receipt's chain hash; an entry not there yet is a 404.
            a = try await APIRefusalTests.call(client, .get, "/v1/ledger/chain?seq=\(receipt.ledger)", key: bob)
            #expect(
                a.status == .ok && a.object["hash"] as? String == receipt.proof.chainHash
                    && a.object["entries"] as? Int == receipt.ledger + 1)
            a = try await APIRefusalTests.call(client, .get, "/v1/ledger/chain?seq=\(entries + 1000)", key: bob)
            #expect(a.status == .notFound && a.field == "seq")
            #expect(try await APIRefusalTests.call(client, .get, "/v1/ledger/chain?seq=-1", key: bob).status == .badRequest)
            #expect(try await APIRefusalTests.call(client, .get, "/v1/ledger/chain", key: nil).status == .unauthorized)
            for (uri, key, status, field) in [
                ("/v1/copies/bob-1/fills/1/receipt", bob, HTTPResponse.Status.notFound, nil),
                ("/v1/copies/bob-9/fills/0/receipt", bob, .notFound, nil),
                ("/v1/copies/bob-1/fills/0/receipt", f.keys["alice"], .notFound, nil),
                ("/v1/copies/bob-1/fills/-1/receipt", bob, .badRequest, "n"),
                ("/v1/copies/bob-1/fills/first/receipt", bob, .badRequest, "n"),
                ("/v1/copies/bob-1/fills/0/receipt", nil, .unauthorized, nil),
            ] as [(String, String?, HTTPResponse.Status, String?)] {
                a = try await APIRefusalTests.call(client, .get, uri, key: key)
                #expect(a.status == status && a.field == field, "\(uri): \(a.status) \(a.body ?? "")")
            }
        }
    }

    @Test func errorsNameTheFieldAndTheRule() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/copies", method: .post, headers: headers(f.keys["bob"]),
                body: ByteBuffer(string: #"{"lead": "lead", "investment": "99.99"}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                let error = try #require((try json(response.body) as? [String: Any])?["error"] as? [String: Any])
                #expect(error["code"] as? String == "belowMinimumInvestment")
                #expect(error["field"] as? String == "investment")
            }
            try await client.execute(
                uri: "/v1/copies", method: .post, headers: headers(f.keys["bob"]),
                body: ByteBuffer(string: #"{"lead": "lead", "investment": 100}"#)
            ) { response in
                #expect(response.status == .badRequest)
                let error = try #require((try json(response.body) as? [String: Any])?["error"] as? [String: Any])
                #expect(error["field"] as? String == "investment")
            }
            try await client.execute(
                uri: "/v1/copies", method: .post, headers: headers(f.keys["alice"]),
                body: ByteBuffer(string: #"{"lead": "lead", "investment": "100"}"#)
            ) { response in
                #expect(response.status == .conflict)
                let error = try #require((try json(response.body) as? [String: Any])?["error"] as? [String: Any])
                #expect(error["code"] as? String == "duplicateActiveCopy")
            }
        }
    }

    /// A retried deposit with the same Idempotency-Key moves money once.
    @Test func idempotentRetries() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            for attempt in 0..<3 {
                try await client.execute(
                    uri: "/v1/deposits", method: .post, headers: headers(f.keys["operator"], idempotency: "dep-42"),
                    body: ByteBuffer(string: #"{"user": "bob", "amount": "250"}"#)
                ) { response in
                    let body = try #require(try json(response.body) as? [String: Any])
                    #expect(body["applied"] as? Bool == (attempt == 0))
                }
            }
            try await client.execute(uri: "/v1/me", method: .get, headers: headers(f.keys["bob"])) { response in
                let me = try #require(try json(response.body) as? [String: Any])
                #expect((me["main"] as? [String: String])?["USDT"] == "5250")
            }
            // A retried copy start without an id answers with the same copy (its id comes from the key).
            var ids: [String] = []
            for attempt in 0..<2 {
                try await client.execute(
                    uri: "/v1/copies", method: .post, headers: headers(f.keys["bob"], idempotency: "copy-7"),
                    body: ByteBuffer(string: #"{"lead": "lead", "investment": "100"}"#)
                ) { response in
                    #expect(response.status == (attempt == 0 ? .created : .ok), "\(String(buffer: response.body))")
                    let copy = try #require(try json(response.body) as? [String: Any])
                    ids.append(try #require(copy["id"] as? String))
                }
            }
            #expect(ids.count == 2 && ids[0] == ids[1])
            try await client.execute(uri: "/v1/copies", method: .get, headers: headers(f.keys["bob"])) { response in
                let copies = try json(response.body) as? [Any]
                #expect(copies?.count == 1)
            }
        }
    }

    /// Every endpoint × anonymous, another user (bob), the owner, the operator; each on a fresh server so that
    /// state-changing calls do not disturb each other. The owner is alice (her copy alice-1) or the lead.
    @Test(arguments: AuthCase.all)
    func authorizationMatrix(_ c: AuthCase) async throws {
        for (k, who) in [nil, "bob", c.owner, "operator"].enumerated() {
            let f = try await Fixture()
            if c.restingOrder {
                try await f.service.execute(
                    .order(
                        OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quantity: try Fixed("0.001"), limitPrice: Fixed(40_000)))
                )
            }
            try await f.app().test(.router) { client in
                try await client.execute(
                    uri: c.uri, method: c.method, headers: headers(who.flatMap { f.keys[$0] }), body: c.body.map { ByteBuffer(string: $0) }
                ) { response in
                    #expect(
                        response.status.code == c.expected[k],
                        "\(c.method) \(c.uri) as \(who ?? "anonymous"): \(String(buffer: response.body))")
                }
            }
        }
    }

    @Test func unknownKeyIs401EvenOnPublicEndpoints() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            try await client.execute(uri: "/v1/markets", method: .get, headers: headers("ssk_nope")) {
                #expect($0.status == .unauthorized)
            }
        }
    }
}

/// One row of the authorization matrix: expected status codes for anonymous, another user, the owner, the operator.
struct AuthCase: Sendable, CustomTestStringConvertible {
    var method: HTTPRequest.Method
    var uri: String
    var body: String? = nil
    var owner = "alice"
    var restingOrder = false
    var expected: [Int]

    var testDescription: String { "\(method) \(uri)" }

    static let all: [AuthCase] = [
        AuthCase(method: .get, uri: "/health", expected: [200, 200, 200, 200]),
        AuthCase(method: .get, uri: "/openapi.json", expected: [200, 200, 200, 200]),
        AuthCase(method: .get, uri: "/metrics", expected: [200, 200, 200, 200]),
        AuthCase(method: .get, uri: "/v1/markets", expected: [200, 200, 200, 200]),
        AuthCase(method: .get, uri: "/v1/leads", expected: [200, 200, 200, 200]),
        AuthCase(method: .get, uri: "/v1/leads/lead", expected: [200, 200, 200, 200]),
        AuthCase(method: .get, uri: "/v1/leads/lead/fills", expected: [200, 200, 200, 200]),
        AuthCase(method: .get, uri: "/v1/leads/lead/buy-existing?investment=100", expected: [200, 200, 200, 200]),
        AuthCase(method: .get, uri: "/v1/config", expected: [200, 200, 200, 200]),
        AuthCase(method: .get, uri: "/v1/me", expected: [401, 200, 200, 200]),
        AuthCase(method: .get, uri: "/v1/orders", owner: "lead", restingOrder: true, expected: [401, 200, 200, 200]),
        // Money moves act on the caller's own accounts: bob and the operator have no lead portfolio (409).
        AuthCase(
            method: .post, uri: "/v1/transfers", body: #"{"amount": "10", "from": "main", "to": "portfolio"}"#, owner: "lead",
            expected: [401, 409, 200, 409]),
        AuthCase(
            method: .post, uri: "/v1/orders", body: #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "100"}"#, owner: "lead",
            expected: [401, 409, 201, 409]),
        AuthCase(method: .delete, uri: "/v1/orders/1", owner: "lead", restingOrder: true, expected: [401, 404, 200, 404]),
        AuthCase(method: .post, uri: "/v1/leading", body: #"{"portfolio": "100"}"#, expected: [401, 201, 201, 409]),
        AuthCase(method: .patch, uri: "/v1/leading", body: #"{"profitShareRate": "0.2"}"#, owner: "lead", expected: [401, 409, 200, 409]),
        AuthCase(method: .delete, uri: "/v1/leading", owner: "lead", expected: [401, 409, 200, 409]),
        AuthCase(method: .get, uri: "/v1/leading/followers", owner: "lead", expected: [401, 404, 200, 404]),
        AuthCase(method: .delete, uri: "/v1/leading/followers/alice-1", owner: "lead", expected: [401, 409, 200, 409]),
        AuthCase(method: .post, uri: "/v1/copies", body: #"{"lead": "lead", "investment": "100"}"#, expected: [401, 201, 409, 409]),
        AuthCase(method: .get, uri: "/v1/copies", expected: [401, 200, 200, 200]),
        // Another user's copy does not exist for them (404); the operator may read it, not act on it (403).
        AuthCase(method: .get, uri: "/v1/copies/alice-1", expected: [401, 404, 200, 200]),
        AuthCase(method: .get, uri: "/v1/copies/alice-1/fills", expected: [401, 404, 200, 200]),
        AuthCase(method: .get, uri: "/v1/copies/alice-1/failed-orders", expected: [401, 404, 200, 200]),
        AuthCase(method: .get, uri: "/v1/copies/alice-1/tracking", expected: [401, 404, 200, 200]),
        AuthCase(method: .get, uri: "/v1/copies/alice-1/equity-curve", expected: [401, 404, 200, 200]),
        // The pages and their assets are public; the data they show comes from the API with the user's key.
        AuthCase(method: .get, uri: "/", expected: [200, 200, 200, 200]),
        AuthCase(method: .get, uri: "/copies/alice-1", expected: [200, 200, 200, 200]),
        AuthCase(method: .get, uri: "/assets/app.js", expected: [200, 200, 200, 200]),
        AuthCase(method: .post, uri: "/v1/copies/alice-1/investment", body: #"{"delta": "10"}"#, expected: [401, 404, 200, 403]),
        AuthCase(
            method: .put, uri: "/v1/copies/alice-1/stop-loss", body: #"{"stopLoss": {"amount": "900"}}"#, expected: [401, 404, 200, 403]),
        AuthCase(
            method: .put, uri: "/v1/copies/alice-1/take-profit", body: #"{"takeProfit": {"ratio": "0.5"}}"#, expected: [401, 404, 200, 403]),
        AuthCase(method: .delete, uri: "/v1/copies/alice-1", expected: [401, 404, 200, 403]),
        AuthCase(method: .post, uri: "/v1/users", body: #"{"id": "zed"}"#, expected: [401, 403, 403, 201]),
        AuthCase(method: .post, uri: "/v1/deposits", body: #"{"user": "alice", "amount": "1"}"#, expected: [401, 403, 403, 201]),
        AuthCase(method: .post, uri: "/v1/withdrawals", body: #"{"user": "alice", "amount": "1"}"#, expected: [401, 403, 403, 201]),
        AuthCase(method: .post, uri: "/v1/prices", body: #"{"symbol": "BTC-USDT", "price": "51000"}"#, expected: [401, 403, 403, 200]),
        AuthCase(
            method: .post, uri: "/v1/symbols",
            body: #"{"symbol": "ETH-USDT", "price": "3000", "qtyStep": "0.0001", "priceTick": "0.01", "minNotional": "5"}"#,
            expected: [401, 403, 403, 201]),
        AuthCase(method: .get, uri: "/v1/settings", expected: [401, 403, 403, 200]),
        AuthCase(method: .get, uri: "/v1/venue", expected: [401, 403, 403, 200]),
        AuthCase(method: .patch, uri: "/v1/settings", body: #"{"minInvestment": "50"}"#, expected: [401, 403, 403, 200]),
    ]
}

@Suite struct StreamTests {
    /// Alice listens on the WebSocket; the lead buys; alice receives the lead fill and her copy fill, and the
    /// copy fill carries the same numbers as the REST copy details (0.002 BTC at 50,000, DESIGN's example).
    @Test func copyFillArrivesOnTheStream() async throws {
        let f = try await Fixture()
        let key = try #require(f.keys["alice"])
        let service = f.service
        try await f.app().test(.live) { client in
            let received = Mutex<[String]>([])
            try await client.ws("/v1/stream?key=\(key)") { inbound, _, _ in
                var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                // The hello comes first; then place the lead's order and read until the copy fill.
                _ = try await iterator.next()
                try await service.execute(.order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(1_000))))
                while let message = try await iterator.next() {
                    guard case .text(let text) = message else { continue }
                    received.withLock { $0.append(text) }
                    if text.contains(#""type":"copyFill""#) { break }
                }
            }
            let events = try received.withLock { $0 }.compactMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(events.contains { $0["type"] as? String == "leadFill" && $0["lead"] as? String == "lead" })
            let fill = try #require(events.first { $0["type"] as? String == "copyFill" })
            #expect(fill["copy"] as? String == "alice-1")
            #expect(fill["quantity"] as? String == "0.002")
            #expect(fill["leadPrice"] as? String == "50000")
            // Every message fits its schema in the contract (StreamHello, StreamLeadFill, …), named by its type.
            let messages = received.withLock { $0 }
            #expect(messages.count >= 2)
            for text in messages {
                let value = try JSONDecoder().decode(BodyValue.self, from: Data(text.utf8))
                guard case .object(let fields) = value, case .string(let type)? = fields["type"] else {
                    Issue.record("a stream message without a type: \(text)")
                    continue
                }
                #expect(throws: Never.self, "\(text)") {
                    try requestValidator.validate(value, against: "Stream" + type.prefix(1).uppercased() + type.dropFirst())
                }
            }
        }
    }

    /// The stream's other messages (hello, price, failed copy order, copy status) fit their schemas too, and a
    /// message that breaks its schema is caught: the check is not vacuous.
    @Test func streamMessagesFitTheirSchemas() throws {
        let messages: [(String, String)] = [
            ("StreamHello", StreamEvents.hello(user: "alice")),
            ("StreamCopyStatus", StreamEvents.copyStatus(id: "alice-1", status: .stopped, stopReason: .stopLoss, event: 7)),
            ("StreamCopyStatus", StreamEvents.copyStatus(id: "alice-1", status: .active, stopReason: nil, event: 3)),
        ]
        for (schema, text) in messages {
            #expect(text.hasPrefix(#"{"type":""#), "\(text)")
            let value = try JSONDecoder().decode(BodyValue.self, from: Data(text.utf8))
            #expect(throws: Never.self, "\(text)") { try requestValidator.validate(value, against: schema) }
        }
        #expect(StreamEvents.copyStatus(id: "c", status: .active, stopReason: nil, event: 1).contains(#""stopReason":null"#))
        let broken = try JSONDecoder().decode(BodyValue.self, from: Data(#"{"type":"hello","user":"a","extra":1}"#.utf8))
        #expect(throws: APIError.self) { try requestValidator.validate(broken, against: "StreamHello") }
    }

    @Test func streamRefusesAnUnknownKey() async throws {
        let f = try await Fixture()
        try await f.app().test(.live) { client in
            _ = await #expect(throws: (any Error).self) {
                try await client.ws("/v1/stream?key=ssk_wrong") { _, _, _ in }
            }
        }
    }
}

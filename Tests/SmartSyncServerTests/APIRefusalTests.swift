import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SmartSyncCore
import Synchronization
import Testing

@testable import SmartSyncServer

#if canImport(Glibc)
    import Glibc
#endif

/// Where money moves the API is strict: every refusal of issue 12 names its field and rule, and changes nothing.
@Suite struct APIRefusalTests {
    /// One request: status and the decoded body.
    struct Answer {
        var status: HTTPResponse.Status
        var body: Any?
        var error: [String: Any]? { (body as? [String: Any])?["error"] as? [String: Any] }
        var field: String? { error?["field"] as? String }
        var message: String { error?["message"] as? String ?? "" }
        var object: [String: Any] { body as? [String: Any] ?? [:] }
    }

    static func call(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, key: String?, idempotency: String? = nil,
        _ body: String? = nil
    ) async throws -> Answer {
        try await client.execute(
            uri: uri, method: method, headers: headers(key, idempotency: idempotency), body: body.map { ByteBuffer(string: $0) }
        ) {
            Answer(status: $0.status, body: try? json($0.body))
        }
    }

    /// Commands in the log: a refusal must not add one.
    static func commands(_ f: Fixture) async -> Int { f.service.commandCount }

    @Test func unknownAndExclusiveFieldsAreRefusedAndChangeNothing() async throws {
        let f = try await Fixture()
        let before = await Self.commands(f)
        try await f.app().test(.router) { client in
            let bob = f.keys["bob"]
            // A typo must not mean "no stop loss"; a dry run that the API does not know must not create a copy.
            var a = try await Self.call(
                client, .post, "/v1/copies", key: bob, #"{"lead": "lead", "investment": "100", "stoploss": {"amount": "10"}}"#)
            #expect(a.status == .badRequest && a.field == "stoploss" && a.message.contains("stopLoss"))
            a = try await Self.call(client, .post, "/v1/copies", key: bob, #"{"lead": "lead", "investment": "100", "dryRun": true}"#)
            #expect(a.status == .badRequest && a.field == "dryRun")
            a = try await Self.call(
                client, .post, "/v1/copies", key: bob, #"{"lead": "lead", "investment": "100", "stopLoss": {"amont": "10"}}"#)
            #expect(a.status == .badRequest && a.field == "stopLoss.amont")
            a = try await Self.call(client, .put, "/v1/copies/alice-1/stop-loss", key: f.keys["alice"], #"{"stoploss": null}"#)
            #expect(a.status == .badRequest && a.field == "stoploss")
            // Both forms of a threshold, or of an order size: refused.
            a = try await Self.call(
                client, .post, "/v1/copies", key: bob,
                #"{"lead": "lead", "investment": "100", "stopLoss": {"amount": "10", "ratio": "0.1"}}"#)
            #expect(a.status == .badRequest && a.field == "stopLoss.ratio" && a.message.contains("not both"))
            a = try await Self.call(
                client, .post, "/v1/orders", key: f.keys["lead"],
                #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "100", "fraction": "0.5"}"#)
            #expect(a.status == .badRequest && a.field == "fraction")
            a = try await Self.call(
                client, .post, "/v1/orders", key: f.keys["lead"],
                #"{"symbol": "BTC-USDT", "side": "sell", "quantity": "0.001", "fraction": "0.5"}"#)
            #expect(a.status == .badRequest && a.field == "fraction")
            a = try await Self.call(
                client, .post, "/v1/orders", key: f.keys["lead"],
                #"{"symbol": "BTC-USDT", "side": "sell", "fraction": "0.5", "limitPrice": "60000"}"#)
            #expect(a.status == .badRequest && a.field == "limitPrice")
            // Not a JSON object at all.
            a = try await Self.call(client, .post, "/v1/copies", key: bob, #"["lead"]"#)
            #expect(a.status == .badRequest && a.message.contains("JSON object"))
        }
        #expect(await Self.commands(f) == before)
    }

    /// The contract (`openapi.yaml`) decides what is well formed: what breaks it is 400 naming the field and the rule;
    /// a well-formed request that the market's rules refuse is 422. These are the cases schemathesis found where the
    /// contract once allowed more than the server (issue 15).
    @Test func theContractDecidesWhatIsWellFormed() async throws {
        let f = try await Fixture()
        let before = await Self.commands(f)
        try await f.app().test(.router) { client in
            let lead = f.keys["lead"]
            let op = f.keys["operator"]
            // An order gives one size, a sell no quoteAmount.
            var a = try await Self.call(
                client, .post, "/v1/orders", key: lead, #"{"symbol": "BTC-USDT", "side": "sell", "quoteAmount": "10"}"#)
            #expect(a.status == .badRequest && a.field == "side" && a.message.contains("a sell gives quantity or fraction"), "\(a.message)")
            a = try await Self.call(client, .post, "/v1/orders", key: lead, #"{"symbol": "BTC-USDT", "side": "buy"}"#)
            #expect(a.status == .badRequest && a.field == "quoteAmount" && a.message.contains("give one of"), "\(a.message)")
            a = try await Self.call(client, .post, "/v1/orders", key: lead, #"{"symbol": "", "side": "buy", "quoteAmount": "10"}"#)
            #expect(a.status == .badRequest && a.field == "symbol")
            a = try await Self.call(client, .post, "/v1/orders", key: lead, #"{"symbol": "BTC-USDT", "side": "buy", "fraction": "1.5"}"#)
            #expect(a.status == .badRequest && a.field == "fraction" && a.message.contains("at most 1"))
            // A pattern covers the whole text: a line break after an id or an amount is refused.
            a = try await Self.call(client, .post, "/v1/users", key: op, #"{"id": "zed\n"}"#)
            #expect(a.status == .badRequest && a.field == "id", "\(a.message)")
            a = try await Self.call(client, .post, "/v1/deposits", key: op, #"{"user": "bob", "amount": "10\n"}"#)
            #expect(a.status == .badRequest && a.field == "amount")
            // A transfer goes one way or the other.
            a = try await Self.call(client, .post, "/v1/transfers", key: lead, #"{"amount": "10", "from": "main", "to": "main"}"#)
            #expect(a.status == .badRequest && a.field == "to" && a.message.contains("main to portfolio or back"))
            // Rates and amounts by their patterns: 9 decimals, 11 digits, a fee rate of 1 or more.
            a = try await Self.call(client, .post, "/v1/deposits", key: op, #"{"user": "bob", "amount": "0.100000000"}"#)
            #expect(a.status == .badRequest && a.field == "amount")
            a = try await Self.call(client, .post, "/v1/deposits", key: op, #"{"user": "bob", "amount": "10000000000"}"#)
            #expect(a.status == .badRequest && a.field == "amount")
            a = try await Self.call(client, .patch, "/v1/settings", key: op, #"{"takerFeeRate": "1000.5"}"#)
            #expect(a.status == .badRequest && a.field == "takerFeeRate" && a.message.contains("up to, not including, 1"))
            a = try await Self.call(client, .post, "/v1/leading", key: f.keys["bob"], #"{"portfolio": "100", "followerLimit": 0}"#)
            #expect(a.status == .badRequest && a.field == "followerLimit")
            // amountPerOrder belongs to fixedAmount mode, and only there.
            a = try await Self.call(
                client, .post, "/v1/copies", key: f.keys["bob"], #"{"lead": "lead", "investment": "100", "amountPerOrder": "10"}"#)
            #expect(a.status == .badRequest && a.field == "amountPerOrder" && a.message.contains("with mode fixedAmount, and only then"))
            a = try await Self.call(
                client, .post, "/v1/copies", key: f.keys["bob"], #"{"lead": "lead", "investment": "100", "mode": "fixedAmount"}"#)
            #expect(a.status == .badRequest && a.field == "amountPerOrder")
            // Query parameters too.
            a = try await Self.call(client, .get, "/v1/leads/lead/buy-existing?investment=-5", key: nil)
            #expect(a.status == .badRequest && a.field == "investment")
            a = try await Self.call(client, .get, "/v1/leads/lead?curvePoints=many", key: nil)
            #expect(a.status == .badRequest && a.field == "curvePoints" && a.message.contains("whole number"))
            a = try await Self.call(client, .get, "/v1/leads/lead?curvePoints=100001", key: nil)
            #expect(a.status == .badRequest && a.field == "curvePoints" && a.message.contains("at most 100000"))
            // Well formed, refused by the market's rules: 422 with the engine's code and field.
            a = try await Self.call(
                client, .post, "/v1/orders", key: lead, #"{"symbol": "BTC-USDT", "side": "buy", "quantity": "0.000015"}"#)
            #expect(a.status == .unprocessableContent && a.error?["code"] as? String == "invalidInput" && a.field == "quantity")
            a = try await Self.call(
                client, .post, "/v1/symbols", key: op,
                #"{"symbol": "ZZ-USDT", "price": "10", "qtyStep": "0.1", "priceTick": "0.01", "minQty": "0.15"}"#)
            #expect(a.status == .unprocessableContent && a.field == "minQty")
        }
        #expect(await Self.commands(f) == before)
        // The largest amount the contract allows is accepted.
        try await f.app().test(.router) { client in
            let a = try await Self.call(
                client, .post, "/v1/deposits", key: f.keys["operator"], #"{"user": "bob", "amount": "9999999999.99999999"}"#)
            #expect(a.status == .created, "\(a.message)")
        }
    }

    @Test func numbersAndEnumsNameTheirFieldAndTheAllowedValues() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            let bob = f.keys["bob"]
            let rule = "at most 10 digits before the point and 8 after"
            for text in ["1e30", "abc", "1.123456789", "12345678901", "-5", "0"] {
                let a = try await Self.call(client, .post, "/v1/copies", key: bob, #"{"lead": "lead", "investment": "\#(text)"}"#)
                #expect(
                    a.status == .badRequest && a.field == "investment" && a.message.contains(rule) && a.message.contains(#""\#(text)""#),
                    "\(text): \(a.message)")
            }
            var a = try await Self.call(client, .post, "/v1/copies", key: bob, #"{"lead": "lead", "investment": 100}"#)
            #expect(a.status == .badRequest && a.field == "investment" && a.message.contains("string"))
            a = try await Self.call(client, .post, "/v1/copies", key: bob, #"{"lead": "lead", "investment": "100", "mode": "fancy"}"#)
            #expect(a.status == .badRequest && a.field == "mode" && a.message.contains(#""smartSync", "fixedAmount""#))
            #expect(!a.message.contains("Cannot initialize"))
            a = try await Self.call(
                client, .post, "/v1/orders", key: f.keys["lead"], #"{"symbol": "BTC-USDT", "side": "hold", "quoteAmount": "10"}"#)
            #expect(a.status == .badRequest && a.field == "side" && a.message.contains(#""buy", "sell""#))
            a = try await Self.call(client, .post, "/v1/copies", key: bob, #"{"lead": "lead", "investment": "100", "buyExisting": "yes"}"#)
            #expect(a.status == .badRequest && a.field == "buyExisting" && a.message.contains("true or false"))
            a = try await Self.call(client, .post, "/v1/users", key: f.keys["operator"], #"{"id": "zed", "role": "admin"}"#)
            #expect(a.status == .badRequest && a.field == "role" && a.message.contains(#""user", "operator""#))
        }
    }

    @Test func stopLossesThatCannotHappenAreRefused() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            var a = try await Self.call(
                client, .post, "/v1/copies", key: f.keys["bob"], #"{"lead": "lead", "investment": "100", "stopLoss": {"amount": "100.01"}}"#
            )
            // Well formed, but the engine's rule: 422.
            #expect(a.status == .unprocessableContent && a.field == "stopLoss.amount" && a.message.contains("at most the investment"))
            a = try await Self.call(
                client, .put, "/v1/copies/alice-1/stop-loss", key: f.keys["alice"], #"{"stopLoss": {"amount": "1000.01"}}"#)
            #expect(a.status == .unprocessableContent && a.field == "stopLoss.amount" && a.message.contains("net invested"))
            a = try await Self.call(client, .put, "/v1/copies/alice-1/stop-loss", key: f.keys["alice"], #"{"stopLoss": {"ratio": "1.5"}}"#)
            #expect(a.status == .badRequest && a.field == "stopLoss.ratio")
            a = try await Self.call(client, .put, "/v1/copies/alice-1/stop-loss", key: f.keys["alice"], #"{"stopLoss": {"amount": "300"}}"#)
            #expect(a.status == .ok && a.object["fired"] as? Bool == false && a.object["status"] as? String == "active")
        }
    }

    /// A stop loss already reached stops the copy at once (DESIGN §3a), and the answer says it fired.
    @Test func aStopLossAlreadyReachedFiresAndTheAnswerSaysSo() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            _ = try await Self.call(
                client, .post, "/v1/orders", key: f.keys["lead"], #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "5000"}"#)
            _ = try await Self.call(client, .post, "/v1/prices", key: f.keys["operator"], #"{"symbol": "BTC-USDT", "price": "40000"}"#)
            // alice: 1,000 invested, half in BTC now 20% down → equity about 899: a 50 USDT stop loss is reached.
            let a = try await Self.call(
                client, .put, "/v1/copies/alice-1/stop-loss", key: f.keys["alice"], #"{"stopLoss": {"amount": "50"}}"#)
            #expect(a.status == .ok && a.object["fired"] as? Bool == true)
            #expect(a.object["status"] as? String == "stopped" && a.object["stopReason"] as? String == "stopLoss")
        }
    }

    @Test func idempotencyKeysNameOneRequest() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            let lead = f.keys["lead"]
            let body = #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "1000"}"#
            let first = try await Self.call(client, .post, "/v1/orders", key: lead, idempotency: "order-1", body)
            #expect(first.status == .created && first.object["applied"] as? Bool == true)
            let retry = try await Self.call(client, .post, "/v1/orders", key: lead, idempotency: "order-1", body)
            #expect(
                retry.status == .ok && retry.object["applied"] as? Bool == false && retry.object["id"] as? Int == first.object["id"] as? Int
            )
            // The order is final, so it left memory: both answers and its own page read it from the database.
            #expect(f.service.read { $0.finalOrdersInMemory.isEmpty && $0.isReleased(orderID: first.object["id"] as? Int ?? 0) })
            let read = try await Self.call(client, .get, "/v1/orders/\(first.object["id"] as? Int ?? 0)", key: lead)
            #expect(
                read.status == .ok && read.object["status"] as? String == "filled"
                    && read.object["id"] as? Int == first.object["id"] as? Int)
            #expect(
                try await Self.call(client, .get, "/v1/orders/\(first.object["id"] as? Int ?? 0)", key: f.keys["alice"]).status == .notFound
            )
            let other = try await Self.call(
                client, .post, "/v1/orders", key: lead, idempotency: "order-1",
                #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "2000"}"#)
            #expect(
                other.status == .unprocessableContent && other.field == "Idempotency-Key" && other.message.contains("different request"))
            let long = try await Self.call(client, .post, "/v1/orders", key: lead, idempotency: String(repeating: "k", count: 201), body)
            #expect(long.status == .badRequest && long.field == "Idempotency-Key" && long.message.contains("200"))
            // Printable ASCII only: what HTTP carries unchanged (a leading or trailing space would be trimmed away).
            let tab = try await Self.call(client, .post, "/v1/orders", key: lead, idempotency: "key\tone", body)
            #expect(tab.status == .badRequest && tab.field == "Idempotency-Key" && tab.message.contains("printable ASCII"))
            // Keys arrive as sent: "k+1%" and "k 1%" are two keys (decoded as a URI component, both would be "k 1"
            // or nothing), so each places an order.
            let plus = try await Self.call(client, .post, "/v1/orders", key: lead, idempotency: "k+1%", body)
            let space = try await Self.call(client, .post, "/v1/orders", key: lead, idempotency: "k 1%", body)
            #expect(plus.status == .created && space.status == .created && plus.object["id"] as? Int != space.object["id"] as? Int)
            // The same key on another caller is another request (keys are scoped per user).
            let copy = try await Self.call(
                client, .post, "/v1/copies", key: f.keys["bob"], idempotency: "order-1", #"{"lead": "lead", "investment": "100"}"#)
            #expect(copy.status == .created)
        }
        #expect(f.service.read { $0.leadFillCount } == 3)
    }

    /// The API answers JSON whatever `Accept` asks, and never refuses a request for it once it has acted: an order
    /// sent with `Accept: text/html` (and a form's Content-Type, as `curl -d` sends) is placed once and answered.
    @Test func acceptAndContentTypeDoNotChangeTheAnswer() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            var h = headers(f.keys["lead"], idempotency: "html-1")
            h[.accept] = "text/html"
            h[.contentType] = "application/x-www-form-urlencoded"
            let body = ByteBuffer(string: #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "1000"}"#)
            let status = try await client.execute(uri: "/v1/orders", method: .post, headers: h, body: body) { r in
                #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
                // How long applying and committing took, as written (not percent-encoded): `commit;dur=<ms>`.
                let timing = HTTPField.Name("Server-Timing").flatMap { r.headers[$0] } ?? ""
                #expect(timing.hasPrefix("commit;dur=") && Double(timing.dropFirst("commit;dur=".count)) != nil, "\(timing)")
                return r.status
            }
            #expect(status == .created)
            let markets = try await client.execute(uri: "/v1/markets", method: .get, headers: [.accept: "text/html"]) { $0.status }
            #expect(markets == .ok)
            // HEAD is GET without the body, on the generated operations and the routes alike.
            for uri in ["/v1/markets", "/v1/leads", "/health"] {
                #expect(try await client.execute(uri: uri, method: .head) { $0.status } == .ok, "HEAD \(uri)")
            }
        }
        #expect(f.service.read { $0.leadFillCount } == 1)
    }

    @Test func largeBodiesAre413() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            let big = #"{"lead": "lead", "investment": "100", "id": ""# + String(repeating: "x", count: 70_000) + #""}"#
            let a = try await Self.call(client, .post, "/v1/copies", key: f.keys["bob"], big)
            #expect(a.status == .contentTooLarge && a.message.contains("64 KiB"))
        }
    }

    /// A method the contract does not declare on a path it declares: 405 with `Allow` listing the declared ones (read
    /// from the OpenAPI document), nothing done; HEAD goes where GET does; paths outside the contract are the router's.
    @Test func undeclaredMethodsAre405WithAllow() async throws {
        let f = try await Fixture()
        let before = await Self.commands(f)
        try await f.app().test(.router) { client in
            try await client.execute(uri: "/v1/copies", method: .put, headers: headers(f.keys["bob"])) { response in
                #expect(response.status == .methodNotAllowed && response.headers[.allow] == "GET, POST")
                let error = (try? json(response.body) as? [String: Any])?["error"] as? [String: Any]
                #expect(error?["code"] as? String == "methodNotAllowed")
            }
            // A parameter segment matches any value; the literal path beside it keeps its own methods.
            try await client.execute(uri: "/v1/leads/anyone", method: .delete) { response in
                #expect(response.status == .methodNotAllowed && response.headers[.allow] == "GET")
            }
            try await client.execute(uri: "/v1/leading", method: .post, headers: headers(f.keys["bob"]), body: ByteBuffer(string: "{}")) {
                response in
                #expect(response.status != .methodNotAllowed)
            }
            try await client.execute(uri: "/v1/leads", method: .head) { response in #expect(response.status != .methodNotAllowed) }
            try await client.execute(uri: "/nowhere", method: .put) { response in #expect(response.status == .notFound) }
        }
        #expect(await Self.commands(f) == before)
    }

    /// Over a real socket: an over-long request line is answered 414 (it used to hang), the stream without a
    /// valid key 401.
    @Test func longURLsAre414AndTheStreamWithoutAKeyIs401() async throws {
        let f = try await Fixture()
        try await f.app().test(.live) { client in
            let port = try #require(client.port)
            // Each on its own connection: the server closes a connection it refused.
            let long = try await rawHTTP(port: port, "GET /v1/leads?x=\(String(repeating: "a", count: 20_000)) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(long.hasPrefix("HTTP/1.1 414") && long.contains("request line is longer"))
            let head = try await rawHTTP(
                port: port, "GET /v1/leads HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "h", count: 70_000))\r\n\r\n")
            #expect(head.hasPrefix("HTTP/1.1 431"))
            let fine = try await rawHTTP(
                port: port, "GET /v1/leads?x=\(String(repeating: "a", count: 5_000)) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(fine.hasPrefix("HTTP/1.1 200"))
            let upgrade =
                "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            let refused = try await rawHTTP(port: port, "GET /v1/stream?key=ssk_not_a_key HTTP/1.1\r\nHost: x\r\n\(upgrade)\r\n")
            #expect(refused.hasPrefix("HTTP/1.1 401") && refused.contains("valid API key"))
            let none = try await rawHTTP(port: port, "GET /v1/stream HTTP/1.1\r\nHost: x\r\n\(upgrade)\r\n")
            #expect(none.hasPrefix("HTTP/1.1 401"))
            let accepted = try await rawHTTP(
                port: port, "GET /v1/stream?key=\(f.keys["alice"]!) HTTP/1.1\r\nHost: x\r\n\(upgrade)\r\n", until: "\r\n\r\n")
            #expect(accepted.hasPrefix("HTTP/1.1 101"))
        }
    }

    @Test func ordersAnswerWithWhatTheyDid() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            let lead = f.keys["lead"]
            // Nothing held: refused, and nothing is logged (it used to be 201 "applied" and trade nothing).
            let before = await Self.commands(f)
            var a = try await Self.call(
                client, .post, "/v1/orders", key: lead, #"{"symbol": "BTC-USDT", "side": "sell", "fraction": "0.5"}"#)
            #expect(a.status == .conflict && a.field == "symbol" && a.message.contains("holds no BTC"))
            #expect(await Self.commands(f) == before)
            // DESIGN's example: 1,000 at 50,000 → 0.02 BTC, fee 1; alice's copy fills (100 USDT).
            a = try await Self.call(
                client, .post, "/v1/orders", key: lead, #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "1000"}"#)
            #expect(a.status == .created && a.object["status"] as? String == "filled")
            #expect(
                a.object["filledQuantity"] as? String == "0.02" && a.object["averagePrice"] as? String == "50000"
                    && a.object["fees"] as? String == "1")
            let fills = try #require(a.object["fills"] as? [[String: Any]])
            #expect(
                fills.count == 1 && fills[0]["quantity"] as? String == "0.02" && fills[0]["price"] as? String == "50000"
                    && fills[0]["fee"] as? String == "1")
            #expect((a.object["copies"] as? [String: Int]) == ["filled": 1, "failed": 0])
            let id = try #require(a.object["id"] as? Int)
            // A limit order rests, shows in the open orders, and cancels.
            a = try await Self.call(
                client, .post, "/v1/orders", key: lead, #"{"symbol": "BTC-USDT", "side": "buy", "quantity": "0.01", "limitPrice": "40000"}"#
            )
            #expect(a.status == .created && a.object["status"] as? String == "accepted" && a.object["remaining"] as? String == "0.01")
            let limit = try #require(a.object["id"] as? Int)
            a = try await Self.call(client, .get, "/v1/orders", key: lead)
            #expect((a.body as? [[String: Any]])?.map { $0["id"] as? Int } == [limit])
            a = try await Self.call(client, .get, "/v1/orders?status=all", key: lead)
            #expect((a.body as? [[String: Any]])?.map { $0["id"] as? Int } == [limit, id])
            a = try await Self.call(client, .delete, "/v1/orders/\(limit)", key: lead)
            #expect(a.status == .ok && a.object["status"] as? String == "cancelled")
            a = try await Self.call(client, .get, "/v1/orders/\(id)", key: f.keys["alice"])
            #expect(a.status == .notFound)
            a = try await Self.call(client, .get, "/v1/orders?status=some", key: lead)
            #expect(a.status == .badRequest && a.field == "status")
        }
    }

    @Test func copyPagesHistoryCurveAndLeadReturns() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            let lead = f.keys["lead"]
            let alice = f.keys["alice"]
            // Five buys of 1,000 (each fills alice's copy) and one of 20 (alice's 2 USDT share fails).
            for _ in 0..<5 {
                _ = try await Self.call(
                    client, .post, "/v1/orders", key: lead, #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "1000"}"#)
            }
            _ = try await Self.call(client, .post, "/v1/orders", key: lead, #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "20"}"#)
            _ = try await Self.call(client, .post, "/v1/copies/alice-1/investment", key: alice, #"{"delta": "500"}"#)
            var a = try await Self.call(client, .get, "/v1/copies/alice-1?view=summary", key: alice)
            #expect(a.object["fills"] == nil && a.object["fillCount"] as? Int == 5 && a.object["failedOrderCount"] as? Int == 1)
            let reasons = try #require(a.object["failedOrderReasons"] as? [[String: Any]])
            #expect(
                reasons.count == 1 && reasons[0]["reason"] as? String == "belowMinNotional" && reasons[0]["count"] as? Int == 1
                    && reasons[0]["lastTime"] is String)
            // Newest first, two at a time, then the next page before the last one seen.
            a = try await Self.call(client, .get, "/v1/copies/alice-1/fills?order=newest&limit=2", key: alice)
            var page = try #require(a.body as? [[String: Any]])
            #expect(page.map { $0["n"] as? Int } == [4, 3] && page[0]["lead"] is [String: Any])
            a = try await Self.call(client, .get, "/v1/copies/alice-1/fills?order=newest&limit=2&before=3", key: alice)
            page = try #require(a.body as? [[String: Any]])
            #expect(page.map { $0["n"] as? Int } == [2, 1])
            a = try await Self.call(client, .get, "/v1/copies/alice-1/fills", key: alice)
            #expect((a.body as? [[String: Any]])?.count == 5)
            a = try await Self.call(client, .get, "/v1/copies/alice-1/failed-orders?order=newest", key: alice)
            page = try #require(a.body as? [[String: Any]])
            #expect(page.count == 1 && page[0]["time"] is String && page[0]["reason"] as? String == "belowMinNotional")
            a = try await Self.call(client, .get, "/v1/copies/alice-1/failed-orders?reason=noSuchReason", key: alice)
            #expect(a.status == .badRequest && a.field == "reason" && a.message.contains("belowMinNotional"))
            a = try await Self.call(client, .get, "/v1/copies/alice-1/history", key: alice)
            let history = try #require(a.body as? [[String: Any]])
            #expect(
                history.map { $0["type"] as? String } == ["started", "investmentAdded"] && history[1]["netInvested"] as? String == "1500")
            // Tracking: the same report the copy's details embed; its parts add up to the gap exactly.
            a = try await Self.call(client, .get, "/v1/copies/alice-1/tracking", key: alice)
            let tracking = a.object
            let details = try await Self.call(client, .get, "/v1/copies/alice-1", key: alice).object
            #expect(NSDictionary(dictionary: tracking) == NSDictionary(dictionary: try #require(details["tracking"] as? [String: Any])))
            let parts = try #require(tracking["breakdown"] as? [String: String])
            let sum = try parts.values.reduce(Fixed.zero) { $0 + (try Fixed($1)) }
            let gap = try Fixed(try #require(tracking["gap"] as? String))
            #expect(parts.count == 6 && sum == gap)
            a = try await Self.call(client, .get, "/v1/copies/alice-1/equity-curve?points=3", key: alice)
            let curve = try #require(a.body as? [[String: Any]])
            #expect(curve.count <= 3 && curve.last?["netInvested"] as? String == "1500" && curve.last?["nav"] is String)
            // The board: compact (a sparkline, no curve), returns by period; a period that does not exist is refused.
            a = try await Self.call(client, .get, "/v1/leads?period=30d", key: nil)
            let board = try #require(a.body as? [[String: Any]])
            #expect(board[0]["equityCurve"] == nil && board[0]["sparkline"] is [String])
            #expect(((board[0]["returns"] as? [String: Any])?["30d"] as? [String: String])?["roi"] != nil)
            a = try await Self.call(client, .get, "/v1/leads?period=1y", key: nil)
            #expect(a.status == .badRequest && a.field == "period")
            a = try await Self.call(client, .get, "/v1/config", key: nil)
            #expect(a.object["marketTime"] as? String == "2021-05-05T00:00:00Z")
        }
    }

    /// One log line per request when it is answered, with its status and duration.
    @Test func requestLogsCarryStatusAndDuration() async throws {
        let f = try await Fixture()
        let lines = LogLines()
        let logger = Logger(label: "test") { _ in CapturingLog(lines: lines) }
        let app = buildApplication(service: f.service, configuration: ServerConfiguration(), logger: logger)
        try await app.test(.router) { client in
            _ = try await Self.call(client, .get, "/v1/leads/nobody", key: nil)
        }
        let line = try #require(lines.all.first { $0.contains("/v1/leads/nobody") })
        #expect(line.contains("GET /v1/leads/nobody 404") && line.contains(" ms"))
    }
}

/// Sends raw bytes to 127.0.0.1:`port` and reads the answer until the server closes the connection (or `until`
/// appears), at most 5 s.
/// `rawHTTP` on a thread of its own: its socket calls block, and on Swift's cooperative pool (two threads here) they
/// could starve the server under test of the threads it answers on.
func rawHTTP(port: Int, _ request: String, until: String? = nil) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try blockingRawHTTP(port: port, request, until: until) }) }
    }
}

func blockingRawHTTP(port: Int, _ request: String, until: String? = nil) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    let bytes = Array(request.utf8)
    var sent = 0
    while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n <= 0 { break }  // the server may refuse and close before the whole request is sent
        sent += n
    }
    var answer = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        answer += buffer[0..<n]
        if let until, String(decoding: answer, as: UTF8.self).contains(until) { break }
    }
    return String(decoding: answer, as: UTF8.self)
}

/// The messages a test's logger received.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// Keeps the messages logged (the tests read them).
struct CapturingLog: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { lines.append(event.message.description) }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SmartSyncCore
import Testing

@testable import SmartSyncServer

/// The endpoints the pages read besides those of the previous issue, and the pages themselves.
@Suite struct WebTests {
    @Test func pagesAreServedWholeFromTheBinary() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            for path in ["/", "/leads", "/leads/lead", "/copy/lead", "/copies", "/copies/alice-1", "/dashboard", "/alerts", "/signin"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                    #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
                    #expect(String(buffer: response.body).contains(#"<script src="/assets/app.js">"#))
                }
            }
            for (path, type) in [
                ("/assets/app.js", "text/javascript"), ("/assets/app.css", "text/css"), ("/assets/icon.svg", "image/svg+xml"),
            ] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix(type) == true)
                    // Nothing is fetched from elsewhere (the SVG's xmlns is a name, not a fetch).
                    let text = String(buffer: response.body).replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
                    #expect(!text.contains("http://") && !text.contains("https://"), "\(path) refers to another site")
                }
            }
        }
    }

    /// Ids a client chooses fit in a URL unescaped; path parameters are percent-decoded.
    @Test func idsAndEscapedPaths() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            for bad in ["a b", "x/y", "", String(repeating: "a", count: 65), "é"] {
                try await client.execute(
                    uri: "/v1/users", method: .post, headers: headers(f.keys["operator"]),
                    body: ByteBuffer(string: #"{"id": "\#(bad)"}"#)
                ) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                    #expect(String(buffer: response.body).contains(#""field": "id""#))
                }
            }
            try await client.execute(
                uri: "/v1/copies", method: .post, headers: headers(f.keys["bob"]),
                body: ByteBuffer(string: #"{"id": "my copy", "lead": "lead", "investment": "100"}"#)
            ) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/v1/copies/alice%2D1", method: .get, headers: headers(f.keys["alice"])) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func leadFillsBuyExistingPreviewOrdersAndCopyCurve() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/orders", method: .post, headers: headers(f.keys["lead"]),
                body: ByteBuffer(string: #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "2500"}"#)
            ) { #expect($0.status == .created) }
            try await client.execute(
                uri: "/v1/orders", method: .post, headers: headers(f.keys["lead"]),
                body: ByteBuffer(string: #"{"symbol": "BTC-USDT", "side": "buy", "quantity": "0.01", "limitPrice": "40000"}"#)
            ) { #expect($0.status == .created) }
            try await client.execute(
                uri: "/v1/prices", method: .post, headers: headers(f.keys["operator"]),
                body: ByteBuffer(string: #"{"symbol": "BTC-USDT", "price": "55000"}"#)
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/leads/lead/fills", method: .get) { response in
                let fills = try #require(try json(response.body) as? [[String: Any]])
                #expect(fills.count == 1)
                #expect(fills.first?["quantity"] as? String == "0.05" && fills.first?["price"] as? String == "50000")
            }
            try await client.execute(uri: "/v1/leads/lead/fills?limit=0", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains(#""field": "limit""#))
            }
            // 0.05 BTC at 55,000 = 2,750 of an equity of 7,500 + 2,750 (minus the fee): 100 USDT would buy about 26.8% in BTC.
            try await client.execute(uri: "/v1/leads/lead/buy-existing?investment=100", method: .get) { response in
                let rows = try #require(try json(response.body) as? [[String: Any]])
                #expect(rows.count == 1)
                #expect(rows.first?["symbol"] as? String == "BTC-USDT" && rows.first?["quantity"] as? String == "0.00048")
            }
            try await client.execute(uri: "/v1/leads/lead/buy-existing?investment=abc", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains(#""field": "investment""#))
            }
            try await client.execute(uri: "/v1/orders", method: .get, headers: headers(f.keys["lead"])) { response in
                let orders = try #require(try json(response.body) as? [[String: Any]])
                #expect(orders.count == 1)
                #expect(orders.first?["limitPrice"] as? String == "40000" && orders.first?["remaining"] as? String == "0.01")
            }
            try await client.execute(uri: "/v1/copies/alice-1/equity-curve", method: .get, headers: headers(f.keys["alice"])) { response in
                let curve = try #require(try json(response.body) as? [[String: Any]])
                #expect(curve.first?["equity"] as? String == "1000")
                // After the price rise: alice's 0.005 BTC copy is worth 5 × 5 USDT more than its cost.
                let copy = f.service.read { engine in engine.copyEquity(engine.copy(named: "alice-1")!) }
                #expect(curve.last?["equity"] as? String == copy.description)
                #expect(curve.count >= 3)
            }
            try await client.execute(uri: "/v1/config", method: .get) { response in
                let config = try #require(try json(response.body) as? [String: Any])
                #expect(config["minInvestment"] as? String == "100")
            }
        }
    }
}

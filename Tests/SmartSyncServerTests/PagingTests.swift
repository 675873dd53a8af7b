import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SmartSyncCore
import Testing

@testable import SmartSyncServer

/// Every list is paged in a stable order (issue 15): following the cursor one item at a time gives back the whole
/// list, item for item, and a cursor past the end gives an empty page.
@Suite struct PagingTests {
    static func list(_ client: some TestClientProtocol, _ uri: String, key: String?) async throws -> [[String: Any]] {
        try await client.execute(uri: uri, method: .get, headers: headers(key)) { response in
            #expect(response.status == .ok, "\(uri)")
            return try #require(try json(response.body) as? [[String: Any]], "\(uri)")
        }
    }

    /// Pages `path` with `limit` and the cursor read from each page's last item, and compares with the whole list.
    static func pagesEqualTheWhole(
        _ client: some TestClientProtocol, _ path: String, key: String?, limit: Int, cursor: String, from item: String
    ) async throws -> Int {
        let whole = try await list(client, path, key: key)
        let separator = path.contains("?") ? "&" : "?"
        var paged: [[String: Any]] = []
        var next: String?
        while true {
            let uri = "\(path)\(separator)limit=\(limit)" + (next.map { "&\(cursor)=\($0)" } ?? "")
            let page = try await list(client, uri, key: key)
            #expect(page.count <= limit)
            paged += page
            guard page.count == limit, let last = page.last?[item] else { break }
            next = "\(last)"
            #expect(paged.count <= whole.count, "\(path) pages past its end")
            if paged.count > whole.count { break }
        }
        #expect(
            paged.map { NSDictionary(dictionary: $0) } == whole.map { NSDictionary(dictionary: $0) }, "\(path): pages differ from the whole"
        )
        return whole.count
    }

    @Test func everyListPagesBackToTheWhole() async throws {
        let f = try await Fixture()
        let eth = try Symbol(
            name: "ETH-USDT", qtyStep: try Fixed("0.0001"), priceTick: try Fixed("0.01"), minQty: .zero, minNotional: Fixed(5))
        try await f.service.executeBatch([
            .listSymbol(eth, price: Fixed(3_000), book: nil),
            .deposit(user: "bob", amount: Fixed(5_000)),
            .startCopy(StartCopyRequest(copyID: "bob-1", user: "bob", lead: "lead", investment: Fixed(1_000))),
            .adjustInvestment(copy: "alice-1", delta: Fixed(100)),
            .adjustInvestment(copy: "alice-1", delta: Fixed(-50)),
            .stopCopy(copy: "alice-1"),
            .startCopy(StartCopyRequest(copyID: "alice-2", user: "alice", lead: "lead", investment: Fixed(500))),
        ])
        try await f.app().test(.router) { client in
            for i in 0..<5 {
                let body = #"{"symbol": "\#(i % 2 == 0 ? "BTC-USDT" : "ETH-USDT")", "side": "buy", "quoteAmount": "100"}"#
                try await client.execute(uri: "/v1/orders", method: .post, headers: headers(f.keys["lead"]), body: ByteBuffer(string: body))
                {
                    #expect($0.status == .created)
                }
            }
            var counts: [String: Int] = [:]
            counts["markets"] = try await Self.pagesEqualTheWhole(client, "/v1/markets", key: nil, limit: 1, cursor: "after", from: "n")
            counts["leads"] = try await Self.pagesEqualTheWhole(
                client, "/v1/leads?sort=aum", key: nil, limit: 1, cursor: "after", from: "n")
            counts["copies"] = try await Self.pagesEqualTheWhole(
                client, "/v1/copies?view=summary", key: f.keys["alice"], limit: 1, cursor: "after", from: "n")
            counts["followers"] = try await Self.pagesEqualTheWhole(
                client, "/v1/leading/followers", key: f.keys["lead"], limit: 2, cursor: "after", from: "n")
            counts["history"] = try await Self.pagesEqualTheWhole(
                client, "/v1/copies/alice-1/history", key: f.keys["alice"], limit: 1, cursor: "after", from: "n")
            counts["fills"] = try await Self.pagesEqualTheWhole(
                client, "/v1/copies/alice-2/fills", key: f.keys["alice"], limit: 2, cursor: "after", from: "n")
            counts["orders"] = try await Self.pagesEqualTheWhole(
                client, "/v1/orders?status=all", key: f.keys["lead"], limit: 2, cursor: "before", from: "id")
            #expect(counts == ["markets": 2, "leads": 1, "copies": 2, "followers": 3, "history": 4, "fills": 3, "orders": 5])
            // The lead's fills page backwards: the latest `limit` before an event.
            let all = try await Self.list(client, "/v1/leads/lead/fills", key: nil)
            #expect(all.count == 5 && all.map { $0["n"] as? Int } == [0, 1, 2, 3, 4])
            let latest = try await Self.list(client, "/v1/leads/lead/fills?limit=2", key: nil)
            #expect(latest.map { $0["n"] as? Int } == [3, 4])
            let earlier = try await Self.list(client, "/v1/leads/lead/fills?limit=2&before=\(latest[0]["event"] as? Int ?? 0)", key: nil)
            #expect(earlier.map { $0["n"] as? Int } == [1, 2])
            // Past the end: empty.
            #expect(try await Self.list(client, "/v1/markets?after=1", key: nil).isEmpty)
        }
    }

    /// A price update that fills two resting lead orders makes two lead fills at one event: a page of the lead's fills
    /// never splits them (the next page back starts before that event, so a split would lose one).
    @Test func aPageOfLeadFillsKeepsAnEventsFillsTogether() async throws {
        let f = try await Fixture()
        try await f.app().test(.router) { client in
            let lead = f.keys["lead"]
            for body in [
                #"{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "100"}"#,
                #"{"symbol": "BTC-USDT", "side": "buy", "quantity": "0.01", "limitPrice": "49000"}"#,
                #"{"symbol": "BTC-USDT", "side": "buy", "quantity": "0.01", "limitPrice": "48500"}"#,
            ] {
                try await client.execute(uri: "/v1/orders", method: .post, headers: headers(lead), body: ByteBuffer(string: body)) {
                    #expect($0.status == .created)
                }
            }
            try await client.execute(
                uri: "/v1/prices", method: .post, headers: headers(f.keys["operator"]),
                body: ByteBuffer(string: #"{"symbol": "BTC-USDT", "price": "48000"}"#)
            ) { #expect($0.status == .ok || $0.status == .created) }
            let all = try await Self.list(client, "/v1/leads/lead/fills", key: nil)
            #expect(all.map { $0["n"] as? Int } == [0, 1, 2])
            let event = try #require(all.last?["event"] as? Int)
            #expect(all[1]["event"] as? Int == event && all[0]["event"] as? Int != event)
            // One asked for, both of the last event given; the page before it is the first fill alone.
            let latest = try await Self.list(client, "/v1/leads/lead/fills?limit=1", key: nil)
            #expect(latest.map { $0["n"] as? Int } == [1, 2])
            let earlier = try await Self.list(client, "/v1/leads/lead/fills?limit=1&before=\(event)", key: nil)
            #expect(earlier.map { $0["n"] as? Int } == [0])
        }
    }

    /// A read holds one committed state while later commands commit: the orders and lead fills it pages through the
    /// database are those of its state, never later ones (which would also take places in a page's limit).
    @Test func aReadSeesItsStateNotLaterRowsOfTheDatabase() async throws {
        let f = try await Fixture()
        let buy = EngineCommand.order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(100)))
        for _ in 0..<3 { _ = try await f.service.submit(buy) }
        let then = f.service.read { $0 }
        let u = try #require(then.user(named: "lead"))
        let l = try #require(then.users[u].lead)
        let orders = try await f.service.orders(then, user: u, before: .max, limit: 2, all: true)
        let fills = try await f.service.leadFills(then, lead: l, before: .max, limit: 2)
        for _ in 0..<3 { _ = try await f.service.submit(buy) }
        #expect(f.service.read { $0.orderCount } == 6 && then.orderCount == 3)
        // The same pages, read again from the older state after the database took three more orders and fills.
        #expect(try await f.service.orders(then, user: u, before: .max, limit: 2, all: true) == orders)
        #expect(orders.map(\.id) == [3, 2])
        #expect(try await f.service.leadFills(then, lead: l, before: .max, limit: 2) == fills)
        #expect(fills.map(\.n) == [1, 2])
        let ids = Set(try await f.service.leadFills(f.service.read { $0 }, lead: l, before: .max, limit: 10).map(\.fill.id))
        #expect(try await f.service.leadFills(then, ids: ids).count == 3)
        let last = try #require(try await f.service.order(f.service.read { $0 }, id: 6))
        #expect(try await f.service.order(then, placedAt: last.event) == nil)
        #expect(try await f.service.order(then, id: last.id) == nil)
    }
}

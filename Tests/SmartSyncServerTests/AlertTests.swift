import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SmartSyncCore
import SmartSyncStore
import SmartSyncViews
import Synchronization
import Testing

@testable import SmartSyncServer

/// A webhook receiver on 127.0.0.1 (`/hook/<name>`): records every request and answers each name with the
/// statuses it is given for it, in turn (the last one from then on; 200 for a name it was given none for).
final class Receiver: Sendable {
    struct Received: Sendable {
        var path: String
        var headers: HTTPFields
        var body: String
    }
    let received = Mutex<[Received]>([])
    let statuses: Mutex<[String: [HTTPResponse.Status]]>
    let port = Mutex<Int?>(nil)

    init(statuses: [String: [HTTPResponse.Status]] = [:]) { self.statuses = Mutex(statuses) }

    /// Runs the receiver until `body` returns.
    func run(_ body: (Int) async throws -> Void) async throws {
        let router = Router()
        router.post("/hook/:name") { request, context -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let name = context.parameters.get("name") ?? ""
            self.received.withLock { $0.append(Received(path: name, headers: request.headers, body: String(buffer: bytes))) }
            let status = self.statuses.withLock { all in
                guard var s = all[name], !s.isEmpty else { return HTTPResponse.Status.ok }
                defer { all[name] = s }
                return s.count > 1 ? s.removeFirst() : s[0]
            }
            return Response(status: status)
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.port.withLock { $0 = channel.localAddress?.port } })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var port: Int?
            for _ in 0..<500 where port == nil {
                try await Task.sleep(for: .milliseconds(10))
                port = self.port.withLock { $0 }
            }
            try await body(try #require(port))
            group.cancelAll()
        }
    }

    /// Waits until `count` requests came (at most 10 s).
    func waitFor(_ count: Int) async throws -> [Received] {
        for _ in 0..<1000 {
            let got = received.withLock { $0 }
            if got.count >= count { return got }
            try await Task.sleep(for: .milliseconds(10))
        }
        return received.withLock { $0 }
    }
}

/// Waits until `condition` holds (at most 10 s).
func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<1000 {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return false
}

@Suite struct AlertTests {
    /// HMAC-SHA256 test vectors from RFC 4231, section 4.3 (test case 2) and 4.2 (test case 1): the primitive every
    /// signature uses.
    @Test func hmacMatchesRFC4231() {
        #expect(
            HookSignature.hmacHex(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            HookSignature.hmacHex(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        // The signature covers "<timestamp>.<body>".
        #expect(
            HookSignature.sign(body: "{}", timestamp: 1_700_000_000, secret: "Jefe")
                == "sha256=" + HookSignature.hmacHex(key: Array("Jefe".utf8), message: Array("1700000000.{}".utf8)))
    }

    @Test func hooksMayNotPointAtLocalAddressesUnlessAllowed() {
        var policy = HookPolicy()
        #expect(policy.refusal(of: "https://example.com/alerts") == nil)
        #expect(policy.refusal(of: "http://203.0.113.7:8080/x") == nil)
        for local in [
            "http://127.0.0.1/x", "http://localhost:9/x", "http://10.1.2.3/", "http://192.168.0.1/", "http://172.16.5.5/",
            "http://169.254.169.254/latest", "http://[::1]/x", "http://0.0.0.0/", "http://printer.local/",
            // Other spellings of loopback that the C library (and so a connection) reads the same.
            "http://2130706433/", "http://0x7f.0.0.1/", "http://017700000001/", "http://127.1/", "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/", "http://[fd00::1]/", "http://[fe80::1]/", "http://localhost./", "http://LOCALHOST/",
            // IPv4 inside IPv6 (NAT64, 6to4), multicast, benchmarking and reserved ranges.
            "http://[64:ff9b::7f00:1]/", "http://[2002:a00:1::]/", "http://[fec0::1]/", "http://[ff02::1]/", "http://224.0.0.1/",
            "http://198.18.0.1/", "http://255.255.255.255/", "http://192.0.0.8/",
        ] {
            #expect(policy.refusal(of: local)?.contains("loopback or private") == true, "\(local)")
        }
        #expect(policy.refusal(of: "ftp://example.com/")?.contains("http") == true)
        #expect(policy.refusal(of: "https://user:pw@example.com/")?.contains("user or password") == true)
        // A name is checked where it resolves when a delivery is sent.
        #expect(policy.resolvesLocally("localhost") && !policy.resolvesLocally("203.0.113.7"))
        policy.allowedHosts = ["127.0.0.1"]
        #expect(policy.refusal(of: "http://127.0.0.1:9999/hook") == nil)
        // The allow-list compares hosts without brackets, case or a final dot.
        policy.allowedHosts = ["127.0.0.1", "::1"]
        #expect(policy.refusal(of: "http://[::1]:9/x") == nil && policy.refusal(of: "http://127.0.0.1.:9/x") == nil)
        #expect(policy.refusal(of: "http://[2001:db8::1]/") == nil && policy.refusal(of: "http://[2002:cb00:7107::]/") == nil)
        policy.onlyAllowedHosts = true
        #expect(policy.refusal(of: "https://example.com/")?.contains("127.0.0.1") == true)
    }

    @Test func registeringAHookIsCheckedAndItsSecretIsNeverShown() async throws {
        let f = try await Fixture()
        let alice = try #require(f.keys["alice"])
        try await f.app().test(.router) { client in
            func post(_ body: String) async throws -> (HTTPResponse.Status, [String: Any]) {
                try await client.execute(uri: "/v1/hooks", method: .post, headers: headers(alice), body: ByteBuffer(string: body)) {
                    ($0.status, (try? json($0.body) as? [String: Any]) ?? [:])
                }
            }
            func field(_ answer: [String: Any]) -> String? { (answer["error"] as? [String: Any])?["field"] as? String }
            let secret = "s3cret-s3cret-s3cret"
            var (status, answer) = try await post(#"{"url": "ftp://example.com/", "events": ["copyStopped"], "secret": "\#(secret)"}"#)
            #expect(status == .badRequest && field(answer) == "url")
            (status, answer) = try await post(#"{"url": "http://10.0.0.1/", "events": ["copyStopped"], "secret": "\#(secret)"}"#)
            #expect(status == .unprocessableContent && field(answer) == "url")
            (status, answer) = try await post(#"{"url": "https://example.com/", "events": ["copyStopped"], "secret": "short"}"#)
            #expect(status == .badRequest && field(answer) == "secret")
            (status, answer) = try await post(#"{"url": "https://example.com/", "events": ["trackingGap"], "secret": "\#(secret)"}"#)
            #expect(status == .unprocessableContent && field(answer) == "trackingGap")
            (status, answer) = try await post(#"{"url": "https://example.com/", "events": ["nope"], "secret": "\#(secret)"}"#)
            #expect(status == .badRequest && field(answer)?.hasPrefix("events") == true)
            (status, answer) = try await post(
                #"{"url": "https://example.com/", "events": ["copyStopped"], "secret": "\#(secret)", "colour": "red"}"#)
            #expect(status == .badRequest && field(answer) == "colour")
            // Nothing was registered by the refusals.
            try await client.execute(uri: "/v1/hooks", method: .get, headers: headers(alice)) {
                let hooks = try json($0.body) as? [Any]
                #expect(hooks?.isEmpty == true)
            }
            (status, answer) = try await post(
                #"{"url": "https://example.com/a", "events": ["copyStopped", "trackingGap"], "secret": "\#(secret)", "trackingGap": "2.5"}"#
            )
            #expect(status == .created)
            #expect(answer["id"] as? String == "hook-1" && answer["trackingGap"] as? String == "2.5")
            #expect(answer["secret"] == nil)
            // Bob cannot see or remove alice's hook.
            try await client.execute(uri: "/v1/hooks/hook-1", method: .get, headers: headers(f.keys["bob"])) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/v1/hooks/hook-1", method: .delete, headers: headers(f.keys["bob"])) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/v1/hooks/hook-1", method: .delete, headers: headers(alice)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/hooks/hook-1", method: .get, headers: headers(alice)) { #expect($0.status == .notFound) }
        }
    }

    /// Bob's copy order fails (0.4 USDT is below the 5 USDT minimum) and alice stops her copy: each gets the alert
    /// they asked for, signed with their secret; alice's receiver fails once and gets it on the retry, and the
    /// delivery log says so.
    @Test func alertsAreSignedDeliveredRetriedAndLogged() async throws {
        let f = try await Fixture()
        f.service.alerts.policy.withLock {
            $0.allowedHosts = ["127.0.0.1"]
            $0.retryDelays = [.milliseconds(20), .milliseconds(20)]
        }
        let receiver = Receiver(statuses: ["alice": [.internalServerError, .ok]])
        try await receiver.run { port in
            let sender = Task { try await AlertService(alerts: f.service.alerts, logger: Logger(label: "test")).run() }
            defer { sender.cancel() }
            try await f.app().test(.router) { client in
                func register(_ user: String, _ events: String, secret: String) async throws {
                    let key = f.keys[user]
                    let body = #"{"url": "http://127.0.0.1:\#(port)/hook/\#(user)", "events": \#(events), "secret": "\#(secret)"}"#
                    try await client.execute(uri: "/v1/hooks", method: .post, headers: headers(key), body: ByteBuffer(string: body)) {
                        #expect($0.status == .created)
                    }
                }
                try await register("alice", #"["copyStopped", "stopLossFired"]"#, secret: "alice-secret-0123456789")
                try await register("bob", #"["copyOrderFailed"]"#, secret: "bob-secret-0123456789")
                try await f.service.execute(
                    .startCopy(StartCopyRequest(copyID: "bob-1", user: "bob", lead: "lead", investment: Fixed(100))))
                try await f.service.execute(
                    .order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(40))))
                try await f.service.execute(.stopCopy(copy: "alice-1"))
                // Bob's alert once; alice's twice (a 500, then 200).
                let got = try await receiver.waitFor(3)
                #expect(got.count == 3)
                for r in got {
                    let timestamp = try #require(r.headers[HTTPField.Name("SmartSync-Timestamp")!].flatMap { Int64($0) })
                    let alert = try #require(try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any])
                    let secret = alert["user"] as? String == "alice" ? "alice-secret-0123456789" : "bob-secret-0123456789"
                    #expect(
                        r.headers[HTTPField.Name("SmartSync-Signature")!]
                            == HookSignature.sign(body: r.body, timestamp: timestamp, secret: secret))
                    #expect(r.headers[HTTPField.Name("SmartSync-Event")!] == alert["type"] as? String)
                }
                let bobs = try #require(got.first { $0.body.contains(#""user":"bob""#) })
                let failed = try #require(try JSONSerialization.jsonObject(with: Data(bobs.body.utf8)) as? [String: Any])
                #expect(failed["type"] as? String == "copyOrderFailed" && failed["copy"] as? String == "bob-1")
                #expect(failed["reason"] as? String == "belowMinNotional" && failed["symbol"] as? String == "BTC-USDT")
                let alices = got.filter { $0.body.contains(#""user":"alice""#) }
                #expect(alices.count == 2 && alices[0].body == alices[1].body)
                #expect(alices[0].body.contains(#""type":"copyStopped""#) && alices[0].body.contains(#""stopReason":"follower""#))
                // The log: delivered on the second attempt, after a 500.
                let delivered = try await eventually {
                    try await client.execute(uri: "/v1/hooks/hook-1/deliveries", method: .get, headers: headers(f.keys["alice"])) {
                        let log = try json($0.body) as? [[String: Any]] ?? []
                        return log.count == 1 && log[0]["status"] as? String == "delivered"
                    }
                }
                #expect(delivered)
                try await client.execute(uri: "/v1/hooks/hook-1/deliveries", method: .get, headers: headers(f.keys["alice"])) {
                    let log = try #require(try json($0.body) as? [[String: Any]])
                    #expect(log[0]["attempts"] as? Int == 2 && log[0]["responseStatus"] as? Int == 200)
                    #expect(log[0]["error"] is NSNull && log[0]["body"] as? String == alices[0].body)
                }
            }
        }
    }

    /// A receiver that always fails: the delivery is tried once and once per retry wait, then marked failed with
    /// the last status; a test alert goes to one hook only.
    @Test func aDeliveryThatKeepsFailingIsMarkedFailed() async throws {
        let f = try await Fixture()
        f.service.alerts.policy.withLock {
            $0.allowedHosts = ["127.0.0.1"]
            $0.retryDelays = [.milliseconds(10), .milliseconds(10)]
        }
        let receiver = Receiver(statuses: ["alice": [.serviceUnavailable]])
        try await receiver.run { port in
            let sender = Task { try await AlertService(alerts: f.service.alerts, logger: Logger(label: "test")).run() }
            defer { sender.cancel() }
            try await f.app().test(.router) { client in
                let alice = f.keys["alice"]
                for _ in 0..<2 {
                    let body = #"{"url": "http://127.0.0.1:\#(port)/hook/alice", "events": ["copyStopped"], "secret": "0123456789abcdef"}"#
                    try await client.execute(uri: "/v1/hooks", method: .post, headers: headers(alice), body: ByteBuffer(string: body)) {
                        #expect($0.status == .created)
                    }
                }
                try await client.execute(uri: "/v1/hooks/hook-2/test", method: .post, headers: headers(alice)) {
                    #expect($0.status == .accepted)
                }
                let failed = try await eventually {
                    try await client.execute(uri: "/v1/hooks/hook-2/deliveries", method: .get, headers: headers(alice)) {
                        (try json($0.body) as? [[String: Any]])?.first?["status"] as? String == "failed"
                    }
                }
                #expect(failed)
                #expect(receiver.received.withLock { $0.count } == 3)
                try await client.execute(uri: "/v1/hooks/hook-2/deliveries", method: .get, headers: headers(alice)) {
                    let log = try #require(try json($0.body) as? [[String: Any]])
                    #expect(log.count == 1 && log[0]["attempts"] as? Int == 3 && log[0]["responseStatus"] as? Int == 503)
                    #expect((log[0]["error"] as? String)?.contains("503") == true && log[0]["type"] as? String == "test")
                }
                try await client.execute(uri: "/v1/hooks/hook-1/deliveries", method: .get, headers: headers(alice)) {
                    let log = try json($0.body) as? [Any]
                    #expect(log?.isEmpty == true)
                }
            }
        }
    }

    /// Shutting down: alerts still queued are logged as pending, not sent, and not lost; the next start sends them.
    @Test func queuedAlertsSurviveAShutdownAndAreSentAfterTheNextStart() async throws {
        let f = try await Fixture()
        let alerts = f.service.alerts
        alerts.policy.withLock { $0.allowedHosts = ["127.0.0.1"] }
        let receiver = Receiver()
        try await receiver.run { port in
            let hook = try await alerts.store.add(
                StoredHook(
                    user: "alice", url: "http://127.0.0.1:\(port)/hook/alice", events: ["copyStopped"], secret: "0123456789abcdef",
                    trackingGap: nil, created: 0))
            alerts.added(hook)
            let alert = AlertReport(type: .copyStopped, time: "2021-05-05T00:00:00Z", event: 1, user: "alice", message: "stopped")
            alerts.raise([(alert, nil), (alert, nil), (alert, nil)])
            // What the service does on a graceful shutdown, before it has sent anything.
            alerts.stopping.store(true, ordering: .relaxed)
            alerts.finish()
            try await AlertService(alerts: alerts, logger: Logger(label: "test")).run()
            #expect(receiver.received.withLock { $0.count } == 0)
            #expect(try await alerts.store.pending().count == 3)
            // The next start (a new sender over the same database) sends them.
            let restarted = Alerts(store: alerts.store)
            restarted.policy.withLock { $0.allowedHosts = ["127.0.0.1"] }
            let sender = Task { try await AlertService(alerts: restarted, logger: Logger(label: "test")).run() }
            defer { sender.cancel() }
            #expect(try await receiver.waitFor(3).count == 3)
            #expect(try await eventually { try await alerts.store.pending().isEmpty })
        }
    }

    /// A tracking-gap hook fires once when the copy's return moves beyond its threshold, not again while it stays
    /// beyond: the lead buys 40 USDT of BTC (0.4% of its equity), alice's copy order of 4 USDT is below the 5 USDT
    /// minimum, and BTC rises 20%: the lead gains 8 USDT on 10,000 (0.08 points), the copy nothing.
    @Test func aTrackingGapFiresOncePerCrossing() async throws {
        let f = try await Fixture()
        f.service.alerts.policy.withLock { $0.allowedHosts = ["127.0.0.1"] }
        let receiver = Receiver()
        try await receiver.run { port in
            let sender = Task { try await AlertService(alerts: f.service.alerts, logger: Logger(label: "test")).run() }
            defer { sender.cancel() }
            try await f.app().test(.router) { client in
                let body =
                    #"{"url": "http://127.0.0.1:\#(port)/hook/alice", "events": ["trackingGap"], "secret": "0123456789abcdef", "trackingGap": "0.05"}"#
                try await client.execute(uri: "/v1/hooks", method: .post, headers: headers(f.keys["alice"]), body: ByteBuffer(string: body))
                {
                    #expect($0.status == .created)
                }
                try await f.service.execute(.order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(40))))
                // Still within 0.05 points: +1% on 40 USDT is 0.004 points.
                try await f.service.execute(.price(symbol: "BTC-USDT", price: Fixed(50_500)))
                try await Task.sleep(for: .milliseconds(200))
                #expect(receiver.received.withLock { $0.count } == 0)
                try await f.service.execute(.price(symbol: "BTC-USDT", price: Fixed(60_000)))
                try await f.service.execute(.price(symbol: "BTC-USDT", price: Fixed(61_000)))
                let got = try await receiver.waitFor(1)
                try await Task.sleep(for: .milliseconds(200))
                #expect(receiver.received.withLock { $0.count } == 1)
                let first = try #require(got.first)
                let alert = try #require(try JSONSerialization.jsonObject(with: Data(first.body.utf8)) as? [String: Any])
                #expect(alert["type"] as? String == "trackingGap" && alert["copy"] as? String == "alice-1")
                #expect(alert["thresholdPoints"] as? String == "0.05")
                // The lead: 0.0008 BTC (40 USDT less its fee, on the step) from 50,000 to 60,000 is about +8 USDT
                // on 10,000, 0.08 points; the copy holds none.
                let gap = try Fixed(try #require(alert["gapPoints"] as? String))
                let (high, low) = (try Fixed("-0.05"), try Fixed("-0.09"))
                #expect(gap < high && gap > low, "\(gap)")
            }
        }
    }
}

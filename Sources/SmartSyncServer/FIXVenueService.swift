import Logging
import ServiceLifecycle
import SmartSyncCore
import SmartSyncFIX

/// Where `serve --venue` sends orders: `fix://HOST:PORT?sender=SENDER&target=TARGET` (FIX 4.4 over TCP).
public struct FIXVenueAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var sender: String
    public var target: String
    public var heartbeatSeconds = 30

    /// Parses the URL; the error names what is wrong with it.
    public init(_ text: String) throws(FieldError) {
        guard text.hasPrefix("fix://") else { throw FieldError("venue", "must be simulated or fix://HOST:PORT?sender=…&target=… (got \"\(text)\")") }
        let rest = text.dropFirst("fix://".count)
        let (authority, query) = rest.firstIndex(of: "?").map { (rest[..<$0], rest[rest.index(after: $0)...]) } ?? (rest, "")
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]),
            (1...65_535).contains(port), colon > authority.startIndex
        else { throw FieldError("venue", "needs HOST:PORT after fix:// (got \"\(authority)\")") }
        host = String(authority[..<colon])
        self.port = port
        var sender: String?
        var target: String?
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { throw FieldError("venue", "query part \"\(pair)\" is not name=value") }
            switch parts[0] {
            case "sender": sender = parts[1]
            case "target": target = parts[1]
            case "heartbeat":
                guard let s = Int(parts[1]), (1...3_600).contains(s) else { throw FieldError("venue", "heartbeat must be 1 to 3600 seconds") }
                heartbeatSeconds = s
            default: throw FieldError("venue", "unknown query parameter \"\(parts[0])\" (sender, target, heartbeat)")
            }
        }
        guard let sender, let target else { throw FieldError("venue", "needs sender=… and target=… (the FIX SenderCompID and TargetCompID)") }
        self.sender = sender
        self.target = target
    }

    public var description: String { "fix://\(host):\(port)?sender=\(sender)&target=\(target)" }
}

/// The FIX 4.4 venue adapter: keeps a session to the venue, sends the engine's logged orders (`venueSent` is logged
/// before each goes out) and cancels, and turns the venue's execution reports, cancel rejects and rejects into
/// `venueReport` commands, so the engine applies them in the log's order and replay gives the same state.
///
/// What it does not do yet: keep the session's sequence numbers in the database (it logs on with a reset,
/// 141=Y, so reports the venue sent while SmartSync was down are not resent) and reconcile orders left `sent`
/// by a crash with OrderStatusRequest. Until then a crash with orders in flight needs the operator.
public struct FIXVenueService: Service {
    let service: EngineService
    let address: FIXVenueAddress
    let clock: @Sendable () -> Int64
    let logger: Logger

    public init(service: EngineService, address: FIXVenueAddress, clock: @escaping @Sendable () -> Int64, logger: Logger) {
        self.service = service
        self.address = address
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        if service.read({ $0.venueMode }) != .external { _ = try await service.execute(.venueMode(.external)) }
        let configuration = FIXSession.Configuration(
            senderCompID: address.sender, targetCompID: address.target, heartbeatSeconds: address.heartbeatSeconds)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                _ = try await cancelWhenGracefulShutdown {
                    try await FIXInitiator.run(
                        host: address.host, port: address.port, session: FIXSession(configuration: configuration),
                        resetSequence: true, clock: clock
                    ) { link in
                        try await link.loggedOn()
                        logger.info("venue: logged on", metadata: ["venue": "\(address)"])
                        try await exchange(link)
                    }
                }
            } catch {
                guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
                logger.warning("venue: session ended, reconnecting in 1 s", metadata: ["venue": "\(address)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Sends what the engine logged and applies what the venue answers, until the session ends.
    func exchange(_ link: FIXLink) async throws {
        let sent = SentMessages()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    let message = try await link.next()
                    let ours = await sent.order(carriedBy: message[45].flatMap { Int($0) })
                    guard let report = Self.report(message, refusedOrder: ours) else { continue }
                    do {
                        _ = try await service.execute(.venueReport(report))
                    } catch {
                        logger.error("venue: a report was not applied", metadata: ["report": "\(report)", "error": "\(error)"])
                    }
                }
            }
            group.addTask {
                var cancelsAsked: Set<String> = []
                while true {
                    let (outbox, cancels, symbols) = service.read { ($0.venueBook.outbox, $0.venueBook.cancelsToSend, $0.venue.symbols) }
                    for record in outbox {
                        let message = try FIXOrders.newOrderSingle(
                            clientOrderID: record.clientOrderID, symbol: symbols[record.symbol].name, side: record.side,
                            size: record.order.size,
                            kind: record.limitPrice.map { record.immediateOrCancel ? .immediateOrCancel($0) : .limit($0) } ?? .market,
                            transactTime: clock())
                        // Logged before it goes out: after a crash the order is `sent` (to reconcile), never sent twice.
                        _ = try await service.execute(.venueSent(clientOrderID: record.clientOrderID))
                        let stamped = try await link.send(message)
                        await sent.note(stamped[34].flatMap { Int($0) }, record.clientOrderID)
                    }
                    for record in cancels where !cancelsAsked.contains(record.clientOrderID) {
                        cancelsAsked.insert(record.clientOrderID)
                        let quantity: Fixed
                        if case .quantity(let q) = record.order.size { quantity = q } else { quantity = record.order.filledQuantity }
                        try await link.send(
                            FIXOrders.cancelRequest(
                                clientOrderID: record.clientOrderID + "-c", original: record.clientOrderID,
                                symbol: symbols[record.symbol].name, side: record.side, quantity: quantity, transactTime: clock()))
                    }
                    try await Task.sleep(for: .milliseconds(outbox.isEmpty ? 5 : 0))
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// A venue message as a report on one of our orders; nil for what concerns none (or cannot be read: logged).
    static func report(_ message: FIXMessage, refusedOrder: String?) -> VenueReport? {
        switch message.msgType {
        case "8":
            guard let id = message[11] else { return nil }
            switch message[150] {
            case "0": return VenueReport(clientOrderID: id, kind: .accepted, venueOrderID: message[37])
            case "F", "1", "2":
                return VenueReport(
                    clientOrderID: id, kind: .fill, venueOrderID: message[37], executionID: message[17],
                    quantity: message[32].flatMap { try? Fixed($0) }, price: message[31].flatMap { try? Fixed($0) })
            case "4": return VenueReport(clientOrderID: message[41] ?? id, kind: .cancelled, venueOrderID: message[37])
            case "8": return VenueReport(clientOrderID: id, kind: .rejected, venueOrderID: message[37], reason: message[58])
            case "C": return VenueReport(clientOrderID: id, kind: .expired, venueOrderID: message[37])
            default: return nil
            }
        case "9":
            guard let id = message[41] else { return nil }
            return VenueReport(clientOrderID: id, kind: .cancelRejected, reason: message[58])
        case "3", "j":
            // A refused NewOrderSingle is a rejected order; a refused cancel leaves the order as it is.
            guard message[372] == "D", let id = message[379] ?? refusedOrder else { return nil }
            return VenueReport(clientOrderID: id, kind: .rejected, reason: message[58] ?? "refused by the venue")
        default:
            return nil
        }
    }
}

/// Our NewOrderSingle messages by sequence number, so that a session Reject (which names only the number) is tied to
/// its order.
actor SentMessages {
    private var orders: [Int: String] = [:]

    func note(_ sequence: Int?, _ clientOrderID: String) {
        if let sequence { orders[sequence] = clientOrderID }
    }

    func order(carriedBy sequence: Int?) -> String? { sequence.flatMap { orders[$0] } }
}

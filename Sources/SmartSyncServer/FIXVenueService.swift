import Logging
import ServiceLifecycle
import SmartSyncCore
import SmartSyncFIX
import SmartSyncStore

/// Where `serve --venue` sends orders: `fix://HOST:PORT?sender=SENDER&target=TARGET` (FIX 4.4 over TCP).
public struct FIXVenueAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var sender: String
    public var target: String
    public var heartbeatSeconds = 30

    /// Parses the URL; the error names what is wrong with it.
    public init(_ text: String) throws(FieldError) {
        guard text.hasPrefix("fix://") else {
            throw FieldError("venue", "must be simulated or fix://HOST:PORT?sender=…&target=… (got \"\(text)\")")
        }
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
                guard let s = Int(parts[1]), (1...3_600).contains(s) else {
                    throw FieldError("venue", "heartbeat must be 1 to 3600 seconds")
                }
                heartbeatSeconds = s
            default: throw FieldError("venue", "unknown query parameter \"\(parts[0])\" (sender, target, heartbeat)")
            }
        }
        guard let sender, let target else {
            throw FieldError("venue", "needs sender=… and target=… (the FIX SenderCompID and TargetCompID)")
        }
        self.sender = sender
        self.target = target
    }

    public var description: String { "fix://\(host):\(port)?sender=\(sender)&target=\(target)" }
}

/// The FIX 4.4 venue adapter: keeps a session to the venue, sends the engine's logged orders (`venueSent` is logged
/// before each goes out) and cancels, and turns the venue's execution reports, cancel rejects and rejects into
/// `venueReport` commands, so the engine applies them in the log's order and replay gives the same state.
///
/// The session's numbers and our application messages are kept in the database (`VenueSessionStore`): each message
/// is stored before it is written, and the venue's numbers are stored after what it sent was applied. A restart
/// logs on with the stored numbers (a reset Logon, 141=Y, only for a session the database never saw), so the venue
/// resends what SmartSync missed (applied once: the order state machine knows every execution id) and resends of
/// ours come from the store. Then open orders are reconciled: one logged `sent` whose message never reached the
/// store never left (the crash came between the two) and is withdrawn; every open order gets an
/// OrderStatusRequest (a venue without one, like QuickFIX's executor, refuses it harmlessly).
///
/// Several instances on one PostgreSQL database may all be started with `--venue`: the session is leased like a
/// lead (`venue:<session>` in the lease table), so one instance at a time holds it; the others stand by and take it
/// over (resuming the stored session) when the holder stops renewing. An instance that loses the lease ends its
/// session before another can start one.
public struct FIXVenueService: Service {
    let service: EngineService
    let address: FIXVenueAddress
    let clock: @Sendable () -> Int64
    let logger: Logger
    let membership: ClusterMembership?

    public init(
        service: EngineService, address: FIXVenueAddress, clock: @escaping @Sendable () -> Int64, logger: Logger,
        membership: ClusterMembership? = nil
    ) {
        self.service = service
        self.address = address
        self.clock = clock
        self.logger = logger
        self.membership = membership
    }

    /// The session's lease key among the leads' (several instances on one database).
    var leaseKey: String { "venue:" + sessionName }

    /// Waits until this instance holds the session's lease (at once without a cluster). False when stopping.
    func awaitLease() async -> Bool {
        guard let membership else { return true }
        var told = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if try await membership.take(leaseKey) != .elsewhere { return true }
            } catch {
                logger.warning("venue: the session's lease could not be asked for", metadata: ["error": "\(error)"])
            }
            if !told {
                logger.info("venue: another instance holds the session; standing by to take it over", metadata: ["venue": "\(address)"])
                told = true
            }
            try? await Task.sleep(for: .seconds(1))
        }
        return false
    }

    /// The session's name in the database: FIX identifies a session by its version and the two CompIDs.
    var sessionName: String { "FIX.4.4:\(address.sender)->\(address.target)" }

    public func run() async throws {
        let prefix = service.orderIDPrefix
        let (mode, current) = service.read { ($0.venueMode, $0.venueBook.orderIDPrefix) }
        if mode != .external || (prefix != nil && prefix != current) {
            do {
                _ = try await service.execute(.venueMode(.external, orderIDPrefix: prefix))
            } catch let error as EngineError where mode == .external {
                // Orders of a database from before ids had a prefix are still open: the prefix waits for a restart.
                logger.warning("venue: client order ids keep their old form for now", metadata: ["error": "\(error)"])
            }
        }
        let configuration = FIXSession.Configuration(
            senderCompID: address.sender, targetCompID: address.target, heartbeatSeconds: address.heartbeatSeconds)
        let store = service.venueSessions
        let name = sessionName
        // Our NewOrderSingle messages by number, across reconnects (a session Reject names only the number).
        let sentOrders = SentMessages()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            guard await awaitLease() else { break }
            do {
                var stored = try await store.load(name)
                // A session the venue never answered (no Logon reply stored: a crash right after a reset Logon, or
                // before it) starts afresh again: nothing can have been exchanged on it.
                if stored?.nextIncoming == 1 { stored = nil }
                var session = FIXSession(configuration: configuration)
                if let stored {
                    var sent: [Int: FIXMessage] = [:]
                    for (seq, text) in stored.sent {
                        guard let (message, _) = try? FIXParser.parse(Array(text.utf8)[...]) else { continue }
                        sent[seq] = message
                        if message.msgType == "D", let id = message[11] { await sentOrders.note(seq, id) }
                    }
                    session = FIXSession(
                        configuration: configuration,
                        sequence: FIXSession.Sequence(nextOutgoing: stored.nextOutgoing, nextIncoming: stored.nextIncoming), sent: sent)
                } else {
                    try await store.reset(name)
                }
                let start = session
                let resumed = stored
                _ = try await cancelWhenGracefulShutdown {
                    try await FIXInitiator.run(
                        host: address.host, port: address.port, session: start, resetSequence: resumed == nil, clock: clock,
                        beforeWrite: { messages in try await Self.keep(messages, in: store, name: name, sent: sentOrders) }
                    ) { link in
                        try await link.loggedOn()
                        // The venue's reset Logon reply was its message 1.
                        if resumed == nil { try await store.saveIncoming(name, nextIncoming: 2) }
                        logger.info(
                            "venue: logged on", metadata: ["venue": "\(address)", "resumed": "\(resumed != nil)"])
                        try await reconcile(link, stored: resumed)
                        // What the venue resends (the reports missed while away) comes before anything new is sent.
                        let deadline = ContinuousClock.now + .seconds(10)
                        while await link.resendPending && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
                        try await exchange(link, sent: sentOrders)
                    }
                }
            } catch {
                guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
                logger.warning("venue: session ended, reconnecting in 1 s", metadata: ["venue": "\(address)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Stores messages about to be written: the next outgoing number, and our application messages for resends.
    static func keep(_ messages: [FIXMessage], in store: any VenueSessionStore, name: String, sent: SentMessages) async throws {
        let numbered = messages.compactMap { m in m[34].flatMap { Int($0) }.map { (seq: $0, message: m) } }
        for (seq, message) in numbered where message.msgType == "D" {
            if let id = message[11] { await sent.note(seq, id) }
        }
        guard let last = numbered.map(\.seq).max() else { return }
        var kept: [(seq: Int, text: String)] = []
        for (seq, message) in numbered where !Self.sessionTypes.contains(message.msgType ?? "") && message[43] != "Y" {
            kept.append((seq, String(decoding: (try? message.encoded()) ?? [], as: UTF8.self)))
        }
        try await store.saveOutgoing(name, nextOutgoing: last + 1, messages: kept)
    }

    /// Session-level message types (never resent: a gap fill stands for them).
    static let sessionTypes: Set<String> = ["0", "1", "2", "3", "4", "5", "A"]

    /// After a logon: withdraws orders logged `sent` whose message never reached the store (they never left), and
    /// asks the venue for the status of every other open order.
    func reconcile(_ link: FIXLink, stored: StoredVenueSession?) async throws {
        let (open, symbols) = service.read { ($0.venueBook.open, $0.venue.symbols) }
        var sentIDs: Set<String> = []
        for text in stored?.sent.values ?? [:].values {
            if let parsed = try? FIXParser.parse(Array(text.utf8)[...]), let id = parsed.0[11] { sentIDs.insert(id) }
        }
        for record in open where record.order.status != .new {
            if stored != nil && record.order.status == .sent && !sentIDs.contains(record.clientOrderID) {
                logger.warning("venue: an order logged as sent never left; withdrawn", metadata: ["order": "\(record.clientOrderID)"])
                _ = try await service.execute(
                    .venueReport(
                        VenueReport(
                            clientOrderID: record.clientOrderID, kind: .cancelled,
                            reason: "it never reached the venue (SmartSync stopped between logging and sending it)")))
                continue
            }
            try await link.send(
                FIXOrders.statusRequest(clientOrderID: record.clientOrderID, symbol: symbols[record.symbol].name, side: record.side))
        }
    }

    /// Sends what the engine logged and applies what the venue answers, until the session ends.
    /// Applies one venue message as reports, then stores that the venue need not send it again.
    func apply(_ message: FIXMessage, sent: SentMessages) async throws {
        let ours = await sent.order(carriedBy: message[45].flatMap { Int($0) })
        if message.msgType == "8", let charged = message[12], Self.commission(message) == nil {
            logger.warning(
                "venue: a commission in a form SmartSync does not book (absolute USDT only); the fee at the taker fee rate was booked",
                metadata: [
                    "order": "\(message[11] ?? "?")", "commission": "\(charged)", "type": "\(message[13] ?? "-")",
                    "currency": "\(message[479] ?? "-")",
                ])
        }
        for report in Self.reports(message, refusedOrder: ours) {
            do {
                let before = service.read { $0.venueBook.refusals.count }
                _ = try await service.execute(.venueReport(report))
                for refusal in service.read({ $0.venueBook.refusals.dropFirst(before) }) {
                    logger.warning(
                        "venue: a report was not applied as sent",
                        metadata: ["order": "\(refusal.clientOrderID)", "kind": "\(refusal.kind)", "detail": "\(refusal.detail)"])
                }
            } catch let error as EngineError {
                // A report that is not one (a fill without its numbers): nothing to apply, ever.
                logger.error("venue: a report was not applied", metadata: ["report": "\(report)", "error": "\(error)"])
            }
            // Any other error (the database) ends the session before the number below is stored, so the venue sends
            // the report again after the reconnect.
        }
        if let seq = message[34].flatMap({ Int($0) }) { try await service.venueSessions.saveIncoming(sessionName, nextIncoming: seq + 1) }
    }

    func exchange(_ link: FIXLink, sent: SentMessages) async throws {
        // What arrived already (the venue's resends after a restart) is applied before anything new is sent.
        while let message = await link.nextIfReceived() { try await apply(message, sent: sent) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true { try await apply(try await link.next(), sent: sent) }
            }
            group.addTask {
                var cancelsAsked: [String: Int64] = [:]
                while true {
                    let (outbox, cancels, symbols) = service.read { ($0.venueBook.outbox, $0.venueBook.cancelsToSend, $0.venue.symbols) }
                    for record in outbox {
                        let message = try FIXOrders.newOrderSingle(
                            clientOrderID: record.clientOrderID, symbol: symbols[record.symbol].name, side: record.side,
                            size: record.order.size,
                            kind: record.limitPrice.map { record.immediateOrCancel ? .immediateOrCancel($0) : .limit($0) } ?? .market,
                            transactTime: clock())
                        // Logged before it goes out: after a crash the order is `sent` (to reconcile), never sent twice.
                        // Refused when its owner withdrew it meanwhile: then it is not sent.
                        do { _ = try await service.execute(.venueSent(clientOrderID: record.clientOrderID)) } catch is EngineError {
                            continue
                        }
                        try await link.send(message)
                    }
                    // A cancel is asked again every 5 s while the venue has not answered, each under its own id.
                    let now = clock()
                    for record in cancels where now - (cancelsAsked[record.clientOrderID] ?? .min / 2) >= 5_000 {
                        cancelsAsked[record.clientOrderID] = now
                        let quantity: Fixed
                        if case .quantity(let q) = record.order.size { quantity = q } else { quantity = record.order.filledQuantity }
                        try await link.send(
                            FIXOrders.cancelRequest(
                                clientOrderID: "\(record.clientOrderID)-c\(now)", original: record.clientOrderID,
                                symbol: symbols[record.symbol].name, side: record.side, quantity: quantity, transactTime: now))
                    }
                    // New orders are looked for every millisecond (a read of the committed state: no lock on the writer).
                    if outbox.isEmpty { try await Task.sleep(for: .milliseconds(1)) }
                    // Another instance may take the session over once this one's lease lapses: past the time this
                    // instance may rely on it, it asks again (keeping it when still its own) and stops when it is not.
                    // (Should both ever send, the log still lets each order go out once: its `venueSent` is refused
                    // the second time.)
                    if let membership, !membership.holds(leaseKey), try await membership.take(leaseKey) == .elsewhere {
                        throw VenueLeaseLost()
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// A venue message as reports on our orders (none for what concerns none). A trade report that also ends the
    /// order (OrdStatus cancelled or expired: an immediate-or-cancel rest) is the fill and then the end; CumQty (14)
    /// goes with every end, so that one that overtakes its fills waits for them.
    static func reports(_ message: FIXMessage, refusedOrder: String?) -> [VenueReport] {
        var reports = plainReports(message, refusedOrder: refusedOrder)
        if message[43] == "Y" || (message.msgType == "8" && message[150] == "I") {
            for k in reports.indices { reports[k].possibleDuplicate = true }
        }
        return reports
    }

    /// The USDT a trade report's Commission (12) charged, when it is an absolute amount (CommType 13 = 3, or none)
    /// in USDT (CommCurrency 479, or none): other forms (per unit, a percentage, another currency) give nil, and the
    /// fee at the operator's rate is booked.
    static func commission(_ message: FIXMessage) -> Fixed? {
        guard let text = message[12], message[13] == nil || message[13] == "3", message[479] == nil || message[479] == Symbol.quoteAsset
        else { return nil }
        return try? Fixed(text)
    }

    private static func plainReports(_ message: FIXMessage, refusedOrder: String?) -> [VenueReport] {
        switch message.msgType {
        case "8":
            guard let id = message[11] else { return [] }
            let cumulative = message[14].flatMap { try? Fixed($0) }
            func end(_ status: String?, _ order: String) -> VenueReport? {
                switch status {
                case "4":
                    return VenueReport(clientOrderID: order, kind: .cancelled, venueOrderID: message[37], cumulativeQuantity: cumulative)
                case "C":
                    return VenueReport(clientOrderID: order, kind: .expired, venueOrderID: message[37], cumulativeQuantity: cumulative)
                default: return nil
                }
            }
            switch message[150] {
            case "0": return [VenueReport(clientOrderID: id, kind: .accepted, venueOrderID: message[37])]
            case "F", "1", "2":
                let fill = VenueReport(
                    clientOrderID: id, kind: .fill, venueOrderID: message[37], executionID: message[17],
                    quantity: message[32].flatMap { try? Fixed($0) }, price: message[31].flatMap { try? Fixed($0) },
                    cumulativeQuantity: cumulative, commission: commission(message))
                return [fill] + (end(message[39], id).map { [$0] } ?? [])
            case "4", "C": return end(message[150], message[41] ?? id).map { [$0] } ?? []
            case "8": return [VenueReport(clientOrderID: id, kind: .rejected, venueOrderID: message[37], reason: message[58])]
            case "I":
                // The answer to a status request: an order the venue ended while we were away ends here too.
                if message[39] == "8" { return [VenueReport(clientOrderID: id, kind: .rejected, reason: message[58])] }
                return end(message[39], id).map { [$0] } ?? []
            default: return []
            }
        case "9":
            guard let id = message[41] else { return [] }
            return [VenueReport(clientOrderID: id, kind: .cancelRejected, reason: message[58])]
        case "3", "j":
            // A refused NewOrderSingle is a rejected order; a refused cancel or status request leaves the order as it is.
            guard message[372] == "D", let id = message[379] ?? refusedOrder else { return [] }
            return [VenueReport(clientOrderID: id, kind: .rejected, reason: message[58] ?? "refused by the venue")]
        default:
            return []
        }
    }
}

/// This instance no longer holds the venue session's lease.
struct VenueLeaseLost: Error, CustomStringConvertible {
    var description: String { "this instance no longer holds the venue session's lease" }
}

/// Our NewOrderSingle messages by sequence number, so that a session Reject (which names only the number) is tied to
/// its order.
actor SentMessages {
    private var orders: [Int: String] = [:]

    func note(_ sequence: Int, _ clientOrderID: String) { orders[sequence] = clientOrderID }

    func order(carriedBy sequence: Int?) -> String? { sequence.flatMap { orders[$0] } }
}

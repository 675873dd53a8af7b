import SmartSyncCore

/// The order messages of FIX 4.4 in SmartSync's terms: what to send for an order, a cancel and a status request,
/// and what a venue's ExecutionReport (8), OrderCancelReject (9), session Reject (3) or BusinessMessageReject (j)
/// means for a `VenueOrder`. Prices and quantities go through `Fixed`'s text, never through floating point.
public enum FIXOrders {
    /// How an order executes.
    public enum Kind: Sendable, Hashable {
        case market
        /// Rests until filled or cancelled (TimeInForce GTC).
        case limit(Fixed)
        /// Executes what it can at the limit at once, the rest expires (TimeInForce IOC).
        case immediateOrCancel(Fixed)
    }

    /// NewOrderSingle (D). A quantity is OrderQty (38); USDT to spend is CashOrderQty (152), for a market buy.
    public static func newOrderSingle(
        clientOrderID: String, symbol: String, side: Side, size: VenueOrder.Size, kind: Kind, transactTime: Int64
    ) throws(FIXError) -> FIXMessage {
        var fields: [FIXMessage.Field] = [
            .init(35, "D"), .init(11, clientOrderID), .init(21, "1"), .init(55, symbol), .init(54, side == .buy ? "1" : "2"),
            .init(60, FIXTime.format(transactTime)),
        ]
        switch size {
        case .quantity(let q):
            guard q > .zero else { throw FIXError("the quantity must be positive") }
            fields.append(.init(38, q.description))
        case .quote(let q):
            guard q > .zero, side == .buy, kind == .market else { throw FIXError("an amount of USDT is a market buy's size only") }
            fields.append(.init(152, q.description))
        }
        switch kind {
        case .market:
            fields += [.init(40, "1"), .init(59, "3")]
        case .limit(let price):
            guard price > .zero else { throw FIXError("the limit price must be positive") }
            fields += [.init(40, "2"), .init(44, price.description), .init(59, "1")]
        case .immediateOrCancel(let price):
            guard price > .zero else { throw FIXError("the limit price must be positive") }
            fields += [.init(40, "2"), .init(44, price.description), .init(59, "3")]
        }
        return FIXMessage(fields)
    }

    /// OrderCancelRequest (F) for the rest of `original`, under a new client order id; `quantity` is the original
    /// order's whole quantity (OrderQty, as FIX 4.4 asks), not what is left of it.
    public static func cancelRequest(
        clientOrderID: String, original: String, symbol: String, side: Side, quantity: Fixed, transactTime: Int64
    ) -> FIXMessage {
        FIXMessage([
            .init(35, "F"), .init(11, clientOrderID), .init(41, original), .init(55, symbol), .init(54, side == .buy ? "1" : "2"),
            .init(60, FIXTime.format(transactTime)), .init(38, quantity.description),
        ])
    }

    /// OrderStatusRequest (H): what reconciliation asks after a restart for every order not final.
    public static func statusRequest(clientOrderID: String, symbol: String, side: Side) -> FIXMessage {
        FIXMessage([.init(35, "H"), .init(11, clientOrderID), .init(55, symbol), .init(54, side == .buy ? "1" : "2")])
    }

    /// What a venue message says about one of our orders.
    public struct Report: Sendable, Hashable {
        /// ClOrdID (11), or OrigClOrdID (41) for a cancel's answer: the order it is about (nil: the venue did not
        /// say, e.g. a session Reject naming only a sequence number).
        public var clientOrderID: String?
        /// The event for the order, nil for a report that changes nothing (pending, status, restated).
        public var event: VenueOrder.Event?
        /// OrdStatus (39) as the venue sees the order now (status answers and reconciliation compare it).
        public var venueStatus: VenueOrder.Status?
        /// A refusal of one of our messages (session or business level), with the venue's text.
        public var refusal: String?
        /// The MsgSeqNum (45) and MsgType (372) of our message a Reject or BusinessMessageReject refuses: the caller
        /// finds the order it carried (a refused NewOrderSingle is a rejected order).
        public var refSeqNum: Int?
        public var refMsgType: String?
    }

    /// Reads an ExecutionReport (8), OrderCancelReject (9), Reject (3) or BusinessMessageReject (j); nil for other
    /// message types. A report whose numbers cannot be read throws (recorded and alerted by the caller).
    public static func report(_ message: FIXMessage) throws(FIXError) -> Report? {
        func fixed(_ tag: Int) throws(FIXError) -> Fixed {
            guard let text = message[tag] else { throw FIXError("ExecutionReport without tag \(tag)") }
            do { return try Fixed(text) } catch { throw FIXError("tag \(tag) \"\(text)\" is not a decimal SmartSync can hold exactly") }
        }
        switch message.msgType {
        case "8":
            var report = Report(clientOrderID: message[11], venueStatus: message[39].flatMap(status(ordStatus:)))
            switch message[150] {
            case "0": report.event = .accepted(venueOrderID: message[37] ?? "")
            case "F", "1", "2":  // Trade (FIX 4.4); Partial fill and Fill (FIX 4.2 venues)
                guard let id = message[17], !id.isEmpty else { throw FIXError("a trade report without ExecID (17)") }
                let quantity = try fixed(32)
                let price = try fixed(31)
                guard let quote = try? quantity.multiplied(by: price, .halfEven) else { throw FIXError("LastQty × LastPx overflows") }
                // Commission (12) as an absolute amount (CommType 13 = 3); otherwise the venue reported no fee.
                let fee = message[13] == "3" && message[12] != nil ? try fixed(12) : .zero
                report.event = .fill(executionID: id, quantity: quantity, quote: quote, fee: fee)
            case "4":
                report.event = .cancelled
                report.clientOrderID = message[41] ?? message[11]
            case "8": report.event = .rejected(reason: message[58] ?? "rejected by the venue (OrdRejReason \(message[103] ?? "-"))")
            case "C": report.event = .expired
            default: break  // 6 pending cancel, A pending new, I status, D restated: nothing happened to the order
            }
            return report
        case "9":
            return Report(
                clientOrderID: message[41] ?? message[11], event: .cancelRejected(reason: message[58] ?? "cancel refused"),
                venueStatus: message[39].flatMap(status(ordStatus:)))
        case "3":
            return Report(
                refusal: "session Reject of our message \(message[45] ?? "?"): \(message[58] ?? "no text") (reason \(message[373] ?? "-"))",
                refSeqNum: message[45].flatMap { Int($0) }, refMsgType: message[372])
        case "j":
            return Report(
                clientOrderID: message[379],
                refusal:
                    "BusinessMessageReject of our \(message[372] ?? "?") message \(message[45] ?? "?"): \(message[58] ?? "no text") (reason \(message[380] ?? "-"))",
                refSeqNum: message[45].flatMap { Int($0) }, refMsgType: message[372])
        default:
            return nil
        }
    }

    /// OrdStatus (39) in the state machine's terms.
    public static func status(ordStatus: String) -> VenueOrder.Status? {
        switch ordStatus {
        case "0", "A", "E": return .accepted  // new, pending new, pending replace
        case "1": return .partiallyFilled
        case "2": return .filled
        case "4": return .cancelled
        case "8": return .rejected
        case "C": return .expired
        // 6 (pending cancel) does not say whether anything executed: unknown here, asked again later.
        default: return nil
        }
    }
}

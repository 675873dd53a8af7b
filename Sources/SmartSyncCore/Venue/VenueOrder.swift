/// An order SmartSync sends to a venue and what the venue said about it: the state machine of DESIGN §3b.
///
/// `new` (logged, not sent) → `sent` → `accepted` → `partiallyFilled` → `filled` | `cancelled` | `rejected` |
/// `expired`. Every venue report is an event; `apply` either moves the order or refuses the event with a
/// `VenueOrderRefusal` and changes nothing (the caller records the refusal and alerts; it is never applied). A fill
/// beyond the order's size, a fill or any report after a final state, an execution id seen before and a report
/// that skips the send are refused. Modelled on nautilus_trader's `OrderStatus::transition`, with FIX 4.4's
/// OrdStatus values where they exist; a cancel request is a flag on an open order, not a state of its own (the
/// venue decides what becomes of the order).
///
/// Pure: no clock, no I/O. The venue adapter turns messages into events; the engine applies them as commands in
/// the log, so replay gives the same orders.
public struct VenueOrder: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Logged as an intent, not yet sent.
        case new
        /// Sent; the venue has not answered.
        case sent
        /// The venue took it; nothing executed yet.
        case accepted
        case partiallyFilled
        case filled
        case cancelled
        case rejected
        /// The venue ended it unfilled or part-filled (an immediate-or-cancel or market order's rest).
        case expired

        /// No report can move it any more.
        public var isFinal: Bool { self == .filled || self == .cancelled || self == .rejected || self == .expired }
        /// At the venue and able to execute.
        public var isWorking: Bool { self == .sent || self == .accepted || self == .partiallyFilled }
    }

    /// What the order asks for: a base quantity, or USDT to spend (a market buy by quote).
    public enum Size: Sendable, Hashable {
        case quantity(Fixed)
        case quote(Fixed)
    }

    /// One venue report (or our own step) about the order.
    public enum Event: Sendable, Hashable {
        /// We sent it (after logging it as `new`).
        case sent
        case accepted(venueOrderID: String)
        case rejected(reason: String)
        /// An execution: its venue id (each is applied once), quantity, USDT and fee.
        case fill(executionID: String, quantity: Fixed, quote: Fixed, fee: Fixed)
        /// We asked the venue to cancel the rest.
        case cancelRequested
        /// The venue refused the cancel (the order works on).
        case cancelRejected(reason: String)
        case cancelled
        case expired
    }

    public let clientOrderID: String
    public let size: Size
    public private(set) var status: Status = .new
    public private(set) var venueOrderID: String?
    /// A cancel was asked and not answered yet.
    public private(set) var cancelRequested = false
    public private(set) var filledQuantity: Fixed = .zero
    public private(set) var filledQuote: Fixed = .zero
    public private(set) var fees: Fixed = .zero
    /// Venue ids of the executions applied, in order.
    public private(set) var executionIDs: [String] = []
    /// Why the venue rejected the order, when it did.
    public private(set) var rejectReason: String?

    public init(clientOrderID: String, size: Size) {
        self.clientOrderID = clientOrderID
        self.size = size
    }

    /// An order as a snapshot stored it.
    init(
        clientOrderID: String, size: Size, status: Status, venueOrderID: String?, cancelRequested: Bool,
        filledQuantity: Fixed, filledQuote: Fixed, fees: Fixed, executionIDs: [String], rejectReason: String?
    ) {
        self.clientOrderID = clientOrderID
        self.size = size
        self.status = status
        self.venueOrderID = venueOrderID
        self.cancelRequested = cancelRequested
        self.filledQuantity = filledQuantity
        self.filledQuote = filledQuote
        self.fees = fees
        self.executionIDs = executionIDs
        self.rejectReason = rejectReason
    }

    /// What is left to execute, in the order's own terms (quantity or USDT).
    public var remaining: Fixed {
        // Both are amounts of at least zero, so the difference always fits.
        switch size {
        case .quantity(let q): return q - filledQuantity
        case .quote(let q): return q - filledQuote
        }
    }

    /// Applies `event`, or throws and changes nothing.
    public mutating func apply(_ event: Event) throws(VenueOrderRefusal) {
        func refuse(_ kind: VenueOrderRefusal.Kind, _ detail: String) -> VenueOrderRefusal {
            VenueOrderRefusal(kind: kind, clientOrderID: clientOrderID, status: status, event: event, detail: detail)
        }
        if status.isFinal {
            if case .fill(let id, _, _, _) = event, executionIDs.contains(id) {
                throw refuse(.duplicateExecution, "execution \(id) was applied before")
            }
            // A trade report may trail the venue's cancel or expiry of the rest (nautilus_trader allows Canceled →
            // Filled for this): it is counted; the order stays final.
            guard case .fill = event, status == .cancelled || status == .expired else {
                throw refuse(.afterFinal, "the order is \(status.rawValue): no report can change it")
            }
        }
        switch event {
        case .sent:
            guard status == .new else { throw refuse(.illegalTransition, "only a new order is sent, this one is \(status.rawValue)") }
            status = .sent
        case .accepted(let id):
            guard status == .sent else { throw refuse(.illegalTransition, "only a sent order is accepted, this one is \(status.rawValue)") }
            venueOrderID = id
            status = .accepted
        case .rejected(let reason):
            guard status == .sent else { throw refuse(.illegalTransition, "only a sent order is rejected, this one is \(status.rawValue)") }
            rejectReason = reason
            status = .rejected
        case .fill(let id, let quantity, let quote, let fee):
            guard status.isWorking || status == .cancelled || status == .expired else {
                throw refuse(.illegalTransition, "a \(status.rawValue) order cannot execute")
            }
            guard !executionIDs.contains(id) else { throw refuse(.duplicateExecution, "execution \(id) was applied before") }
            guard quantity > .zero, quote > .zero, fee >= .zero else {
                throw refuse(.invalidFill, "quantity and quote must be positive and the fee not negative")
            }
            guard let q = try? filledQuantity.adding(quantity), let u = try? filledQuote.adding(quote), let f = try? fees.adding(fee) else {
                throw refuse(.invalidFill, "the totals would overflow")
            }
            let done: Bool
            switch size {
            case .quantity(let ordered):
                guard q <= ordered else { throw refuse(.overfill, "executed \(q) of \(ordered)") }
                done = q == ordered
            case .quote(let ordered):
                guard u <= ordered else { throw refuse(.overfill, "executed \(u) USDT of \(ordered)") }
                done = u == ordered
            }
            (filledQuantity, filledQuote, fees) = (q, u, f)
            executionIDs.append(id)
            if status.isWorking || done { status = done ? .filled : .partiallyFilled }
            if done { cancelRequested = false }
        case .cancelRequested:
            guard status.isWorking else { throw refuse(.illegalTransition, "a \(status.rawValue) order cannot be cancelled at the venue") }
            guard !cancelRequested else { throw refuse(.illegalTransition, "a cancel is already asked") }
            cancelRequested = true
        case .cancelRejected:
            guard cancelRequested else { throw refuse(.illegalTransition, "no cancel was asked") }
            cancelRequested = false
        case .cancelled:
            // A new order is withdrawn before it is sent (after a restart finds it never reached the venue).
            guard status.isWorking || status == .new else {
                throw refuse(.illegalTransition, "a \(status.rawValue) order cannot be cancelled")
            }
            cancelRequested = false
            status = .cancelled
        case .expired:
            guard status.isWorking else { throw refuse(.illegalTransition, "a \(status.rawValue) order cannot expire") }
            cancelRequested = false
            status = .expired
        }
    }
}

/// A venue report `VenueOrder.apply` refused: recorded and alerted, never applied.
public struct VenueOrderRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Not a move the state machine has from the order's state.
        case illegalTransition
        /// Any report about a filled, cancelled, rejected or expired order.
        case afterFinal
        /// An execution id already applied (a resent report): applying it again would count it twice.
        case duplicateExecution
        /// More executed than the order asked for.
        case overfill
        /// A fill whose numbers make no sense.
        case invalidFill
    }

    public var kind: Kind
    public var clientOrderID: String
    public var status: VenueOrder.Status
    public var event: VenueOrder.Event
    public var detail: String

    public var description: String { "order \(clientOrderID) (\(status.rawValue)): \(kind.rawValue): \(detail)" }
}

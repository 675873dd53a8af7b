/// Where orders execute. `simulated`: the engine's own market fills each order while the command that placed it is
/// applied (the embedded default: demos, paper trading, replays). `external`: orders go to a real venue; the
/// command that places one only logs it (`new`), and what the venue answers arrives later as `venueReport`
/// commands (DESIGN §3b).
public enum VenueMode: String, Sendable, Hashable, Codable, CaseIterable {
    case simulated, external

    public init(from decoder: any Decoder) throws { self = try decodeCase(decoder) }
}

/// An account whose open orders at the venue hold back what they may spend or sell.
enum ReservingAccount {
    case lead(Int)
    case main(Int)
}

/// Whose order it is at the venue.
public enum VenueOrderOwner: Sendable, Hashable {
    /// A lead portfolio's order (`order` is its `PlacedOrder` id): its fills are lead fills and are copied.
    case lead(lead: Int, order: Int)
    /// A manual order of a user's main account: never copied.
    case main(user: Int, order: Int)
    /// The merged order of a lead's copies (a fan-out, a "buy existing assets", a liquidation).
    case copies(lead: Int)
}

/// The copies' requests inside one merged order, and what has been allocated to them so far.
public struct CopyRequests: Sendable, Hashable {
    public var slots: [Int32]
    public var lots: [Int64]
    public var cappedByCash: [Bool]
    /// The price the copies were sized at (the lead's fill price, or the mark).
    public var referencePrice: Fixed
    public var leadFillID: String?
    /// Lots allocated to each request so far (all zero until the order is final).
    public var allocatedLots: [Int64]
    /// Of the order's executed totals, what has been allocated (a fill that trails a final report is allocated
    /// on its own).
    public var allocatedQuantity: Fixed = .zero
    public var allocatedQuote: Fixed = .zero
    public var allocatedFee: Fixed = .zero
    /// Once the order is final and allocated, the per-copy arrays above are dropped (no report can change a final
    /// copy order: `releaseRequests()`), so a merged order keeps a few numbers, not ~21 B for each of its copies.
    public private(set) var isReleased = false
    /// The lots given to copies, kept when the per-copy arrays are dropped.
    public private(set) var releasedLots: Int64 = 0

    /// Lots given to copies so far.
    public var lotsGiven: Int64 { isReleased ? releasedLots : allocatedLots.reduce(0, +) }

    /// Drops the per-copy arrays of a final, allocated order, keeping its totals.
    mutating func releaseRequests() {
        guard !isReleased else { return }
        releasedLots = allocatedLots.reduce(0, +)
        (slots, lots, cappedByCash, allocatedLots) = ([], [], [], [])
        isReleased = true
    }

    /// A released one read back from a snapshot.
    mutating func setReleased(lots: Int64) {
        (isReleased, releasedLots) = (true, lots)
    }
}

/// The lead's part of a block order at a venue (a merged copy order that also carries the lead's order): allocated
/// with the copies' when the order is final.
public struct BlockLeadPart: Sendable, Hashable {
    /// The lead's `PlacedOrder`.
    public var order: Int
    /// The lots the lead asked for.
    public var lots: Int64
    /// What the lead's part holds back from the lead portfolio until the order is final (USDT with the fee at the
    /// limit for a buy, the quantity for a sell).
    public var reserved: Fixed
}

/// An order SmartSync placed at an external venue: its state machine, whose it is, and what it holds back.
public struct VenueOrderRecord: Sendable, Hashable {
    public internal(set) var order: VenueOrder
    public let owner: VenueOrderOwner
    public let symbol: Int
    public let side: Side
    /// Nil for a market order.
    public let limitPrice: Fixed?
    /// Immediate-or-cancel (copy orders) or good until cancelled (lead and manual orders).
    public let immediateOrCancel: Bool
    /// The command that created it.
    public let event: Int
    public let time: Int64
    /// USDT (a buy, fee included) or base quantity (a sell) held back for the order while it is open; what it
    /// executes is taken from it, the rest is released when it is final.
    public let reserved: Fixed
    public internal(set) var copies: CopyRequests?
    /// Set for a block order: the lead's part, beside the copies'.
    public internal(set) var block: BlockLeadPart?
    /// The price of its executions while they all had one (nil before the first or once they differ).
    public internal(set) var singlePrice: Fixed?
    public internal(set) var mixedPrices = false
    /// A cancel or expiry the venue sent before the fills it counts (CumQty): applied when they are in.
    public internal(set) var pendingFinal: PendingFinal?

    public var clientOrderID: String { order.clientOrderID }

    /// What is left to execute (quantity, or USDT for a market buy by quote); nothing once final.
    public var stillToExecute: Fixed { order.status.isFinal ? .zero : order.remaining }

    /// What is still held back: the reservation less what executed, nothing once the order is final.
    public var stillReserved: Fixed {
        guard !order.status.isFinal else { return .zero }
        let used = side == .buy ? order.filledQuote + order.fees : order.filledQuantity
        return Fixed.max(reserved - used, .zero)
    }
}

/// A final report waiting for the fills it counts.
public struct PendingFinal: Sendable, Hashable {
    public var kind: VenueReport.Kind
    public var cumulativeQuantity: Fixed
    public var reason: String?
}

/// A venue report the engine did not apply (DESIGN §3b: refused and recorded, never applied), for the operator.
public struct VenueRefusalRecord: Sendable, Hashable {
    public var event: Int
    public var time: Int64
    public var clientOrderID: String
    /// A `VenueOrderRefusal.Kind`, or `unknownOrder` for a client order id the engine never sent.
    public var kind: String
    public var detail: String
}

/// A lead fill whose copies wait for the lead's merged order in flight: the ratio it is copied at is fixed when the
/// lead's fill is applied.
public struct QueuedFanOut: Sendable, Hashable {
    public var leadFillID: String
    public var symbol: Int
    public var side: Side
    public var price: Fixed
    public var limit: Fixed
    /// Buy: the lead spent `quote` of `leadEquity`; sell: it sold `quantity` of `held` (units of 1e-8).
    public var a: Int64
    public var b: Int64
}

/// Copies being stopped: their holdings are being sold, and they are settled when the sells are final. A stop asked
/// while the lead's copy orders were in flight (`queued`) sells when those are final.
public struct PendingStop: Sendable, Hashable {
    public var slots: [Int]
    public var reason: StopReason
    public var queued = false
}

/// What an external venue answered about one of our orders, as a command (the adapter turns messages into these).
public struct VenueReport: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case accepted, fill, rejected, cancelled, expired, cancelRejected
    }

    public var clientOrderID: String
    public var kind: Kind
    public var venueOrderID: String?
    /// For a fill: the venue's execution id (each is applied once), quantity and price.
    public var executionID: String?
    public var quantity: Fixed?
    public var price: Fixed?
    public var reason: String?
    /// CumQty: what the venue says executed of the order in all (a final report's check that no fill is missing).
    public var cumulativeQuantity: Fixed?
    /// The venue resent it (PossDupFlag): if it changes nothing, it was applied before and is not recorded as refused.
    public var possibleDuplicate: Bool?
    /// For a fill: the USDT the venue charged for it (FIX Commission, 12), when it says. It is booked as the fee
    /// when it is at most the fee at the operator's rate (what the order reserved and the copies' caps allow);
    /// above that the fee at the rate is booked and the difference recorded for the operator.
    public var commission: Fixed?

    public init(
        clientOrderID: String, kind: Kind, venueOrderID: String? = nil, executionID: String? = nil,
        quantity: Fixed? = nil, price: Fixed? = nil, reason: String? = nil, cumulativeQuantity: Fixed? = nil,
        possibleDuplicate: Bool? = nil, commission: Fixed? = nil
    ) {
        self.commission = commission
        self.cumulativeQuantity = cumulativeQuantity
        self.possibleDuplicate = possibleDuplicate
        self.clientOrderID = clientOrderID
        self.kind = kind
        self.venueOrderID = venueOrderID
        self.executionID = executionID
        self.quantity = quantity
        self.price = price
        self.reason = reason
    }
}

/// The engine's orders at an external venue.
public struct VenueBook: Sendable, Hashable {
    public internal(set) var mode: VenueMode = .simulated
    /// Every order sent or to be sent, in the order they were created.
    public internal(set) var orders: [VenueOrderRecord] = []
    var positions: [String: Int] = [:]
    /// Positions in `orders` by the id of the placed order they carry (lead orders).
    var byPlacedOrder: [Int: Int] = [:]
    /// Positions in `orders` of the orders not yet final.
    var openPositions: [Int] = []
    var nextNumber = 1
    /// What starts the client order ids (`PREFIX-SS-n`; empty: `SS-n`), set with the venue mode.
    public internal(set) var orderIDPrefix = ""
    /// Reports not applied as the venue sent them: refused (never applied), or a fill booked with the fee at the
    /// operator's rate because the venue's commission was above it (`commissionAboveRate`).
    public internal(set) var refusals: [VenueRefusalRecord] = []
    /// Per lead: merged copy orders not yet final, lead fills whose copies wait for them, copies being stopped.
    var openCopyOrders: [Int: Int] = [:]
    var queued: [Int: [QueuedFanOut]] = [:]
    public internal(set) var stopping: [Int: [PendingStop]] = [:]
    /// How each lead's orders execute with its copies' (the operator's default for the leads not listed).
    public internal(set) var defaultExecutionMode = ExecutionMode.follow
    var executionModes: [Int: ExecutionMode] = [:]

    public init() {}

    public func record(_ clientOrderID: String) -> VenueOrderRecord? { positions[clientOrderID].map { orders[$0] } }

    /// The venue order of a placed (lead) order.
    public func record(placedOrder id: Int) -> VenueOrderRecord? { byPlacedOrder[id].map { orders[$0] } }

    /// Orders logged and not yet sent: what the venue adapter sends next, in order.
    public var outbox: [VenueOrderRecord] { open.filter { $0.order.status == .new } }

    /// Orders the venue may still report on.
    public var open: [VenueOrderRecord] { openPositions.map { orders[$0] } }

    /// Open orders whose cancel was asked (the adapter sends the cancel request; a repeat is harmless).
    public var cancelsToSend: [VenueOrderRecord] { open.filter { $0.order.cancelRequested } }

    /// A lead's copies have a merged order in flight, lead fills waiting to be copied, or stops to settle: nothing
    /// else may change its copies until those are done.
    public func isBusy(lead l: Int) -> Bool {
        (openCopyOrders[l] ?? 0) > 0 || !(queued[l]?.isEmpty ?? true) || !(stopping[l]?.isEmpty ?? true)
    }

    /// The next deterministic client order id (the same log gives the same ids).
    mutating func nextClientOrderID() -> String {
        defer { nextNumber += 1 }
        return orderIDPrefix.isEmpty ? "SS-\(nextNumber)" : "\(orderIDPrefix)-SS-\(nextNumber)"
    }

    mutating func add(_ record: VenueOrderRecord) {
        positions[record.clientOrderID] = orders.count
        if case .lead(_, let id) = record.owner { byPlacedOrder[id] = orders.count }
        if let block = record.block { byPlacedOrder[block.order] = orders.count }
        openPositions.append(orders.count)
        orders.append(record)
        if case .copies(let l) = record.owner { openCopyOrders[l, default: 0] += 1 }
    }

    /// What open orders hold back from an account: USDT for its buys (`symbol` nil) or the quantity of `symbol` for
    /// its sells. A lead portfolio's are its own orders' and its part of its block orders.
    func held(by account: ReservingAccount, symbol s: Int? = nil) -> Fixed {
        let side: Side = s == nil ? .buy : .sell
        return openPositions.reduce(.zero) { sum, k in
            let o = orders[k]
            guard o.side == side, s == nil || o.symbol == s else { return sum }
            switch (o.owner, account) {
            case (.lead(let x, _), .lead(let l)) where x == l: return sum + o.stillReserved
            case (.main(let x, _), .main(let u)) where x == u: return sum + o.stillReserved
            case (.copies(let x), .lead(let l)) where x == l: return sum + (o.block?.reserved ?? .zero)
            default: return sum
            }
        }
    }

    /// Whether copy `i` of lead `l` is being stopped (its stop queued or its sells in flight).
    func isStopping(lead l: Int, slot i: Int) -> Bool { stopping[l]?.contains { $0.slots.contains(i) } ?? false }
}

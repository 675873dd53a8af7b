/// An order as it was placed and what became of it (DESIGN §3b states, for the orders the engine executes itself).
public struct PlacedOrder: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// A limit order resting with nothing executed yet.
        case accepted
        /// A limit order resting with part of it executed.
        case partiallyFilled
        case filled
        /// Cancelled by its owner, by the lead stopping, or because the account could no longer pay or deliver.
        case cancelled
        /// A market order the market could not fill whole: the rest was not executed.
        case expired

        /// Still resting on the book.
        public var isOpen: Bool { self == .accepted || self == .partiallyFilled }
    }

    public enum Kind: String, Sendable, Hashable { case market, limit }

    public var id: Int
    public var user: Int
    public var account: OrderAccount
    public var symbol: Int
    public var side: Side
    public var kind: Kind
    /// What was asked: a quantity, or USDT to spend on a buy.
    public var quantity: Fixed?
    public var quoteAmount: Fixed?
    public var limitPrice: Fixed?
    public var event: Int
    public var time: Int64
    public internal(set) var status: Status
    public internal(set) var filledQuantity: Fixed = .zero
    public internal(set) var filledQuote: Fixed = .zero
    public internal(set) var fees: Fixed = .zero
    /// Its executions, in order.
    public internal(set) var fills: [TradeRecord] = []
    /// Ids of the lead fills it produced (lead portfolio orders only).
    public internal(set) var leadFillIDs: [String] = []
    /// Copy fills and failed copy orders its lead fills caused.
    public internal(set) var copyFills = 0
    public internal(set) var failedCopyOrders = 0
    /// Why it was cancelled, in words.
    public internal(set) var cancelReason: String?

    /// Average price of what executed (zero before any fill).
    public var averagePrice: Fixed {
        filledQuantity.isPositive ? Fixed.clampedMulDiv(filledQuote, .one, filledQuantity, .halfEven) : .zero
    }

    mutating func record(_ trade: TradeRecord, leadFillID: String?, copyFills: Int, failed: Int) {
        fills.append(trade)
        filledQuantity += trade.quantity
        filledQuote += trade.quote
        fees += trade.fee
        if let leadFillID { leadFillIDs.append(leadFillID) }
        self.copyFills += copyFills
        failedCopyOrders += failed
    }
}

extension Engine {
    /// The order with this id.
    public func order(id: Int) -> PlacedOrder? { orderPosition(id).map { orders[$0] } }

    /// The order placed by the command at `event`, if that command placed one.
    public func order(placedAt event: Int) -> PlacedOrder? {
        let k = orders.firstIndex(notBefore: { $0.event < event })
        return k < orders.count && orders[k].event == event ? orders[k] : nil
    }

    func orderPosition(_ id: Int) -> Int? {
        let k = orders.firstIndex(notBefore: { $0.id < id })
        return k < orders.count && orders[k].id == id ? k : nil
    }

    /// Copy fills and failed copy orders added since these counts (what one lead fill's fan-out did).
    func fanOutCounts(journalSince j: Int, failedSince f: Int) -> (copyFills: Int, failed: Int) {
        var fills = 0
        for k in j..<journal.count {
            if case .copyFills(let b) = journal[k] { fills += b.count }
        }
        return (fills, failedOrders.count - f)
    }

    mutating func updateOrder(_ id: Int, _ change: (inout PlacedOrder) -> Void) {
        guard let k = orderPosition(id) else { return }
        change(&orders[k])
        noteOrder(id)
    }
}

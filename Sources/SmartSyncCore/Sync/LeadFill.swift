/// One execution of a lead order (a partial fill is a fill): the unit that followers copy.
/// `id` makes application exactly-once: a fill id the engine has seen is a no-op.
public struct LeadFill: Sendable, Hashable {
    public var id: String
    public var lead: Int
    public var symbol: Int
    public var side: Side
    public var quantity: Fixed
    public var quote: Fixed
    public var fee: Fixed
    /// Average price of the execution.
    public var price: Fixed
    public var event: Int
    public var time: Int64

    public init(
        id: String, lead: Int, symbol: Int, side: Side, quantity: Fixed, quote: Fixed, fee: Fixed,
        price: Fixed, event: Int, time: Int64
    ) {
        self.id = id
        self.lead = lead
        self.symbol = symbol
        self.side = side
        self.quantity = quantity
        self.quote = quote
        self.fee = fee
        self.price = price
        self.event = event
        self.time = time
    }
}

/// A copy order that was not sent (or not fully executed), with the reason shown to the follower.
public struct FailedCopyOrder: Sendable, Hashable {
    public enum Reason: String, Sendable, Hashable, CaseIterable, Codable {
        case belowMinNotional, belowMinQty, insufficientCash, slippageExceeded, noLiquidity, copyNotActive

        /// Its position in `allCases` (a column of the copy book's failure counts).
        public var index: Int {
            switch self {
            case .belowMinNotional: return 0
            case .belowMinQty: return 1
            case .insufficientCash: return 2
            case .slippageExceeded: return 3
            case .noLiquidity: return 4
            case .copyNotActive: return 5
            }
        }

        /// The reason in plain words.
        public var explanation: String {
            switch self {
            case .belowMinNotional: return "order value below the symbol's minimum notional"
            case .belowMinQty: return "quantity below the symbol's minimum quantity"
            case .insufficientCash: return "not enough cash in the copy account"
            case .slippageExceeded: return "price moved beyond the slippage limit"
            case .noLiquidity: return "not enough liquidity in the order book"
            case .copyNotActive: return "the copy is not active"
            }
        }
    }

    public var lead: Int32
    public var slot: Int32
    public var event: Int32
    public var symbol: Int32
    public var side: Side
    public var reason: Reason
    /// USDT value that was meant to trade (requested notional at the reference price).
    public var notional: Fixed

    public init(lead: Int32, slot: Int32, event: Int32, symbol: Int32, side: Side, reason: Reason, notional: Fixed) {
        self.lead = lead
        self.slot = slot
        self.event = event
        self.symbol = symbol
        self.side = side
        self.reason = reason
        self.notional = notional
    }
}

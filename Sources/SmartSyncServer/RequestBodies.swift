import SmartSyncCore

// The JSON bodies the routes decode (amounts are decimal strings). Each lists its fields: a body with any other
// field is refused (a typo such as `stoploss` must not silently mean "no stop loss").

/// The shape of a JSON body: which fields an object may have, and the shape of each.
indirect enum BodyShape: Sendable {
    case value
    case object([String: BodyShape])

    static let threshold = BodyShape.object(["amount": .value, "ratio": .value])
}

/// A request body with a fixed set of fields.
protocol RequestBody: Decodable {
    static var shape: BodyShape { get }
}

struct TransferBody: RequestBody {
    var amount: Fixed
    var from: String
    var to: String
    static let shape = BodyShape.object(["amount": .value, "from": .value, "to": .value])
}

struct OrderBody: RequestBody {
    var symbol: String
    var side: Side
    var account: OrderAccount?
    var quoteAmount: Fixed?
    var quantity: Fixed?
    var limitPrice: Fixed?
    var fraction: Fixed?
    static let shape = BodyShape.object([
        "symbol": .value, "side": .value, "account": .value, "quoteAmount": .value, "quantity": .value, "limitPrice": .value,
        "fraction": .value,
    ])
}

struct StartLeadingBody: RequestBody {
    var portfolio: Fixed
    var profitShareRate: Fixed?
    var slippageLimit: Fixed?
    var followerLimit: Int?
    static let shape = BodyShape.object(["portfolio": .value, "profitShareRate": .value, "slippageLimit": .value, "followerLimit": .value])
}

struct StartCopyBody: RequestBody {
    var id: String?
    var lead: String
    var investment: Fixed
    var mode: CopyMode?
    var buyExisting: Bool?
    var stopLoss: Threshold?
    var takeProfit: Threshold?
    var amountPerOrder: Fixed?
    static let shape = BodyShape.object([
        "id": .value, "lead": .value, "investment": .value, "mode": .value, "buyExisting": .value, "stopLoss": .threshold,
        "takeProfit": .threshold, "amountPerOrder": .value,
    ])
}

struct AdjustBody: RequestBody {
    var delta: Fixed
    static let shape = BodyShape.object(["delta": .value])
}

struct UpdateLeadBody: RequestBody {
    var profitShareRate: Fixed?
    var slippageLimit: Fixed?
    var followerLimit: Int?
    var executionMode: ExecutionMode?
    static let shape = BodyShape.object([
        "profitShareRate": .value, "slippageLimit": .value, "followerLimit": .value, "executionMode": .value,
    ])
}

struct SettingsBody: RequestBody {
    var takerFeeRate: Fixed?
    var minInvestment: Fixed?
    var maxActiveCopiesPerFollower: Int?
    var defaultFollowerLimit: Int?
    var defaultExecutionMode: ExecutionMode?
    static let shape = BodyShape.object([
        "takerFeeRate": .value, "minInvestment": .value, "maxActiveCopiesPerFollower": .value, "defaultFollowerLimit": .value,
        "defaultExecutionMode": .value,
    ])
}

struct StopLossBody: RequestBody {
    var stopLoss: Threshold?
    static let shape = BodyShape.object(["stopLoss": .threshold])
}

struct TakeProfitBody: RequestBody {
    var takeProfit: Threshold?
    static let shape = BodyShape.object(["takeProfit": .threshold])
}

struct UserBody: RequestBody {
    var id: String
    var role: Caller.Role?
    static let shape = BodyShape.object(["id": .value, "role": .value])
}

struct MoneyBody: RequestBody {
    var user: String
    var amount: Fixed
    static let shape = BodyShape.object(["user": .value, "amount": .value])
}

struct PriceBody: RequestBody {
    var symbol: String
    var price: Fixed
    static let shape = BodyShape.object(["symbol": .value, "price": .value])
}

struct SymbolBody: RequestBody {
    var symbol: String
    var price: Fixed
    var qtyStep: Fixed
    var priceTick: Fixed
    var minQty: Fixed?
    var minNotional: Fixed?
    static let shape = BodyShape.object([
        "symbol": .value, "price": .value, "qtyStep": .value, "priceTick": .value, "minQty": .value, "minNotional": .value,
    ])
}

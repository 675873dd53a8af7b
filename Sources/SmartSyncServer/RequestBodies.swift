import SmartSyncCore

// The JSON bodies the routes decode (amounts are decimal strings).

struct TransferBody: Decodable { var amount: Fixed; var from: String; var to: String }
struct OrderBody: Decodable {
    var symbol: String
    var side: Side
    var account: OrderAccount?
    var quoteAmount: Fixed?
    var quantity: Fixed?
    var limitPrice: Fixed?
    var fraction: Fixed?
}
struct StartLeadingBody: Decodable {
    var portfolio: Fixed
    var profitShareRate: Fixed?
    var slippageLimit: Fixed?
    var followerLimit: Int?
}
struct StartCopyBody: Decodable {
    var id: String?
    var lead: String
    var investment: Fixed
    var mode: CopyMode?
    var buyExisting: Bool?
    var stopLoss: Threshold?
    var takeProfit: Threshold?
    var amountPerOrder: Fixed?
}
struct AdjustBody: Decodable { var delta: Fixed }
struct UpdateLeadBody: Decodable {
    var profitShareRate: Fixed?
    var slippageLimit: Fixed?
    var followerLimit: Int?
}
struct SettingsBody: Decodable {
    var takerFeeRate: Fixed?
    var minInvestment: Fixed?
    var maxActiveCopiesPerFollower: Int?
    var defaultFollowerLimit: Int?
}
struct StopLossBody: Decodable { var stopLoss: Threshold? }
struct TakeProfitBody: Decodable { var takeProfit: Threshold? }
struct UserBody: Decodable { var id: String; var role: Caller.Role? }
struct MoneyBody: Decodable { var user: String; var amount: Fixed }
struct PriceBody: Decodable { var symbol: String; var price: Fixed }
struct SymbolBody: Decodable {
    var symbol: String
    var price: Fixed
    var qtyStep: Fixed
    var priceTick: Fixed
    var minQty: Fixed?
    var minNotional: Fixed?
}

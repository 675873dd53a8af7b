import SmartSyncCore

// The JSON bodies the routes decode (amounts are decimal strings). Each names its schema in the contract
// (`openapi.yaml`), which every body is checked against first: a body with any other field is refused (a typo such
// as `stoploss` must not silently mean "no stop loss"), and so is every value the contract does not allow.

/// A request body, checked against its schema in the contract before it is decoded.
protocol RequestBody: Decodable {
    /// Its schema's name in the contract's `components.schemas`.
    static var schema: String { get }
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
    static let schema = "StartCopyRequest"
}

struct AdjustBody: RequestBody {
    var delta: Fixed
    static let schema = "AdjustInvestmentRequest"
}

struct StopLossBody: RequestBody {
    var stopLoss: Threshold?
    static let schema = "StopLossRequest"
}

struct TakeProfitBody: RequestBody {
    var takeProfit: Threshold?
    static let schema = "TakeProfitRequest"
}

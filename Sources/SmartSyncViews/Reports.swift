import SmartSyncCore

// The objects the product answers about leads and copies, one type each, shared by the HTTP API (the contract's `Lead`,
// `Copy` and `CopyHistoryItem` schemas are these types: `typeOverrides` in SmartSyncAPI's generator configuration) and
// the scenario report (`ScenarioReport`, through `JSONValueEncoder`, which keeps the order of the fields as declared).
//
// An optional field is left out when nil. A field marked `@EncodesNull` is always written, as null when nil; a
// double optional (`T??`) is left out when nil and written as null when `.some(nil)`.

/// Writes its value, or null when nil, where a plain optional would leave the field out.
@propertyWrapper
public struct EncodesNull<Value: Encodable & Hashable & Sendable>: Encodable, Hashable, Sendable {
    public var wrappedValue: Value?
    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

/// One holding of a lead or copy portfolio.
public struct HoldingReport: Encodable, Hashable, Sendable {
    public var symbol: String
    public var quantity: Fixed
    public var averageCost: Fixed
    public var value: Fixed
    public var mark: Fixed
    public var weight: Fixed
    /// A copy's holdings only: the lead's weight of the same symbol.
    public var leadWeight: Fixed?
    public var unrealizedPnl: Fixed
    public var dust: Bool

    public init(_ h: HoldingView, leadWeight: Fixed? = nil) {
        (symbol, quantity, averageCost, value, mark, weight) = (h.symbol, h.quantity, h.averageCost, h.value, h.mark, h.weight)
        (self.leadWeight, unrealizedPnl, dust) = (leadWeight, h.unrealizedPnl, h.dust)
    }
}

/// One point of a lead's equity curve.
public struct CurvePointReport: Encodable, Hashable, Sendable {
    public var time: String
    public var event: Int
    public var equity: Fixed
    public var nav: Fixed

    public init(_ p: EquityPoint) { (time, event, equity, nav) = (ISO8601.format(p.time), p.event, p.equity, p.nav) }
}

/// A lead's return over a window: ROI and PnL.
public struct ReturnReport: Encodable, Hashable, Sendable {
    public var roi: Fixed
    public var pnl: Fixed
}

/// A lead's returns over 7, 30, 90 days and all time.
public struct ReturnsReport: Encodable, Hashable, Sendable {
    public var days7: ReturnReport
    public var days30: ReturnReport
    public var days90: ReturnReport
    public var all: ReturnReport

    enum CodingKeys: String, CodingKey {
        case days7 = "7d"
        case days30 = "30d"
        case days90 = "90d"
        case all
    }
}

/// A lead portfolio: the scenario report's lead (with its whole curve), or the API's (returns, and a sparkline or the
/// points of its curve asked for).
public struct LeadReport: Encodable, Hashable, Sendable {
    /// Its number in a list (the board), the cursor of `after`.
    public var n: Int?
    public var user: String
    public var status: String
    public var cash: Fixed
    public var holdings: [HoldingReport]
    public var equity: Fixed
    public var roi: Fixed
    public var pnl: Fixed
    public var aum: Fixed
    public var followers: Int
    public var followerLimit: Int
    public var winRate: Fixed
    public var closedRoundTrips: Int
    public var maxDrawdown: Fixed
    public var profitShareRate: Fixed
    public var profitShareEarned: Fixed
    public var nav: Fixed
    public var fills: Int
    public var slippageLimit: Fixed?
    public var executionMode: String?
    public var returns: ReturnsReport?
    public var sparkline: [Fixed]?
    public var equityCurve: [CurvePointReport]?
}

/// A copy's fill, beside the lead fill it copied.
public struct CopyFillReport: Encodable, Hashable, Sendable {
    public var event: Int
    public var time: String
    public var symbol: String
    public var side: String
    public var quantity: Fixed
    public var price: Fixed
    public var quote: Fixed
    public var fee: Fixed
    public var leadPrice: Fixed
    @EncodesNull public var leadFill: String? = nil
    public var cappedByCash: Bool

    public init(_ f: CopyFillView) {
        (event, time, symbol, side) = (f.event, ISO8601.format(f.time), f.symbol, f.side.rawValue)
        (quantity, price, quote, fee, leadPrice) = (f.quantity, f.price, f.quote, f.fee, f.leadPrice)
        leadFill = f.leadFillID
        cappedByCash = f.cappedByCash
    }
}

/// A copy order that failed, and why.
public struct FailedOrderReport: Encodable, Hashable, Sendable {
    public var event: Int
    public var symbol: String
    public var side: String
    public var reason: String
    public var explanation: String
    public var notional: Fixed

    public init(_ f: FailedCopyOrder, symbol: String) {
        (event, self.symbol, side) = (Int(f.event), symbol, f.side.rawValue)
        (reason, explanation, notional) = (f.reason.rawValue, f.reason.explanation, f.notional)
    }
}

/// A copy's failed orders of one reason: how many, the last one.
public struct FailureReasonReport: Encodable, Hashable, Sendable {
    public var reason: String
    public var explanation: String
    public var count: Int
    public var lastEvent: Int
    @EncodesNull public var lastTime: String? = nil
}

/// Where the gap between a copy's ROI and its lead's over the same span comes from.
public struct TrackingReport: Encodable, Hashable, Sendable {
    public struct Breakdown: Encodable, Hashable, Sendable {
        public var fees: Fixed
        public var profitShare: Fixed
        public var priceDifference: Fixed
        public var failedOrCapped: Fixed
        public var sizing: Fixed
        public var rounding: Fixed
    }
    public var copyRoi: Fixed
    public var leadRoi: Fixed
    public var gap: Fixed
    public var breakdown: Breakdown

    public init(_ t: TrackingView) {
        (copyRoi, leadRoi, gap) = (t.copyRoi, t.leadRoi, t.gap)
        breakdown = .init(
            fees: t.fees, profitShare: t.profitShare, priceDifference: t.priceDifference, failedOrCapped: t.failedOrCapped,
            sizing: t.sizing, rounding: t.rounding)
    }
}

/// A copy: the scenario report's (with its fills and failed orders), the API's whole copy (the same), its summary
/// (their counts instead, the failures grouped by reason, when it started and stopped), or the answer to a change.
public struct CopyReport: Encodable, Hashable, Sendable {
    /// Its number in a list (the caller's copies), the cursor of `after`.
    public var n: Int?
    public var id: String
    public var user: String
    public var lead: String
    public var mode: String
    public var status: String
    @EncodesNull public var stopReason: String? = nil
    public var netInvested: Fixed
    public var pnl: Fixed
    @EncodesNull public var stopLoss: Threshold? = nil
    @EncodesNull public var takeProfit: Threshold? = nil
    /// The follower's limits on what the copy buys; absent when it has none.
    public var controls: CopyControls?
    public var cash: Fixed
    public var equity: Fixed
    public var holdings: [HoldingReport]
    public var realizedPnl: Fixed
    public var unrealizedPnl: Fixed
    public var roi: Fixed
    public var feesPaid: Fixed
    public var profitSharePaid: Fixed
    public var fills: [CopyFillReport]?
    public var failedOrders: [FailedOrderReport]?
    public var tracking: TrackingReport
    // The summary's.
    public var fillCount: Int?
    public var failedOrderCount: Int?
    public var failedOrderReasons: [FailureReasonReport]?
    public var startedEvent: Int?
    public var startedTime: String??
    public var stoppedTime: String??
    /// The answer to a change: true when it stopped the copy at once (a stop loss or take profit already reached).
    public var fired: Bool?
}

/// One item of a copy's history: its start, a change of its follower's, its stop.
public struct CopyHistoryReport: Encodable, Hashable, Sendable {
    public var n: Int?
    public var event: Int
    @EncodesNull public var time: String? = nil
    public var type: String
    public var amount: Fixed?
    public var stopLoss: Threshold??
    public var takeProfit: Threshold??
    /// For `controlsSet`: the controls set, or null when cleared.
    public var controls: CopyControls??
    public var stopReason: String?
    public var netInvested: Fixed

    public init(_ item: CopyHistoryItem, n: Int? = nil) {
        (self.n, event, netInvested) = (n, item.event, item.netInvestedAfter)
        time = item.time.map(ISO8601.format)
        switch item.kind {
        case .started(let investment): (type, amount) = ("started", investment)
        case .change(.startedWith(let sl, let tp)): (type, stopLoss, takeProfit) = ("startedWith", .some(sl), .some(tp))
        case .change(.investmentAdded(let a)): (type, amount) = ("investmentAdded", a)
        case .change(.investmentRemoved(let a)): (type, amount) = ("investmentRemoved", a)
        case .change(.stopLossSet(let t)): (type, stopLoss) = ("stopLossSet", .some(t))
        case .change(.takeProfitSet(let t)): (type, takeProfit) = ("takeProfitSet", .some(t))
        case .change(.closeOnly): type = "closeOnly"
        case .change(.controlsSet(let c)): (type, controls) = ("controlsSet", .some(c))
        case .stopped(let reason): (type, stopReason) = ("stopped", reason.rawValue)
        }
    }
}

/// The whole scenario report (`simulate --json`, DESIGN §7), in its fields' order.
public struct ScenarioReportBody: Encodable, Sendable {
    public var users: [UserReport]
    public var leads: [LeadReport]
    public var copies: [CopyReport]
    public var feesCollected: Fixed
    public var audit: AuditReport
}

/// A user's main account: USDT first, then the other assets by name.
public struct UserReport: Encodable, Hashable, Sendable {
    public var id: String
    public var main: Balances

    public init(_ u: User) {
        id = u.id
        main = Balances(([Symbol.quoteAsset] + u.assets.keys.sorted()).map { ($0, u.balance($0)) })
    }
}

/// Amounts by asset, written as one object in the given order.
public struct Balances: Encodable, Hashable, Sendable {
    public var assets: [String]
    public var amounts: [Fixed]

    public init(_ pairs: [(String, Fixed)]) { (assets, amounts) = (pairs.map(\.0), pairs.map(\.1)) }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for (asset, amount) in zip(assets, amounts) { try c.encode(amount, forKey: Key(stringValue: asset)) }
    }
}

/// What the audit found (`Engine.audit()`).
public struct AuditReport: Encodable, Hashable, Sendable {
    public var balanced: Bool
    public var totalUSDT: Fixed
    public var expectedUSDT: Fixed
    public var journalEntries: Int
    public var problems: [String]
}

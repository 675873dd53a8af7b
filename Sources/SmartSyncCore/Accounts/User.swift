/// A user: a main account with balances per asset (USDT first) and the cost basis of manual trades.
public struct User: Sendable {
    public let id: String
    /// USDT of the main account (a field, not a map entry: a million followers each have one).
    public internal(set) var cash: Fixed = .zero
    /// Base assets of the main account (from manual trades and dust moved out of stopped copies).
    public internal(set) var assets: [String: Fixed] = [:]
    public internal(set) var positions: [Int: Position] = [:]
    /// The user's current (or last) lead portfolio.
    public internal(set) var lead: Int?
    /// Every copy the user started, active or stopped.
    public internal(set) var copies: [CopyRef] {
        get {
            switch copyList {
            case .none: return []
            case .one(let lead, let slot): return [CopyRef(lead: Int(lead), slot: Int(slot))]
            case .many(let refs): return refs
            }
        }
        set {
            if newValue.isEmpty {
                copyList = .none
            } else if newValue.count == 1, let one = Int32(exactly: newValue[0].lead), let slot = Int32(exactly: newValue[0].slot) {
                copyList = .one(one, slot)
            } else {
                copyList = .many(newValue)
            }
        }
    }
    /// Most users start one copy or none: one is kept inline, not in an array of its own (~56 B less per follower).
    fileprivate var copyList = CopyList.none

    fileprivate enum CopyList: Sendable {
        case none
        case one(Int32, Int32)
        case many([CopyRef])
    }

    init(id: String) { self.id = id }

    public func balance(_ asset: String) -> Fixed { asset == Symbol.quoteAsset ? cash : assets[asset] ?? .zero }

    /// Every non-empty balance, USDT included.
    public var balances: [String: Fixed] {
        var all = assets
        if !cash.isZero || all.isEmpty { all[Symbol.quoteAsset] = cash }
        return all
    }
}

public enum LeadStatus: String, Sendable, Hashable {
    case active, stopped
}

/// A lead portfolio: an isolated account whose fills followers copy, with its copies.
public struct Lead: Sendable {
    public let user: Int
    public internal(set) var status: LeadStatus = .active
    public internal(set) var cash: Fixed
    public internal(set) var positions: [Int: Position] = [:]
    public internal(set) var profitShareRate: Fixed
    public internal(set) var slippageLimit: Fixed
    public internal(set) var followerLimit: Int
    public internal(set) var book = CopyBook()
    public internal(set) var feesPaid: Fixed = .zero
    public internal(set) var closedRoundTrips = 0
    public internal(set) var wonRoundTrips = 0
    public internal(set) var profitShareEarned: Fixed = .zero
    public let startedEvent: Int
    /// Σ transfers into the portfolio − Σ transfers out (PnL = equity − net funding).
    public internal(set) var netFunding: Fixed
    /// Performance units: NAV = equity ÷ units. Transfers buy or redeem units at the current NAV, so they are not profit.
    public internal(set) var units: Fixed
    public internal(set) var peakNav: Fixed = .one
    /// The NAV last observed: what the lead's NAV stays at while no units are outstanding (all money withdrawn).
    public internal(set) var lastNav: Fixed = .one
    /// Largest 1 − NAV ÷ running peak seen so far.
    public internal(set) var maxDrawdown: Fixed = .zero
    /// Cumulative NAV points (1e-8) the lead's own fees cost it: Σ fee ÷ units (the tracking report's reference).
    public internal(set) var feeDrag: Int64 = 0
    /// NAV and equity when the lead stopped leading (its statistics are frozen there).
    public internal(set) var navAtStop: Fixed?
    public internal(set) var equityAtStop: Fixed?
    /// Equity and NAV after every event that moved them.
    public internal(set) var curve: [EquityPoint] = []

    public var realizedPnl: Fixed { positions.values.reduce(.zero) { $0 + $1.realizedPnl } }
}

/// A user: a main account with balances per asset (USDT first) and the cost basis of manual trades.
///
/// Kept in 48 bytes: a million followers each have one, and most hold only USDT and start one copy. Base assets,
/// positions and copies after the first live in a box that only the users who have them allocate (copied before a
/// change when shared, so a `User` is a value like any other).
public struct User: Sendable {
    public let id: String
    /// USDT of the main account (a field, not a map entry).
    public internal(set) var cash: Fixed = .zero
    private var more: More?
    /// The lead portfolio's position in `Engine.leads`, -1 for none.
    private var storedLead: Int32 = -1
    /// The first copy, packed (`CopyRef` in 8 bytes), or `UInt64.max` for none.
    private var firstCopy = UInt64.max

    /// What few users have.
    private final class More: @unchecked Sendable {
        // Mutated only while uniquely referenced (`User.changeMore`), so sharing it between values is safe.
        var assets: [String: Fixed] = [:]
        var positions: [Int: Position] = [:]
        var laterCopies: [CopyRef] = []

        func copy() -> More {
            let c = More()
            c.assets = assets
            c.positions = positions
            c.laterCopies = laterCopies
            return c
        }
    }

    private mutating func changeMore(_ change: (More) -> Void) {
        if more == nil {
            more = More()
        } else if !isKnownUniquelyReferenced(&more) {
            more = more!.copy()
        }
        change(more!)
    }

    /// Base assets of the main account (from manual trades and dust moved out of stopped copies).
    public internal(set) var assets: [String: Fixed] {
        get { more?.assets ?? [:] }
        set {
            guard more != nil || !newValue.isEmpty else { return }
            changeMore { $0.assets = newValue }
        }
    }

    public internal(set) var positions: [Int: Position] {
        get { more?.positions ?? [:] }
        set {
            guard more != nil || !newValue.isEmpty else { return }
            changeMore { $0.positions = newValue }
        }
    }

    /// The user's current (or last) lead portfolio.
    public internal(set) var lead: Int? {
        get { storedLead < 0 ? nil : Int(storedLead) }
        set {
            precondition(newValue.map { CopyRef.fits($0) } ?? true, "a lead position past 32 bits")
            storedLead = newValue.map { Int32($0) } ?? -1
        }
    }

    /// Every copy the user started, active or stopped.
    public internal(set) var copies: [CopyRef] {
        get {
            guard firstCopy != .max else { return [] }
            let first = CopyRef(lead: Int(firstCopy >> 32), slot: Int(firstCopy & 0xFFFF_FFFF))
            return [first] + (more?.laterCopies ?? [])
        }
        set {
            firstCopy = newValue.first.map { UInt64($0.lead) << 32 | UInt64($0.slot) } ?? .max
            let later = Array(newValue.dropFirst())
            guard more != nil || !later.isEmpty else { return }
            changeMore { $0.laterCopies = later }
        }
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

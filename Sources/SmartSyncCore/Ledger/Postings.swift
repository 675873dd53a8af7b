/// One movement of one asset in one account: what a journal entry does to balances, defined once here and used by
/// the audit's replay and the tests' checks. Within one entry the postings of each asset sum to zero (money moves,
/// it is not made), except a deposit's or a withdrawal's, which cross the market's edge.
public struct Posting: Sendable, Hashable {
    public var account: AccountRef
    public var asset: Asset
    /// Signed, in 1e-8 units of the asset.
    public var units: Int64

    public enum Asset: Sendable, Hashable {
        case usdt
        /// The base asset of the venue symbol at this index.
        case base(Int)
        /// An asset no listed symbol trades (a transfer's asset by name).
        case other(String)
    }

    public init(_ account: AccountRef, _ asset: Asset, _ units: Int64) {
        self.account = account
        self.asset = asset
        self.units = units
    }
}

extension JournalEntry {
    /// Calls `post` with each balance movement of this entry, in a fixed order; `symbols` are the venue's.
    @inlinable
    public func forEachPosting(symbols: [Symbol], _ post: (Posting) -> Void) {
        switch self {
        case .deposit(let u, let amount):
            post(Posting(.main(user: u), .usdt, amount.units))
        case .withdrawal(let u, let amount):
            post(Posting(.main(user: u), .usdt, -amount.units))
        case .transfer(let asset, let amount, let from, let to):
            let a: Posting.Asset =
                asset == Symbol.quoteAsset ? .usdt : symbols.firstIndex { $0.base == asset }.map { .base($0) } ?? .other(asset)
            post(Posting(from, a, -amount.units))
            post(Posting(to, a, amount.units))
        case .trade(let t):
            let sign: Int64 = t.side == .buy ? 1 : -1
            post(Posting(t.account, .usdt, -sign * t.quote.units - t.fee.units))
            post(Posting(t.account, .base(t.symbol), sign * t.quantity.units))
            post(Posting(.venue, .usdt, sign * t.quote.units))
            post(Posting(.venue, .base(t.symbol), -sign * t.quantity.units))
            post(Posting(.fees, .usdt, t.fee.units))
        case .copyFills(let b):
            let step = symbols[b.symbol].qtyStep
            let sign: Int64 = b.side == .buy ? 1 : -1
            for k in 0..<b.count {
                let row = b.fill(k)
                let copy = AccountRef.copy(lead: b.lead, slot: row.slot)
                let quantity = row.lots.quantity(step: step).units
                post(Posting(copy, .usdt, -sign * row.quote.units - row.fee.units))
                post(Posting(copy, .base(b.symbol), sign * quantity))
                post(Posting(.venue, .usdt, sign * row.quote.units))
                post(Posting(.venue, .base(b.symbol), -sign * quantity))
                post(Posting(.fees, .usdt, row.fee.units))
            }
            for k in b.profitShare.indices {
                post(Posting(.copy(lead: b.lead, slot: Int(b.profitShareSlots[k])), .usdt, -b.profitShare[k]))
                post(Posting(.main(user: b.leadUser), .usdt, b.profitShare[k]))
            }
        }
    }
}

/// A holding as users see it.
public struct HoldingView: Sendable, Hashable {
    public var symbol: String
    public var quantity: Fixed
    /// Average cost per unit, buy fees included.
    public var averageCost: Fixed
    public var mark: Fixed
    public var value: Fixed
    /// Value ÷ account equity.
    public var weight: Fixed
    /// Below the symbol's minimum quantity or notional: cannot be sold.
    public var dust: Bool
    public var unrealizedPnl: Fixed
}

/// A copy's statement (DESIGN §4 "copy details").
public struct CopyView: Sendable, Hashable {
    public var id: String
    public var user: String
    public var lead: String
    public var mode: CopyMode
    public var status: CopyStatus
    public var stopReason: StopReason?
    public var netInvested: Fixed
    public var totalIn: Fixed
    public var totalOut: Fixed
    public var cash: Fixed
    public var equity: Fixed
    public var holdings: [HoldingView]
    public var realizedPnl: Fixed
    public var unrealizedPnl: Fixed
    /// (equity + total out − total in) ÷ total in.
    public var roi: Fixed
    public var feesPaid: Fixed
    public var profitSharePaid: Fixed
    public var tracking: TrackingView
}

/// A lead's profile figures (DESIGN §4 "lead profiles").
public struct LeadView: Sendable, Hashable {
    public var user: String
    public var status: LeadStatus
    public var cash: Fixed
    public var holdings: [HoldingView]
    public var equity: Fixed
    public var nav: Fixed
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
}

/// One copy fill beside the lead fill that caused it.
public struct CopyFillView: Sendable, Hashable {
    public var event: Int
    public var time: Int64
    public var symbol: String
    public var side: Side
    public var quantity: Fixed
    public var price: Fixed
    public var quote: Fixed
    public var fee: Fixed
    public var leadPrice: Fixed
    public var leadFillID: String?
    public var cappedByCash: Bool
}

extension Engine {
    /// `a ÷ b` as a ratio on the 1e-8 grid (half-even); zero when `b` is zero.
    public static func ratio(_ a: Fixed, _ b: Fixed) -> Fixed {
        b.isZero ? .zero : Fixed.clampedMulDiv(a, .one, b, .halfEven)
    }

    func holdingView(_ s: Int, quantity: Fixed, cost: Fixed, equity: Fixed) -> HoldingView {
        let symbol = venue.symbols[s]
        let mark = venue.marks[s]
        let value = symbol.quote(quantity: quantity, price: mark) ?? .max
        return HoldingView(
            symbol: symbol.name, quantity: quantity,
            averageCost: Self.ratio(cost, quantity), mark: mark, value: value, weight: Self.ratio(value, equity),
            dust: isDust(s, quantity: quantity), unrealizedPnl: value - cost)
    }

    /// A holding too small to sell: below the symbol's minimum quantity, or worth less than its minimum notional at
    /// the mark (what a stop moves as it is, and what a closing copy may be left with).
    func isDust(_ s: Int, quantity: Fixed) -> Bool {
        let symbol = venue.symbols[s]
        return quantity < symbol.minQty || (symbol.quote(quantity: quantity, price: venue.marks[s]) ?? .max) < symbol.minNotional
    }

    /// The statement of one copy.
    public func copyView(_ ref: CopyRef) -> CopyView {
        let book = leads[ref.lead].book
        let i = ref.slot
        let equity = copyEquity(ref)
        var holdings: [HoldingView] = []
        for (c, s) in book.holdingColumns where book.lots(i, column: c) > 0 {
            let quantity = book.lots(i, column: c).quantity(step: venue[s].qtyStep)
            holdings.append(holdingView(s.index, quantity: quantity, cost: book.cost(i, column: c), equity: equity))
        }
        let totalIn = book.totalIn(i)
        let totalOut = book.totalOut(i)
        let tracking = tracking(ref)
        return CopyView(
            id: book.id(i), user: users[book.follower(i)].id, lead: users[leads[ref.lead].user].id, mode: book.mode(i),
            status: book.status(i), stopReason: book.stopReason(i), netInvested: totalIn - totalOut, totalIn: totalIn,
            totalOut: totalOut, cash: book.cash(i), equity: equity, holdings: holdings,
            realizedPnl: book.realizedPnl(i),
            unrealizedPnl: holdings.reduce(.zero) { $0 + $1.unrealizedPnl },
            roi: Self.ratio(equity + totalOut - totalIn, totalIn), feesPaid: book.feesPaid(i),
            profitSharePaid: book.profitSharePaid(i), tracking: tracking)
    }

    /// The profile figures of one lead portfolio.
    public func leadView(_ l: Int) -> LeadView {
        let lead = leads[l]
        let equity = leadEquity(l)
        let holdings = lead.positions.keys.sorted().compactMap { s -> HoldingView? in
            guard let p = lead.positions[s], p.quantity.isPositive else { return nil }
            return holdingView(s, quantity: p.quantity, cost: p.cost, equity: equity)
        }
        var aum = Fixed.zero
        for i in lead.book.activeSlots { aum += copyEquity(CopyRef(lead: l, slot: i)) }
        let nav = lead.navAtStop ?? leadNav(l)
        return LeadView(
            user: users[lead.user].id, status: lead.status, cash: lead.cash, holdings: holdings, equity: equity, nav: nav,
            roi: nav - .one, pnl: (lead.equityAtStop ?? equity) - lead.netFunding, aum: aum, followers: lead.book.activeCount,
            followerLimit: lead.followerLimit,
            winRate: Self.ratio(Fixed(lead.wonRoundTrips), Fixed(lead.closedRoundTrips)),
            closedRoundTrips: lead.closedRoundTrips, maxDrawdown: lead.maxDrawdown, profitShareRate: lead.profitShareRate,
            profitShareEarned: lead.profitShareEarned)
    }

    /// The lead's current weight in each symbol it holds (value ÷ equity); cheap, unlike `leadView` (which sums AUM).
    public func leadWeights(_ l: Int) -> [String: Fixed] {
        let equity = leadEquity(l)
        var weights: [String: Fixed] = [:]
        for (s, p) in leads[l].positions where p.quantity.isPositive {
            let value = venue.symbols[s].quote(quantity: p.quantity, price: venue.marks[s]) ?? .max
            weights[venue.symbols[s].name] = Self.ratio(value, equity)
        }
        return weights
    }

    /// How many fills a copy has (from `rows`, else from memory).
    public func copyFillCount(_ ref: CopyRef, rows: CopyRows? = nil) -> Int {
        if let rows { return rows.fills.count }
        precondition(!historyInStore, "the engine released its history: count the copy's fills from the store's rows")
        let positions = ref.lead < copyFillBatches.count ? copyFillBatches[ref.lead] : []
        return positions.reduce(0) { n, position in
            guard case .copyFills(let b) = journal[position], b.row(of: ref.slot) != nil else { return n }
            return n + 1
        }
    }

    /// A copy's failed copy orders in order (from `rows`, else from memory).
    public func failedOrders(_ ref: CopyRef, rows: CopyRows? = nil) -> [FailedCopyOrder] {
        if let rows { return rows.failures }
        let positions = ref.lead < failuresByLead.count ? failuresByLead[ref.lead] : []
        return positions.lazy.map { failedOrders[$0] }.filter { Int($0.slot) == ref.slot }
    }

    /// Every copy's failed copy orders in order, grouped in one pass over the failures: what a report over all copies
    /// uses instead of `failedOrders(_:)` per copy (which scans the lead's failures each time).
    public func failedOrdersByCopy() -> [CopyRef: [FailedCopyOrder]] {
        var byCopy: [CopyRef: [FailedCopyOrder]] = [:]
        for f in failedOrders { byCopy[CopyRef(lead: Int(f.lead), slot: Int(f.slot)), default: []].append(f) }
        return byCopy
    }

    /// Every copy in the order they were started.
    public var allCopies: [CopyRef] { copyOrder }
}

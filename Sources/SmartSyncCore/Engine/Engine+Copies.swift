/// A follower's settings for a new copy (DESIGN §3).
public struct StartCopyRequest: Sendable, Hashable, Codable {
    public var copyID: String
    public var user: String
    /// The lead's user id.
    public var lead: String
    public var mode: CopyMode
    public var investment: Fixed
    public var buyExisting: Bool
    public var stopLoss: Threshold?
    public var takeProfit: Threshold?
    /// USDT per lead buy, `fixedAmount` mode only.
    public var amountPerOrder: Fixed?
    /// Limits on what the copy buys (pairs, weight cap, order cap); nil: none.
    public var controls: CopyControls?

    public init(
        copyID: String, user: String, lead: String, mode: CopyMode = .smartSync, investment: Fixed,
        buyExisting: Bool = false, stopLoss: Threshold? = nil, takeProfit: Threshold? = nil, amountPerOrder: Fixed? = nil,
        controls: CopyControls? = nil
    ) {
        self.controls = controls
        self.copyID = copyID
        self.user = user
        self.lead = lead
        self.mode = mode
        self.investment = investment
        self.buyExisting = buyExisting
        self.stopLoss = stopLoss
        self.takeProfit = takeProfit
        self.amountPerOrder = amountPerOrder
    }
}

extension Engine {
    /// Starts a copy: moves the investment from main to a new copy account atomically and, with "buy existing
    /// assets", buys the lead's current weights of it at market (one merged order per symbol).
    @discardableResult
    public mutating func startCopy(_ r: StartCopyRequest, at moment: Moment) throws(EngineError) -> CopyRef {
        let u = try requireUser(r.user, field: "user")
        let leadUser = try requireUser(r.lead, field: "lead")
        guard !r.copyID.isEmpty else { throw EngineError(.invalidInput, field: "copy", "must not be empty") }
        guard copy(named: r.copyID) == nil else {
            throw EngineError(.duplicateID, field: "copy", "copy \"\(r.copyID)\" already exists")
        }
        guard u != leadUser else { throw EngineError(.copyingYourself, field: "lead", "you cannot copy yourself") }
        guard let l = activeLead(of: leadUser) else {
            throw EngineError(.leadNotActive, field: "lead", "\"\(r.lead)\" is not leading")
        }
        try requireCopiesSettled(lead: l, field: "lead")
        guard r.investment >= settings.minInvestment else {
            throw EngineError(
                .belowMinimumInvestment, field: "investment",
                "must be at least \(settings.minInvestment) USDT (got \(r.investment))")
        }
        let balance = mainCashAvailable(u)
        guard r.investment <= balance else {
            throw EngineError(
                .insufficientFunds, field: "investment",
                "\(r.investment) USDT exceeds the main balance of \(balance) USDT\(mainHeldNote(u))")
        }
        guard leads[l].book.activeCount < leads[l].followerLimit else {
            throw EngineError(
                .leadFollowerLimit, field: "lead", "\"\(r.lead)\" has reached its limit of \(leads[l].followerLimit) followers")
        }
        let active = activeCopies(of: u)
        guard active.count < settings.maxActiveCopiesPerFollower else {
            throw EngineError(
                .followerCopyLimit, field: "user", "\"\(r.user)\" already has \(active.count) active copies (the limit)")
        }
        guard !active.contains(where: { $0.lead == l }) else {
            throw EngineError(.duplicateActiveCopy, field: "lead", "\"\(r.user)\" already copies \"\(r.lead)\"")
        }
        switch (r.mode, r.amountPerOrder) {
        case (.fixedAmount, .none):
            throw EngineError(.invalidInput, field: "amountPerOrder", "is required in fixedAmount mode")
        case (.fixedAmount, .some(let a)) where !a.isPositive:
            throw EngineError(.invalidInput, field: "amountPerOrder", "must be positive (got \(a))")
        case (.smartSync, .some):
            throw EngineError(.invalidInput, field: "amountPerOrder", "only applies to fixedAmount mode")
        default: break
        }
        try Self.checkThreshold(r.stopLoss, field: "stopLoss", maxRatio: .one)
        try Self.checkThreshold(r.takeProfit, field: "takeProfit", maxRatio: nil)
        try checkControls(r.controls, field: "controls.")

        // Size buy-existing orders before changing anything.
        let buys = r.buyExisting ? buyExistingNotionals(lead: l, investment: r.investment) : []

        let leadNav = leadNav(l)
        var book = CopyBook()
        swap(&book, &leads[l].book)
        let slot = book.append(
            id: r.copyID, user: u, mode: r.mode, amountPerOrder: r.amountPerOrder ?? .zero, investment: r.investment,
            stopLoss: r.stopLoss, takeProfit: r.takeProfit, event: moment.event, leadNav: leadNav,
            leadFeeDrag: leads[l].feeDrag)
        book.setControls(slot, r.controls)
        swap(&book, &leads[l].book)
        users[u].cash -= r.investment
        let ref = CopyRef(lead: l, slot: slot)
        copyOrder.append(ref)
        indexCopy(position: copyOrder.count - 1)
        users[u].copies.append(ref)
        journal.append(
            .transfer(asset: Symbol.quoteAsset, amount: r.investment, from: .main(user: u), to: .copy(lead: l, slot: slot)))

        if r.stopLoss != nil || r.takeProfit != nil {
            recordCopyEvent(ref, .startedWith(stopLoss: r.stopLoss, takeProfit: r.takeProfit), at: moment)
        }
        if let c = r.controls, !c.isEmpty { recordCopyEvent(ref, .controlsSet(c), at: moment) }
        if !r.buyExisting { recordUnboughtHoldings(lead: l, slot: slot, amount: r.investment) }
        var ws = FanOutWorkspace()
        swap(&ws, &workspace)
        for (s, n) in buys {
            let mark = venue.marks[s]
            let limit = slippageLimitPrice(l, s, .buy, mark)
            // Cannot throw: explicit notionals need no equity sweep.
            guard
                (try? planBuys(
                    lead: l, symbol: s, price: mark, limit: limit, target: .notional([n]), slots: .list([slot]),
                    event: moment.event, workspace: &ws)) != nil
            else { continue }
            executeMerged(&ws, limit: limit, leadFillID: nil, at: moment)
        }
        swap(&ws, &workspace)
        checkThresholds(lead: l, slots: [slot], at: moment)
        return ref
    }

    /// What "buy existing assets" spends on each symbol the lead holds: the investment times the symbol's weight in
    /// the lead's equity at mark prices (rounded down), in symbol order.
    func buyExistingNotionals(lead l: Int, investment: Fixed) -> [(symbol: Int, notional: Int64)] {
        let leadEquity = leadEquity(l)
        guard leadEquity.isPositive else { return [] }
        var buys: [(symbol: Int, notional: Int64)] = []
        for s in leads[l].positions.keys.sorted() {
            guard let q = leads[l].positions[s]?.quantity, q.isPositive,
                let value = venue.symbols[s].quote(quantity: q, price: venue.marks[s]),
                let n = mulDivFloor(value.units, investment.units, leadEquity.units)
            else { continue }
            buys.append((s, n))
        }
        return buys
    }

    /// The active copies of a user.
    public func activeCopies(of u: Int) -> [CopyRef] {
        users[u].copies.filter { leads[$0.lead].book.isActive($0.slot) }
    }

    static func checkThreshold(_ t: Threshold?, field: String, maxRatio: Fixed?) throws(EngineError) {
        switch t {
        case .amount(let a) where !a.isPositive:
            throw EngineError(.invalidInput, field: field + ".amount", "must be positive (got \(a))")
        case .ratio(let r) where !r.isPositive || r > (maxRatio ?? .max):
            let bound = maxRatio.map { " and at most \($0)" } ?? ""
            throw EngineError(.invalidInput, field: field + ".ratio", "must be above 0\(bound) (got \(r))")
        default: break
        }
    }
}

extension Engine {
    /// Reserves room for `n` more copies of lead `l` (none when `l` is not a lead yet) and as many users.
    public mutating func reserveCopies(lead l: Int, _ n: Int) {
        users.reserveCapacity(users.count + n)
        reserveIndexes(users: n, copies: n)
        copyOrder.reserveCapacity(copyOrder.count + n)
        journal.reserveCapacity(journal.count + 2 * n)
        guard leads.indices.contains(l) else { return }
        var book = CopyBook()
        swap(&book, &leads[l].book)
        book.reserveCapacity(n)
        swap(&book, &leads[l].book)
    }
}

extension Engine {
    /// Refuses controls that name an unlisted or repeated pair, an empty pair list, a weight cap outside (0, 1] or
    /// an order cap that is not positive, naming the field (`pairs[1]`, `maxSymbolWeight`, `maxOrderAmount`, after
    /// `prefix`: `controls.` in a copy's start).
    func checkControls(_ c: CopyControls?, field prefix: String = "") throws(EngineError) {
        guard let c else { return }
        if let pairs = c.pairs {
            guard !pairs.isEmpty else {
                throw EngineError(.invalidInput, field: prefix + "pairs", "must name at least one pair (null copies every pair)")
            }
            for (k, name) in pairs.enumerated() {
                guard venue.index(of: name) != nil else {
                    throw EngineError(.unknownSymbol, field: "\(prefix)pairs[\(k)]", "\"\(name)\" is not a listed pair")
                }
                guard !pairs[..<k].contains(name) else {
                    throw EngineError(.invalidInput, field: "\(prefix)pairs[\(k)]", "\"\(name)\" is named twice")
                }
            }
        }
        if let w = c.maxSymbolWeight, !w.isPositive || w > .one {
            throw EngineError(.invalidInput, field: prefix + "maxSymbolWeight", "must be above 0 and at most 1 (got \(w))")
        }
        if let a = c.maxOrderAmount, !a.isPositive {
            throw EngineError(.invalidInput, field: prefix + "maxOrderAmount", "must be positive (got \(a))")
        }
    }

    /// Sets (or, with nil or no limit, clears) a running copy's controls; they apply to its buys from now on.
    public mutating func setCopyControls(copy id: String, _ controls: CopyControls?, at moment: Moment) throws(EngineError) {
        let ref = try requireActiveCopy(id, field: "copy")
        try checkControls(controls)
        let c = controls.flatMap { $0.isEmpty ? nil : $0 }
        leads[ref.lead].book.setControls(ref.slot, c)
        recordCopyEvent(ref, .controlsSet(c), at: moment)
    }
}

/// The whole state of a SmartSync market: users, leads with their copies, the venue, the journal. A value type
/// with no I/O: every command either applies completely or throws `EngineError` and changes nothing.
public struct Engine: Sendable {
    public internal(set) var settings: Settings
    public internal(set) var venue: SimulatedVenue
    public internal(set) var users: [User] = []
    public internal(set) var leads: [Lead] = []
    public internal(set) var journal = Journal()
    /// Lead fills still in memory: the last one, and those applied since the last `releaseHistory()` (a store holds
    /// the others; the first here is lead fill number `leadFillsReleased`).
    public internal(set) var leadFills: [LeadFill] = []
    /// Lead fills released from memory (`releaseHistory()`).
    public internal(set) var leadFillsReleased = 0
    /// Each lead's lead fills so far (in memory or released): its next fill's number `n`.
    public internal(set) var leadFillCounts: [Int] = []
    public internal(set) var failedOrders: [FailedCopyOrder] = []
    public internal(set) var restingOrders: [RestingOrder] = []
    /// Every mark price set (listings and price updates), in order: what the copy equity curves are valued at. Those
    /// before `priceHistoryReleased` are in the store only (`releaseHistory()` keeps the last in memory).
    public internal(set) var priceHistory: [PricePoint] = []
    public internal(set) var priceHistoryReleased = 0
    /// Per lead, the points of its equity curve (`Lead.curve`) released to the store: its first point in memory is
    /// point number `curveReleased[l]` of its curve.
    public internal(set) var curveReleased: [Int] = []
    /// The operator's fee account (USDT).
    public internal(set) var feesCollected: Fixed = .zero
    /// The venue's settlement side per asset; negative holdings are what accounts bought from it.
    public internal(set) var venueBalances: [String: Fixed] = [:]
    public internal(set) var totalDeposits: Fixed = .zero
    public internal(set) var totalWithdrawals: Fixed = .zero
    /// Users by id and copies by id (`NameIndex`: the ids themselves stay in `users` and the copy books).
    var userIndex = NameIndex()
    var copyIndex = NameIndex()
    var copyOrder: [CopyRef] = []
    /// Ids of the lead fills applied from outside (`applyLeadFill(_:)`); the engine's own fill ids are unique by
    /// construction (`isEngineFillID`), so this holds nothing in a server.
    var appliedFillIDs: Set<String> = []
    var workspace = FanOutWorkspace()
    /// Journal positions of each lead's copy-fill batches, so a copy's fills are found without a journal scan, and
    /// the event of each (which batches follow a copy's start, once the batches left memory).
    var copyFillBatches: [[Int]] = []
    var copyFillBatchEvents: [[Int32]] = []
    /// Positions in `failedOrders` of each lead's failed copy orders (while they are in memory).
    var failuresByLead: [[Int]] = []
    /// The events at which each lead had failed copy orders, in order, without repeats (a store's key to them).
    var failureEvents: [[Int]] = []
    /// Journal positions before this one have released their copy-fill rows (`releaseHistory()`).
    var historyReleasedThrough = 0
    /// Failed copy orders released from memory (the first of `failedOrders` is this number).
    public internal(set) var failedOrdersReleased = 0
    /// Set by the first `releaseHistory()`: a copy's past is read from the store from then on.
    var historyReleased = false
    var nextOrderNumber = 1
    /// The moment of every command the engine accepted, in order (event → time for what refers to events only).
    public internal(set) var moments = MomentLog()
    /// Changes a follower made to a running copy (investment, stop loss, take profit), in order.
    public internal(set) var copyEvents: [CopyEvent] = []
    /// Every order placed, in id order: its request, status and what it executed.
    public internal(set) var orders: [PlacedOrder] = []
    /// What the command being applied changed beyond appending to the histories (for its outcome).
    var scratch = OutcomeScratch()
    /// Orders at an external venue, and the mode that says whether orders go there (DESIGN §3b).
    public internal(set) var venueBook = VenueBook()

    public init(settings: Settings = Settings()) {
        self.settings = settings
        self.venue = SimulatedVenue(takerFeeRate: settings.takerFeeRate)
    }

    /// A copy for readers: it shares every buffer with this engine but the fan-out's work buffers, which only the
    /// writer uses (so that the writer's next fan-out does not copy them because a reader holds them).
    public var readOnlyCopy: Engine {
        var copy = self
        copy.workspace = FanOutWorkspace()
        copy.scratch = OutcomeScratch()
        return copy
    }

    /// Bytes held by the fan-out's reusable buffers.
    public var fanOutWorkspaceBytes: Int { workspace.byteCount }

    // MARK: Look-ups

    public func user(named id: String) -> Int? { userIndex.find(id, name: { userID($0) }).map { Int($0) } }
    public func copy(named id: String) -> CopyRef? { copyIndex.find(id, name: { copyID($0) }).map { copyOrder[Int($0)] } }

    /// The id stored where a look-up payload points: a user's position, a copy's position in `copyOrder`.
    private func userID(_ payload: UInt32) -> String { users[Int(payload)].id }
    private func copyID(_ payload: UInt32) -> String {
        let r = copyOrder[Int(payload)]
        return leads[r.lead].book.id(r.slot)
    }

    /// Indexes a user just appended to `users`.
    mutating func indexUser(_ u: Int) {
        var index = NameIndex()
        swap(&index, &userIndex)
        index.insert(users[u].id, UInt32(u), name: { userID($0) })
        swap(&index, &userIndex)
    }

    /// Indexes the copy at `position` in `copyOrder`.
    mutating func indexCopy(position p: Int) {
        let ref = copyOrder[p]
        var index = NameIndex()
        swap(&index, &copyIndex)
        index.insert(leads[ref.lead].book.id(ref.slot), UInt32(p), name: { copyID($0) })
        swap(&index, &copyIndex)
    }

    /// Room in the look-ups for `users` and `copies` more.
    mutating func reserveIndexes(users n: Int, copies c: Int) {
        var index = NameIndex()
        swap(&index, &userIndex)
        index.reserveCapacity(index.count + n, name: { userID($0) })
        swap(&index, &userIndex)
        swap(&index, &copyIndex)
        index.reserveCapacity(index.count + c, name: { copyID($0) })
        swap(&index, &copyIndex)
    }
    /// A copy as a value (`CopyBook.Row`): its id, follower, status, money and holdings.
    public func row(of ref: CopyRef) -> CopyBook.Row { leads[ref.lead].book[ref.slot] }

    /// The id of the copy `ref` (what `row(of:)` gives too, without building the row).
    public func copyID(of ref: CopyRef) -> String { leads[ref.lead].book.id(ref.slot) }

    /// The id of the user who follows with the copy `ref`.
    public func follower(of ref: CopyRef) -> String { users[leads[ref.lead].book.follower(ref.slot)].id }

    /// Whether a lead fill from outside with this id was applied (`applyLeadFill(_:)`).
    public func hasApplied(fillID: String) -> Bool { appliedFillIDs.contains(fillID) }

    /// Whether `id` has the form of the engine's own lead fill ids: `o<order>-f1` and `o<order>-e<event>-f<n>` for
    /// orders it executes, `<client order id>/<execution>` for orders at a venue. A fill from outside may not use
    /// them (so the engine's own need no record to be applied once).
    public static func isEngineFillID(_ id: String) -> Bool {
        let u = id.utf8
        if u.contains(UInt8(ascii: "/")) { return true }
        guard u.count >= 2, u.first == UInt8(ascii: "o") else { return false }
        let second = u[u.index(after: u.startIndex)]
        return second >= UInt8(ascii: "0") && second <= UInt8(ascii: "9")
    }

    func requireUser(_ id: String, field: String) throws(EngineError) -> Int {
        guard let u = user(named: id) else { throw EngineError(.unknownUser, field: field, "no user \"\(id)\"") }
        return u
    }

    func requireSymbol(_ name: String, field: String) throws(EngineError) -> Int {
        guard let s = venue.index(of: name) else { throw EngineError(.unknownSymbol, field: field, "no symbol \"\(name)\"") }
        return s
    }

    func requireCopy(_ id: String, field: String) throws(EngineError) -> CopyRef {
        guard let c = copy(named: id) else { throw EngineError(.unknownCopy, field: field, "no copy \"\(id)\"") }
        return c
    }

    /// The active lead portfolio of a user, if any.
    public func activeLead(of u: Int) -> Int? {
        guard let l = users[u].lead, leads[l].status == .active else { return nil }
        return l
    }

    /// The active lead portfolio of a user.
    func requireActiveLead(user u: Int, field: String) throws(EngineError) -> Int {
        guard let l = users[u].lead, leads[l].status == .active else {
            throw EngineError(.notLeading, field: field, "user \"\(users[u].id)\" has no active lead portfolio")
        }
        return l
    }

    // MARK: Market set-up

    /// Lists a symbol at its first price, optionally with a synthetic order book.
    public mutating func listSymbol(_ symbol: Symbol, price: Fixed, book: BookShape? = nil) throws(EngineError) {
        do { try venue.list(symbol, price: price, book: book) } catch { throw EngineError(error) }
        priceHistory.append(PricePoint(event: -1, symbol: venue.symbols.count - 1, price: price))
    }

    // MARK: Users and money from outside

    /// Creates a user with an empty main account.
    @discardableResult
    public mutating func addUser(_ id: String) throws(EngineError) -> Int {
        guard !id.isEmpty else { throw EngineError(.invalidInput, field: "id", "must not be empty") }
        guard user(named: id) == nil else { throw EngineError(.duplicateID, field: "id", "user \"\(id)\" already exists") }
        users.append(User(id: id))
        indexUser(users.count - 1)
        return users.count - 1
    }

    /// Operator deposit of USDT into a user's main account.
    public mutating func deposit(user id: String, amount: Fixed, at moment: Moment) throws(EngineError) {
        let u = try requireUser(id, field: "user")
        try Self.requirePositive(amount, field: "amount")
        guard (try? users[u].balance(Symbol.quoteAsset).adding(amount)) != nil,
            (try? totalDeposits.adding(amount)) != nil
        else { throw EngineError(.overflow, field: "amount", "balance would overflow") }
        users[u].cash += amount
        totalDeposits += amount
        journal.append(.deposit(user: u, amount: amount))
    }

    /// Operator withdrawal of USDT from a user's main account.
    public mutating func withdraw(user id: String, amount: Fixed, at moment: Moment) throws(EngineError) {
        let u = try requireUser(id, field: "user")
        try Self.requirePositive(amount, field: "amount")
        let balance = mainCashAvailable(u)
        guard amount <= balance else {
            throw EngineError(
                .insufficientFunds, field: "amount", "\(amount) USDT exceeds the main balance of \(balance) USDT\(mainHeldNote(u))")
        }
        users[u].cash -= amount
        totalWithdrawals += amount
        journal.append(.withdrawal(user: u, amount: amount))
    }

    static func requirePositive(_ value: Fixed, field: String) throws(EngineError) {
        guard value.isPositive else { throw EngineError(.invalidInput, field: field, "must be positive (got \(value))") }
    }

    // MARK: Valuation

    /// Equity of a lead portfolio: cash + Σ quantity × mark, with `override` pricing one symbol differently
    /// (the filled symbol at the fill price, DESIGN §2).
    public func leadEquity(_ l: Int, override: (symbol: Int, price: Fixed)? = nil) -> Fixed {
        var equity = leads[l].cash
        for (s, p) in leads[l].positions where p.quantity.isPositive {
            let price = override?.symbol == s ? override!.price : venue.marks[s]
            equity += venue.symbols[s].quote(quantity: p.quantity, price: price) ?? .max
        }
        return equity
    }

    /// Unit NAV of a lead portfolio (1 at the start).
    public func leadNav(_ l: Int) -> Fixed {
        leads[l].units.isPositive ? Self.nav(equity: leadEquity(l), units: leads[l].units) : leads[l].lastNav
    }

    /// Unit NAV of a copy (1 at the start).
    public func copyNav(_ ref: CopyRef) -> Fixed {
        Self.nav(equity: copyEquity(ref), units: leads[ref.lead].book.units(ref.slot))
    }

    static func nav(equity: Fixed, units: Fixed) -> Fixed {
        units.isPositive ? Fixed.clampedMulDiv(equity, .one, units, .halfEven) : .one
    }

    /// Records a lead's equity and NAV after an event: running peak, max drawdown, equity curve.
    mutating func observeLead(_ l: Int, at moment: Moment) {
        let equity = leadEquity(l)
        let nav = leadNav(l)
        leads[l].lastNav = nav
        if nav > leads[l].peakNav { leads[l].peakNav = nav }
        if leads[l].peakNav.isPositive {
            let drawdown = Fixed.one - Fixed.clampedMulDiv(nav, .one, leads[l].peakNav, .halfEven)
            if drawdown > leads[l].maxDrawdown { leads[l].maxDrawdown = drawdown }
        }
        let point = EquityPoint(
            time: moment.time, event: moment.event, equity: equity, nav: nav, netFunding: leads[l].netFunding,
            journalCount: journal.count, priceCount: priceCount)
        if let last = leads[l].curve.last, last.time == moment.time, last.event == moment.event {
            // Replaced: written again (a host that gives two commands one moment replaces the earlier's point).
            if scratch.curveStarts[l] == nil { scratch.curveStarts[l] = curveCount(of: l) - 1 }
            leads[l].curve[leads[l].curve.count - 1] = point
        } else {
            if scratch.curveStarts[l] == nil { scratch.curveStarts[l] = curveCount(of: l) }
            leads[l].curve.append(point)
        }
    }

    /// Equity of a copy at mark prices.
    public func copyEquity(_ ref: CopyRef) -> Fixed {
        let book = leads[ref.lead].book
        var units = book.cash(ref.slot).units
        for (c, s) in book.holdingColumns {
            units += book.lots(ref.slot, column: c).count * lotValue(s, price: venue.mark(s))
        }
        return Fixed(units: units)
    }

    /// The USDT value of one lot (one qtyStep) at `price`: exact by the symbol's step rule.
    public func lotValue(_ symbol: Int, price: Fixed) -> Int64 {
        mulDivFloor(price.units, venue.symbols[symbol].qtyStep.units, Fixed.unitsPerOne) ?? .max
    }
    public func lotValue(_ symbol: SymbolIndex, price: Fixed) -> Int64 { lotValue(symbol.index, price: price) }
}

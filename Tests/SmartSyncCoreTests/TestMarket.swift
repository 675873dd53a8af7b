import SmartSyncBench
import SmartSyncCore
import Testing

// Shared test helpers. Everything here is a value type or a pure function: no globals, so tests run in parallel.

/// Parses a decimal literal of a test. A typo in a literal is a bug in the test itself, so it stops the test run.
func fx(_ text: String) -> Fixed {
    do { return try Fixed(text) } catch { preconditionFailure("bad test literal \"\(text)\": \(error)") }
}

/// The symbols used across the tests (DESIGN §7's BTC filters; ETH with a coarser step).
/// BTC-USDT: qtyStep 0.00001, priceTick 0.01, minQty 0.00001, minNotional 5 (one lot at 50,000 is 0.5 USDT).
/// ETH-USDT: qtyStep 0.0001, priceTick 0.01, minQty 0.0001, minNotional 5 (one lot at 2,000 is 0.2 USDT).
enum TestMarket {
    static let btc = "BTC-USDT"
    static let eth = "ETH-USDT"
    /// Venue indices: symbols are listed in this order.
    static let btcIndex = 0
    static let ethIndex = 1

    static func btcSymbol() throws -> Symbol {
        try Symbol(name: btc, qtyStep: fx("0.00001"), priceTick: fx("0.01"), minQty: fx("0.00001"), minNotional: fx("5"))
    }

    static func ethSymbol(minQty: String = "0.0001") throws -> Symbol {
        try Symbol(name: eth, qtyStep: fx("0.0001"), priceTick: fx("0.01"), minQty: fx(minQty), minNotional: fx("5"))
    }

    /// An engine with default settings (fee 0.1%, minimum investment 100, slippage 0.5%, profit share 10%) and
    /// BTC-USDT / ETH-USDT listed at the given prices, BTC optionally with a synthetic order book.
    static func engine(
        btcPrice: String = "50000", ethPrice: String = "2000", btcBook: BookShape? = nil, ethMinQty: String = "0.0001",
        settings: Settings = Settings()
    ) throws -> Engine {
        var engine = Engine(settings: settings)
        try engine.listSymbol(btcSymbol(), price: fx(btcPrice), book: btcBook)
        try engine.listSymbol(ethSymbol(minQty: ethMinQty), price: fx(ethPrice))
        return engine
    }
}

/// An engine plus an event counter, with short commands for the golden tests. Each command takes the next moment.
struct Sim {
    var engine: Engine
    var event = 0

    init(_ engine: Engine) { self.engine = engine }

    init(btcPrice: String = "50000", ethPrice: String = "2000", btcBook: BookShape? = nil) throws {
        self.engine = try TestMarket.engine(btcPrice: btcPrice, ethPrice: ethPrice, btcBook: btcBook)
    }

    mutating func next() -> Moment {
        defer { event += 1 }
        return Moment(event: event, time: 1_700_000_000_000 + Int64(event) * 60_000)
    }

    /// Adds a user and deposits `deposit` USDT into the main account.
    mutating func user(_ id: String, deposit: String) throws {
        try engine.addUser(id)
        try engine.deposit(user: id, amount: fx(deposit), at: next())
    }

    /// Adds a user that leads with `portfolio` (its deposit is `deposit`, or exactly the portfolio).
    @discardableResult
    mutating func lead(
        _ id: String, portfolio: String, deposit: String? = nil, profitShareRate: String? = nil,
        slippageLimit: String? = nil
    ) throws -> Int {
        try user(id, deposit: deposit ?? portfolio)
        return try engine.startLeading(
            user: id, portfolio: fx(portfolio), profitShareRate: profitShareRate.map(fx),
            slippageLimit: slippageLimit.map(fx), at: next())
    }

    /// Adds a follower with exactly `investment` in its main account and starts a copy of `lead`.
    @discardableResult
    mutating func copy(
        _ id: String, of lead: String, investment: String, mode: CopyMode = .smartSync, buyExisting: Bool = false,
        amountPerOrder: String? = nil
    ) throws -> CopyRef {
        let user = "user-" + id
        try self.user(user, deposit: investment)
        return try engine.startCopy(
            StartCopyRequest(
                copyID: id, user: user, lead: lead, mode: mode, investment: fx(investment), buyExisting: buyExisting,
                amountPerOrder: amountPerOrder.map(fx)),
            at: next())
    }

    @discardableResult
    mutating func buy(
        _ user: String, _ symbol: String = TestMarket.btc, quote: String? = nil, quantity: String? = nil,
        limit: String? = nil, account: OrderAccount = .portfolio
    ) throws -> OrderResult {
        try engine.placeOrder(
            OrderRequest(
                user: user, account: account, symbol: symbol, side: .buy, quoteAmount: quote.map(fx),
                quantity: quantity.map(fx), limitPrice: limit.map(fx)),
            at: next())
    }

    @discardableResult
    mutating func sell(
        _ user: String, _ symbol: String = TestMarket.btc, quantity: String, limit: String? = nil,
        account: OrderAccount = .portfolio
    ) throws -> OrderResult {
        try engine.placeOrder(
            OrderRequest(
                user: user, account: account, symbol: symbol, side: .sell, quantity: fx(quantity), limitPrice: limit.map(fx)),
            at: next())
    }

    mutating func price(_ symbol: String, _ price: String) throws {
        try engine.updatePrice(symbol: symbol, price: fx(price), at: next())
    }

    // MARK: Reading state

    func ref(_ copyID: String) throws -> CopyRef { try #require(engine.copy(named: copyID)) }

    func cash(_ copyID: String) throws -> Fixed {
        let r = try ref(copyID)
        return engine.row(of: r).cash
    }

    /// Quantity a copy holds of a symbol (lots × qtyStep).
    func quantity(_ copyID: String, _ symbol: Int = TestMarket.btcIndex) throws -> Fixed {
        try lots(copyID, symbol).quantity(step: engine.venue.symbols[symbol].qtyStep)
    }

    func lots(_ copyID: String, _ symbol: Int = TestMarket.btcIndex) throws -> Lots {
        engine.row(of: try ref(copyID)).lots(of: SymbolIndex(symbol))
    }

    func mainBalance(_ user: String, _ asset: String = Symbol.quoteAsset) throws -> Fixed {
        let u = try #require(engine.user(named: user))
        return engine.users[u].balance(asset)
    }

    /// Copy-fill batches in the journal, oldest first.
    var batches: [CopyFillBatch] {
        engine.journal.entries.compactMap { if case .copyFills(let b) = $0 { return b } else { return nil } }
    }

    /// Failed copy orders of one copy.
    func failures(_ copyID: String) throws -> [FailedCopyOrder] {
        let r = try ref(copyID)
        return engine.failedOrders.filter { Int($0.lead) == r.lead && Int($0.slot) == r.slot }
    }

    /// The row of a copy in a batch.
    func row(_ batch: CopyFillBatch, _ copyID: String) throws -> Int {
        try #require(batch.row(of: ref(copyID).slot))
    }
}

/// Everything a no-op must leave unchanged, compared in one `==`.
struct Fingerprint: Equatable {
    var journalCount: Int
    var failedCount: Int
    var leadFillCount: Int
    var restingCount: Int
    var fees: Fixed
    var venue: [String: Fixed]
    var mains: [[String: Fixed]]
    var leadCash: [Fixed]
    var leadHoldings: [[Int: Fixed]]
    var copyCash: [[Int64]]
    var copyLots: [[[Int64]]]
    var auditTotal: Fixed
    var auditProblems: [String]

    init(_ e: Engine) {
        journalCount = e.journal.entries.count
        failedCount = e.failedOrders.count
        leadFillCount = e.leadFills.count
        restingCount = e.restingOrders.count
        fees = e.feesCollected
        venue = e.venueBalances.filter { !$0.value.isZero }
        mains = e.users.map { $0.balances.filter { !$0.value.isZero } }
        leadCash = e.leads.map(\.cash)
        leadHoldings = e.leads.map { $0.positions.mapValues(\.quantity).filter { !$0.value.isZero } }
        copyCash = e.leads.map { $0.book.rows.map(\.cash.units) }
        copyLots = e.leads.map { $0.book.rows.map { $0.holdings.flatMap { [Int64($0.symbol.index), $0.lots.count, $0.cost.units] } } }
        let audit = e.audit()
        auditTotal = audit.totalUSDT
        auditProblems = audit.problems
    }
}

/// Helpers on the core's seeded generator for scenario tests.
extension SplitMix {
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }
    /// True with probability `percent` / 100.
    mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}

/// `ceil(quote × rate)` on the 1e-8 grid: the taker fee the venue charges (DESIGN §3a).
func takerFee(_ quoteUnits: Int64, rate: Fixed = Settings().takerFeeRate) -> Int64 {
    let p = Int128(quoteUnits) * Int128(rate.units)
    let d = Int128(Fixed.unitsPerOne)
    return Int64((p + d - 1) / d)
}

/// Runs a command that must be refused with an `EngineError`, and returns the error (nil, and a recorded issue,
/// when nothing was thrown).
@discardableResult
func refusal(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> EngineError? {
    #expect(throws: EngineError.self, sourceLocation: sourceLocation) { try body() }
}

/// The same for a `FieldError` (symbol and venue set-up).
@discardableResult
func fieldRefusal(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> FieldError? {
    #expect(throws: FieldError.self, sourceLocation: sourceLocation) { try body() }
}

/// Every change an engine accepts, as a value: the unit of the command log that persistence replays, and of
/// scenario events. `Engine.execute` applies one completely or throws and changes nothing.
public enum EngineCommand: Sendable, Hashable, Codable {
    case listSymbol(Symbol, price: Fixed, book: BookShape?)
    case addUser(String)
    case deposit(user: String, amount: Fixed)
    case withdraw(user: String, amount: Fixed)
    case startLeading(user: String, portfolio: Fixed, profitShareRate: Fixed?, slippageLimit: Fixed?, followerLimit: Int?)
    case startCopy(StartCopyRequest)
    case order(OrderRequest)
    /// A sell of a fraction of the holding, or a buy spending a fraction of the cash, sized at execution.
    case orderFraction(user: String, account: OrderAccount, symbol: String, side: Side, fraction: Fixed)
    case cancelOrder(user: String, orderID: Int)
    case price(symbol: String, price: Fixed)
    case transfer(user: String, amount: Fixed, direction: TransferDirection)
    /// A follower stops a copy: `mode` nil is `sellAll` (the command as logged before stop modes existed).
    case stopCopy(copy: String, mode: StopMode? = nil)
    case stopLeading(user: String)
    case removeFollower(user: String, copy: String)
    case adjustInvestment(copy: String, delta: Fixed)
    case setStopLoss(copy: String, Threshold?)
    case setTakeProfit(copy: String, Threshold?)
    /// A follower sets or clears (nil) a running copy's limits on what it buys.
    case setCopyControls(copy: String, CopyControls?)
    /// A lead changes its profit-share rate, slippage limit or follower limit (nil keeps a value).
    case updateLead(user: String, profitShareRate: Fixed?, slippageLimit: Fixed?, followerLimit: Int?)
    /// The operator changes settings (nil keeps a value); they apply to what happens from now on.
    case updateSettings(takerFeeRate: Fixed?, minInvestment: Fixed?, maxActiveCopiesPerFollower: Int?, defaultFollowerLimit: Int?)
    /// Orders execute on the simulated market or go to an external venue (DESIGN §3b). `orderIDPrefix` (1 to 16
    /// letters and digits) starts the client order ids of the orders sent from now on (`PREFIX-SS-n`), so that two
    /// databases trading on one venue account never send the same id; the server uses its database's id.
    case venueMode(VenueMode, orderIDPrefix: String? = nil)
    /// The venue adapter sent a logged order.
    case venueSent(clientOrderID: String)
    /// What the venue said about one of our orders.
    case venueReport(VenueReport)
    /// How a lead's market orders execute with its copies' (`lead` nil: the operator's default for every lead).
    case executionMode(lead: String?, ExecutionMode)
}

extension Engine {
    /// Applies one command at a moment and says what it did.
    @discardableResult
    public mutating func execute(_ command: EngineCommand, at moment: Moment) throws(EngineError) -> CommandOutcome {
        scratch.reset()
        let marks = historyMarks
        switch command {
        case .listSymbol(let symbol, let price, let book):
            try listSymbol(symbol, price: price, book: book)
        case .addUser(let id):
            try addUser(id)
        case .deposit(let user, let amount):
            try deposit(user: user, amount: amount, at: moment)
        case .withdraw(let user, let amount):
            try withdraw(user: user, amount: amount, at: moment)
        case .startLeading(let user, let portfolio, let rate, let slippage, let limit):
            try startLeading(
                user: user, portfolio: portfolio, profitShareRate: rate, slippageLimit: slippage, followerLimit: limit,
                at: moment)
        case .startCopy(let request):
            try startCopy(request, at: moment)
        case .order(let request):
            try placeOrder(request, at: moment)
        case .orderFraction(let user, let account, let symbol, let side, let fraction):
            if let request = try fractionOrder(user: user, account: account, symbol: symbol, side: side, fraction: fraction) {
                try placeOrder(request, at: moment)
            }
        case .cancelOrder(let user, let id):
            try cancelOrder(user: user, orderID: id)
        case .price(let symbol, let price):
            try updatePrice(symbol: symbol, price: price, at: moment)
        case .transfer(let user, let amount, let direction):
            try transfer(user: user, amount: amount, direction, at: moment)
        case .stopCopy(let copy, let mode):
            try stopCopy(copy, mode: mode ?? .sellAll, at: moment)
        case .stopLeading(let user):
            try stopLeading(user: user, at: moment)
        case .removeFollower(let user, let copy):
            try removeFollower(lead: user, copy: copy, at: moment)
        case .adjustInvestment(let copy, let delta):
            try adjustInvestment(copy: copy, delta: delta, at: moment)
        case .setStopLoss(let copy, let threshold):
            try setStopLoss(copy: copy, threshold, at: moment)
        case .setTakeProfit(let copy, let threshold):
            try setTakeProfit(copy: copy, threshold, at: moment)
        case .setCopyControls(let copy, let controls):
            try setCopyControls(copy: copy, controls, at: moment)
        case .updateLead(let user, let rate, let slippage, let limit):
            try updateLead(user: user, profitShareRate: rate, slippageLimit: slippage, followerLimit: limit)
        case .updateSettings(let fee, let minimum, let maxCopies, let followerLimit):
            try updateSettings(
                takerFeeRate: fee, minInvestment: minimum, maxActiveCopiesPerFollower: maxCopies, defaultFollowerLimit: followerLimit)
        case .venueMode(let mode, let prefix):
            try setVenueMode(mode, orderIDPrefix: prefix)
        case .venueSent(let id):
            try markVenueSent(id, at: moment)
        case .venueReport(let report):
            try applyVenueReport(report, at: moment)
        case .executionMode(let lead, let mode):
            try setExecutionMode(lead: lead, mode)
        }
        settleClosedCopies(at: moment)
        if moments.last != moment { moments.append(moment) }
        return outcome(since: marks, at: moment)
    }

    /// Turns "sell 30% of the holding" or "spend 25% of the cash" into an order at the current state; nil when the
    /// result rounds below the symbol's minimums (nothing to do).
    public func fractionOrder(user: String, account: OrderAccount, symbol name: String, side: Side, fraction: Fixed)
        throws(EngineError) -> OrderRequest?
    {
        guard fraction.isPositive, fraction <= .one else {
            throw EngineError(.invalidInput, field: "fraction", "must be above 0 and at most 1 (got \(fraction))")
        }
        let u = try requireUser(user, field: "user")
        let s = try requireSymbol(name, field: "symbol")
        let symbol = venue.symbols[s]
        let lead = account == .portfolio ? try requireActiveLead(user: u, field: "user") : nil
        if side == .sell {
            let held = lead.map { leads[$0].positions[s]?.quantity ?? .zero } ?? mainHeldAvailable(u, symbol: s)
            let quantity = try Self.checkedAmount(field: "fraction") { () throws(DecimalError) in try held.multiplied(by: fraction, .down) }
                .rounded(toStep: symbol.qtyStep, .down)
            let value = symbol.quote(quantity: quantity, price: venue.marks[s]) ?? .zero
            guard quantity.isPositive, quantity >= symbol.minQty, value >= symbol.minNotional else { return nil }
            return OrderRequest(user: user, account: account, symbol: name, side: .sell, quantity: quantity)
        }
        let cash = lead.map { leads[$0].cash } ?? users[u].cash
        // One unit less than cash × fraction ÷ (1 + fee rate): the fee is rounded up.
        let budget =
            try Self.checkedAmount(field: "fraction") { () throws(DecimalError) in
                try Fixed.mulDiv(cash, fraction, .one + settings.takerFeeRate, .down)
            } - .ulp
        guard budget.isPositive, budget >= symbol.minNotional else { return nil }
        return OrderRequest(user: user, account: account, symbol: name, side: .buy, quoteAmount: budget)
    }
}

// MARK: - Codable: amounts as strings, validated on the way in

extension Fixed: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try Fixed(text)
        } catch {
            // With the coding path, so that a bad amount names its field.
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)", underlyingError: error))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension Symbol: Codable {
    enum CodingKeys: String, CodingKey { case symbol, qtyStep, priceTick, minQty, minNotional }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            name: try c.decode(String.self, forKey: .symbol), qtyStep: try c.decode(Fixed.self, forKey: .qtyStep),
            priceTick: try c.decode(Fixed.self, forKey: .priceTick), minQty: try c.decode(Fixed.self, forKey: .minQty),
            minNotional: try c.decode(Fixed.self, forKey: .minNotional))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .symbol)
        try c.encode(qtyStep, forKey: .qtyStep)
        try c.encode(priceTick, forKey: .priceTick)
        try c.encode(minQty, forKey: .minQty)
        try c.encode(minNotional, forKey: .minNotional)
    }
}

extension Threshold: Codable {
    enum CodingKeys: String, CodingKey { case amount, ratio }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if c.contains(.amount) && c.contains(.ratio) {
            throw DecodingError.dataCorrupted(
                .init(codingPath: c.codingPath + [CodingKeys.ratio], debugDescription: "give amount or ratio, not both"))
        }
        if let a = try c.decodeIfPresent(Fixed.self, forKey: .amount) {
            self = .amount(a)
        } else {
            self = .ratio(try c.decode(Fixed.self, forKey: .ratio))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .amount(let a): try c.encode(a, forKey: .amount)
        case .ratio(let r): try c.encode(r, forKey: .ratio)
        }
    }
}

extension OrderAccount: Codable {
    public init(from decoder: any Decoder) throws { self = try decodeCase(decoder) }
}
extension TransferDirection: Codable {
    public init(from decoder: any Decoder) throws { self = try decodeCase(decoder) }
}
extension Side {
    public init(from decoder: any Decoder) throws { self = try decodeCase(decoder) }
}
extension CopyMode {
    public init(from decoder: any Decoder) throws { self = try decodeCase(decoder) }
}

/// Decodes one of an enumeration's raw values; anything else is an error that lists the allowed values.
public func decodeCase<T: RawRepresentable & CaseIterable>(_ decoder: any Decoder) throws -> T where T.RawValue == String {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let value = T(rawValue: text) else {
        let allowed = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        throw DecodingError.dataCorrupted(
            .init(codingPath: decoder.codingPath, debugDescription: "must be one of \(allowed) (got \"\(text)\")"))
    }
    return value
}

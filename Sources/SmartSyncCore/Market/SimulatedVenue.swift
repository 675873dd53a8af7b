/// The shape of a synthetic order book rebuilt around the mark price for every order: `levels` price levels
/// per side, each holding `levelQuantity`, the best one `halfSpread` away from the mark and each next one
/// `levelGap` further (both ratios of the mark). Orders walk it and so pay for their size.
public struct BookShape: Sendable, Hashable, Codable {
    public var halfSpread: Fixed
    public var levelGap: Fixed
    public var levelQuantity: Fixed
    public var levels: Int

    public init(halfSpread: Fixed, levelGap: Fixed, levelQuantity: Fixed, levels: Int) {
        self.halfSpread = halfSpread
        self.levelGap = levelGap
        self.levelQuantity = levelQuantity
        self.levels = levels
    }
}

public enum Side: String, Sendable, Hashable, Codable, CaseIterable {
    case buy, sell
}

/// What the venue did with one order: executed quantity, exact quote, taker fee, and why the rest did not fill.
public struct Execution: Sendable, Hashable {
    public var quantity: Fixed
    public var quote: Fixed
    public var fee: Fixed
    /// Set when every unit executed at this one price (no book walk): allocations can then be exact products.
    public var singlePrice: Fixed?
    /// Why part of the order did not execute (nil when it all did).
    public var shortfall: FailedCopyOrder.Reason?

    public static let empty = Execution(quantity: .zero, quote: .zero, fee: .zero, singlePrice: nil, shortfall: nil)

    /// Quote ÷ quantity on the 1e-8 grid (half-even); zero for an empty execution.
    public var averagePrice: Fixed {
        quantity.isZero ? .zero : Fixed.clampedMulDiv(quote, .one, quantity, .halfEven)
    }
}

/// The simulated spot venue: fills market orders at the mark price, or walks a synthetic book when the symbol
/// has one; honours immediate-or-cancel limit prices; charges the taker fee, rounded up to 1e-8.
public struct SimulatedVenue: Sendable {
    public private(set) var symbols: [Symbol] = []
    public private(set) var marks: [Fixed] = []
    public private(set) var books: [BookShape?] = []
    private var indexByName: [String: Int] = [:]
    public var takerFeeRate: Fixed

    public init(takerFeeRate: Fixed) {
        self.takerFeeRate = takerFeeRate
    }

    /// Adds a symbol with its first mark price; its index is its position in `symbols`.
    @discardableResult
    public mutating func list(_ symbol: Symbol, price: Fixed, book: BookShape? = nil) throws(FieldError) -> Int {
        guard indexByName[symbol.name] == nil else { throw FieldError("symbol", "\(symbol.name) is listed twice") }
        try Self.checkPrice(price, symbol)
        symbols.append(symbol)
        marks.append(price)
        books.append(book)
        indexByName[symbol.name] = symbols.count - 1
        return symbols.count - 1
    }

    public func index(of name: String) -> Int? { indexByName[name] }

    /// The listed symbol at `s`, and its mark price.
    public subscript(s: SymbolIndex) -> Symbol { symbols[s.index] }
    public func mark(_ s: SymbolIndex) -> Fixed { marks[s.index] }

    public mutating func setMark(_ index: Int, _ price: Fixed) throws(FieldError) {
        try Self.checkPrice(price, symbols[index])
        marks[index] = price
    }

    static func checkPrice(_ price: Fixed, _ symbol: Symbol) throws(FieldError) {
        guard price.isPositive else { throw FieldError("price", "must be positive (got \(price))") }
        guard price.isMultiple(of: symbol.priceTick) else {
            throw FieldError("price", "must be a multiple of priceTick \(symbol.priceTick) for \(symbol.name) (got \(price))")
        }
    }

    /// The taker fee of a quote amount, rounded up so it is never undercharged.
    @inlinable
    public func fee(onQuote quote: Fixed) -> Fixed {
        Fixed(units: mulDivCeil(quote.units, takerFeeRate.units, Fixed.unitsPerOne) ?? .max)
    }

    /// The highest price a buy limited at `limit` can pay (the mark without a book).
    public func worstBuyPrice(_ index: Int, limit: Fixed?) -> Fixed {
        guard books[index] != nil else { return marks[index] }
        return limit ?? levelPrice(index, .buy, level: books[index]!.levels - 1)
    }

    // MARK: Orders

    /// How much an order asks for: a quantity, or a USDT budget before fees (a market buy by quote amount).
    public enum Size: Sendable, Hashable {
        case quantity(Fixed)
        case budget(Fixed)
    }

    /// Executes a market order, immediate-or-cancel at `limit` when one is given. Walks the book levels (a single
    /// level at the mark without a book) and stops at the limit or when the book runs out.
    public func execute(_ index: Int, _ side: Side, _ size: Size, limit: Fixed?) -> Execution {
        let symbol = symbols[index]
        let levels = books[index]?.levels ?? 1
        var quantity = Fixed.zero
        var quote = Fixed.zero
        var firstPrice: Fixed?
        var mixedPrices = false
        var shortfall: FailedCopyOrder.Reason?
        for level in 0..<levels {
            let price = levelPrice(index, side, level: level)
            let wanted: Fixed
            switch size {
            case .quantity(let total):
                wanted = total - quantity
            case .budget(let budget):
                wanted = price.isPositive ? (budget - quote).clampedDivided(by: price, .down).rounded(toStep: symbol.qtyStep, .down) : .zero
            }
            guard wanted.isPositive else { break }
            if let limit, side == .buy ? price > limit : price < limit {
                shortfall = .slippageExceeded
                break
            }
            let take = books[index].map { Fixed.min($0.levelQuantity, wanted) } ?? wanted
            guard let q = symbol.quote(quantity: take, price: price) else { break }
            quantity += take
            quote += q
            if let firstPrice, firstPrice != price { mixedPrices = true }
            if firstPrice == nil { firstPrice = price }
            if level == levels - 1 && take < wanted { shortfall = .noLiquidity }
        }
        return Execution(
            quantity: quantity, quote: quote, fee: fee(onQuote: quote),
            singlePrice: mixedPrices ? nil : firstPrice, shortfall: shortfall)
    }

    /// Price of a book level: asks rounded up to the tick, bids down; the mark itself without a book.
    func levelPrice(_ index: Int, _ side: Side, level: Int) -> Fixed {
        let mark = marks[index]
        guard let book = books[index] else { return mark }
        let offset = book.halfSpread.units + Int64(level) * book.levelGap.units
        let factor = side == .buy ? Fixed.unitsPerOne + offset : Fixed.unitsPerOne - offset
        let raw = mark.clampedMultiplied(by: Fixed(units: Swift.max(factor, 1)), .halfEven)
        return raw.rounded(toStep: symbols[index].priceTick, side == .buy ? .up : .down)
    }

    /// Quantity the book offers at prices no worse than `limit` (unbounded without a book).
    public func liquidity(_ index: Int, _ side: Side, limit: Fixed) -> Fixed? {
        guard let book = books[index] else { return nil }
        var total = Fixed.zero
        for level in 0..<book.levels {
            let price = levelPrice(index, side, level: level)
            if side == .buy ? price > limit : price < limit { break }
            total += book.levelQuantity
        }
        return total
    }
}

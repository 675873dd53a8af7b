/// One point of an equity curve.
public struct EquityPoint: Sendable, Hashable {
    public var time: Int64
    public var event: Int
    public var equity: Fixed
    public var nav: Fixed
    /// The lead's net funding (transfers in − out) at this point: equity − netFunding is the profit so far.
    public var netFunding: Fixed = .zero
    /// Journal entries when the point was taken: the state of every account at this point is the journal's prefix.
    public var journalCount: Int = 0
    /// Mark prices set when the point was taken (`Engine.priceCount`): the marks of this point.
    public var priceCount: Int = 0

    public init(
        time: Int64, event: Int, equity: Fixed, nav: Fixed, netFunding: Fixed = .zero, journalCount: Int = 0, priceCount: Int = 0
    ) {
        self.time = time
        self.event = event
        self.equity = equity
        self.nav = nav
        self.netFunding = netFunding
        self.journalCount = journalCount
        self.priceCount = priceCount
    }
}

/// A mark price set at an event (-1 for the listing price).
public struct PricePoint: Sendable, Hashable {
    public var event: Int
    public var symbol: Int
    public var price: Fixed

    public init(event: Int, symbol: Int, price: Fixed) {
        self.event = event
        self.symbol = symbol
        self.price = price
    }
}

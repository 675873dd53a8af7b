import SmartSyncCore

/// A market with one lead and `copies` Smart Sync followers of varied sizes, for benchmarks and load tests.
/// Deterministic: the same count gives the same engine.
public enum FanOutFixture {
    public static let lead = "lead"

    /// The commands that build the market; after them the copies hold ETH from one earlier lead buy, so an equity
    /// sweep reads two symbols.
    public static func commands(copies: Int) throws -> [(EngineCommand, Moment)] {
        var all: [(EngineCommand, Moment)] = []
        all.reserveCapacity(3 * copies + 6)
        try forEachCommand(copies: copies) { all.append(($0, $1)) }
        return all
    }

    /// The same commands one at a time (a million copies need not be held as a list).
    public static func forEachCommand(copies: Int, _ body: (EngineCommand, Moment) throws -> Void) throws {
        let start = Moment(event: 0, time: 0)
        let btc = try Symbol(
            name: "BTC-USDT", qtyStep: try Fixed("0.00001"), priceTick: try Fixed("0.01"), minQty: try Fixed("0.00001"),
            minNotional: Fixed(5))
        let eth = try Symbol(
            name: "ETH-USDT", qtyStep: try Fixed("0.0001"), priceTick: try Fixed("0.01"), minQty: try Fixed("0.0001"),
            minNotional: Fixed(5))
        try body(.listSymbol(btc, price: Fixed(60_000), book: nil), start)
        try body(.listSymbol(eth, price: Fixed(3_000), book: nil), start)
        try body(.addUser(lead), start)
        try body(.deposit(user: lead, amount: Fixed(10_000_000)), start)
        try body(
            .startLeading(user: lead, portfolio: Fixed(1_000_000), profitShareRate: nil, slippageLimit: nil, followerLimit: copies + 1),
            start)
        for i in 0..<copies {
            let id = "f\(i)"
            // Sizes from 100 to 100,000 USDT, spread so that some copies fail the minimums on small orders.
            let investment = Fixed(100 + (i * 7919) % 99_901)
            try body(.addUser(id), start)
            try body(.deposit(user: id, amount: investment), start)
            try body(.startCopy(StartCopyRequest(copyID: "c\(i)", user: id, lead: lead, investment: investment)), start)
        }
        try body(.order(OrderRequest(user: lead, symbol: "ETH-USDT", side: .buy, quoteAmount: Fixed(200_000))), Moment(event: 1, time: 0))
    }

    /// The lead orders a benchmark times, one fan-out each: buys and partial sells of BTC and ETH.
    public static func orders() throws -> [OrderRequest] {
        [
            OrderRequest(user: lead, symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(100_000)),
            OrderRequest(user: lead, symbol: "BTC-USDT", side: .sell, quantity: try Fixed("0.5")),
            OrderRequest(user: lead, symbol: "ETH-USDT", side: .buy, quoteAmount: Fixed(50_000)),
            OrderRequest(user: lead, symbol: "ETH-USDT", side: .sell, quantity: Fixed(40)),
            OrderRequest(user: lead, symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(50_000)),
        ]
    }

    /// Builds the engine in memory.
    public static func make(copies: Int) throws -> Engine {
        var engine = Engine()
        engine.reserveCopies(lead: -1, copies)
        try forEachCommand(copies: copies) { command, moment in
            try engine.execute(command, at: moment)
            if case .startLeading = command { engine.reserveCopies(lead: 0, copies) }
        }
        return engine
    }
}

import SmartSyncCore

/// A market with one lead and `copies` Smart Sync followers of varied sizes, for benchmarks and load tests.
/// Deterministic: the same count gives the same engine.
public enum FanOutFixture {
    public static let lead = "lead"

    /// Builds the engine; the copies already hold ETH from one earlier lead buy, so equity sweeps two symbols.
    public static func make(copies: Int) throws -> Engine {
        var settings = Settings()
        settings.defaultFollowerLimit = copies + 1
        var engine = Engine(settings: settings)
        let btc = try Symbol(
            name: "BTC-USDT", qtyStep: try Fixed("0.00001"), priceTick: try Fixed("0.01"), minQty: try Fixed("0.00001"),
            minNotional: Fixed(5))
        let eth = try Symbol(
            name: "ETH-USDT", qtyStep: try Fixed("0.0001"), priceTick: try Fixed("0.01"), minQty: try Fixed("0.0001"),
            minNotional: Fixed(5))
        try engine.listSymbol(btc, price: Fixed(60_000))
        try engine.listSymbol(eth, price: Fixed(3_000))
        var moment = Moment(event: 0, time: 0)
        try engine.addUser(lead)
        try engine.deposit(user: lead, amount: Fixed(10_000_000), at: moment)
        try engine.startLeading(user: lead, portfolio: Fixed(1_000_000), at: moment)
        engine.reserveCopies(lead: 0, copies)
        for i in 0..<copies {
            let id = "f\(i)"
            // Sizes from 100 to 100,000 USDT, spread so that some copies fail the minimums on small orders.
            let investment = Fixed(100 + (i * 7919) % 99_901)
            try engine.addUser(id)
            try engine.deposit(user: id, amount: investment, at: moment)
            try engine.startCopy(StartCopyRequest(copyID: "c\(i)", user: id, lead: lead, investment: investment), at: moment)
        }
        moment.event = 1
        try engine.placeOrder(
            OrderRequest(user: lead, symbol: "ETH-USDT", side: .buy, quoteAmount: Fixed(200_000)), at: moment)
        return engine
    }
}

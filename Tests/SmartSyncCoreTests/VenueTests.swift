import SmartSyncCore
import Testing

@Suite("Symbols and the simulated venue")
struct VenueTests {
    // MARK: Symbol filters

    @Test(
        "Bad symbol definitions name the field",
        arguments: [
            ("BTCUSDT", "0.00001", "0.01", "0.00001", "5", "symbol"),
            ("BTC-USD", "0.00001", "0.01", "0.00001", "5", "symbol"),
            ("-USDT", "0.00001", "0.01", "0.00001", "5", "symbol"),
            ("BT C-USDT", "0.00001", "0.01", "0.00001", "5", "symbol"),
            ("BTC-USDT-X", "0.00001", "0.01", "0.00001", "5", "symbol"),
            ("BTC-USDT", "0", "0.01", "0", "5", "qtyStep"),
            ("BTC-USDT", "-0.00001", "0.01", "0", "5", "qtyStep"),
            ("BTC-USDT", "0.00001", "0", "0.00001", "5", "priceTick"),
            ("BTC-USDT", "0.00001", "0.01", "0.000015", "5", "minQty"),
            ("BTC-USDT", "0.00001", "0.01", "-0.00001", "5", "minQty"),
            ("BTC-USDT", "0.00001", "0.01", "0.00001", "-5", "minNotional"),
            // 0.000001 × 0.001 = 1e-9: a fill's quote would fall off the USDT grid.
            ("BTC-USDT", "0.000001", "0.001", "0.000001", "5", "qtyStep"),
        ])
    func badSymbol(name: String, step: String, tick: String, minQty: String, minNotional: String, field: String) {
        let error = fieldRefusal {
            _ = try Symbol(name: name, qtyStep: fx(step), priceTick: fx(tick), minQty: fx(minQty), minNotional: fx(minNotional))
        }
        #expect(error?.field == field)
        #expect(error?.rule.isEmpty == false)
    }

    @Test("A valid symbol keeps its filters; quote is quantity × price, exact")
    func symbol() throws {
        let btc = try TestMarket.btcSymbol()
        #expect(btc.base == "BTC" && btc.name == "BTC-USDT")
        #expect(btc.quote(quantity: fx("0.00123"), price: fx("50000.37")) == fx("61.5004551"))
        #expect(btc.quote(quantity: fx("0.02"), price: fx("50000")) == fx("1000"))
        // The smallest steps whose product is exactly one unit are accepted.
        #expect(throws: Never.self) {
            _ = try Symbol(name: "X-USDT", qtyStep: fx("0.0001"), priceTick: fx("0.0001"), minQty: .zero, minNotional: .zero)
        }
    }

    // MARK: Listing and marks

    @Test("Listing and marks are validated")
    func listing() throws {
        var venue = SimulatedVenue(takerFeeRate: fx("0.001"))
        let index = try venue.list(TestMarket.btcSymbol(), price: fx("50000"))
        #expect(index == 0 && venue.index(of: "BTC-USDT") == 0 && venue.index(of: "ETH-USDT") == nil)
        #expect(fieldRefusal { try venue.list(TestMarket.btcSymbol(), price: fx("1")) }?.field == "symbol")
        #expect(fieldRefusal { try venue.list(TestMarket.ethSymbol(), price: fx("2000.001")) }?.field == "price")
        #expect(fieldRefusal { try venue.list(TestMarket.ethSymbol(), price: .zero) }?.field == "price")
        #expect(fieldRefusal { try venue.setMark(0, fx("-1")) }?.field == "price")
        #expect(fieldRefusal { try venue.setMark(0, fx("50000.005")) }?.field == "price")
        #expect(venue.symbols.count == 1)
        try venue.setMark(0, fx("51234.56"))
        #expect(venue.marks == [fx("51234.56")])
    }

    @Test("The taker fee is rounded up to 1e-8, never undercharged")
    func fee() {
        let venue = SimulatedVenue(takerFeeRate: fx("0.001"))
        #expect(venue.fee(onQuote: fx("100")) == fx("0.1"))
        #expect(venue.fee(onQuote: fx("0.00000001")) == fx("0.00000001"))
        #expect(venue.fee(onQuote: fx("123.0009102")) == fx("0.12300092"))
        #expect(venue.fee(onQuote: fx("0.000005")) == fx("0.00000001"))
        #expect(venue.fee(onQuote: .zero) == .zero)
    }

    // MARK: Execution

    static func venue(mark: String = "50000", book: BookShape? = nil) throws -> SimulatedVenue {
        var venue = SimulatedVenue(takerFeeRate: fx("0.001"))
        try venue.list(TestMarket.btcSymbol(), price: fx(mark), book: book)
        return venue
    }

    @Test("Without a book, market orders fill at the mark")
    func markFills() throws {
        let venue = try Self.venue()
        let e = venue.execute(0, .buy, .quantity(fx("0.02")), limit: nil)
        #expect(e.quantity == fx("0.02") && e.quote == fx("1000") && e.fee == fx("1"))
        #expect(e.singlePrice == fx("50000") && e.shortfall == nil && e.averagePrice == fx("50000"))
        // A budget buys whole steps: 1,000.7 / 50,000 = 0.020014 → 0.02001 BTC for 1,000.5.
        let b = venue.execute(0, .buy, .budget(fx("1000.7")), limit: nil)
        #expect(b.quantity == fx("0.02001") && b.quote == fx("1000.5"))
        let s = venue.execute(0, .sell, .quantity(fx("0.5")), limit: nil)
        #expect(s.quote == fx("25000") && s.fee == fx("25"))
        #expect(venue.worstBuyPrice(0, limit: fx("60000")) == fx("50000"))
        #expect(venue.liquidity(0, .buy, limit: fx("60000")) == nil)
    }

    @Test("An immediate-or-cancel limit beyond the mark executes nothing")
    func limitAtMark() throws {
        let venue = try Self.venue()
        let buy = venue.execute(0, .buy, .quantity(fx("0.02")), limit: fx("49999.99"))
        #expect(buy.quantity == .zero && buy.quote == .zero && buy.fee == .zero && buy.shortfall == .slippageExceeded)
        #expect(buy.averagePrice == .zero)
        let sell = venue.execute(0, .sell, .quantity(fx("0.02")), limit: fx("50000.01"))
        #expect(sell.quantity == .zero && sell.shortfall == .slippageExceeded)
        let ok = venue.execute(0, .buy, .quantity(fx("0.02")), limit: fx("50000"))
        #expect(ok.quantity == fx("0.02") && ok.shortfall == nil)
    }

    /// Book around 50,000: half spread 0.1%, levels 0.2% apart, 0.01 BTC each, 3 levels.
    /// Asks 50,050 / 50,150 / 50,250; bids 49,950 / 49,850 / 49,750.
    static let book = BookShape(halfSpread: fx("0.001"), levelGap: fx("0.002"), levelQuantity: fx("0.01"), levels: 3)

    @Test("Orders walk the synthetic book and pay for their size")
    func bookWalk() throws {
        let venue = try Self.venue(book: Self.book)
        // 0.025 BTC: 0.01 @ 50,050 + 0.01 @ 50,150 + 0.005 @ 50,250 = 500.5 + 501.5 + 251.25.
        let buy = venue.execute(0, .buy, .quantity(fx("0.025")), limit: nil)
        #expect(buy.quantity == fx("0.025") && buy.quote == fx("1253.25") && buy.singlePrice == nil && buy.shortfall == nil)
        #expect(buy.fee == fx("1.25325"))
        // 0.04 BTC: the book holds 0.03.
        let deep = venue.execute(0, .buy, .quantity(fx("0.04")), limit: nil)
        #expect(deep.quantity == fx("0.03") && deep.quote == fx("1504.5") && deep.shortfall == .noLiquidity)
        // Limit 50,150: two levels.
        let limited = venue.execute(0, .buy, .quantity(fx("0.025")), limit: fx("50150"))
        #expect(limited.quantity == fx("0.02") && limited.quote == fx("1002") && limited.shortfall == .slippageExceeded)
        #expect(venue.liquidity(0, .buy, limit: fx("50150")) == fx("0.02"))
        #expect(venue.liquidity(0, .sell, limit: fx("49800")) == fx("0.02"))
        #expect(venue.worstBuyPrice(0, limit: nil) == fx("50250"))
        // Sell 0.015: 0.01 @ 49,950 + 0.005 @ 49,850 = 499.5 + 249.25 = 748.75; average 49,916.666… → half-even.
        let sell = venue.execute(0, .sell, .quantity(fx("0.015")), limit: nil)
        #expect(sell.quote == fx("748.75") && sell.averagePrice == fx("49916.66666667"))
        // A budget walks too: 1,000 buys 0.01 @ 50,050 (500.5), then floor(499.5 / 50,150) = 0.00996 @ 50,150.
        let budget = venue.execute(0, .buy, .budget(fx("1000")), limit: nil)
        #expect(budget.quantity == fx("0.01996") && budget.quote == fx("999.994"))
        // One level at exactly one price is a single-price execution.
        #expect(venue.execute(0, .buy, .quantity(fx("0.01")), limit: nil).singlePrice == fx("50050"))
    }

    /// Level prices leave the tick grid by rounding away from the trader: asks up, bids down.
    /// 50,000.01 × 1.001 = 50,050.01001 → 50,050.02; 50,000.01 × 0.999 = 49,950.00999 → 49,950.00.
    @Test("Book levels round asks up and bids down to the tick")
    func levelRounding() throws {
        let venue = try Self.venue(mark: "50000.01", book: Self.book)
        #expect(venue.execute(0, .buy, .quantity(fx("0.00001")), limit: nil).quote == fx("0.5005002"))
        #expect(venue.execute(0, .sell, .quantity(fx("0.00001")), limit: nil).quote == fx("0.4995"))
        // A second level: 50,000.01 × 1.003 = 50,150.01003 → 50,150.02.
        #expect(venue.execute(0, .buy, .quantity(fx("0.01001")), limit: nil).quote == fx("500.5002") + fx("0.5015002"))
    }
}

@Suite("Refused commands name the field and the rule (DESIGN §3, §5)")
struct ValidationTests {
    static func market() throws -> Sim {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000", deposit: "20000")
        try sim.user("alice", deposit: "5000")
        try sim.user("carol", deposit: "100")
        return sim
    }

    static func request(
        _ id: String = "c1", user: String = "alice", lead: String = "lead", mode: CopyMode = .smartSync,
        investment: String = "1000", stopLoss: Threshold? = nil, takeProfit: Threshold? = nil, amountPerOrder: String? = nil
    ) -> StartCopyRequest {
        StartCopyRequest(
            copyID: id, user: user, lead: lead, mode: mode, investment: fx(investment), stopLoss: stopLoss,
            takeProfit: takeProfit, amountPerOrder: amountPerOrder.map(fx))
    }

    static let copyCases: [(StartCopyRequest, EngineError.Code, String)] = [
        (request(investment: "99.99999999"), .belowMinimumInvestment, "investment"),
        (request(investment: "5000.00000001"), .insufficientFunds, "investment"),
        (request(user: "lead"), .copyingYourself, "lead"),
        (request(lead: "carol"), .leadNotActive, "lead"),
        (request(lead: "nobody"), .unknownUser, "lead"),
        (request(user: "nobody"), .unknownUser, "user"),
        (request(""), .invalidInput, "copy"),
        (request(mode: .fixedAmount), .invalidInput, "amountPerOrder"),
        (request(mode: .fixedAmount, amountPerOrder: "0"), .invalidInput, "amountPerOrder"),
        (request(amountPerOrder: "50"), .invalidInput, "amountPerOrder"),
        (request(stopLoss: .ratio(fx("1.5"))), .invalidInput, "stopLoss.ratio"),
        (request(stopLoss: .amount(.zero)), .invalidInput, "stopLoss.amount"),
        (request(takeProfit: .ratio(.zero)), .invalidInput, "takeProfit.ratio"),
    ]

    @Test("startCopy refusals", arguments: copyCases)
    func startCopyRefused(request: StartCopyRequest, code: EngineError.Code, field: String) throws {
        var sim = try Self.market()
        let before = Fingerprint(sim.engine)
        let error = refusal { try sim.engine.startCopy(request, at: sim.next()) }
        #expect(error?.code == code)
        #expect(error?.field == field)
        #expect(error?.message.isEmpty == false)
        #expect(Fingerprint(sim.engine) == before)
    }

    @Test("Copy limits: one active copy per lead, the lead's follower limit, the follower's 10 copies")
    func copyLimits() throws {
        var sim = try Self.market()
        try sim.engine.startCopy(Self.request(), at: sim.next())
        #expect(refusal { try sim.engine.startCopy(Self.request("c2"), at: sim.next()) }?.code == .duplicateActiveCopy)
        #expect(refusal { try sim.engine.startCopy(Self.request("c1", investment: "100"), at: sim.next()) }?.code == .duplicateID)

        // A lead with a follower limit of 1.
        try sim.user("small-lead", deposit: "1000")
        try sim.engine.startLeading(user: "small-lead", portfolio: fx("1000"), followerLimit: 1, at: sim.next())
        try sim.engine.startCopy(Self.request("s1", lead: "small-lead", investment: "100"), at: sim.next())
        try sim.user("bob", deposit: "1000")
        let full = refusal {
            try sim.engine.startCopy(Self.request("s2", user: "bob", lead: "small-lead", investment: "100"), at: sim.next())
        }
        #expect(full?.code == .leadFollowerLimit)

        // A follower with 10 active copies (default limit) cannot start an 11th.
        try sim.user("busy", deposit: "2000")
        for k in 0..<11 {
            try sim.user("lead-\(k)", deposit: "1000")
            try sim.engine.startLeading(user: "lead-\(k)", portfolio: fx("1000"), at: sim.next())
        }
        for k in 0..<10 {
            try sim.engine.startCopy(Self.request("b\(k)", user: "busy", lead: "lead-\(k)", investment: "100"), at: sim.next())
        }
        let busy = refusal {
            try sim.engine.startCopy(Self.request("b10", user: "busy", lead: "lead-10", investment: "100"), at: sim.next())
        }
        #expect(busy?.code == .followerCopyLimit)
        #expect(try sim.mainBalance("busy") == fx("1000"))
        #expect(sim.engine.audit().problems.isEmpty)
    }

    static let orderCases: [(OrderRequest, String)] = [
        (OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: fx("100"), quantity: fx("0.002")), "quantity"),
        (OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy), "quoteAmount"),
        (OrderRequest(user: "lead", symbol: "BTC-USDT", side: .sell), "quantity"),
        (OrderRequest(user: "lead", symbol: "BTC-USDT", side: .sell, quoteAmount: fx("100")), "quoteAmount"),
        (OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quantity: fx("0.000015")), "quantity"),
        (OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quantity: fx("-0.00001")), "quantity"),
        (OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: .zero), "quoteAmount"),
        (OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: fx("4.99")), "quoteAmount"),
        (OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: fx("9995")), "quoteAmount"),
        (OrderRequest(user: "lead", symbol: "BTC-USDT", side: .sell, quantity: fx("0.001")), "quantity"),
        (OrderRequest(user: "lead", symbol: "DOGE-USDT", side: .buy, quoteAmount: fx("10")), "symbol"),
        (OrderRequest(user: "nobody", symbol: "BTC-USDT", side: .buy, quoteAmount: fx("10")), "user"),
        (OrderRequest(user: "alice", symbol: "BTC-USDT", side: .buy, quoteAmount: fx("10")), "user"),
        (OrderRequest(user: "lead", account: .main, symbol: "BTC-USDT", side: .buy, quoteAmount: fx("20000")), "quoteAmount"),
    ]

    @Test("placeOrder refusals", arguments: orderCases)
    func placeOrderRefused(request: OrderRequest, field: String) throws {
        var sim = try Self.market()
        let before = Fingerprint(sim.engine)
        let error = refusal { try sim.engine.placeOrder(request, at: sim.next()) }
        #expect(error?.field == field)
        #expect(Fingerprint(sim.engine) == before)
    }

    /// DESIGN §7 calls the field "limitPrice"; a limit off the tick is reported as "limitprice"
    /// (`FieldError.prefixed("limit")` on the venue's "price").
    @Test(
        "A limit price off the tick names the field limitPrice")
    func limitPriceField() throws {
        var sim = try Self.market()
        let error = refusal { try sim.buy("lead", quantity: "0.001", limit: "49000.001") }
        #expect(error?.field == "limitPrice")
    }

    /// A limit buy whose notional at the limit price is below minNotional can never execute: every crossing fill
    /// is at a price ≤ the limit, so it is below the minimum too. Market orders of that size are refused; the
    /// limit order is accepted, rests, and is silently cancelled when the mark crosses it.
    @Test(
        "A limit buy below minNotional is refused up front")
    func limitBelowMinNotional() throws {
        var sim = try Self.market()
        var refused = false
        do { try sim.buy("lead", quantity: "0.00001", limit: "49000") } catch { refused = true }
        if !refused {
            // Accepted: then crossing it must fill it, or at least leave it resting — not drop it without a word.
            try sim.price(TestMarket.btc, "48000")
            #expect(
                !sim.engine.leadFills.isEmpty || !sim.engine.restingOrders.isEmpty,
                "the accepted limit order vanished without a fill or an error")
        }
    }

    @Test("startLeading refusals")
    func startLeadingRefused() throws {
        var sim = try Self.market()
        let before = Fingerprint(sim.engine)
        let cases: [(String, String, String?, String?, String)] = [
            ("alice", "0", nil, nil, "portfolio"),
            ("alice", "5000.01", nil, nil, "portfolio"),
            ("alice", "100", "0.31", nil, "profitShareRate"),
            ("alice", "100", "-0.01", nil, "profitShareRate"),
            ("alice", "100", nil, "1", "slippageLimit"),
            ("lead", "100", nil, nil, "user"),
            ("nobody", "100", nil, nil, "user"),
        ]
        for (user, portfolio, rate, slippage, field) in cases {
            let error = refusal {
                try sim.engine.startLeading(
                    user: user, portfolio: fx(portfolio), profitShareRate: rate.map(fx), slippageLimit: slippage.map(fx),
                    at: sim.next())
            }
            #expect(error?.field == field, "\(user) \(portfolio) \(rate ?? "-") \(slippage ?? "-")")
        }
        let zero = refusal { try sim.engine.startLeading(user: "alice", portfolio: fx("100"), followerLimit: 0, at: sim.next()) }
        #expect(zero?.field == "followerLimit")
        #expect(Fingerprint(sim.engine) == before)
    }

    @Test("Users and deposits")
    func usersAndDeposits() throws {
        var sim = try Self.market()
        #expect(refusal { try sim.engine.addUser("") }?.field == "id")
        #expect(refusal { try sim.engine.addUser("alice") }?.code == .duplicateID)
        #expect(refusal { try sim.engine.deposit(user: "alice", amount: .zero, at: sim.next()) }?.field == "amount")
        #expect(refusal { try sim.engine.deposit(user: "alice", amount: .max, at: sim.next()) }?.code == .overflow)
        let withdrawal = refusal { try sim.engine.withdraw(user: "alice", amount: fx("5000.01"), at: sim.next()) }
        #expect(withdrawal?.code == .insufficientFunds)
        try sim.engine.withdraw(user: "alice", amount: fx("1000"), at: sim.next())
        #expect(try sim.mainBalance("alice") == fx("4000"))
        let audit = sim.engine.audit()
        #expect(audit.problems.isEmpty && audit.expectedUSDT == fx("24100") && audit.totalUSDT == fx("24100"))
    }
}

import SmartSyncCore
import Testing

/// Hand-derived Smart Sync examples (DESIGN §2, §3, §3a). Default settings throughout: taker fee 0.1% rounded up to
/// 1e-8, slippage limit 0.5%, profit share 10%. BTC-USDT lots are 0.00001 BTC (0.5 USDT at 50,000), ETH-USDT lots
/// are 0.0001 ETH (0.2 USDT at 2,000); both have minNotional 5.
@Suite("Smart Sync golden examples")
struct SmartSyncGoldenTests {
    // MARK: Buy

    /// DESIGN's example. Lead equity E_lead = 10,000 (all cash). The lead buys 1,000 USDT of BTC at 50,000:
    /// quantity 0.02, quote N = 1,000, fee 1 → lead cash 10,000 − 1,001 = 8,999.
    /// r = N / E_lead = 1,000 / 10,000 = 10%. The copy's equity is 1,000 → n = 100 USDT → 100 / 0.5 = 200 lots
    /// = 0.002 BTC. Fee = 100 × 0.001 = 0.1 → copy cash 1,000 − 100.1 = 899.9, cost basis 100.1.
    @Test("DESIGN example: 10% of the lead's equity → 10% of the copy's")
    func designExample() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("c1", of: "lead", investment: "1000")
        let result = try sim.buy("lead", quote: "1000")

        #expect(result.trades.count == 1)
        let trade = try #require(result.trades.first)
        #expect(trade.quantity == fx("0.02") && trade.quote == fx("1000") && trade.fee == fx("1"))
        #expect(sim.engine.leads[0].cash == fx("8999"))

        #expect(try sim.quantity("c1") == fx("0.002"))
        #expect(try sim.cash("c1") == fx("899.9"))
        let batch = try #require(sim.batches.first)
        #expect(sim.batches.count == 1)
        #expect(batch.lots == [200])
        #expect(batch.quote == [fx("100").units])
        #expect(batch.fee == [fx("0.1").units])
        #expect(batch.cappedByCash == [false])
        #expect(batch.price == fx("50000") && batch.leadPrice == fx("50000"))
        #expect(batch.leadFillID == sim.engine.leadFills.first?.id)
        let ref = try sim.ref("c1")
        let book = sim.engine.leads[0].book
        #expect(book[ref.slot].holdings.first?.cost == fx("100.1"))
        #expect(book[ref.slot].feesPaid == fx("0.1"))
        #expect(sim.engine.copyEquity(ref) == fx("999.9"))
        #expect(sim.engine.failedOrders.isEmpty)
        // Fee account: lead 1 + copy 0.1. Venue delivered 0.022 BTC and received 1,100 USDT.
        #expect(sim.engine.feesCollected == fx("1.1"))
        #expect(sim.engine.venueBalances["BTC"] == fx("-0.022"))
        #expect(sim.engine.venueBalances["USDT"] == fx("1100"))
        let audit = sim.engine.audit()
        #expect(audit.balanced && audit.problems.isEmpty)
        #expect(audit.totalUSDT == fx("11000"))
    }

    // MARK: Sell

    /// Copy of 1,234: the lead's 10% buy gives n = 123.4 → floor(123.4 / 0.5) = 246 lots = 0.00246 BTC,
    /// quote 123, fee 0.123, cost 123.123, cash 1,234 − 123.123 = 1,110.877.
    /// The lead sells 0.006 of its 0.02 (f = 30%): the copy sells floor(0.3 × 246) = floor(73.8) = 73 lots
    /// = 0.00073 BTC (rounded down to qtyStep): quote 36.5, fee 0.0365 → cash 1,110.877 + 36.4635 = 1,147.3405,
    /// 173 lots left; the cost leaving is 123.123 × 73 / 246 = 36.5365 → realized 36.4635 − 36.5365 = −0.073.
    /// Then the lead sells its remaining 0.014: the whole holding, so the copy sells all 173 lots: quote 86.5,
    /// fee 0.0865 → cash 1,233.754; realized −0.173, total −0.246 = cash out (122.877) − cash in (123.123).
    @Test("Sells: the lead's fraction rounded down to qtyStep, then everything on a full sell")
    func sells() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("c1", of: "lead", investment: "1234")
        try sim.buy("lead", quote: "1000")
        #expect(try sim.lots("c1") == 246)
        #expect(try sim.cash("c1") == fx("1110.877"))

        try sim.sell("lead", quantity: "0.006")
        #expect(try sim.quantity("c1") == fx("0.00173"))
        #expect(try sim.cash("c1") == fx("1147.3405"))
        let partial = try #require(sim.batches.last)
        #expect(partial.side == .sell && partial.lots == [73])
        #expect(partial.quote == [fx("36.5").units] && partial.fee == [fx("0.0365").units])
        let ref = try sim.ref("c1")
        #expect(sim.engine.leads[0].book[ref.slot].realizedPnl == fx("-0.073"))

        try sim.sell("lead", quantity: "0.014")
        #expect(sim.engine.leads[0].positions[TestMarket.btcIndex]?.quantity == .zero)
        #expect(try sim.quantity("c1") == .zero)
        #expect(try sim.cash("c1") == fx("1233.754"))
        #expect(sim.batches.last?.lots == [173])
        #expect(sim.engine.leads[0].book[ref.slot].realizedPnl == fx("-0.246"))
        #expect(sim.engine.leads[0].book[ref.slot].holdings.isEmpty)
        // A loss pays no profit share.
        #expect(sim.engine.leads[0].book[ref.slot].profitSharePaid == .zero)
        #expect(sim.engine.failedOrders.isEmpty)
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// A copy that started after the lead bought holds none of it: the lead's sell is ignored, nothing is recorded.
    @Test("A copy that never bought ignores the lead's sell")
    func sellIgnoredWithoutHolding() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.buy("lead", quote: "1000")
        try sim.copy("late", of: "lead", investment: "1000")
        let journalCount = sim.engine.journal.entries.count
        try sim.sell("lead", quantity: "0.01")
        #expect(sim.batches.isEmpty)
        #expect(sim.engine.failedOrders.isEmpty)
        #expect(sim.engine.journal.entries.count == journalCount + 1)  // the lead's own trade only
        #expect(try sim.cash("late") == fx("1000"))
    }

    // MARK: Cash cap and minimums

    /// Copy of 100 next to a 10,000 lead.
    /// 1. Lead buys 1,000 of ETH at 2,000 (0.5 ETH, fee 1 → cash 8,999). r = 10% → copy n = 10 → 50 lots
    ///    = 0.005 ETH, fee 0.01 → copy cash 89.99.
    /// 2. Lead sells 0.2 ETH (40%) for 400, fee 0.4 → lead cash 9,398.6, 0.3 ETH left. The copy's 40% would be
    ///    20 lots = 4 USDT < minNotional 5 → failed belowMinNotional, the copy keeps its 0.005 ETH.
    /// 3. Lead buys 9,000 of BTC (0.18 BTC, fee 9; 9,009 ≤ 9,398.6). E_lead = 9,398.6 + 0.3 × 2,000 = 9,998.6;
    ///    E_copy = 89.99 + 0.005 × 2,000 = 99.99 → n = floor₈(9,000 × 99.99 / 9,998.6) = 90.0036005 → 180 lots,
    ///    costing 90 + 0.09 = 90.09 > 89.99 cash → capped: floor(89.99 / (0.5 × 1.001)) = 179 lots = 0.00179 BTC,
    ///    quote 89.5, fee 0.0895 → cash 89.99 − 89.5895 = 0.4005, cappedByCash = true.
    @Test("Cash cap: buys what cash allows, cappedByCash, never negative")
    func cashCap() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("small", of: "lead", investment: "100")
        try sim.buy("lead", TestMarket.eth, quote: "1000")
        #expect(try sim.quantity("small", TestMarket.ethIndex) == fx("0.005"))
        #expect(try sim.cash("small") == fx("89.99"))

        try sim.sell("lead", TestMarket.eth, quantity: "0.2")
        let failed = try sim.failures("small")
        #expect(failed.count == 1)
        #expect(failed.first?.reason == .belowMinNotional && failed.first?.side == .sell)
        #expect(failed.first?.notional == fx("4"))
        #expect(try sim.quantity("small", TestMarket.ethIndex) == fx("0.005"))
        #expect(sim.engine.leads[0].cash == fx("9398.6"))

        try sim.buy("lead", quote: "9000")
        let batch = try #require(sim.batches.last)
        #expect(batch.side == .buy && batch.cappedByCash == [true])
        #expect(batch.lots == [179])
        #expect(batch.quote == [fx("89.5").units] && batch.fee == [fx("0.0895").units])
        #expect(try sim.cash("small") == fx("0.4005"))
        #expect(try sim.cash("small") >= .zero)
        #expect(try sim.failures("small").count == 1)  // capped is not failed
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// Like the cash-cap case, but the capped order falls below the minimum → insufficientCash (DESIGN §3a).
    /// 1. Lead buys 9,500 of ETH (4.75 ETH, fee 9.5 → lead cash 490.5); copy n = 95 → 475 lots = 0.0475 ETH,
    ///    fee 0.095 → cash 4.905.
    /// 2. Lead sells 0.2375 ETH (5%) for 475, fee 0.475 → cash 965.025; the copy's 5% is 4.75 USDT < 5 → fails.
    /// 3. Lead buys 900 of BTC. E_lead = 965.025 + 4.5125 × 2,000 = 9,990.025; E_copy = 4.905 + 95 = 99.905 →
    ///    n = floor₈(900 × 99.905 / 9,990.025) = 9.00042792 ≥ 5 → 18 lots, cost 9.009 > 4.905 → capped to
    ///    floor(4.905 / 0.5005) = 9 lots = 4.5 USDT < minNotional → failed insufficientCash, nothing executed.
    @Test("A cash-capped order below the minimum fails as insufficientCash")
    func insufficientCash() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("small", of: "lead", investment: "100")
        try sim.buy("lead", TestMarket.eth, quote: "9500")
        #expect(try sim.cash("small") == fx("4.905"))
        try sim.sell("lead", TestMarket.eth, quantity: "0.2375")
        let batchesBefore = sim.batches.count
        try sim.buy("lead", quote: "900")
        #expect(sim.batches.count == batchesBefore)
        let failed = try sim.failures("small")
        #expect(failed.map(\.reason) == [.belowMinNotional, .insufficientCash])
        #expect(failed.last?.side == .buy && failed.last?.notional == fx("9.00042792"))
        #expect(try sim.cash("small") == fx("4.905"))
        #expect(try sim.quantity("small") == .zero)
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// Lead 10,000 buys 400 (4%): a copy of 100 would buy 4 USDT < minNotional 5 → not sent, recorded as
    /// belowMinNotional with the requested notional 4. The copy of 1,000 next to it buys 40 (80 lots) normally.
    @Test("A too-small copy order is a failed copy order belowMinNotional")
    func belowMinNotional() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("tiny", of: "lead", investment: "100")
        try sim.copy("ok", of: "lead", investment: "1000")
        try sim.buy("lead", quote: "400")
        let failed = sim.engine.failedOrders
        #expect(failed.count == 1)
        let f = try #require(failed.first)
        #expect(f.reason == .belowMinNotional)
        let tinySlot = try sim.ref("tiny").slot
        #expect(Int(f.slot) == tinySlot)
        #expect(f.side == .buy && Int(f.symbol) == TestMarket.btcIndex && f.notional == fx("4"))
        #expect(Int(f.event) == sim.event - 1)
        #expect(try sim.cash("tiny") == fx("100"))
        #expect(try sim.lots("ok") == 80)
        #expect(sim.batches.last?.slots.count == 1)
    }

    // MARK: Order merging

    /// Three copies (1,000, 2,000, 3,500) of a 10,000 lead at BTC 50,000.37, where one lot is 0.5000037 USDT.
    /// The lead buys 0.02469 BTC: N = 2,469 × 0.5000037 = 1,234.5091353, fee ⌈1.2345091353⌉ = 1.23450914.
    /// n = N × E_copy / 10,000: 123.45091353, 246.90182706, 432.07819735 (floor₈ of 432.078197355).
    /// Lots = floor(n / 0.5000037): 246, 493, 864 (one more lot would cost 123.5009139, 247.0018278, 432.5032005).
    /// One merged order of 1,603 lots = 0.01603 BTC at the single price: quotes 123.0009102, 246.5018241,
    /// 432.0031968, total 801.5059311. Merged fee ⌈0.8015059311⌉ = 0.80150594; stand-alone fees would be
    /// ⌈0.1230009102⌉ = 0.12300092, ⌈0.2465018241⌉ = 0.24650183, ⌈0.4320031968⌉ = 0.43200320 (sum 0.80150595).
    /// Pro rata shares of 80,150,594 units: 12,300,091.157, 24,650,182.684, 43,200,320.160 → floors sum to
    /// 80,150,593; the one unit left goes to the largest remainder (.684, the second copy):
    /// fees 0.12300091, 0.24650183, 0.4320032 — each ≤ its stand-alone fee, together exactly the venue's fee.
    @Test("Order merging: one venue order, allocations add up exactly, fees pro rata and capped")
    func merging() throws {
        var sim = try Sim(btcPrice: "50000.37")
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("a", of: "lead", investment: "1000")
        try sim.copy("b", of: "lead", investment: "2000")
        try sim.copy("c", of: "lead", investment: "3500")
        let venueBefore = sim.engine.venueBalances["BTC"] ?? .zero
        let result = try sim.buy("lead", quantity: "0.02469")
        let leadTrade = try #require(result.trades.first)
        #expect(leadTrade.quote == fx("1234.5091353") && leadTrade.fee == fx("1.23450914"))

        #expect(sim.batches.count == 1)
        let batch = try #require(sim.batches.first)
        #expect(batch.lots == [246, 493, 864])
        #expect(batch.quote == [fx("123.0009102").units, fx("246.5018241").units, fx("432.0031968").units])
        #expect(batch.fee == [fx("0.12300091").units, fx("0.24650183").units, fx("0.4320032").units])
        #expect(batch.price == fx("50000.37"))

        // The merged execution: venue BTC moved by the lead's 0.02469 plus the copies' 0.01603, nothing else.
        let venueMoved = venueBefore - (sim.engine.venueBalances["BTC"] ?? .zero)
        #expect(venueMoved == fx("0.02469") + fx("0.01603"))
        #expect(batch.lots.reduce(0, +) * 1_000 == fx("0.01603").units)
        let totalQuote = batch.quote.reduce(0, +)
        #expect(batch.fee.reduce(0, +) == takerFee(totalQuote))
        for k in 0..<batch.count {
            #expect(batch.fee[k] <= takerFee(batch.quote[k]))
        }
        #expect(sim.engine.feesCollected == fx("1.23450914") + fx("0.80150594"))
        #expect(try sim.cash("a") == fx("876.87608889"))
        #expect(try sim.cash("b") == fx("1753.25167407"))
        #expect(try sim.cash("c") == fx("3067.5648"))
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// Two copies, two symbols, two lead fills: one merged order per lead fill, each with both copies.
    @Test("Order merging: two copies in one order per lead fill")
    func mergingTwoCopies() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("a", of: "lead", investment: "1000")
        try sim.copy("b", of: "lead", investment: "3000")
        // BTC: r = 10% → 100 and 300 USDT → 200 and 600 lots. ETH: lead equity 9,999, buys 999.9 at 2,000
        // (0.49995 ETH → 0.4999 ETH at the step, quote 999.8) → r = 999.8 / 9,999.
        try sim.buy("lead", quote: "1000")
        try sim.buy("lead", TestMarket.eth, quote: "999.9")
        #expect(sim.batches.count == 2)
        let btc = sim.batches[0]
        #expect(btc.slots.count == 2 && btc.lots == [200, 600])
        // ETH: E_a = 899.9 + 100 = 999.9 → n = floor₈(999.8 × 999.9 / 9,999) = 99.98 → 499 lots (99.8);
        //      E_b = 2,699.7 + 300 = 2,999.7 → n = 299.94 → 1,499 lots (299.8).
        let eth = sim.batches[1]
        #expect(eth.symbol == TestMarket.ethIndex && eth.lots == [499, 1_499])
        #expect(eth.quote == [fx("99.8").units, fx("299.8").units])
        #expect(eth.fee.reduce(0, +) == takerFee(eth.quote.reduce(0, +)))
    }

    // MARK: Slippage and liquidity

    /// A synthetic book on BTC: no spread, levels 0.1% apart (50,000, 50,050, 50,100, 50,150 …), 0.01 BTC each.
    /// The lead (slippage limit 0.2%) buys 0.01 BTC, all at level 0 = 50,000: N = 500, r = 5%.
    /// Copies 20,000, 30,010, 49,990 → n = 1,000, 1,500.5, 2,499.5 → 2,000, 3,001, 4,999 lots (10,000 in all).
    /// The merged order is IOC at 50,000 × 1.002 = 50,100: levels 0–2 fill 0.03 BTC = 3,000 lots for
    /// 500 + 500.5 + 501 = 1,501.5 USDT (average 50,050); level 3 (50,150) is beyond the limit.
    /// Every copy gets the same fraction 3,000 / 10,000: 600, 900.3, 1,499.7 → floors 600 + 900 + 1,499 = 2,999,
    /// the leftover lot to remainder .7 → [600, 900, 1,500]. Quote pro rata of 1,501.5 by lots: 300.3, 450.45,
    /// 750.75; fee ⌈1.5015⌉ split the same way: 0.3003, 0.45045, 0.75075. The rest fails slippageExceeded with the
    /// notional at the lead's price: 1,400 × 0.5 = 700, 2,101 × 0.5 = 1,050.5, 3,499 × 0.5 = 1,749.5.
    @Test("Slippage limit: partial merged fill, the same fraction for every copy, the rest slippageExceeded")
    func slippage() throws {
        let book = BookShape(halfSpread: .zero, levelGap: fx("0.001"), levelQuantity: fx("0.01"), levels: 20)
        var sim = try Sim(btcBook: book)
        try sim.lead("lead", portfolio: "10000", slippageLimit: "0.002")
        try sim.copy("a", of: "lead", investment: "20000")
        try sim.copy("b", of: "lead", investment: "30010")
        try sim.copy("c", of: "lead", investment: "49990")
        let lead = try sim.buy("lead", quantity: "0.01")
        #expect(lead.trades.first?.quote == fx("500"))

        let batch = try #require(sim.batches.last)
        #expect(batch.lots == [600, 900, 1_500])
        #expect(batch.quote == [fx("300.3").units, fx("450.45").units, fx("750.75").units])
        #expect(batch.fee == [fx("0.3003").units, fx("0.45045").units, fx("0.75075").units])
        #expect(batch.price == fx("50050") && batch.leadPrice == fx("50000"))
        let failed = sim.engine.failedOrders
        #expect(failed.map(\.reason) == [.slippageExceeded, .slippageExceeded, .slippageExceeded])
        #expect(failed.map(\.notional) == [fx("700"), fx("1050.5"), fx("1749.5")])
        // Same fraction: each allocation is within one lot of 30% of its request.
        for (lots, requested) in zip(batch.lots, [Int64(2_000), 3_001, 4_999]) {
            #expect(abs(lots * 10 - requested * 3) < 10)
        }
        #expect(try sim.cash("a") == fx("19699.3997"))
        #expect(try sim.cash("b") == fx("29559.09955"))
        #expect(try sim.cash("c") == fx("49238.49925"))
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// A two-level book (0.01 BTC at 50,000 and at 50,050) and a loose 5% limit: a copy of 100,000 wants
    /// 5% × 100,000 = 5,000 USDT = 10,000 lots but the book holds 2,000 lots → it gets 0.02 BTC for
    /// 500 + 500.5 = 1,000.5 (fee 1.0005) and the remaining 8,000 lots (4,000 USDT at 50,000) fail noLiquidity.
    @Test("A book that runs out fails the rest as noLiquidity")
    func noLiquidity() throws {
        let book = BookShape(halfSpread: .zero, levelGap: fx("0.001"), levelQuantity: fx("0.01"), levels: 2)
        var sim = try Sim(btcBook: book)
        try sim.lead("lead", portfolio: "10000", slippageLimit: "0.05")
        try sim.copy("big", of: "lead", investment: "100000")
        try sim.buy("lead", quantity: "0.01")
        #expect(sim.batches.last?.lots == [2_000])
        #expect(sim.batches.last?.quote == [fx("1000.5").units])
        #expect(sim.engine.failedOrders.map(\.reason) == [.noLiquidity])
        #expect(sim.engine.failedOrders.first?.notional == fx("4000"))
        #expect(try sim.cash("big") == fx("98998.4995"))
    }

    // MARK: Start options and modes

    /// The lead buys 3,000 of BTC (0.06, fee 3) and 2,000 of ETH (1 ETH, fee 2): cash 4,995, equity at marks
    /// 9,995, weights 3,000 / 9,995 and 2,000 / 9,995. A copy of 1,000 with buy-existing buys
    /// w × 1,000: BTC floor₈(3,000 × 1,000 / 9,995) = 300.15007503 → 600 lots = 0.006 BTC (quote 300, fee 0.3);
    /// ETH 200.10005002 → 1,000 lots = 0.1 ETH (quote 200, fee 0.2) → cash 1,000 − 300.3 − 200.2 = 499.5.
    /// Its equity is 999.5 and its BTC weight 300 / 999.5 = 3,000 / 9,995: exactly the lead's.
    @Test("buyExisting buys the lead's current weights")
    func buyExisting() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.buy("lead", quote: "3000")
        try sim.buy("lead", TestMarket.eth, quote: "2000")
        #expect(sim.engine.leadEquity(0) == fx("9995"))
        try sim.copy("c1", of: "lead", investment: "1000", buyExisting: true)
        #expect(try sim.quantity("c1") == fx("0.006"))
        #expect(try sim.quantity("c1", TestMarket.ethIndex) == fx("0.1"))
        #expect(try sim.cash("c1") == fx("499.5"))
        let ref = try sim.ref("c1")
        #expect(sim.engine.copyEquity(ref) == fx("999.5"))
        #expect(sim.batches.count == 2)
        #expect(sim.batches.allSatisfy { $0.leadFillID == nil })
        #expect(sim.batches.map(\.leadPrice) == [fx("50000"), fx("2000")])
        // Cross-multiplied weights: copy BTC value × lead equity = lead BTC value × copy equity.
        #expect(Int128(fx("300").units) * Int128(fx("9995").units) == Int128(fx("3000").units) * Int128(fx("999.5").units))

        // Without the option the copy buys nothing at start.
        try sim.copy("c2", of: "lead", investment: "1000")
        #expect(try sim.quantity("c2") == .zero && sim.cash("c2") == fx("1000"))
        #expect(sim.batches.count == 2)
    }

    /// A fixedAmount copy (1,000, 50 per order) next to a Smart Sync copy (1,000).
    /// Lead buys 1,000 (r = 10%): fixed buys 50 = 100 lots, smart buys 100 = 200 lots.
    /// Lead buys 3,000 with equity 8,999 + 1,000 = 9,999: fixed buys 50 again (200 lots); smart has equity
    /// 899.9 + 100 = 999.9 → n = 3,000 × 999.9 / 9,999 = 300 → 600 more lots (800).
    /// Lead sells 0.04 of its 0.08 (half): fixed sells 100 of 200 lots, smart 400 of 800.
    @Test("fixedAmount buys amountPerOrder per lead buy; sells stay proportional")
    func fixedAmount() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("fixed", of: "lead", investment: "1000", mode: .fixedAmount, amountPerOrder: "50")
        try sim.copy("smart", of: "lead", investment: "1000")
        try sim.buy("lead", quote: "1000")
        #expect(try sim.lots("fixed") == 100 && sim.lots("smart") == 200)
        #expect(try sim.cash("fixed") == fx("949.95"))
        try sim.buy("lead", quote: "3000")
        #expect(try sim.lots("fixed") == 200 && sim.lots("smart") == 800)
        #expect(try sim.cash("fixed") == fx("899.9") && sim.cash("smart") == fx("599.6"))
        #expect(sim.batches.count == 2 && sim.batches.allSatisfy { $0.count == 2 })
        try sim.sell("lead", quantity: "0.04")
        #expect(try sim.quantity("fixed") == fx("0.001") && sim.quantity("smart") == fx("0.004"))
    }

    /// fixedAmount larger than the copy's cash is capped like any buy: amountPerOrder 500, investment 300 →
    /// floor(300 / (0.5 × 1.001)) = 599 lots = 299.5 USDT, fee 0.2995, cash 0.2005.
    @Test("fixedAmount above the cash is capped by cash")
    func fixedAmountCapped() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("fixed", of: "lead", investment: "300", mode: .fixedAmount, amountPerOrder: "500")
        try sim.buy("lead", quote: "1000")
        #expect(sim.batches.last?.cappedByCash == [true])
        #expect(try sim.lots("fixed") == 599)
        #expect(try sim.cash("fixed") == fx("0.2005"))
    }

    // MARK: Profit share

    /// The copy of the DESIGN example holds 0.002 BTC with cost 100.1. BTC goes to 61,234.57 (a lot is 0.6123457);
    /// the lead sells everything, so does the copy: quote 200 × 0.6123457 = 122.46914, fee 0.12246914 → realized
    /// 122.46914 − 0.12246914 − 100.1 = 22.24667086. Due = floor₈(10% × 22.24667086) = 2.22466708 (not …709):
    /// copy cash 899.9 + 122.34667086 − 2.22466708 = 1,020.02200378, and the lead's main account (2,000 left
    /// outside the portfolio) receives it: 2,002.22466708.
    @Test("Profit share on a profitable copy sell goes to the lead's main account, rounded down")
    func profitShare() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000", deposit: "12000")
        try sim.copy("c1", of: "lead", investment: "1000")
        try sim.buy("lead", quote: "1000")
        try sim.price(TestMarket.btc, "61234.57")
        try sim.sell("lead", quantity: "0.02")
        let ref = try sim.ref("c1")
        let book = sim.engine.leads[0].book
        #expect(book[ref.slot].realizedPnl == fx("22.24667086"))
        #expect(book[ref.slot].profitSharePaid == fx("2.22466708"))
        #expect(try sim.cash("c1") == fx("1020.02200378"))
        #expect(try sim.mainBalance("lead") == fx("2002.22466708"))
        #expect(sim.engine.leads[0].profitShareEarned == fx("2.22466708"))
        let batch = try #require(sim.batches.last)
        #expect(batch.profitShare == [fx("2.22466708").units])
        #expect(batch.profitShareSlots == [Int32(ref.slot)])
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// DESIGN §3's check with ρ = 10%: realized +200 → pays 20; then −150 (R = 50) → 0; then +100 (R = 150) → 0;
    /// then +150 (R = 300) → 10.
    @Test("Profit share high-water mark")
    func profitShareHighWaterMark() {
        let rate = fx("0.1").units
        let big = fx("1000000").units
        #expect(ProfitShare.due(rate: rate, realized: fx("200").units, paid: 0, cash: big) == fx("20").units)
        #expect(ProfitShare.due(rate: rate, realized: fx("50").units, paid: fx("20").units, cash: big) == 0)
        #expect(ProfitShare.due(rate: rate, realized: fx("150").units, paid: fx("20").units, cash: big) == 0)
        #expect(ProfitShare.due(rate: rate, realized: fx("300").units, paid: fx("20").units, cash: big) == fx("10").units)
        #expect(ProfitShare.due(rate: rate, realized: fx("-5").units, paid: 0, cash: big) == 0)
        // Never more than the cash.
        #expect(ProfitShare.due(rate: rate, realized: fx("300").units, paid: 0, cash: fx("7").units) == fx("7").units)
    }

    // MARK: Isolation and orders

    /// A manual trade from the lead's main account (2,000 USDT outside the portfolio): buys 0.01 BTC for 500 + 0.5 →
    /// main 1,499.5 USDT and 0.01 BTC. It is not a lead fill: no copy order, no failure, the portfolio is untouched.
    @Test("A manual order from the main account is never copied")
    func manualOrderNotCopied() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000", deposit: "12000")
        try sim.copy("c1", of: "lead", investment: "1000")
        let journalCount = sim.engine.journal.entries.count
        let result = try sim.buy("lead", quote: "500", account: .main)
        let leadUser = try #require(sim.engine.user(named: "lead"))
        #expect(result.trades.first?.account == .main(user: leadUser))
        #expect(try sim.mainBalance("lead") == fx("1499.5"))
        #expect(try sim.mainBalance("lead", "BTC") == fx("0.01"))
        #expect(sim.engine.leads[0].cash == fx("10000"))
        #expect(sim.engine.leadFills.isEmpty)
        #expect(sim.batches.isEmpty && sim.engine.failedOrders.isEmpty)
        #expect(try sim.cash("c1") == fx("1000") && sim.quantity("c1") == .zero)
        #expect(sim.engine.journal.entries.count == journalCount + 1)
        // And a manual sell is not copied either.
        try sim.sell("lead", quantity: "0.004", account: .main)
        #expect(sim.batches.isEmpty && sim.engine.leadFills.isEmpty)
        #expect(sim.engine.audit().problems.isEmpty)
    }

    /// The lead rests a limit buy of 0.02 BTC at 49,000 while the mark is 50,000: nothing executes. A move to
    /// 49,500 still does not cross. At 48,500 it fills at the mark: quote 970, fee 0.97. E_lead = 10,000 →
    /// r = 9.7% → the copy buys 97 USDT = 97 / 0.485 = 200 lots at 48,500, fee 0.097 → cash 902.903.
    @Test("A lead limit order is copied when the mark crosses it")
    func limitOrder() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("c1", of: "lead", investment: "1000")
        let journalCount = sim.engine.journal.entries.count
        let placed = try sim.buy("lead", quantity: "0.02", limit: "49000")
        #expect(placed.trades.isEmpty)
        #expect(placed.resting?.remaining == fx("0.02"))
        #expect(sim.engine.restingOrders.count == 1)
        #expect(sim.engine.journal.entries.count == journalCount)
        try sim.price(TestMarket.btc, "49500")
        #expect(sim.engine.leadFills.isEmpty && sim.batches.isEmpty)

        try sim.price(TestMarket.btc, "48500")
        let crossing = sim.event - 1
        #expect(sim.engine.restingOrders.isEmpty)
        let fill = try #require(sim.engine.leadFills.first)
        #expect(fill.quantity == fx("0.02") && fill.quote == fx("970") && fill.fee == fx("0.97"))
        #expect(fill.price == fx("48500") && fill.event == crossing)
        #expect(fill.id == "o\(placed.orderID)-e\(crossing)-f1")
        #expect(sim.engine.leads[0].cash == fx("9029.03"))
        let batch = try #require(sim.batches.first)
        #expect(batch.lots == [200] && batch.price == fx("48500") && batch.leadFillID == fill.id)
        #expect(try sim.cash("c1") == fx("902.903"))
        #expect(sim.engine.audit().problems.isEmpty)
    }

    // MARK: Exactly once, atomicity

    @Test("Replaying a lead fill id is a no-op")
    func replayIsNoOp() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("c1", of: "lead", investment: "1000")
        try sim.buy("lead", quote: "1000")
        let fill = try #require(sim.engine.leadFills.first)
        var before = Fingerprint(sim.engine)
        // The engine's own fill ids are refused from outside (they need no record to be applied once).
        #expect(throws: EngineError.self) { try sim.engine.applyLeadFill(fill) }
        #expect(Fingerprint(sim.engine) == before)
        // A fill from outside is applied once, and fans out.
        var external = fill
        external.id = "external-1"
        #expect(try sim.engine.applyLeadFill(external) == true)
        #expect(sim.batches.count == 2 && sim.engine.hasApplied(fillID: "external-1"))
        before = Fingerprint(sim.engine)
        #expect(try sim.engine.applyLeadFill(external) == false)
        #expect(Fingerprint(sim.engine) == before)
        // The id decides, not the content.
        external.quantity = fx("0.01")
        external.quote = fx("500")
        #expect(try sim.engine.applyLeadFill(external) == false)
        #expect(Fingerprint(sim.engine) == before)
        #expect(sim.engine.audit().problems.isEmpty)
    }

    @Test("A refused command changes nothing")
    func refusedCommandsChangeNothing() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000", deposit: "11000")
        try sim.copy("c1", of: "lead", investment: "1000")
        try sim.buy("lead", quote: "1000")
        let before = Fingerprint(sim.engine)
        #expect(throws: EngineError.self) { try sim.buy("lead", quote: "9000") }  // 9,009 > 8,999
        #expect(throws: EngineError.self) { try sim.sell("lead", quantity: "0.03") }  // holds 0.02
        #expect(throws: EngineError.self) { try sim.buy("lead", quote: "4") }  // below minNotional
        #expect(throws: EngineError.self) { try sim.buy("lead", quantity: "0.000015") }  // off the step
        #expect(throws: EngineError.self) { try sim.buy("nobody", quote: "10") }
        #expect(throws: EngineError.self) { try sim.copy("c1", of: "lead", investment: "1000") }  // duplicate id
        #expect(throws: EngineError.self) {
            try sim.engine.startCopy(
                StartCopyRequest(copyID: "self", user: "lead", lead: "lead", investment: fx("100")), at: sim.next())
        }
        #expect(throws: EngineError.self) {
            try sim.engine.startCopy(
                StartCopyRequest(copyID: "c9", user: "lead", lead: "user-c1", investment: fx("100")), at: sim.next())
        }
        #expect(throws: EngineError.self) {
            try sim.engine.startCopy(
                StartCopyRequest(copyID: "c8", user: "lead", lead: "lead", investment: fx("99.99999999")), at: sim.next())
        }
        #expect(throws: EngineError.self) { try sim.engine.startLeading(user: "lead", portfolio: fx("1"), at: sim.next()) }
        #expect(throws: EngineError.self) { try sim.price(TestMarket.btc, "50000.001") }  // off the tick
        #expect(Fingerprint(sim.engine) == before)
    }

    /// Fill ids of market orders are "o<order>-f1". A lead fill from outside with that id would make the next market
    /// order's fill look applied already: such ids are refused, so the engine's own are unique by construction.
    @Test("A lead fill from outside cannot take the id of the engine's own fills")
    func fillIDCollision() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        for id in ["o1-f1", "o7-e3-f2", "VENUE1/exec-9", "VENUE1/block"] {
            let external = LeadFill(
                id: id, lead: 0, symbol: TestMarket.btcIndex, side: .buy, quantity: fx("0.002"), quote: fx("100"),
                fee: fx("0.1"), price: fx("50000"), event: sim.event, time: 0)
            #expect(throws: EngineError.self) { try sim.engine.applyLeadFill(external) }
        }
        #expect(sim.engine.leadFillCount == 0 && !Engine.isEngineFillID("o") && !Engine.isEngineFillID("order-1"))
        let result = try sim.buy("lead", quote: "1000")
        let reported = result.trades.reduce(Fixed.zero) { $0 + $1.quantity }
        #expect(reported.isPositive && sim.engine.leads[0].positions[TestMarket.btcIndex]?.quantity == reported)
    }
}

import Testing

@testable import SmartSyncCore

/// One overflow policy for money: a result that changes state and does not fit in an amount refuses the command
/// (naming the field) before anything changed; it is never wrapped and never read as zero.
@Suite("Overflow policy")
struct OverflowPolicyTests {
    /// Performance units at a value per unit near zero: 1,000 USDT into a copy of 1,000 units worth 1e-8 USDT in all
    /// would be 1e14 units, more than an amount holds. Before, it minted zero units (giving the money to the units
    /// already there); now it is refused. Ordinary values stay exact: 250 USDT into 1,000 units worth 500 USDT is 500.
    @Test func unitsThatDoNotFitAreRefused() throws {
        #expect(throws: EngineError.self) {
            try Engine.unitsFor(Fixed(1_000), units: Fixed(1_000), equity: .ulp, nav: .ulp, field: "delta")
        }
        do {
            _ = try Engine.unitsFor(Fixed(1_000), units: Fixed(1_000), equity: .ulp, nav: .ulp, field: "delta")
        } catch {
            #expect(error.code == .overflow && error.field == "delta")
        }
        #expect(
            try Engine.unitsFor(Fixed(250), units: Fixed(1_000), equity: Fixed(500), nav: Fixed(units: 50_000_000), field: "delta")
                == Fixed(500))
        // No units left: at the last NAV (0.5 USDT a unit), 250 USDT is 500 units.
        #expect(try Engine.unitsFor(Fixed(250), units: .zero, equity: .zero, nav: Fixed(units: 50_000_000), field: "delta") == Fixed(500))
    }

    /// A buy's cost at the worst price: a product past `Int64.max` is "more than any cash" (so the order is capped by
    /// cash), not a wrapped negative number that would pass the cash check.
    @Test func aBuyThatCostsMoreThanAnAmountIsCappedNotWrapped() {
        let rules = BuyRules(lotPrice: 1 << 40, worstLot: 1 << 40, margin: 0, minLots: 1, minNotional: 1, rate: 100_000)
        #expect(rules.cost(1 << 30) == .max)
        #expect(rules.cost(2) == 2 << 40 + Engine.standaloneFee(2 << 40, rate: 100_000))
        // 2^62 of notional with 1 billion of cash: capped by cash to what the cash buys (1e9 × 1e8 ÷ 1.001e8 ÷ 2^40 = 0 lots).
        guard case .failed(let reason) = rules.size(notional: 1 << 62, cash: 1_000_000_000) else {
            Issue.record("a buy the cash cannot pay was sized")
            return
        }
        #expect(reason == .insufficientCash)
    }

    /// A mark at which what the accounts hold is worth more than an amount holds is refused before it is set: the
    /// valuations after it (a lead's equity, a copy's, the board's sums) would overflow. schemathesis found it: a
    /// price of 6,638,600,917 for BCH, with the demo's lead holding 30 BCH, stopped the server. 10 BTC at 10,000,000,000
    /// is 1e11 USDT, past 92,233,720,368.54775807; 10 BTC at 9,000,000,000 is 9e10 and fits.
    @Test func aPriceThatWouldValueHoldingsPastAnAmountIsRefused() throws {
        var sim = try Sim()
        try sim.lead("whale", portfolio: "600000")
        try sim.buy("whale", quote: "500000")
        let before = sim.engine.venue.marks[TestMarket.btcIndex]
        do {
            try sim.engine.updatePrice(symbol: TestMarket.btc, price: fx("10000000000"), at: sim.next())
            Issue.record("a price that values 10 BTC at 1e11 USDT was set")
        } catch {
            #expect(error.code == .overflow && error.field == "price")
        }
        #expect(sim.engine.venue.marks[TestMarket.btcIndex] == before)
        try sim.price(TestMarket.btc, "9000000000")
        let u = try #require(sim.engine.user(named: "whale"))
        let l = try #require(sim.engine.users[u].lead)
        #expect(sim.engine.leadEquity(l) > fx("89000000000"))
    }

    /// Derived values (averages, ratios, NAV, price limits) clamp to the range instead of reading as zero: an
    /// average price past the range is the largest amount, a negative one the smallest, and in range the result is
    /// `mulDiv`'s, rounded the same way.
    @Test func derivedValuesClampInsteadOfReadingAsZero() throws {
        #expect(Fixed.clampedMulDiv(.max, Fixed(2), .one, .halfEven) == .max)
        #expect(Fixed.clampedMulDiv(Fixed(units: -Int64.max), Fixed(2), .one, .halfEven) == Fixed(units: .min))
        #expect(Fixed(1_000).clampedDivided(by: .ulp, .halfEven) == .max)
        for (a, b, c) in [(Fixed(7), Fixed(units: 3), Fixed(11)), (Fixed(-5), Fixed(units: 33_333_333), Fixed(3))] {
            for mode in [RoundingMode.down, .up, .towardZero, .halfEven] {
                #expect(Fixed.clampedMulDiv(a, b, c, mode) == (try Fixed.mulDiv(a, b, c, mode)))
            }
        }
        // A fill's average price: 1,000 USDT for one unit of quantity (1e-8) is past the range, not zero.
        let fill = Execution(quantity: .ulp, quote: Fixed(1_000), fee: .zero, singlePrice: nil, shortfall: nil)
        #expect(fill.averagePrice == .max)
        #expect(Engine.ratio(Fixed(1_000), .ulp) == .max && Engine.ratio(Fixed(1), .zero) == .zero)
    }
}

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
}

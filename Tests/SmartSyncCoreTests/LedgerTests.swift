import SmartSyncCore
import Testing

/// How a journal entry moves balances is defined once (`JournalEntry.forEachPosting`); the audit replays it and the
/// property tests check the venue and the fee account with it. Numbers from DESIGN's example (SmartSyncGoldenTests).
@Suite struct LedgerTests {
    static func postings(_ entry: JournalEntry, _ engine: Engine) -> [Posting] {
        var out: [Posting] = []
        entry.forEachPosting(symbols: engine.venue.symbols) { out.append($0) }
        return out
    }

    @Test func designExamplePostingsByHand() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        try sim.copy("c1", of: "lead", investment: "1000")
        let before = sim.engine.journal.count
        try sim.buy("lead", quote: "1000")
        let entries = (before..<sim.engine.journal.count).map { sim.engine.journal[$0] }
        #expect(entries.count == 2)
        let u = fx("1").units
        // The lead's trade: 0.02 BTC for 1,000 USDT and a fee of 1.
        #expect(
            Self.postings(entries[0], sim.engine) == [
                Posting(.lead(0), .usdt, -1_001 * u), Posting(.lead(0), .base(0), fx("0.02").units),
                Posting(.venue, .usdt, 1_000 * u), Posting(.venue, .base(0), -fx("0.02").units), Posting(.fees, .usdt, u),
            ])
        // The copy's fill: 0.002 BTC for 100 USDT and a fee of 0.1.
        let slot = try sim.ref("c1").slot
        #expect(
            Self.postings(entries[1], sim.engine) == [
                Posting(.copy(lead: 0, slot: slot), .usdt, -fx("100.1").units),
                Posting(.copy(lead: 0, slot: slot), .base(0), fx("0.002").units),
                Posting(.venue, .usdt, 100 * u), Posting(.venue, .base(0), -fx("0.002").units), Posting(.fees, .usdt, fx("0.1").units),
            ])
        #expect(sim.engine.audit().balanced)
    }

    /// Within an entry, each asset's postings sum to zero, but for deposits and withdrawals (money from and to
    /// outside); over the whole journal they sum to what the accounts hold.
    @Test func postingsConserveEveryAsset() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        for i in 0..<5 { try sim.copy("c\(i)", of: "lead", investment: "\(300 + 250 * i)") }
        try sim.buy("lead", quote: "2000")
        try sim.buy("lead", TestMarket.eth, quote: "1500")
        try sim.price(TestMarket.btc, "55000")
        try sim.sell("lead", quantity: "0.02")
        try sim.engine.stopCopy("c1", at: sim.next())
        var deposits: Int64 = 0
        var usdt: Int64 = 0
        for k in 0..<sim.engine.journal.count {
            let entry = sim.engine.journal[k]
            var sums: [Posting.Asset: Int64] = [:]
            entry.forEachPosting(symbols: sim.engine.venue.symbols) { sums[$0.asset, default: 0] += $0.units }
            switch entry {
            case .deposit(_, let a): deposits += a.units
            case .withdrawal(_, let a): deposits -= a.units
            default: #expect(sums.values.allSatisfy { $0 == 0 }, "entry \(k): \(sums)")
            }
            usdt += sums[.usdt] ?? 0
        }
        #expect(usdt == deposits)
        #expect(sim.engine.audit().balanced)
        #expect(sim.engine.audit().totalUSDT.units == deposits)
    }
}

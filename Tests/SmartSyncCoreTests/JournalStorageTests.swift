import Testing

@testable import SmartSyncCore

/// The journal keeps its entries compactly (`StoredEntry`) and gives each back whole.
@Suite struct JournalStorageTests {
    /// Each entry kind comes back as it went in, the compact forms and the boxed ones alike: numbers at the edges of
    /// what packs (a copy's lead up to 2^29 − 1, its slot up to 2^32 − 1) and past them (then boxed).
    @Test func everyEntryComesBackWhole() throws {
        let trade = TradeRecord(
            account: .lead(3), symbol: 1, side: .sell, quantity: fx("0.5"), quote: fx("1000"), fee: fx("1"), event: 9, time: 1_700)
        var batch = CopyFillBatch(
            lead: 2, symbol: 0, side: .buy, event: 7, time: 1_600, leadFillID: "f-1", leadPrice: fx("50000"), price: fx("50010"),
            leadUser: 4)
        batch.slots = [0, 5]
        batch.lots = [10, 20]
        batch.quote = [5, 10]
        batch.fee = [1, 1]
        batch.cappedByCash = [false, true]
        let entries: [JournalEntry] = [
            .deposit(user: 12, amount: fx("1000.5")),
            .withdrawal(user: Int(Int32.max), amount: fx("0.00000001")),
            .deposit(user: Int(Int32.max) + 1, amount: fx("7")),
            .transfer(asset: "USDT", amount: fx("250"), from: .main(user: 1), to: .copy(lead: (1 << 29) - 1, slot: (1 << 32) - 1)),
            .transfer(asset: "USDT", amount: fx("250"), from: .copy(lead: 1 << 29, slot: 0), to: .main(user: 1)),
            .transfer(asset: "USDT", amount: fx("3"), from: .lead(2), to: .fees),
            .transfer(asset: "USDT", amount: fx("3"), from: .venue, to: .lead(0)),
            .transfer(asset: "BTC", amount: fx("0.1"), from: .copy(lead: 0, slot: 3), to: .main(user: 2)),
            .trade(trade),
            .copyFills(batch),
        ]
        var journal = Journal()
        for e in entries { journal.append(e) }
        #expect(journal.count == entries.count)
        for (k, e) in entries.enumerated() {
            #expect(String(describing: journal[k]) == String(describing: e), "entry \(k)")
        }
        #expect(journal.map { String(describing: $0) } == entries.map { String(describing: $0) })
        #expect(String(describing: journal.last) == String(describing: entries.last))
    }

    /// A follower's deposit and its copy's funding transfer, which stay for the market's life, take 32 B each.
    @Test func theEntriesEveryCopyLeavesAreSmall() {
        #expect(MemoryLayout<StoredEntry>.stride == 32)
        #expect(MemoryLayout<JournalEntry>.stride == 72)
        if case .deposit = StoredEntry(.deposit(user: 1, amount: fx("100"))) {} else { Issue.record("a deposit was boxed") }
        let funding = StoredEntry(.transfer(asset: "USDT", amount: fx("100"), from: .main(user: 1), to: .copy(lead: 0, slot: 1)))
        if case .quoteTransfer = funding {} else { Issue.record("a copy's funding transfer was boxed") }
    }
}

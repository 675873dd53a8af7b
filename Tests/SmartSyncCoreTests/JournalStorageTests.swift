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

    /// Releasing frees whole chunks, copy-fill batches included (their headers come back from the store with a
    /// copy's rows), never the chunk of the last entry; a journal read back from its released part goes on.
    @Test func releasingFreesWholeChunks() throws {
        let size = Journal.chunkSize
        var batch = CopyFillBatch(
            lead: 0, symbol: 0, side: .buy, event: 1, time: 1, leadFillID: nil, leadPrice: fx("1"), price: fx("1"), leadUser: 0)
        batch.slots = []
        var journal = Journal()
        for k in 0..<(2 * size + 10) {
            journal.append(k == size + 5 ? .copyFills(batch) : .deposit(user: k, amount: fx("1")))
        }
        journal.releaseEntries(before: size - 1)
        #expect(journal.releasedThrough == 0 && journal.isComplete)
        journal.releaseEntries(before: journal.count)
        #expect(journal.releasedThrough == 2 * size && !journal.isComplete)
        #expect(journal.entriesInMemory.map(\.position) == Array((2 * size)..<(2 * size + 10)))
        #expect(!journal.holdsEntry(at: size + 5) && journal.holdsEntry(at: 2 * size))
        #expect(String(describing: journal[2 * size]) == String(describing: JournalEntry.deposit(user: 2 * size, amount: fx("1"))))
        // Appending goes on after a release; the chunk holding the last entry is never released.
        journal.append(.withdrawal(user: 1, amount: fx("1")))
        journal.releaseEntries(before: journal.count)
        #expect(journal.releasedThrough == 2 * size && journal.count == 2 * size + 11)
        var exact = Journal()
        for k in 0..<(2 * size) { exact.append(.deposit(user: k, amount: fx("1"))) }
        exact.releaseEntries(before: exact.count)
        #expect(exact.releasedThrough == size && exact.last != nil)

        // Read back.
        var copy = Journal()
        try copy.startReleased(through: journal.releasedThrough)
        for (_, entry) in journal.entriesInMemory { copy.append(entry) }
        #expect(copy.count == journal.count && copy.entriesInMemory.map(\.position) == journal.entriesInMemory.map(\.position))
        var bad = Journal()
        #expect(throws: SnapshotError.self) { try bad.startReleased(through: size + 1) }
        #expect(throws: SnapshotError.self) { try bad.startReleased(through: -size) }
    }

    /// A snapshot whose journal says it released more than it could hold, or released the chunk of its last entry,
    /// is refused with an error (it asked for terabytes, or trapped on the last entry, before).
    @Test func aSnapshotsReleasedJournalIsChecked() throws {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000")
        _ = try sim.lifecycleCopy("c", of: "lead", investment: "1000")
        try sim.buy("lead", quote: "5000")
        let bytes = sim.engine.snapshotBytes()
        let n = sim.engine.journal.count
        // The journal's header: its length, then where its released part ends (0), then the first entry's kind.
        func le(_ v: Int) -> [UInt8] { withUnsafeBytes(of: Int64(v).littleEndian) { Array($0) } }
        let header = le(n) + le(0)
        let at = try #require((0...(bytes.count - header.count)).first { Array(bytes[$0..<($0 + header.count)]) == header })
        func patched(count: Int, released: Int) -> [UInt8] {
            var b = bytes
            b.replaceSubrange(at..<(at + 16), with: le(count) + le(released))
            return b
        }
        let huge = (1 << 52) / Journal.chunkSize * Journal.chunkSize
        #expect(throws: SnapshotError.self) { _ = try Engine(snapshot: patched(count: huge + n, released: huge)) }
        #expect(throws: SnapshotError.self) { _ = try Engine(snapshot: patched(count: Journal.chunkSize, released: Journal.chunkSize)) }
        #expect(throws: SnapshotError.self) { _ = try Engine(snapshot: patched(count: n, released: 1)) }
        #expect(try Engine(snapshot: patched(count: n, released: 0)).snapshotBytes() == bytes)
    }
}

import Foundation
import SmartSyncCore
import Testing

@testable import SmartSyncStore

/// Allocation receipts from a database (docs/receipts.md): the request each batch keeps, the hash chain over the
/// stored ledger, receipts that check alone, and a changed past entry that breaks every later hash.
@Suite(.timeLimit(.minutes(2)))
struct ReceiptTests {
    static func fx(_ text: String) -> Fixed { (try? Fixed(text)) ?? .zero }

    /// The golden slippage market (SmartSyncGoldenTests.slippage): a BTC book with levels 0.1% apart, 0.01 BTC each;
    /// the lead (slippage limit 0.2%) buys 0.01 BTC; copies of 20,000, 30,010 and 49,990 ask for 2,000, 3,001 and
    /// 4,999 lots (10,000); the merged order fills 3,000 lots for 1,501.5 USDT at three prices.
    static func slippageMarket(_ database: TestDatabase) throws -> Store {
        let store = try database.open()
        var event = 0
        func run(_ command: EngineCommand) throws {
            try store.execute(command, at: Moment(event: event, time: 1_700_000_000_000 + Int64(event) * 60_000))
            event += 1
        }
        let book = BookShape(halfSpread: .zero, levelGap: fx("0.001"), levelQuantity: fx("0.01"), levels: 20)
        let btc = try Symbol(name: "BTC-USDT", qtyStep: fx("0.00001"), priceTick: fx("0.01"), minQty: fx("0.00001"), minNotional: fx("5"))
        try run(.listSymbol(btc, price: fx("50000"), book: book))
        try run(.addUser("lead"))
        try run(.deposit(user: "lead", amount: fx("10000")))
        try run(.startLeading(user: "lead", portfolio: fx("10000"), profitShareRate: nil, slippageLimit: fx("0.002"), followerLimit: nil))
        for (id, investment) in [("a", "20000"), ("b", "30010"), ("c", "49990")] {
            try run(.addUser("user-" + id))
            try run(.deposit(user: "user-" + id, amount: fx(investment)))
            try run(
                .startCopy(
                    StartCopyRequest(
                        copyID: id, user: "user-" + id, lead: "lead", mode: .smartSync, investment: fx(investment), buyExisting: false,
                        amountPerOrder: nil)))
        }
        try run(.order(OrderRequest(user: "lead", account: .portfolio, symbol: "BTC-USDT", side: .buy, quantity: fx("0.01"))))
        // A later deposit, so that the batch is not the last entry.
        try run(.deposit(user: "lead", amount: fx("1")))
        return store
    }

    static func receipt(_ store: Store, _ receipts: any ReceiptStore, copy: String, position: Int) async throws -> AllocationReceipt {
        let engine = store.engine
        let ref = try #require(engine.copy(named: copy))
        guard case .copyFills(let b) = engine.journal[position] else { throw ReceiptTestError.notABatch }
        let hashes = try await receipts.chainHashes(from: position - 1, through: position)
        let record = try #require(try await receipts.record(position))
        let context = AllocationReceipt.Context(
            copy: copy, fill: 0, slot: ref.slot, header: CopyFillHeader(b), time: nil, symbol: "BTC-USDT",
            qtyStep: engine.venue.symbols[0].qtyStep, feeRate: engine.settings.takerFeeRate,
            previousHash: try #require(hashes[position - 1]), chainHash: try #require(hashes[position]),
            key: try await receipts.chainKey())
        return try #require(AllocationReceipt.build(record, context))
    }

    enum ReceiptTestError: Error { case notABatch }

    /// The journal position of the (one) copy-fill batch.
    static func batchPosition(_ engine: Engine) throws -> Int {
        try #require(
            (0..<engine.journal.count).first { k in
                if case .copyFills = engine.journal[k] { return true } else { return false }
            })
    }

    static func failed(_ r: AllocationReceipt) -> [String] { r.verify().filter { !$0.ok }.map(\.name) }

    /// Worked by hand (golden test's numbers): each copy gets 3,000 / 10,000 of its request.
    /// a: 3,000 × 2,000 / 10,000 = 600 rest 0; b: 3,000 × 3,001 = 9,003,000 → 900 rest 3,000; c: 3,000 × 4,999 =
    /// 14,997,000 → 1,499 rest 7,000. 2,999 given, one lot left: it goes to the largest remainder, c (cutoff 7,000 at
    /// row 2); b's 3,000 ranks below it. Quote (three prices): 1,501.5 USDT pro rata of lots, 300.3 / 450.45 / 750.75,
    /// no rest: each is lots × 0.5005, a lot at the average price 50,050. Fee 1.5015 pro rata of quote: 0.3003 / 0.45045 / 0.75075, each exactly its cap ⌈quote × 0.1%⌉, so no
    /// row could take a unit.
    @Test(arguments: Backend.available)
    func aPartialFillsReceiptsShowTheLargestRemainderSteps(_ backend: Backend) async throws {
        let database = try TestDatabase(backend)
        let store = try Self.slippageMarket(database)
        let receipts = try store.log.receipts()
        // Two catch-ups at once take turns: together they chain every entry once.
        let chainer = LedgerChainer(store: receipts, rowsPerRead: 1)
        async let whole = chainer.catchUp()
        async let some = chainer.catchUp(through: 3)
        let count = try await whole + some
        #expect(count == store.engine.journal.count)
        #expect(try await chainer.catchUp(through: 3) == 0, "an entry already chained: nothing to do")
        let check = try await chainer.verify()
        #expect(check.compared == count && check.firstMismatch == nil)
        let position = try Self.batchPosition(store.engine)

        let a = try await Self.receipt(store, receipts, copy: "a", position: position)
        let b = try await Self.receipt(store, receipts, copy: "b", position: position)
        let c = try await Self.receipt(store, receipts, copy: "c", position: position)
        #expect(
            [a.order.requestedLots, a.order.executedLots, a.order.quote, a.order.fee] == ["10000", "3000", "150150000000", "150150000"])
        #expect(a.feeRate == "0.001")
        #expect([a.row.requestedLots, b.row.requestedLots, c.row.requestedLots] == ["2000", "3001", "4999"])
        #expect([a.row.lots, b.row.lots, c.row.lots] == ["600", "900", "1500"])
        let all: [AllocationReceipt] = [a, b, c]
        let lots = all.map(\.steps.lots)
        #expect(lots.map(\.method) == ["largestRemainder", "largestRemainder", "largestRemainder"])
        #expect(lots.map(\.floor) == ["600", "900", "1499"] && lots.map(\.remainder) == ["0", "3000", "7000"])
        #expect(lots.map(\.unit) == ["0", "0", "1"])
        #expect(lots.allSatisfy { $0.cutoff?.remainder == "7000" && $0.cutoff?.row == 2 })
        // Pro rata of 1,501.5 by lots is exactly lots × 0.5005 (a lot at the average price 50,050): the receipt says so.
        #expect(all.allSatisfy { $0.steps.quote.method == "price" && $0.steps.quote.lotValue == "50050000" })
        #expect(all.map(\.row.quote) == ["30030000000", "45045000000", "75075000000"])
        #expect(all.map(\.steps.fee.cap) == ["30030000", "45045000", "75075000"])
        #expect(all.map(\.steps.fee.floor) == ["30030000", "45045000", "75075000"])
        #expect(all.allSatisfy { $0.steps.fee.unit == "0" && $0.steps.fee.cutoff == nil })
        for r in all { #expect(Self.failed(r).isEmpty, "\(r.copy): \(Self.failed(r))") }
        // Three leaves: rows 0 and 1 pair up, row 2 moves up alone and meets their node.
        #expect(all.map(\.proof.rowPath.count) == [2, 2, 1])

        // A receipt changed by hand fails where it was changed.
        var changed = b
        changed.row.lots = "901"
        #expect(Self.failed(changed).contains("lots.part") && Self.failed(changed).contains("rowPath"))
        changed = b
        changed.steps.lots.unit = "1"
        changed.row.lots = "901"
        #expect(Self.failed(changed).contains("lots.unit"), "b's remainder 3,000 ranks below the cutoff 7,000")
        changed = c
        changed.proof.previousHash = String(repeating: "0", count: 64)
        #expect(Self.failed(changed) == ["chain"])
        changed = a
        changed.order.fee = "150150001"
        #expect(Self.failed(changed).contains("order.fee"))
        // Each row has its own salt: another row's does not lead to the root.
        #expect(Set(all.map(\.row.salt)).count == 3)
        changed = a
        changed.row.salt = b.row.salt
        #expect(Self.failed(changed) == ["rowPath"])
        changed = a
        changed.leadPrice = "5000100000000"
        #expect(Self.failed(changed) == ["entry.leadPrice"])
        // The pass in row order exists only for capped fees: claimed for lots it does not excuse a unit.
        changed = b
        changed.steps.lots.method = "largestRemainderThenRows"
        #expect(Self.failed(changed) == ["lots.rows"])
        changed.steps.lots.cap = "1000"
        #expect(Self.failed(changed).contains("lots.cap"), "a cap given to lots does not make the pass in row order pass")
        // A lead fill id is read whole between fill= and leadPrice=: one holding "side=sell" changes no field.
        changed = c
        let id = try #require(c.leadFill)
        changed.leadFill = id + " side=sell"
        changed.proof.entry = c.proof.entry.replacingOccurrences(of: "fill=\(id) ", with: "fill=\(id) side=sell ")
        #expect(Self.failed(changed) == ["chain"], "only the changed text's hash differs")
    }

    /// A batch stored before requests were kept (no `copy_requests` row): its receipt says so for the lots and the fee
    /// and still proves the row; its entry says `requested=- feeRate=-`.
    @Test(arguments: Backend.available)
    func aBatchFromBeforeReceiptsSaysWhatWasNotRecorded(_ backend: Backend) async throws {
        let database = try TestDatabase(backend)
        let store = try Self.slippageMarket(database)
        try database.execute("DELETE FROM copy_requests")
        let receipts = try store.log.receipts()
        try await LedgerChainer(store: receipts).catchUp()
        let position = try Self.batchPosition(store.engine)
        let r = try await Self.receipt(store, receipts, copy: "c", position: position)
        #expect(r.steps.lots.method == "notRecorded" && r.steps.fee.method == "notRecorded" && r.row.requestedLots == nil)
        #expect(r.proof.entry.contains(" requested=- feeRate=- "))
        #expect(Self.failed(r).isEmpty, "\(Self.failed(r))")
    }

    /// A past ledger entry changed in the database: the chain check names it and every entry after; the batch's
    /// receipt no longer checks; and a chain recomputed over the change gives a later receipt another chain hash than
    /// the one saved before, so a follower who kept it sees the change.
    @Test(arguments: Backend.available)
    func aChangedPastEntryBreaksEveryLaterHash(_ backend: Backend) async throws {
        let database = try TestDatabase(backend)
        let store = try Self.slippageMarket(database)
        let receipts = try store.log.receipts()
        let chainer = LedgerChainer(store: receipts)
        try await chainer.catchUp()
        let position = try Self.batchPosition(store.engine)
        let saved = try await Self.receipt(store, receipts, copy: "c", position: position)
        #expect(Self.failed(saved).isEmpty)
        let entries = store.engine.journal.count

        // The lead's first deposit (entry 0), 10,000 USDT, made 10,001.
        try database.execute("UPDATE ledger SET body = 'user=0 amount=1000100000000' WHERE seq = 0")
        let broken = try await chainer.verify()
        #expect(broken.firstMismatch == 0 && broken.mismatches == entries, "every entry from the changed one on")

        // A copy fill changed: its batch's receipt no longer checks.
        try database.execute("UPDATE copy_fills SET fee = fee + 1 WHERE ledger = \(position) AND slot = 0")
        let afterFee = try await Self.receipt(store, receipts, copy: "a", position: position)
        #expect(Self.failed(afterFee).contains("chain"))

        // Whoever changed it recomputes the chain: the receipt checks alone again, but its chain hash is not the saved one.
        try database.execute("DELETE FROM ledger_chain")
        try await chainer.catchUp()
        #expect(try await chainer.verify().firstMismatch == nil)
        let again = try await Self.receipt(store, receipts, copy: "c", position: position)
        #expect(Self.failed(again).isEmpty)
        #expect(again.proof.chainHash != saved.proof.chainHash && again.row == saved.row)
    }
}

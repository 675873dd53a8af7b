import SmartSyncCore

/// The stored ledger checked against the journal a replay of the command log produces, entry by entry and copy fill
/// by copy fill. Each backend reads what it stored, in `seq` order, and feeds it here; the rules and the messages are
/// the same whatever the database.
struct LedgerComparison {
    private(set) var problems: [String] = []
    private var expected: Journal.Iterator
    /// Stored entries seen so far (the `seq` the next one should have).
    private var seen = 0

    init(_ engine: Engine) {
        expected = engine.journal.isComplete ? engine.journal.makeIterator() : Journal().makeIterator()
        if !engine.journal.isComplete {
            note("the engine released journal entries to the database: compare the ledger with a replay that keeps them")
        }
    }

    /// The first 20 problems are kept.
    mutating func note(_ text: String) { if problems.count < 20 { problems.append(text) } }

    /// One stored ledger entry; returns the copy-fill batch the replay has for it, whose stored rows the caller then
    /// passes to `fills`.
    mutating func entry(seq: Int, kind storedKind: String, body storedBody: String) -> CopyFillBatch? {
        defer { seen += 1 }
        guard let entry = expected.next() else {
            note("ledger entry \(seq) is not produced by the command log")
            return nil
        }
        if seq != seen { note("ledger has a gap: entry \(seq) where \(seen) was expected") }
        let (kind, body) = LedgerRows.body(entry)
        if storedKind != kind || storedBody != body {
            note("ledger entry \(seq) differs: stored \(storedKind) \(storedBody), expected \(kind) \(body)")
        }
        if case .copyFills(let b) = entry { return b }
        return nil
    }

    /// The stored copy fills of one batch, as columns in `row` order, and how many profit-share rows it has.
    mutating func fills(
        ledger seq: Int, batch b: CopyFillBatch, rows: [Int], slots: [Int64], lots: [Int64], quote: [Int64], fee: [Int64],
        capped: [Bool], profitShares: Int
    ) {
        if rows.count != b.count { note("ledger entry \(seq): \(rows.count) copy fills stored, \(b.count) expected") }
        for r in 0..<min(rows.count, b.count) {
            let same =
                rows[r] == r && slots[r] == Int64(b.slots[r]) && lots[r] == b.lots[r] && quote[r] == b.quote[r]
                && fee[r] == b.fee[r] && capped[r] == b.cappedByCash[r]
            if !same { note("ledger entry \(seq): copy fill \(r) differs from the replay") }
        }
        if profitShares != b.profitShare.count {
            note("ledger entry \(seq): \(profitShares) profit shares stored, \(b.profitShare.count) expected")
        }
    }

    /// A batch's stored request (`copy_requests`), when it has one: batches from before receipts have none.
    mutating func request(ledger seq: Int, batch b: CopyFillBatch, total: Int64, requested: String, feeRate: Int64) {
        if total != b.requestedLots || requested != LedgerRows.requestText(b) || feeRate != b.feeRate.units {
            note("ledger entry \(seq): the stored request (total \(total), fee rate \(feeRate)) differs from the replay's")
        }
    }

    /// The end of the stored ledger, and how many stored copy fills belong to no stored entry.
    mutating func finish(orphanFills: Int) -> [String] {
        if expected.next() != nil { note("the command log produces more ledger entries than are stored (\(seen))") }
        if orphanFills > 0 { note("\(orphanFills) copy fills belong to no ledger entry") }
        return problems
    }
}

import Crypto

/// One ledger entry as the database keeps it, with a copy-fill batch's rows: what the hash chain covers.
public struct LedgerRecord: Sendable, Hashable {
    public var seq: Int
    public var kind: String
    public var body: String
    /// A copy-fill batch's rows (nil for other entries).
    public var batch: BatchRows?

    public init(seq: Int, kind: String, body: String, batch: BatchRows?) {
        (self.seq, self.kind, self.body, self.batch) = (seq, kind, body, batch)
    }
}

/// The stored rows of one copy-fill batch, in row order, amounts in 1e-8 units, quantities in lots.
public struct BatchRows: Sendable, Hashable {
    /// The lots the merged order asked for in all; nil in batches stored before requests were kept.
    public var requestedLots: Int64?
    /// Each row's request when the order executed in part; nil when each row got its request (or not recorded).
    public var requested: [Int64]?
    /// The fee rate (1e-8 units) the fees were capped at; nil in batches stored before requests were kept.
    public var feeRate: Int64?
    public var slots: [Int64]
    public var lots: [Int64]
    public var quote: [Int64]
    public var fee: [Int64]
    public var capped: [Bool]
    /// Profit-share payments in row order.
    public var shareSlots: [Int64]
    public var shareAmounts: [Int64]

    public init(
        requestedLots: Int64?, requested: [Int64]?, feeRate: Int64? = nil, slots: [Int64], lots: [Int64], quote: [Int64], fee: [Int64],
        capped: [Bool], shareSlots: [Int64], shareAmounts: [Int64]
    ) {
        (self.requestedLots, self.requested, self.feeRate, self.slots, self.lots, self.quote, self.fee, self.capped) =
            (requestedLots, requested, feeRate, slots, lots, quote, fee, capped)
        (self.shareSlots, self.shareAmounts) = (shareSlots, shareAmounts)
    }

    public var count: Int { slots.count }

    /// Row `r`'s request in lots, nil when not recorded.
    public func request(_ r: Int) -> Int64? {
        guard requestedLots != nil else { return nil }
        return requested?[r] ?? lots[r]
    }

    /// The text of row `r`'s Merkle leaf.
    public func leafText(_ r: Int) -> String {
        LedgerChain.rowText(
            row: r, slot: slots[r], requested: request(r), lots: lots[r], quote: quote[r], fee: fee[r], capped: capped[r])
    }
}

/// The ledger's hash chain (docs/receipts.md): every entry's text is hashed with the hash before it, so a changed
/// past entry changes every later hash. A copy-fill batch's text carries the Merkle roots of its rows and of its
/// profit-share payments, so one copy's receipt proves its row with a path of log2(rows) hashes.
///
/// - leaf = SHA-256(0x00 ‖ salt ‖ UTF-8 text of the row); node = SHA-256(0x01 ‖ left ‖ right); a node without a
///   sibling moves up as it is; the root of no leaves is 32 zero bytes. Each row's salt (32 bytes, from a secret key
///   the database keeps: `salt(key:seq:row:share:)`) is disclosed only in that row's own receipt, so the sibling
///   hashes in a path tell nothing about other copies' rows.
/// - entry text = `kind body` for an entry, and for a batch
///   `kind body requested=R feeRate=P executed=L quote=Q fee=F rowsRoot=ROOT sharesRoot=ROOT` (R and P `-` when not
///   recorded, in batches from before receipts).
/// - H(n) = SHA-256(H(n−1) ‖ SHA-256(entry text)), H(−1) = 32 zero bytes.
public enum LedgerChain {
    public static let zero = [UInt8](repeating: 0, count: 32)

    public static func rowText(row: Int, slot: Int64, requested: Int64?, lots: Int64, quote: Int64, fee: Int64, capped: Bool) -> String {
        "row=\(row) slot=\(slot) requested=\(requested.map(String.init) ?? "-") lots=\(lots) quote=\(quote) fee=\(fee) capped=\(capped ? 1 : 0)"
    }

    public static func shareText(row: Int, slot: Int64, amount: Int64) -> String { "share row=\(row) slot=\(slot) amount=\(amount)" }

    public static func sha256(_ bytes: some Sequence<UInt8>) -> [UInt8] { Array(Crypto.SHA256.hash(data: Array(bytes))) }

    public static func leaf(_ text: String, salt: [UInt8] = []) -> [UInt8] {
        var h = Crypto.SHA256()
        h.update(data: [0])
        h.update(data: salt)
        h.update(data: Array(text.utf8))
        return Array(h.finalize())
    }

    /// The salt of row `row` of the batch at ledger entry `seq` (of its profit-share payments when `share`):
    /// SHA-256(0x02 or 0x03 ‖ key ‖ seq ‖ row), integers as 8 bytes big-endian.
    public static func salt(key: [UInt8], seq: Int, row: Int, share: Bool = false) -> [UInt8] {
        var h = Crypto.SHA256()
        h.update(data: [share ? 3 : 2])
        h.update(data: key)
        withUnsafeBytes(of: Int64(seq).bigEndian) { h.update(bufferPointer: $0) }
        withUnsafeBytes(of: Int64(row).bigEndian) { h.update(bufferPointer: $0) }
        return Array(h.finalize())
    }

    public static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var h = Crypto.SHA256()
        h.update(data: [1])
        h.update(data: left)
        h.update(data: right)
        return Array(h.finalize())
    }

    /// The chain hash after `previous` for an entry whose text is `entryText`.
    public static func link(_ previous: [UInt8], _ entryText: String) -> [UInt8] {
        var h = Crypto.SHA256()
        h.update(data: previous)
        h.update(data: sha256(entryText.utf8))
        return Array(h.finalize())
    }

    /// The Merkle tree's levels over `leaves` (level 0 the leaves, the last the root alone).
    public static func levels(_ leaves: [[UInt8]]) -> [[[UInt8]]] {
        guard !leaves.isEmpty else { return [[zero]] }
        var levels = [leaves]
        while levels[levels.count - 1].count > 1 {
            let level = levels[levels.count - 1]
            var next: [[UInt8]] = []
            next.reserveCapacity((level.count + 1) / 2)
            var i = 0
            while i < level.count {
                next.append(i + 1 < level.count ? node(level[i], level[i + 1]) : level[i])
                i += 2
            }
            levels.append(next)
        }
        return levels
    }

    public static func root(_ levels: [[[UInt8]]]) -> [UInt8] { levels[levels.count - 1][0] }

    /// The sibling hashes from leaf `index` up to the root, each with the side it sits on.
    public static func path(_ levels: [[[UInt8]]], index: Int) -> [(left: Bool, hash: [UInt8])] {
        var out: [(Bool, [UInt8])] = []
        var i = index
        for level in levels.dropLast() {
            let sibling = i ^ 1
            if sibling < level.count { out.append((sibling < i, level[sibling])) }
            i /= 2
        }
        return out
    }

    /// Folds a leaf up a path to its root.
    public static func fold(_ leaf: [UInt8], _ path: [(left: Bool, hash: [UInt8])]) -> [UInt8] {
        path.reduce(leaf) { h, step in step.left ? node(step.hash, h) : node(h, step.hash) }
    }

    /// The Merkle levels of the rows and of the profit-share payments of the batch at ledger entry `seq`.
    public static func batchLevels(_ b: BatchRows, seq: Int, key: [UInt8]) -> (rows: [[[UInt8]]], shares: [[[UInt8]]]) {
        let rows = levels((0..<b.count).map { leaf(b.leafText($0), salt: salt(key: key, seq: seq, row: $0)) })
        let shares = levels(
            b.shareSlots.indices.map {
                leaf(
                    shareText(row: $0, slot: b.shareSlots[$0], amount: b.shareAmounts[$0]),
                    salt: salt(key: key, seq: seq, row: $0, share: true))
            })
        return (rows, shares)
    }

    /// The text an entry's chain hash covers; `levels` are the batch's (computed with `key` when nil).
    public static func entryText(_ record: LedgerRecord, key: [UInt8], levels: (rows: [[[UInt8]]], shares: [[[UInt8]]])? = nil)
        -> String
    {
        guard let b = record.batch else { return "\(record.kind) \(record.body)" }
        let (rows, shares) = levels ?? batchLevels(b, seq: record.seq, key: key)
        return "\(record.kind) \(record.body) requested=\(b.requestedLots.map(String.init) ?? "-") "
            + "feeRate=\(b.feeRate.map(String.init) ?? "-") executed=\(b.lots.reduce(0, +)) "
            + "quote=\(b.quote.reduce(0, +)) fee=\(b.fee.reduce(0, +)) rowsRoot=\(Hex.encode(root(rows))) sharesRoot=\(Hex.encode(root(shares)))"
    }
}

/// Where the chain is kept, beside the ledger (`ledger_chain`), and the ledger's rows it is computed from.
public protocol ReceiptStore: Sendable {
    /// The last chained entry's `seq` and hash, nil when none is chained yet.
    func chainTip() async throws -> (seq: Int, hash: [UInt8])?
    /// Ledger entries from `seq` on, in order, until about `maxRows` batch rows are read (at least one entry).
    func records(from seq: Int, maxRows: Int) async throws -> [LedgerRecord]
    /// Stores chain hashes (an existing one is replaced by the same value).
    func storeChain(_ hashes: [(seq: Int, hash: [UInt8])]) async throws
    /// The stored chain hashes of the entries from `seq` through `last`, by `seq` (an entry not chained yet is absent).
    func chainHashes(from seq: Int, through last: Int) async throws -> [Int: [UInt8]]
    /// The database's secret key of the rows' salts.
    func chainKey() async throws -> [UInt8]
}

extension ReceiptStore {
    /// The ledger entry at `seq`, nil when there is none.
    public func record(_ seq: Int) async throws -> LedgerRecord? {
        try await records(from: seq, maxRows: 1).first.flatMap { $0.seq == seq ? $0 : nil }
    }
}

/// The ledger skips an entry: the chain cannot go on.
public struct ChainGap: Error, CustomStringConvertible {
    public var missing: Int
    public var found: Int
    public var description: String { "ledger entry \(missing) is missing (the next stored is \(found))" }
}

/// Extends the stored chain over ledger entries not chained yet (a server runs it in the background and before a
/// receipt). Catch-ups take turns (an actor alone would interleave them at every await, each hashing the same
/// entries): one that waited finds the work done. A long catch-up hands the turn on after every round, so a receipt
/// waiting for an entry already chained is not kept behind it; one whose entry is chained does not wait at all.
public actor LedgerChainer {
    private let store: any ReceiptStore
    /// How many batch rows one read brings.
    private let rowsPerRead: Int
    private var busy = false
    private var key: [UInt8]?
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(store: any ReceiptStore, rowsPerRead: Int = 100_000) {
        self.store = store
        self.rowsPerRead = rowsPerRead
    }

    /// Waits for the turn (or takes it when free).
    private func takeTurn() async {
        if busy {
            await withCheckedContinuation { waiting.append($0) }  // handed the turn by the one before
        } else {
            busy = true
        }
    }

    /// Hands the turn to the first waiting, or frees it.
    private func passTurn() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }

    /// Chains every stored entry (or those up to `through`); returns how many were chained.
    @discardableResult
    public func catchUp(through target: Int? = nil) async throws -> Int {
        if let target, let tip = try await store.chainTip(), tip.seq >= target { return 0 }
        await takeTurn()
        defer { passTurn() }
        var chained = 0
        let key = try await self.key()
        var tip = try await store.chainTip()
        while true {
            try Task.checkCancellation()
            let next = (tip?.seq ?? -1) + 1
            if let target, next > target { return chained }
            let records = try await store.records(from: next, maxRows: rowsPerRead)
            guard !records.isEmpty else { return chained }
            var previous = tip?.hash ?? LedgerChain.zero
            var hashes: [(seq: Int, hash: [UInt8])] = []
            for (k, r) in records.enumerated() {
                guard r.seq == next + k else { throw ChainGap(missing: next + k, found: r.seq) }
                previous = LedgerChain.link(previous, LedgerChain.entryText(r, key: key))
                hashes.append((r.seq, previous))
            }
            try await store.storeChain(hashes)
            chained += hashes.count
            tip = hashes.last
            // Others waiting go first (each finds what this round chained), then this one goes on.
            if !waiting.isEmpty {
                passTurn()
                await takeTurn()
                tip = try await store.chainTip()
            }
        }
    }

    /// The store's salt key, read once.
    public func key() async throws -> [UInt8] {
        if let key { return key }
        let read = try await store.chainKey()
        key = read
        return read
    }

    /// What `verify` found: how many stored hashes it compared, and the first that differs and how many do.
    public struct Check: Sendable, Hashable {
        public var compared = 0
        public var firstMismatch: Int?
        public var mismatches = 0
    }

    /// Recomputes the chain from the ledger and compares it with the stored hashes (as far as they go). A changed
    /// entry makes its hash and every later one differ.
    public func verify() async throws -> Check {
        var check = Check()
        let key = try await self.key()
        var previous = LedgerChain.zero
        var next = 0
        while true {
            let records = try await store.records(from: next, maxRows: rowsPerRead)
            guard !records.isEmpty else { return check }
            let stored = try await store.chainHashes(from: records[0].seq, through: records[records.count - 1].seq)
            for r in records {
                previous = LedgerChain.link(previous, LedgerChain.entryText(r, key: key))
                guard let stored = stored[r.seq] else { return check }
                check.compared += 1
                if stored != previous {
                    if check.firstMismatch == nil { check.firstMismatch = r.seq }
                    check.mismatches += 1
                }
            }
            next = records[records.count - 1].seq + 1
        }
    }
}

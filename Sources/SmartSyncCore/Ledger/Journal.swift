/// An account that holds balances. Main accounts, lead portfolios and copy accounts are separate ledgers;
/// the venue is the settlement side of every trade and `fees` is the operator's fee account.
public enum AccountRef: Sendable, Hashable, CustomStringConvertible {
    case main(user: Int)
    case lead(Int)
    case copy(lead: Int, slot: Int)
    case fees
    case venue

    public var description: String {
        switch self {
        case .main(let u): return "main[\(u)]"
        case .lead(let l): return "lead[\(l)]"
        case .copy(let l, let s): return "copy[\(l).\(s)]"
        case .fees: return "fees"
        case .venue: return "venue"
        }
    }
}

/// One balanced change of balances. Every balance change in the engine is one of these; each case moves value
/// between accounts (or in from / out to the outside world for deposits and withdrawals) and sums to zero.
public enum JournalEntry: Sendable {
    /// Operator credits a user's main account from outside.
    case deposit(user: Int, amount: Fixed)
    /// Operator pays out from a user's main account.
    case withdrawal(user: Int, amount: Fixed)
    /// Moves an asset ("USDT" or a base asset) between two accounts.
    case transfer(asset: String, amount: Fixed, from: AccountRef, to: AccountRef)
    /// One account trades with the venue; the fee goes to the fee account.
    /// Boxed: its record is the largest case, and a follower's deposit and copy transfer, which stay, are smaller.
    indirect case trade(TradeRecord)
    /// The copy fills of one merged venue order, and the profit share they triggered.
    /// Boxed: a batch is large and rare next to transfers, and the journal stores entries inline.
    indirect case copyFills(CopyFillBatch)
}

/// An execution of a lead portfolio's or a main account's order.
public struct TradeRecord: Sendable, Hashable {
    public var account: AccountRef
    public var symbol: Int
    public var side: Side
    public var quantity: Fixed
    public var quote: Fixed
    public var fee: Fixed
    public var event: Int
    public var time: Int64
}

/// The copy fills allocated from one merged venue order (columns, one row per filled copy, slots ascending).
public struct CopyFillBatch: Sendable {
    public var lead: Int
    public var symbol: Int
    public var side: Side
    public var event: Int
    public var time: Int64
    /// The lead fill that caused it, nil for "buy existing assets" and liquidations.
    public var leadFillID: String?
    /// The price the lead got (the mark for buy-existing and liquidation orders).
    public var leadPrice: Fixed
    /// The merged order's average price: every copy in it gets this price.
    public var price: Fixed
    public var slots: [Int32] = []
    /// Quantities in lots of the symbol's qtyStep.
    public var lots: [Int64] = []
    public var quote: [Int64] = []
    public var fee: [Int64] = []
    public var cappedByCash: [Bool] = []
    /// Profit share paid to the lead's main account by copies whose sell realized profit.
    public var profitShareSlots: [Int32] = []
    public var profitShare: [Int64] = []
    /// The lots the merged order asked for in all: its copies' requests, rows that got nothing included (what the
    /// largest-remainder split of a partial execution divides by). Zero in batches from before receipts.
    public var requestedLots: Int64 = 0
    /// Each row's request in lots when the order executed in part; empty when it executed in full (every row got
    /// exactly its request: `lots`).
    public var requested: [Int64] = []
    /// The taker fee rate the fees were capped at (each copy's stand-alone fee); zero in batches from before receipts.
    public var feeRate: Fixed = .zero
    /// The lead's user index (receiver of profit share).
    public var leadUser: Int
    /// Rows and profit-share payments whose columns were released to the database (`Engine.releaseHistory()`):
    /// zero while the columns are in memory.
    public internal(set) var releasedRows = 0
    public internal(set) var releasedShares = 0

    /// Copy fills in the batch (in memory or released).
    public var count: Int { slots.count + releasedRows }

    /// The copy fill in row `k` (in memory), typed: the copy's slot, lots of the symbol's step, its quote and fee.
    /// Readers use this; the columns are what the fan-out fills and the stores write as they are.
    @inline(__always)
    public func fill(_ k: Int) -> (slot: Int, lots: Lots, quote: Fixed, fee: Fixed, cappedByCash: Bool) {
        (Int(slots[k]), Lots(lots[k]), Fixed(units: quote[k]), Fixed(units: fee[k]), cappedByCash[k])
    }
    /// Profit-share payments in the batch (in memory or released).
    public var profitShareCount: Int { profitShare.count + releasedShares }
    /// False once the rows live only in the database.
    public var hasRows: Bool { releasedRows == 0 && releasedShares == 0 }

    /// Drops the columns, keeping the header and the counts.
    mutating func releaseRows() {
        releasedRows += slots.count
        releasedShares += profitShare.count
        slots = []
        lots = []
        quote = []
        fee = []
        cappedByCash = []
        profitShareSlots = []
        profitShare = []
        requested = []
    }

    /// The profit share the copy in `slot` paid in this batch (payments are in slot order).
    public func profitShare(of slot: Int) -> Int64? {
        let s = Int32(slot)
        let k = profitShareSlots.firstIndex(notBefore: { $0 < s })
        return k < profitShareSlots.count && profitShareSlots[k] == s ? profitShare[k] : nil
    }

    /// Bytes held by the columns.
    public var byteCount: Int {
        4 * slots.capacity + 8 * (lots.capacity + quote.capacity + fee.capacity) + cappedByCash.capacity
            + 4 * profitShareSlots.capacity + 8 * profitShare.capacity + 8 * requested.capacity
    }

    /// Row `k`'s request in lots (its `lots` when the order executed in full).
    public func requested(_ k: Int) -> Int64 { requested.isEmpty ? lots[k] : requested[k] }

    /// Row of a slot, if that copy has a fill here.
    public func row(of slot: Int) -> Int? {
        var lo = 0
        var hi = slots.count
        let s = Int32(slot)
        while lo < hi {
            let mid = (lo + hi) / 2
            if slots[mid] < s { lo = mid + 1 } else { hi = mid }
        }
        return lo < slots.count && slots[lo] == s ? lo : nil
    }
}

/// The engine's append-only journal, stored in chunks (`ChunkedArray`) so that appending never copies what is
/// already there (a growing single array would move millions of entries inside a fan-out).
///
/// Entries are kept in a compact form (`StoredEntry`, 32 B): as `JournalEntry` values (72 B, the size of its largest
/// case) a follower's deposit and its copy's funding transfer cost 144 B a copy; stored they cost 64.
///
/// A server's engine releases what its store holds (`releaseEntries(before:)`): whole chunks of entries are freed,
/// copy-fill batches included (a copy's pages read their headers from the database with its rows: `CopyRows`), so
/// memory does not grow with the deposits, transfers and trades of the market's life. Reading a released
/// entry, or iterating a journal that released some, is a programming error: the whole journal is in the database's
/// ledger, and `audit` replays it from the command log.
public struct Journal: Sendable, Sequence {
    private var list = ChunkedArray<StoredEntry>(chunkSize: Self.chunkSize)
    /// Entries before this position are released (a multiple of `chunkSize`).
    public private(set) var releasedThrough = 0
    public var count: Int { list.count }
    public static let chunkSize = 4096

    public init() {}

    mutating func append(_ entry: JournalEntry) { list.append(StoredEntry(entry)) }

    mutating func reserveCapacity(_ n: Int) { list.reserveCapacity(n) }

    /// True while every entry is in memory (nothing released).
    public var isComplete: Bool { releasedThrough == 0 }

    public subscript(index: Int) -> JournalEntry {
        precondition(index >= releasedThrough, "journal entry \(index) was released to the database")
        return list[index].entry
    }

    public var last: JournalEntry? { count == 0 ? nil : self[count - 1] }

    /// Whether the entry at `index` (below `count`) is in memory (not released).
    public func holdsEntry(at index: Int) -> Bool { index >= releasedThrough }

    /// Releases the copy-fill rows of the batches at positions `from` and later (see `CopyFillBatch.releaseRows`).
    mutating func releaseCopyFillRows(from start: Int) {
        guard start < count else { return }
        for k in Swift.max(start, releasedThrough)..<count {
            guard case .copyFills(var b) = list[k].entry, b.hasRows, b.count > 0 else { continue }
            b.releaseRows()
            list[k] = StoredEntry(.copyFills(b))
        }
    }

    /// Frees every whole chunk of entries before `position` but the one holding the last entry. Call it only once
    /// those entries are committed to a store.
    mutating func releaseEntries(before position: Int) {
        let end = Swift.min(position, count - 1) / Self.chunkSize * Self.chunkSize
        while releasedThrough < end {
            list.releaseChunk(releasedThrough / Self.chunkSize)
            releasedThrough += Self.chunkSize
        }
    }

    /// Starts an empty journal with `through` entries released (a snapshot read back).
    mutating func startReleased(through: Int) throws(SnapshotError) {
        guard count == 0, through >= 0, through % Self.chunkSize == 0 else {
            throw SnapshotError("the journal's released part ends at \(through), not at a whole chunk of \(Self.chunkSize)")
        }
        list.startReleased(chunks: through / Self.chunkSize)
        releasedThrough = through
    }

    /// The entries from `start` on (all of them in memory).
    func entries(from start: Int) -> LazyMapSequence<Range<Int>, JournalEntry> {
        precondition(start >= releasedThrough, "journal entries before \(releasedThrough) were released to the database")
        return (start..<count).lazy.map { list[$0].entry }
    }

    /// The entries still in memory, in order, with their positions.
    public var entriesInMemory: [(position: Int, entry: JournalEntry)] { (releasedThrough..<count).map { ($0, list[$0].entry) } }

    /// All entries as one array (a copy: for tests and small journals).
    public var entries: [JournalEntry] { Array(self) }

    /// Every entry in order; only while the journal `isComplete`.
    public func makeIterator() -> LazyMapSequence<FlattenSequence<[[StoredEntry]]>, JournalEntry>.Iterator {
        precondition(isComplete, "the journal released entries to the database: read them from its ledger")
        return list.flattened.lazy.map(\.entry).makeIterator()
    }
}

/// A journal entry as the journal keeps it. The common small entries (a deposit, a withdrawal, a USDT transfer
/// between accounts whose numbers fit) are held inline in 24 bytes; anything else is boxed whole.
public enum StoredEntry: Sendable {
    case deposit(user: Int32, units: Int64)
    case withdrawal(user: Int32, units: Int64)
    /// A USDT transfer.
    case quoteTransfer(units: Int64, from: PackedAccount, to: PackedAccount)
    case other(Boxed)

    /// An entry that has no compact form.
    public final class Boxed: Sendable {
        let entry: JournalEntry
        init(_ entry: JournalEntry) { self.entry = entry }
    }

    init(_ entry: JournalEntry) {
        switch entry {
        case .deposit(let user, let amount) where Int32(exactly: user) != nil:
            self = .deposit(user: Int32(user), units: amount.units)
        case .withdrawal(let user, let amount) where Int32(exactly: user) != nil:
            self = .withdrawal(user: Int32(user), units: amount.units)
        case .transfer(let asset, let amount, let from, let to) where asset == Symbol.quoteAsset:
            if let f = PackedAccount(from), let t = PackedAccount(to) {
                self = .quoteTransfer(units: amount.units, from: f, to: t)
            } else {
                self = .other(Boxed(entry))
            }
        default:
            self = .other(Boxed(entry))
        }
    }

    /// The entry it holds.
    var entry: JournalEntry {
        switch self {
        case .deposit(let user, let units): .deposit(user: Int(user), amount: Fixed(units: units))
        case .withdrawal(let user, let units): .withdrawal(user: Int(user), amount: Fixed(units: units))
        case .quoteTransfer(let units, let from, let to):
            .transfer(asset: Symbol.quoteAsset, amount: Fixed(units: units), from: from.account, to: to.account)
        case .other(let boxed): boxed.entry
        }
    }
}

/// An `AccountRef` in 8 bytes: its kind in the top 3 bits; a copy's lead in the next 29 and its slot in the low 32.
public struct PackedAccount: Sendable, Hashable {
    let bits: UInt64

    private static let kindShift: UInt64 = 61
    private static let payload: UInt64 = (1 << 61) - 1

    /// Nil when a number does not fit (the entry is then boxed).
    init?(_ account: AccountRef) {
        func fits(_ n: Int, bits: Int) -> UInt64? { n >= 0 && n < 1 << bits ? UInt64(n) : nil }
        switch account {
        case .main(let user):
            guard let u = fits(user, bits: 61) else { return nil }
            bits = 0 << Self.kindShift | u
        case .lead(let l):
            guard let v = fits(l, bits: 61) else { return nil }
            bits = 1 << Self.kindShift | v
        case .copy(let l, let slot):
            guard let v = fits(l, bits: 29), let s = fits(slot, bits: 32) else { return nil }
            bits = 2 << Self.kindShift | v << 32 | s
        case .fees: bits = 3 << Self.kindShift
        case .venue: bits = 4 << Self.kindShift
        }
    }

    var account: AccountRef {
        let value = bits & Self.payload
        switch bits >> Self.kindShift {
        case 0: return .main(user: Int(value))
        case 1: return .lead(Int(value))
        case 2: return .copy(lead: Int(value >> 32), slot: Int(value & 0xFFFF_FFFF))
        case 3: return .fees
        default: return .venue
        }
    }
}

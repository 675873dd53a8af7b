/// The engine's whole state as bytes, and back: what a snapshot stores so that opening a database replays only the
/// commands after it.
///
/// The format is ours, written field by field (no reflection), little-endian, and canonical: maps are written in
/// key order, so the same state always gives the same bytes, which is how `audit` proves a snapshot equals the
/// replay at its position. Indexes the state implies (user and copy look-ups, symbol names) are rebuilt on reading.
/// A change to what is written bumps `Engine.snapshotFormat`; a reader refuses a format it does not know.
extension Engine {
    /// The version of the bytes `snapshotBytes()` writes.
    public static let snapshotFormat: UInt32 = 12

    /// The state as bytes (without the fan-out's work buffers, which carry no state between commands).
    public func snapshotBytes() -> [UInt8] {
        var all: [UInt8] = []
        writeSnapshot(chunkBytes: .max) { all += $0 }
        return all
    }

    /// The same bytes handed to `sink` in pieces of about `chunkBytes`, in order, so that a large state is written
    /// out without a second copy of it in memory.
    public func writeSnapshot(chunkBytes: Int = 8 << 20, to sink: ([UInt8]) -> Void) {
        withoutActuallyEscaping(sink) { sink in
            var w = SnapshotWriter(chunkBytes: chunkBytes, sink: sink)
            write(&w)
            w.flush()
        }
    }

    private func write(_ w: inout SnapshotWriter) {
        w.settings(settings)
        w.venue(venue)
        w.array(users) { $0.user($1) }
        w.array(leads) { $0.lead($1) }
        // Format 8: the journal's length and where its released part ends, then the entries after it.
        w.int(journal.count)
        w.int(journal.releasedThrough)
        for entry in journal.entries(from: journal.releasedThrough) {
            w.entry(entry)
            if w.bytes.count >= w.chunkBytes { w.flush() }
        }
        w.array(leadFills) { $0.leadFill($1) }
        w.int(leadFillsReleased)  // format 9
        w.ints(leadFillCounts)
        w.array(failedOrders) { $0.failedOrder($1) }
        w.array(restingOrders) { $0.restingOrder($1) }
        w.array(priceHistory) { $0.pricePoint($1) }
        w.int(priceHistoryReleased)  // format 10
        w.ints(curveReleased)
        w.fixed(feesCollected)
        w.fixedMap(venueBalances)
        w.fixed(totalDeposits)
        w.fixed(totalWithdrawals)
        w.array(copyOrder) { $0.copyRef($1) }
        w.array(appliedFillIDs.sorted()) { $0.string($1) }
        w.array(copyFillBatches) { $0.ints($1) }
        w.array(copyFillBatchEvents) { $0.i32s($1) }
        w.array(failuresByLead) { $0.ints($1) }
        w.int(nextOrderNumber)
        w.int(moments.count)  // the bytes of an array of moments
        for m in moments {
            w.moment(m)
            if w.bytes.count >= w.chunkBytes { w.flush() }
        }
        w.array(copyEvents) { $0.copyEvent($1) }
        w.array(orders) { $0.placedOrder($1) }
        w.array(failureEvents) { $0.ints($1) }
        w.int(historyReleasedThrough)
        w.int(failedOrdersReleased)
        w.bool(historyReleased)
        w.venueBook(venueBook)  // format 3; 4 added the execution modes, 5 the order id prefix
    }

    /// Reads what `snapshotBytes()` wrote; throws on bytes that are cut short or do not make sense.
    public init(snapshot bytes: [UInt8]) throws(SnapshotError) { try self.init(snapshot: bytes[...]) }

    /// Reads the state from a part of a larger buffer (a snapshot file after its header), without copying it.
    public init(snapshot bytes: ArraySlice<UInt8>) throws(SnapshotError) {
        do {
            self = try Self.read(snapshot: bytes)
        } catch let error as SnapshotError {
            throw error
        } catch {
            throw SnapshotError("\(error)")
        }
    }

    private static func read(snapshot bytes: ArraySlice<UInt8>) throws -> Engine {
        var r = SnapshotReader(bytes)
        var engine = Engine(settings: try r.settings())
        try engine.read(&r)
        return engine
    }

    private mutating func read(_ r: inout SnapshotReader) throws {
        venue = try r.venue()
        users = try r.array { r in try r.user() }
        leads = try r.array { r in try r.lead() }
        let entries = try r.int()
        let releasedThrough = try r.int()
        // A journal never releases the chunk of its last entry; released chunks cost a pointer each on reading, so
        // their number is bounded by the bytes left as well.
        guard releasedThrough >= 0, entries >= releasedThrough, entries - releasedThrough <= r.remaining,
            releasedThrough == 0 || entries > releasedThrough, releasedThrough / Journal.chunkSize <= r.remaining
        else {
            throw SnapshotError("a journal of \(entries) entries, \(releasedThrough) released, does not fit the bytes left")
        }
        try journal.startReleased(through: releasedThrough)
        journal.reserveCapacity(entries)
        for _ in releasedThrough..<entries { journal.append(try r.entry()) }
        leadFills = try r.array { r in try r.leadFill() }
        leadFillsReleased = try r.int()
        leadFillCounts = try r.ints()
        // Checked without trapping on a corrupt snapshot's counts (no sum may overflow).
        var counted = 0
        var countsFit = leadFillsReleased >= 0 && leadFillCounts.count <= leads.count
        for c in leadFillCounts where countsFit {
            let (sum, overflow) = counted.addingReportingOverflow(c)
            countsFit = c >= 0 && !overflow
            counted = sum
        }
        let (total, overflow) = leadFillsReleased.addingReportingOverflow(leadFills.count)
        guard countsFit, !overflow, counted == total,
            leadFills.allSatisfy({ leads.indices.contains($0.lead) && $0.lead < leadFillCounts.count })
        else { throw SnapshotError("the lead fill counts do not add up to the lead fills") }
        failedOrders = try r.array { r in try r.failedOrder() }
        restingOrders = try r.array { r in try r.restingOrder() }
        priceHistory = try r.array { r in try r.pricePoint() }
        priceHistoryReleased = try r.int()
        curveReleased = try r.ints()
        // Bounded so that no count built on them can overflow.
        let bound = Int(Int32.max) * 1_024
        guard priceHistoryReleased >= 0, priceHistoryReleased <= bound, curveReleased.count <= leads.count,
            curveReleased.allSatisfy({ $0 >= 0 && $0 <= bound })
        else {
            throw SnapshotError("the released prices and curve points do not fit the leads")
        }
        feesCollected = try r.fixed()
        venueBalances = try r.fixedMap()
        totalDeposits = try r.fixed()
        totalWithdrawals = try r.fixed()
        copyOrder = try r.array { r in try r.copyRef() }
        appliedFillIDs = Set(try r.array { r in try r.string() })
        copyFillBatches = try r.array { r in try r.ints() }
        copyFillBatchEvents = try r.array { r in try r.i32s() }
        guard copyFillBatchEvents.map(\.count) == copyFillBatches.map(\.count) else {
            throw SnapshotError("the copy-fill batches' events do not match their positions")
        }
        for (l, positions) in copyFillBatches.enumerated() {
            var previous = (position: -1, event: Int32.min)
            for (position, event) in zip(positions, copyFillBatchEvents[l]) {
                guard position > previous.position, event >= previous.event, position < journal.count else {
                    throw SnapshotError("lead \(l)'s copy fills at journal entry \(position) are out of order or range")
                }
                previous = (position, event)
                // Those still in memory are checked against their entries.
                guard journal.holdsEntry(at: position) else { continue }
                guard case .copyFills(let b) = journal[position], b.lead == l, b.event == Int(event) else {
                    throw SnapshotError("lead \(l)'s copy fills at journal entry \(position) are not there")
                }
            }
        }
        failuresByLead = try r.array { r in try r.ints() }
        nextOrderNumber = try r.int()
        moments = MomentLog()
        for _ in 0..<(try r.count()) { moments.append(try r.moment()) }
        copyEvents = try r.array { r in try r.copyEvent() }
        var previous = 0
        for e in copyEvents {
            guard e.journalCount >= Swift.max(previous, 1), e.journalCount <= journal.count else {
                throw SnapshotError("a copy event's journal position \(e.journalCount) is out of order or range")
            }
            previous = e.journalCount
        }
        orders = try r.array { r in try r.placedOrder() }
        failureEvents = try r.array { r in try r.ints() }
        historyReleasedThrough = try r.int()
        failedOrdersReleased = try r.int()
        historyReleased = try r.bool()
        venueBook = try r.venueBook()
        guard r.isAtEnd else { throw SnapshotError("\(r.remaining) bytes after the end of the state") }
        // Look-ups the state implies.
        reserveIndexes(users: users.count, copies: copyOrder.count)
        for u in users.indices {
            guard user(named: users[u].id) == nil else { throw SnapshotError("user id \"\(users[u].id)\" is not unique") }
            indexUser(u)
        }
        // The copies the venue book still acts on (open merged orders' requests, stops pending) are running copies of
        // their lead, in memory: their rows are what allocation and settlement index.
        func running(_ l: Int, _ slot: Int) -> Bool {
            l >= 0 && l < leads.count && slot >= 0 && slot < leads[l].book.count && leads[l].book.isInMemory(slot)
        }
        for record in venueBook.open {
            guard case .copies(let l) = record.owner, let requests = record.copies else { continue }
            guard requests.slots.allSatisfy({ running(l, Int($0)) }) else {
                throw SnapshotError("open merged order \(record.clientOrderID) lists a copy that is not running")
            }
        }
        for (l, stops) in venueBook.stopping where !stops.allSatisfy({ $0.slots.allSatisfy { running(l, $0) } }) {
            throw SnapshotError("lead \(l) has a pending stop of a copy that is not there")
        }
        // Every copy's follower is a user (those in memory and those released).
        for lead in leads where !(lead.book.users + lead.book.releasedUsers).allSatisfy({ $0 >= 0 && Int($0) < users.count }) {
            throw SnapshotError("a copy of lead user \(lead.user) follows with no such user")
        }
        // Every copy of every book, each once, in `copyOrder`.
        guard copyOrder.count == leads.reduce(0, { $0 + $1.book.count }) else {
            throw SnapshotError("the copy order does not list every copy")
        }
        for p in copyOrder.indices {
            let ref = copyOrder[p]
            guard ref.lead < leads.count, ref.slot < leads[ref.lead].book.count else {
                throw SnapshotError("the copy order lists a copy that is not there (lead \(ref.lead), slot \(ref.slot))")
            }
            let id = leads[ref.lead].book.id(ref.slot)
            guard copy(named: id) == nil else { throw SnapshotError("copy id \"\(id)\" is not unique") }
            indexCopy(position: p)
        }
    }

    /// The names of the engine's stored fields the snapshot accounts for (written, rebuilt or deliberately left
    /// out): a test compares them with the engine's fields, so a new field cannot be forgotten.
    public static let snapshotFields: Set<String> = [
        "settings", "venue", "users", "leads", "journal", "leadFills", "leadFillsReleased", "leadFillCounts", "priceHistoryReleased",
        "curveReleased", "failedOrders",
        "restingOrders", "priceHistory",
        "feesCollected", "venueBalances", "totalDeposits", "totalWithdrawals", "userIndex", "copyIndex", "copyOrder",
        "appliedFillIDs", "workspace", "copyFillBatches", "copyFillBatchEvents", "failuresByLead", "nextOrderNumber", "moments",
        "copyEvents",
        "orders", "scratch", "failureEvents", "historyReleasedThrough", "failedOrdersReleased", "historyReleased",
        "venueBook",
    ]
}

/// Bytes that are not a snapshot this build can read.
public struct SnapshotError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

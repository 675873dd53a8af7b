/// The engine's whole state as bytes, and back: what a snapshot stores so that opening a database replays only the
/// commands after it.
///
/// The format is ours, written field by field (no reflection), little-endian, and canonical: maps are written in
/// key order, so the same state always gives the same bytes, which is how `audit` proves a snapshot equals the
/// replay at its position. Indexes the state implies (user and copy look-ups, symbol names) are rebuilt on reading.
/// A change to what is written bumps `Engine.snapshotFormat`; a reader refuses a format it does not know.
extension Engine {
    /// The version of the bytes `snapshotBytes()` writes.
    public static let snapshotFormat: UInt32 = 1

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
        w.int(journal.count)
        for entry in journal {
            w.entry(entry)
            if w.bytes.count >= w.chunkBytes { w.flush() }
        }
        w.array(leadFills) { $0.leadFill($1) }
        w.array(failedOrders) { $0.failedOrder($1) }
        w.array(restingOrders) { $0.restingOrder($1) }
        w.array(priceHistory) { $0.pricePoint($1) }
        w.fixed(feesCollected)
        w.fixedMap(venueBalances)
        w.fixed(totalDeposits)
        w.fixed(totalWithdrawals)
        w.array(copyOrder) { $0.copyRef($1) }
        w.array(appliedFillIDs.sorted()) { $0.string($1) }
        w.array(copyFillBatches) { $0.ints($1) }
        w.array(failuresByLead) { $0.ints($1) }
        w.int(nextOrderNumber)
        w.array(moments) { $0.moment($1) }
        w.array(copyEvents) { $0.copyEvent($1) }
        w.array(orders) { $0.placedOrder($1) }
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
        let entries = try r.count()
        journal.reserveCapacity(entries)
        for _ in 0..<entries { journal.append(try r.entry()) }
        leadFills = try r.array { r in try r.leadFill() }
        failedOrders = try r.array { r in try r.failedOrder() }
        restingOrders = try r.array { r in try r.restingOrder() }
        priceHistory = try r.array { r in try r.pricePoint() }
        feesCollected = try r.fixed()
        venueBalances = try r.fixedMap()
        totalDeposits = try r.fixed()
        totalWithdrawals = try r.fixed()
        copyOrder = try r.array { r in try r.copyRef() }
        appliedFillIDs = Set(try r.array { r in try r.string() })
        copyFillBatches = try r.array { r in try r.ints() }
        failuresByLead = try r.array { r in try r.ints() }
        nextOrderNumber = try r.int()
        moments = try r.array { r in try r.moment() }
        copyEvents = try r.array { r in try r.copyEvent() }
        orders = try r.array { r in try r.placedOrder() }
        guard r.isAtEnd else { throw SnapshotError("\(r.remaining) bytes after the end of the state") }
        // Look-ups the state implies.
        for (u, user) in users.enumerated() { userIndex[user.id] = u }
        for l in leads.indices {
            for (slot, id) in leads[l].book.ids.enumerated() { copyIndex[id] = CopyRef(lead: l, slot: slot) }
        }
        guard userIndex.count == users.count, copyIndex.count == copyOrder.count else {
            throw SnapshotError("user or copy ids are not unique")
        }
    }

    /// The names of the engine's stored fields the snapshot accounts for (written, rebuilt or deliberately left
    /// out): a test compares them with the engine's fields, so a new field cannot be forgotten.
    public static let snapshotFields: Set<String> = [
        "settings", "venue", "users", "leads", "journal", "leadFills", "failedOrders", "restingOrders", "priceHistory",
        "feesCollected", "venueBalances", "totalDeposits", "totalWithdrawals", "userIndex", "copyIndex", "copyOrder",
        "appliedFillIDs", "workspace", "copyFillBatches", "failuresByLead", "nextOrderNumber", "moments", "copyEvents",
        "orders", "scratch",
    ]
}

/// Bytes that are not a snapshot this build can read.
public struct SnapshotError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Appends values as little-endian bytes, handing them to `sink` every `chunkBytes`.
struct SnapshotWriter {
    var bytes: [UInt8] = []
    let chunkBytes: Int
    let sink: ([UInt8]) -> Void

    init(chunkBytes: Int, sink: @escaping ([UInt8]) -> Void) {
        self.chunkBytes = chunkBytes
        self.sink = sink
    }

    mutating func flush() {
        guard !bytes.isEmpty else { return }
        sink(bytes)
        bytes.removeAll(keepingCapacity: true)
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    mutating func i64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i32(_ v: Int32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func int(_ v: Int) { i64(Int64(v)) }
    mutating func fixed(_ v: Fixed) { i64(v.units) }
    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            int(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }
    mutating func raw<E: RawRepresentable>(_ e: E) where E.RawValue == String { string(e.rawValue) }

    mutating func optional<T>(_ v: T?, _ body: (inout SnapshotWriter, T) -> Void) {
        bool(v != nil)
        if let v { body(&self, v) }
    }

    mutating func array<T>(_ a: [T], _ body: (inout SnapshotWriter, T) -> Void) {
        int(a.count)
        for e in a {
            body(&self, e)
            if bytes.count >= chunkBytes { flush() }
        }
    }

    /// A column of integers in one copy (the copy book's hot columns are millions long).
    mutating func i64s(_ a: [Int64]) {
        int(a.count)
        #if _endian(little)
        a.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in a { i64(v) }
        #endif
        if bytes.count >= chunkBytes { flush() }
    }

    mutating func i32s(_ a: [Int32]) {
        int(a.count)
        #if _endian(little)
        a.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in a { i32(v) }
        #endif
    }

    mutating func ints(_ a: [Int]) { i64s(a.map { Int64($0) }) }
    mutating func bools(_ a: [Bool]) {
        int(a.count)
        for v in a { bool(v) }
    }

    mutating func fixedMap(_ m: [String: Fixed]) {
        int(m.count)
        for key in m.keys.sorted() {
            string(key)
            fixed(m[key]!)
        }
    }

    // MARK: Domain types

    mutating func settings(_ s: Settings) {
        fixed(s.takerFeeRate)
        fixed(s.minInvestment)
        fixed(s.slippageLimit)
        int(s.maxActiveCopiesPerFollower)
        int(s.defaultFollowerLimit)
        fixed(s.maxProfitShareRate)
        fixed(s.defaultProfitShareRate)
    }

    mutating func venue(_ v: SimulatedVenue) {
        fixed(v.takerFeeRate)
        int(v.symbols.count)
        for s in v.symbols.indices {
            let symbol = v.symbols[s]
            string(symbol.name)
            fixed(symbol.qtyStep)
            fixed(symbol.priceTick)
            fixed(symbol.minQty)
            fixed(symbol.minNotional)
            fixed(v.marks[s])
            optional(v.books[s]) { w, b in
                w.fixed(b.halfSpread)
                w.fixed(b.levelGap)
                w.fixed(b.levelQuantity)
                w.int(b.levels)
            }
        }
    }

    mutating func position(_ p: Position) {
        fixed(p.quantity)
        fixed(p.cost)
        fixed(p.realizedPnl)
        fixed(p.roundTripPnl)
    }

    mutating func positions(_ m: [Int: Position]) {
        int(m.count)
        for key in m.keys.sorted() {
            int(key)
            position(m[key]!)
        }
    }

    mutating func copyRef(_ c: CopyRef) {
        int(c.lead)
        int(c.slot)
    }

    mutating func user(_ u: User) {
        string(u.id)
        fixed(u.cash)
        fixedMap(u.assets)
        positions(u.positions)
        optional(u.lead) { $0.int($1) }
        array(u.copies) { $0.copyRef($1) }
    }

    mutating func threshold(_ t: Threshold?) {
        switch t {
        case nil: u8(0)
        case .amount(let a):
            u8(1)
            fixed(a)
        case .ratio(let r):
            u8(2)
            fixed(r)
        }
    }

    mutating func book(_ b: CopyBook) {
        array(b.ids) { $0.string($1) }
        i32s(b.users)
        array(b.status) { $0.u8($1.rawValue) }
        array(b.mode) { $0.raw($1) }
        i64s(b.amountPerOrder)
        i64s(b.cash)
        i64s(b.totalIn)
        i64s(b.totalOut)
        i64s(b.realizedPnl)
        i64s(b.feesPaid)
        i64s(b.profitSharePaid)
        array(b.stopLoss) { $0.threshold($1) }
        array(b.takeProfit) { $0.threshold($1) }
        array(b.stopReason) { w, r in w.optional(r) { $0.raw($1) } }
        i32s(b.startedEvent)
        i64s(b.units)
        i64s(b.leadNavAtStart)
        i32s(b.stoppedEvent)
        i64s(b.navAtStop)
        i64s(b.leadNavAtStop)
        array(b.extra) { $0.i64s($1) }
        array(b.sizingExtra) { $0.i64s($1) }
        for column in [b.epochFees, b.epochShare, b.epochPrice, b.epochMissed, b.epochSizing] { i64s(column) }
        for column in [b.ratioFees, b.ratioShare, b.ratioPrice, b.ratioMissed, b.ratioSizing] { i64s(column) }
        i64s(b.leadFeeDragAtStart)
        int(b.withThresholds)
        ints(b.holdingSymbols)
        array(b.lots) { $0.i64s($1) }
        array(b.cost) { $0.i64s($1) }
        int(b.activeCount)
    }

    mutating func equityPoint(_ p: EquityPoint) {
        i64(p.time)
        int(p.event)
        fixed(p.equity)
        fixed(p.nav)
        fixed(p.netFunding)
        int(p.journalCount)
        int(p.priceCount)
    }

    mutating func lead(_ l: Lead) {
        int(l.user)
        raw(l.status)
        fixed(l.cash)
        positions(l.positions)
        fixed(l.profitShareRate)
        fixed(l.slippageLimit)
        int(l.followerLimit)
        book(l.book)
        fixed(l.feesPaid)
        int(l.closedRoundTrips)
        int(l.wonRoundTrips)
        fixed(l.profitShareEarned)
        int(l.startedEvent)
        fixed(l.netFunding)
        fixed(l.units)
        fixed(l.peakNav)
        fixed(l.lastNav)
        fixed(l.maxDrawdown)
        i64(l.feeDrag)
        optional(l.navAtStop) { $0.fixed($1) }
        optional(l.equityAtStop) { $0.fixed($1) }
        array(l.curve) { $0.equityPoint($1) }
    }

    mutating func account(_ a: AccountRef) {
        switch a {
        case .main(let u):
            u8(0)
            int(u)
        case .lead(let l):
            u8(1)
            int(l)
        case .copy(let l, let s):
            u8(2)
            int(l)
            int(s)
        case .fees: u8(3)
        case .venue: u8(4)
        }
    }

    mutating func trade(_ t: TradeRecord) {
        account(t.account)
        int(t.symbol)
        raw(t.side)
        fixed(t.quantity)
        fixed(t.quote)
        fixed(t.fee)
        int(t.event)
        i64(t.time)
    }

    mutating func entry(_ e: JournalEntry) {
        switch e {
        case .deposit(let u, let amount):
            u8(0)
            int(u)
            fixed(amount)
        case .withdrawal(let u, let amount):
            u8(1)
            int(u)
            fixed(amount)
        case .transfer(let asset, let amount, let from, let to):
            u8(2)
            string(asset)
            fixed(amount)
            account(from)
            account(to)
        case .trade(let t):
            u8(3)
            trade(t)
        case .copyFills(let b):
            u8(4)
            int(b.lead)
            int(b.symbol)
            raw(b.side)
            int(b.event)
            i64(b.time)
            optional(b.leadFillID) { $0.string($1) }
            fixed(b.leadPrice)
            fixed(b.price)
            i32s(b.slots)
            i64s(b.lots)
            i64s(b.quote)
            i64s(b.fee)
            bools(b.cappedByCash)
            i32s(b.profitShareSlots)
            i64s(b.profitShare)
            int(b.leadUser)
        }
    }

    mutating func leadFill(_ f: LeadFill) {
        string(f.id)
        int(f.lead)
        int(f.symbol)
        raw(f.side)
        fixed(f.quantity)
        fixed(f.quote)
        fixed(f.fee)
        fixed(f.price)
        int(f.event)
        i64(f.time)
    }

    mutating func failedOrder(_ f: FailedCopyOrder) {
        i32(f.lead)
        i32(f.slot)
        i32(f.event)
        i32(f.symbol)
        raw(f.side)
        raw(f.reason)
        fixed(f.notional)
    }

    mutating func restingOrder(_ o: RestingOrder) {
        int(o.id)
        int(o.user)
        raw(o.account)
        int(o.symbol)
        raw(o.side)
        fixed(o.limitPrice)
        fixed(o.remaining)
        int(o.event)
    }

    mutating func pricePoint(_ p: PricePoint) {
        int(p.event)
        int(p.symbol)
        fixed(p.price)
    }

    mutating func moment(_ m: Moment) {
        int(m.event)
        i64(m.time)
    }

    mutating func copyEvent(_ e: CopyEvent) {
        copyRef(e.copy)
        int(e.event)
        i64(e.time)
        switch e.kind {
        case .startedWith(let sl, let tp):
            u8(0)
            threshold(sl)
            threshold(tp)
        case .investmentAdded(let a):
            u8(1)
            fixed(a)
        case .investmentRemoved(let a):
            u8(2)
            fixed(a)
        case .stopLossSet(let t):
            u8(3)
            threshold(t)
        case .takeProfitSet(let t):
            u8(4)
            threshold(t)
        }
        fixed(e.unitsAfter)
        fixed(e.netInvestedAfter)
    }

    mutating func placedOrder(_ o: PlacedOrder) {
        int(o.id)
        int(o.user)
        raw(o.account)
        int(o.symbol)
        raw(o.side)
        raw(o.kind)
        optional(o.quantity) { $0.fixed($1) }
        optional(o.quoteAmount) { $0.fixed($1) }
        optional(o.limitPrice) { $0.fixed($1) }
        int(o.event)
        i64(o.time)
        raw(o.status)
        fixed(o.filledQuantity)
        fixed(o.filledQuote)
        fixed(o.fees)
        array(o.fills) { $0.trade($1) }
        array(o.leadFillIDs) { $0.string($1) }
        int(o.copyFills)
        int(o.failedCopyOrders)
        optional(o.cancelReason) { $0.string($1) }
    }
}

/// Reads what `SnapshotWriter` wrote, checking every length against what is left.
struct SnapshotReader {
    let bytes: ArraySlice<UInt8>
    var offset: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        offset = bytes.startIndex
    }

    var isAtEnd: Bool { offset == bytes.endIndex }
    var remaining: Int { bytes.endIndex - offset }

    mutating func take(_ n: Int) throws -> Range<Int> {
        guard n >= 0, n <= remaining else { throw SnapshotError("cut short at byte \(offset) (\(n) more wanted, \(remaining) left)") }
        defer { offset += n }
        return offset..<(offset + n)
    }

    mutating func u8() throws -> UInt8 { bytes[try take(1).lowerBound] }
    mutating func bool() throws -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        case let v: throw SnapshotError("\(v) is not a boolean at byte \(offset - 1)")
        }
    }

    mutating func i64() throws -> Int64 {
        let r = try take(8)
        var v: Int64 = 0
        for k in r.reversed() { v = v << 8 | Int64(bytes[k]) }
        return v
    }

    mutating func i32() throws -> Int32 {
        let r = try take(4)
        var v: UInt32 = 0
        for k in r.reversed() { v = v << 8 | UInt32(bytes[k]) }
        return Int32(bitPattern: v)
    }

    mutating func int() throws -> Int { Int(try i64()) }
    mutating func fixed() throws -> Fixed { Fixed(units: try i64()) }

    /// A count of elements of at least `size` bytes each (so a corrupt count cannot ask for more than is left).
    mutating func count(elementSize size: Int = 1) throws -> Int {
        let n = try int()
        guard n >= 0, n <= remaining / max(size, 1) else { throw SnapshotError("a count of \(n) at byte \(offset - 8) exceeds the bytes left") }
        return n
    }

    mutating func string() throws -> String {
        let r = try take(try count())
        return String(decoding: bytes[r], as: UTF8.self)
    }

    mutating func raw<E: RawRepresentable>() throws -> E where E.RawValue == String {
        let text = try string()
        guard let e = E(rawValue: text) else { throw SnapshotError("\"\(text)\" is not a \(E.self)") }
        return e
    }

    mutating func optional<T>(_ body: (inout SnapshotReader) throws -> T) throws -> T? {
        try bool() ? try body(&self) : nil
    }

    mutating func array<T>(_ body: (inout SnapshotReader) throws -> T) throws -> [T] {
        let n = try count()
        var a: [T] = []
        a.reserveCapacity(n)
        for _ in 0..<n { a.append(try body(&self)) }
        return a
    }

    mutating func i64s() throws -> [Int64] {
        let n = try count(elementSize: 8)
        let r = try take(8 * n)
        return [Int64](unsafeUninitializedCapacity: n) { buffer, initialized in
            bytes[r].withUnsafeBytes { raw in
                for k in 0..<n { buffer[k] = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * k, as: Int64.self)) }
            }
            initialized = n
        }
    }

    mutating func i32s() throws -> [Int32] {
        let n = try count(elementSize: 4)
        let r = try take(4 * n)
        return [Int32](unsafeUninitializedCapacity: n) { buffer, initialized in
            bytes[r].withUnsafeBytes { raw in
                for k in 0..<n { buffer[k] = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * k, as: Int32.self)) }
            }
            initialized = n
        }
    }

    mutating func ints() throws -> [Int] { try i64s().map { Int($0) } }
    mutating func bools() throws -> [Bool] { try array { r in try r.bool() } }

    mutating func fixedMap() throws -> [String: Fixed] {
        let n = try count()
        var m: [String: Fixed] = [:]
        for _ in 0..<n { m[try string()] = try fixed() }
        return m
    }

    // MARK: Domain types

    mutating func settings() throws -> Settings {
        var s = Settings()
        s.takerFeeRate = try fixed()
        s.minInvestment = try fixed()
        s.slippageLimit = try fixed()
        s.maxActiveCopiesPerFollower = try int()
        s.defaultFollowerLimit = try int()
        s.maxProfitShareRate = try fixed()
        s.defaultProfitShareRate = try fixed()
        return s
    }

    mutating func venue() throws -> SimulatedVenue {
        var v = SimulatedVenue(takerFeeRate: try fixed())
        let n = try count()
        for _ in 0..<n {
            let name = try string()
            let (step, tick, minQty, minNotional, mark) = (try fixed(), try fixed(), try fixed(), try fixed(), try fixed())
            let book = try optional { r in
                BookShape(halfSpread: try r.fixed(), levelGap: try r.fixed(), levelQuantity: try r.fixed(), levels: try r.int())
            }
            do {
                let symbol = try Symbol(name: name, qtyStep: step, priceTick: tick, minQty: minQty, minNotional: minNotional)
                try v.list(symbol, price: mark, book: book)
            } catch {
                throw SnapshotError("symbol \(name): \(error)")
            }
        }
        return v
    }

    mutating func position() throws -> Position {
        var p = Position()
        p.quantity = try fixed()
        p.cost = try fixed()
        p.realizedPnl = try fixed()
        p.roundTripPnl = try fixed()
        return p
    }

    mutating func positions() throws -> [Int: Position] {
        let n = try count()
        var m: [Int: Position] = [:]
        for _ in 0..<n { m[try int()] = try position() }
        return m
    }

    mutating func copyRef() throws -> CopyRef { CopyRef(lead: try int(), slot: try int()) }

    mutating func user() throws -> User {
        var u = User(id: try string())
        u.cash = try fixed()
        u.assets = try fixedMap()
        u.positions = try positions()
        u.lead = try optional { r in try r.int() }
        u.copies = try array { r in try r.copyRef() }
        return u
    }

    mutating func threshold() throws -> Threshold? {
        switch try u8() {
        case 0: return nil
        case 1: return .amount(try fixed())
        case 2: return .ratio(try fixed())
        case let v: throw SnapshotError("\(v) is not a threshold kind")
        }
    }

    mutating func book() throws -> CopyBook {
        var b = CopyBook()
        b.ids = try array { r in try r.string() }
        b.users = try i32s()
        b.status = try array { r in
            let v = try r.u8()
            guard let s = CopyStatus(rawValue: v) else { throw SnapshotError("\(v) is not a copy status") }
            return s
        }
        b.mode = try array { r in try r.raw() }
        b.amountPerOrder = try i64s()
        b.cash = try i64s()
        b.totalIn = try i64s()
        b.totalOut = try i64s()
        b.realizedPnl = try i64s()
        b.feesPaid = try i64s()
        b.profitSharePaid = try i64s()
        b.stopLoss = try array { r in try r.threshold() }
        b.takeProfit = try array { r in try r.threshold() }
        b.stopReason = try array { r in try r.optional { r in try r.raw() } }
        b.startedEvent = try i32s()
        b.units = try i64s()
        b.leadNavAtStart = try i64s()
        b.stoppedEvent = try i32s()
        b.navAtStop = try i64s()
        b.leadNavAtStop = try i64s()
        b.extra = try array { r in try r.i64s() }
        b.sizingExtra = try array { r in try r.i64s() }
        b.epochFees = try i64s()
        b.epochShare = try i64s()
        b.epochPrice = try i64s()
        b.epochMissed = try i64s()
        b.epochSizing = try i64s()
        b.ratioFees = try i64s()
        b.ratioShare = try i64s()
        b.ratioPrice = try i64s()
        b.ratioMissed = try i64s()
        b.ratioSizing = try i64s()
        b.leadFeeDragAtStart = try i64s()
        b.withThresholds = try int()
        b.holdingSymbols = try ints()
        b.lots = try array { r in try r.i64s() }
        b.cost = try array { r in try r.i64s() }
        b.activeCount = try int()
        let n = b.ids.count
        var columns: [Int] = [b.users.count, b.status.count, b.mode.count, b.stopLoss.count, b.takeProfit.count, b.stopReason.count]
        columns += [b.startedEvent.count, b.stoppedEvent.count]
        let wide: [[Int64]] = [
            b.amountPerOrder, b.cash, b.totalIn, b.totalOut, b.realizedPnl, b.feesPaid, b.profitSharePaid, b.units,
            b.leadNavAtStart, b.navAtStop, b.leadNavAtStop, b.epochFees, b.epochShare, b.epochPrice, b.epochMissed,
            b.epochSizing, b.ratioFees, b.ratioShare, b.ratioPrice, b.ratioMissed, b.ratioSizing, b.leadFeeDragAtStart,
        ]
        columns += wide.map(\.count)
        columns += (b.extra + b.sizingExtra + b.lots + b.cost).map(\.count)
        guard columns.allSatisfy({ $0 == n }),
            [b.extra.count, b.sizingExtra.count, b.lots.count, b.cost.count].allSatisfy({ $0 == b.holdingSymbols.count })
        else { throw SnapshotError("the copy book's columns differ in length") }
        return b
    }

    mutating func equityPoint() throws -> EquityPoint {
        EquityPoint(
            time: try i64(), event: try int(), equity: try fixed(), nav: try fixed(), netFunding: try fixed(),
            journalCount: try int(), priceCount: try int())
    }

    mutating func lead() throws -> Lead {
        let user = try int()
        let status: LeadStatus = try raw()
        let cash = try fixed()
        let positions = try positions()
        let (rate, slippage, limit) = (try fixed(), try fixed(), try int())
        let book = try book()
        let (fees, closed, won, earned) = (try fixed(), try int(), try int(), try fixed())
        let started = try int()
        let (funding, units, peak, last, drawdown) = (try fixed(), try fixed(), try fixed(), try fixed(), try fixed())
        let feeDrag = try i64()
        let navAtStop = try optional { r in try r.fixed() }
        let equityAtStop = try optional { r in try r.fixed() }
        let curve = try array { r in try r.equityPoint() }
        return Lead(
            user: user, status: status, cash: cash, positions: positions, profitShareRate: rate, slippageLimit: slippage,
            followerLimit: limit, book: book, feesPaid: fees, closedRoundTrips: closed, wonRoundTrips: won,
            profitShareEarned: earned, startedEvent: started, netFunding: funding, units: units, peakNav: peak,
            lastNav: last, maxDrawdown: drawdown, feeDrag: feeDrag, navAtStop: navAtStop, equityAtStop: equityAtStop,
            curve: curve)
    }

    mutating func account() throws -> AccountRef {
        switch try u8() {
        case 0: return .main(user: try int())
        case 1: return .lead(try int())
        case 2: return .copy(lead: try int(), slot: try int())
        case 3: return .fees
        case 4: return .venue
        case let v: throw SnapshotError("\(v) is not an account kind")
        }
    }

    mutating func trade() throws -> TradeRecord {
        TradeRecord(
            account: try account(), symbol: try int(), side: try raw(), quantity: try fixed(), quote: try fixed(),
            fee: try fixed(), event: try int(), time: try i64())
    }

    mutating func entry() throws -> JournalEntry {
        switch try u8() {
        case 0: return .deposit(user: try int(), amount: try fixed())
        case 1: return .withdrawal(user: try int(), amount: try fixed())
        case 2: return .transfer(asset: try string(), amount: try fixed(), from: try account(), to: try account())
        case 3: return .trade(try trade())
        case 4:
            let (lead, symbol) = (try int(), try int())
            let side: Side = try raw()
            let (event, time) = (try int(), try i64())
            let fillID = try optional { r in try r.string() }
            let (leadPrice, price) = (try fixed(), try fixed())
            let b = CopyFillBatch(
                lead: lead, symbol: symbol, side: side, event: event, time: time, leadFillID: fillID, leadPrice: leadPrice,
                price: price, slots: try i32s(), lots: try i64s(), quote: try i64s(), fee: try i64s(), cappedByCash: try bools(),
                profitShareSlots: try i32s(), profitShare: try i64s(), leadUser: try int())
            guard [b.lots.count, b.quote.count, b.fee.count, b.cappedByCash.count].allSatisfy({ $0 == b.slots.count }),
                b.profitShare.count == b.profitShareSlots.count
            else { throw SnapshotError("a copy-fill batch's columns differ in length") }
            return .copyFills(b)
        case let v: throw SnapshotError("\(v) is not a journal entry kind")
        }
    }

    mutating func leadFill() throws -> LeadFill {
        LeadFill(
            id: try string(), lead: try int(), symbol: try int(), side: try raw(), quantity: try fixed(), quote: try fixed(),
            fee: try fixed(), price: try fixed(), event: try int(), time: try i64())
    }

    mutating func failedOrder() throws -> FailedCopyOrder {
        FailedCopyOrder(
            lead: try i32(), slot: try i32(), event: try i32(), symbol: try i32(), side: try raw(), reason: try raw(),
            notional: try fixed())
    }

    mutating func restingOrder() throws -> RestingOrder {
        RestingOrder(
            id: try int(), user: try int(), account: try raw(), symbol: try int(), side: try raw(), limitPrice: try fixed(),
            remaining: try fixed(), event: try int())
    }

    mutating func pricePoint() throws -> PricePoint {
        PricePoint(event: try int(), symbol: try int(), price: try fixed())
    }

    mutating func moment() throws -> Moment { Moment(event: try int(), time: try i64()) }

    mutating func copyEvent() throws -> CopyEvent {
        let copy = try copyRef()
        let (event, time) = (try int(), try i64())
        let kind: CopyEvent.Kind
        switch try u8() {
        case 0: kind = .startedWith(stopLoss: try threshold(), takeProfit: try threshold())
        case 1: kind = .investmentAdded(try fixed())
        case 2: kind = .investmentRemoved(try fixed())
        case 3: kind = .stopLossSet(try threshold())
        case 4: kind = .takeProfitSet(try threshold())
        case let v: throw SnapshotError("\(v) is not a copy event kind")
        }
        return CopyEvent(copy: copy, event: event, time: time, kind: kind, unitsAfter: try fixed(), netInvestedAfter: try fixed())
    }

    mutating func placedOrder() throws -> PlacedOrder {
        var o = PlacedOrder(
            id: try int(), user: try int(), account: try raw(), symbol: try int(), side: try raw(), kind: try raw(),
            quantity: try optional { r in try r.fixed() },
            quoteAmount: try optional { r in try r.fixed() },
            limitPrice: try optional { r in try r.fixed() }, event: try int(), time: try i64(),
            status: try raw())
        o.filledQuantity = try fixed()
        o.filledQuote = try fixed()
        o.fees = try fixed()
        o.fills = try array { r in try r.trade() }
        o.leadFillIDs = try array { r in try r.string() }
        o.copyFills = try int()
        o.failedCopyOrders = try int()
        o.cancelReason = try optional { r in try r.string() }
        return o
    }
}

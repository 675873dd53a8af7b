// The writing half of the engine's snapshot format (see `EngineSnapshot.swift`).

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
        // The details as columns, as the book kept them before they became sparse (the same bytes).
        let details = b.detailColumns
        array(details.stopLoss) { $0.threshold($1) }
        array(details.takeProfit) { $0.threshold($1) }
        array(details.stopReason) { w, r in w.optional(r) { $0.raw($1) } }
        i32s(b.startedEvent)
        i64s(b.units)
        i64s(b.leadNavAtStart)
        i32s(details.stoppedEvent)
        i64s(details.navAtStop)
        i64s(details.leadNavAtStop)
        array(b.extra) { $0.i64s($1) }
        array(b.sizingExtra) { $0.i64s($1) }
        for column in [b.epochFees, b.epochShare, b.epochPrice, b.epochMissed, b.epochSizing] { i64s(column) }
        let closed = (0..<b.rowCount).map { b.closedRatios(b.slot(ofRow: $0)) }
        for part in [\CopyBook.TrackingRatios.fees, \.share, \.price, \.missed, \.sizing] { i64s(closed.map { $0[keyPath: part] }) }
        i64s(b.leadFeeDragAtStart)
        i32s(b.fillCount)
        // One column per reason, as the book kept them before they became sparse (the same bytes, format 2).
        let reasons = Array(FailedCopyOrder.Reason.allCases.indices)
        array(reasons) { $0.i32s(b.failureColumn($1, last: false)) }
        array(reasons) { $0.i32s(b.failureColumn($1, last: true)) }
        int(b.withThresholds)
        ints(b.holdingSymbols)
        array(b.lots) { $0.i64s($1) }
        array(b.cost) { $0.i64s($1) }
        int(b.activeCount)
        // Format 7: the copies released from memory (slots ascending, their ids and followers); the columns above
        // hold the other slots' rows in order.
        let released = b.releasedSlots
        ints(released)
        array(released) { $0.string(b.id($1)) }
        i32s(released.map { Int32(b.follower($0)) })
        // Format 11: the running copies' controls, by slot ascending.
        array(b.controlsBySlot.keys.sorted()) { w, slot in
            w.int(slot)
            w.controls(b.controlsBySlot[slot])
        }
    }

    mutating func controls(_ c: CopyControls?) {
        optional(c) { w, c in
            w.optional(c.pairs) { w, pairs in w.array(pairs) { $0.string($1) } }
            w.optional(c.maxSymbolWeight) { $0.fixed($1) }
            w.optional(c.maxOrderAmount) { $0.fixed($1) }
        }
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
            i64(b.requestedLots)  // format 12
            i64s(b.requested)
            fixed(b.feeRate)
            int(b.leadUser)
            int(b.releasedRows)
            int(b.releasedShares)
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
        case .closeOnly:
            u8(5)
        case .controlsSet(let c):
            u8(6)
            controls(c)
        }
        fixed(e.unitsAfter)
        fixed(e.netInvestedAfter)
        int(e.journalCount)  // format 6
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

// The reading half of the engine's snapshot format (see `EngineSnapshot.swift`).

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
        guard n >= 0, n <= remaining / max(size, 1) else {
            throw SnapshotError("a count of \(n) at byte \(offset - 8) exceeds the bytes left")
        }
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

    mutating func copyRef() throws -> CopyRef {
        let (lead, slot) = (try int(), try int())
        guard CopyRef.fits(lead) && CopyRef.fits(slot) else { throw SnapshotError("copy reference \(lead), \(slot) is out of range") }
        return CopyRef(lead: lead, slot: slot)
    }

    mutating func user() throws -> User {
        var u = User(id: try string())
        u.cash = try fixed()
        u.assets = try fixedMap()
        u.positions = try positions()
        let lead = try optional { r in try r.int() }
        if let lead, !CopyRef.fits(lead) { throw SnapshotError("user \(u.id)'s lead \(lead) is out of range") }
        u.lead = lead
        u.copies = try array { r in try r.copyRef() }
        return u
    }

    mutating func controls() throws -> CopyControls? {
        try optional { r in
            CopyControls(
                pairs: try r.optional { r in try r.array { r in try r.string() } }, maxSymbolWeight: try r.optional { r in try r.fixed() },
                maxOrderAmount: try r.optional { r in try r.fixed() })
        }
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
        let stopLoss = try array { r in try r.threshold() }
        let takeProfit = try array { r in try r.threshold() }
        let stopReason: [StopReason?] = try array { r in try r.optional { r in try r.raw() } }
        b.startedEvent = try i32s()
        b.units = try i64s()
        b.leadNavAtStart = try i64s()
        let stoppedEvent = try i32s()
        let navAtStop = try i64s()
        let leadNavAtStop = try i64s()
        b.extra = try array { r in try r.i64s() }
        b.sizingExtra = try array { r in try r.i64s() }
        b.epochFees = try i64s()
        b.epochShare = try i64s()
        b.epochPrice = try i64s()
        b.epochMissed = try i64s()
        b.epochSizing = try i64s()
        let ratios = [try i64s(), try i64s(), try i64s(), try i64s(), try i64s()]
        b.leadFeeDragAtStart = try i64s()
        b.fillCount = try i32s()
        let failures = try array { r in try r.i32s() }
        let lastFailure = try array { r in try r.i32s() }
        b.withThresholds = try int()
        b.holdingSymbols = try ints()
        b.lots = try array { r in try r.i64s() }
        b.cost = try array { r in try r.i64s() }
        b.activeCount = try int()
        let releasedSlots = try ints()
        let releasedIDs = try array { r in try r.string() }
        let releasedUsers = try i32s()
        let controls = try array { r in (try r.int(), try r.controls()) }
        let n = b.ids.count
        var columns: [Int] = [b.users.count, b.status.count, b.mode.count, stopLoss.count, takeProfit.count, stopReason.count]
        columns += [b.startedEvent.count, stoppedEvent.count, b.fillCount.count]
        guard failures.count == FailedCopyOrder.Reason.allCases.count, lastFailure.count == failures.count else {
            throw SnapshotError("a copy book's failure counts are not one column per reason")
        }
        columns += (failures + lastFailure).map(\.count)
        let wide: [[Int64]] = [
            b.amountPerOrder, b.cash, b.totalIn, b.totalOut, b.realizedPnl, b.feesPaid, b.profitSharePaid, b.units,
            b.leadNavAtStart, navAtStop, leadNavAtStop, b.epochFees, b.epochShare, b.epochPrice, b.epochMissed,
            b.epochSizing, ratios[0], ratios[1], ratios[2], ratios[3], ratios[4], b.leadFeeDragAtStart,
        ]
        columns += wide.map(\.count)
        columns += (b.extra + b.sizingExtra + b.lots + b.cost).map(\.count)
        guard columns.allSatisfy({ $0 == n }),
            [b.extra.count, b.sizingExtra.count, b.lots.count, b.cost.count].allSatisfy({ $0 == b.holdingSymbols.count })
        else { throw SnapshotError("the copy book's columns differ in length") }
        guard b.activeCount == b.status.count(where: { $0 != .stopped }) else {
            throw SnapshotError("a copy book's active count differs from its rows")
        }
        b.closingCount = b.status.count(where: { $0 == .closing })
        try b.setReleased(slots: releasedSlots, ids: releasedIDs, users: releasedUsers)
        for (slot, c) in controls {
            guard let c, !c.isEmpty, slot >= 0, slot < b.count, b.rowIndex(slot) >= 0, b.status[b.rowIndex(slot)] != .stopped else {
                throw SnapshotError("a copy book's controls name no running copy")
            }
            b.controlsBySlot[slot] = c
        }
        b.setFailures(counts: failures, last: lastFailure)
        b.setDetails(
            stopLoss: stopLoss, takeProfit: takeProfit, stopReason: stopReason, stoppedEvent: stoppedEvent, navAtStop: navAtStop,
            leadNavAtStop: leadNavAtStop,
            closed: (0..<n).map { k in
                CopyBook.TrackingRatios(
                    fees: ratios[0][k], share: ratios[1][k], price: ratios[2][k], missed: ratios[3][k], sizing: ratios[4][k])
            })
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
                profitShareSlots: try i32s(), profitShare: try i64s(), requestedLots: try i64(), requested: try i64s(),
                feeRate: try fixed(),
                leadUser: try int(), releasedRows: try int(), releasedShares: try int())
            guard [b.lots.count, b.quote.count, b.fee.count, b.cappedByCash.count].allSatisfy({ $0 == b.slots.count }),
                b.profitShare.count == b.profitShareSlots.count, b.requested.isEmpty || b.requested.count == b.slots.count
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
        case 5: kind = .closeOnly
        case 6: kind = .controlsSet(try controls())
        case let v: throw SnapshotError("\(v) is not a copy event kind")
        }
        return CopyEvent(
            copy: copy, event: event, time: time, kind: kind, unitsAfter: try fixed(), netInvestedAfter: try fixed(),
            journalCount: try int())
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

// The venue book in the engine's snapshot (formats 3 to 5), field by field like the rest of the state. Positions by
// client order id, the open orders and the per-lead counts of copy orders in flight are rebuilt on reading.

extension SnapshotWriter {
    mutating func venueBook(_ b: VenueBook) {
        raw(b.mode)
        array(b.orders) { $0.venueOrderRecord($1) }
        int(b.nextNumber)
        array(b.refusals) { w, r in
            w.int(r.event)
            w.i64(r.time)
            w.string(r.clientOrderID)
            w.string(r.kind)
            w.string(r.detail)
        }
        leadMap(b.queued) { w, queue in
            w.array(queue) { w, q in
                w.string(q.leadFillID)
                w.int(q.symbol)
                w.raw(q.side)
                w.fixed(q.price)
                w.fixed(q.limit)
                w.i64(q.a)
                w.i64(q.b)
            }
        }
        leadMap(b.stopping) { w, stops in
            w.array(stops) { w, s in
                w.ints(s.slots)
                w.raw(s.reason)
                w.bool(s.queued)  // format 5
            }
        }
        raw(b.defaultExecutionMode)
        leadMap(b.executionModes) { $0.raw($1) }
        string(b.orderIDPrefix)  // format 5
    }

    /// A map keyed by lead, in key order (canonical bytes).
    mutating func leadMap<T>(_ m: [Int: T], _ body: (inout SnapshotWriter, T) -> Void) {
        array(m.keys.sorted()) { w, l in
            w.int(l)
            body(&w, m[l]!)
        }
    }

    mutating func venueOrderRecord(_ r: VenueOrderRecord) {
        let o = r.order
        string(o.clientOrderID)
        switch o.size {
        case .quantity(let q):
            u8(0)
            fixed(q)
        case .quote(let q):
            u8(1)
            fixed(q)
        }
        raw(o.status)
        optional(o.venueOrderID) { $0.string($1) }
        bool(o.cancelRequested)
        fixed(o.filledQuantity)
        fixed(o.filledQuote)
        fixed(o.fees)
        array(o.executionIDs) { $0.string($1) }
        optional(o.rejectReason) { $0.string($1) }
        switch r.owner {
        case .lead(let l, let order):
            u8(0)
            int(l)
            int(order)
        case .main(let u, let order):
            u8(1)
            int(u)
            int(order)
        case .copies(let l):
            u8(2)
            int(l)
        }
        int(r.symbol)
        raw(r.side)
        optional(r.limitPrice) { $0.fixed($1) }
        bool(r.immediateOrCancel)
        int(r.event)
        i64(r.time)
        fixed(r.reserved)
        optional(r.copies) { w, c in
            w.i32s(c.slots)
            w.i64s(c.lots)
            w.bools(c.cappedByCash)
            w.fixed(c.referencePrice)
            w.optional(c.leadFillID) { $0.string($1) }
            w.i64s(c.allocatedLots)
            w.fixed(c.allocatedQuantity)
            w.fixed(c.allocatedQuote)
            w.fixed(c.allocatedFee)
            // Format 8: whether the per-copy arrays were dropped, and the lots given then.
            w.bool(c.isReleased)
            w.i64(c.isReleased ? c.lotsGiven : 0)
        }
        optional(r.block) { w, b in  // format 5
            w.int(b.order)
            w.i64(b.lots)
            w.fixed(b.reserved)
        }
        optional(r.singlePrice) { $0.fixed($1) }
        bool(r.mixedPrices)
        optional(r.pendingFinal) { w, p in
            w.raw(p.kind)
            w.fixed(p.cumulativeQuantity)
            w.optional(p.reason) { $0.string($1) }
        }
    }
}

extension SnapshotReader {
    mutating func venueBook() throws -> VenueBook {
        var b = VenueBook()
        b.mode = try raw()
        b.orders = try array { r in try r.venueOrderRecord() }
        b.nextNumber = try int()
        b.refusals = try array { r in
            VenueRefusalRecord(
                event: try r.int(), time: try r.i64(), clientOrderID: try r.string(), kind: try r.string(), detail: try r.string())
        }
        b.queued = try leadMap { r in
            try r.array { r in
                QueuedFanOut(
                    leadFillID: try r.string(), symbol: try r.int(), side: try r.raw(), price: try r.fixed(), limit: try r.fixed(),
                    a: try r.i64(), b: try r.i64())
            }
        }
        b.stopping = try leadMap { r in try r.array { r in PendingStop(slots: try r.ints(), reason: try r.raw(), queued: try r.bool()) } }
        b.defaultExecutionMode = try raw()
        b.executionModes = try leadMap { r in try r.raw() }
        b.orderIDPrefix = try string()
        for (k, record) in b.orders.enumerated() {
            guard b.positions.updateValue(k, forKey: record.clientOrderID) == nil else {
                throw SnapshotError("client order id \(record.clientOrderID) is not unique")
            }
            if case .lead(_, let id) = record.owner { b.byPlacedOrder[id] = k }
            if let block = record.block { b.byPlacedOrder[block.order] = k }
            guard !record.order.status.isFinal else { continue }
            b.openPositions.append(k)
            if case .copies(let l) = record.owner { b.openCopyOrders[l, default: 0] += 1 }
        }
        return b
    }

    /// What `SnapshotWriter.leadMap` wrote.
    mutating func leadMap<T>(_ body: (inout SnapshotReader) throws -> T) throws -> [Int: T] {
        var m: [Int: T] = [:]
        for _ in 0..<(try count()) {
            let l = try int()
            m[l] = try body(&self)
        }
        return m
    }

    mutating func venueOrderRecord() throws -> VenueOrderRecord {
        let id = try string()
        let size: VenueOrder.Size
        switch try u8() {
        case 0: size = .quantity(try fixed())
        case 1: size = .quote(try fixed())
        case let tag: throw SnapshotError("venue order size tag \(tag)")
        }
        let order = VenueOrder(
            clientOrderID: id, size: size, status: try raw(), venueOrderID: try optional { r in try r.string() },
            cancelRequested: try bool(), filledQuantity: try fixed(), filledQuote: try fixed(), fees: try fixed(),
            executionIDs: try array { r in try r.string() }, rejectReason: try optional { r in try r.string() })
        let owner: VenueOrderOwner
        switch try u8() {
        case 0: owner = .lead(lead: try int(), order: try int())
        case 1: owner = .main(user: try int(), order: try int())
        case 2: owner = .copies(lead: try int())
        case let tag: throw SnapshotError("venue order owner tag \(tag)")
        }
        var record = VenueOrderRecord(
            order: order, owner: owner, symbol: try int(), side: try raw(), limitPrice: try optional { r in try r.fixed() },
            immediateOrCancel: try bool(), event: try int(), time: try i64(), reserved: try fixed())
        record.copies = try optional { r in
            var c = CopyRequests(
                slots: try r.i32s(), lots: try r.i64s(), cappedByCash: try r.bools(), referencePrice: try r.fixed(),
                leadFillID: try r.optional { r in try r.string() }, allocatedLots: try r.i64s(),
                allocatedQuantity: try r.fixed(), allocatedQuote: try r.fixed(), allocatedFee: try r.fixed())
            guard [c.lots.count, c.cappedByCash.count, c.allocatedLots.count].allSatisfy({ $0 == c.slots.count }) else {
                throw SnapshotError("a merged order's copy requests differ in length")
            }
            let released = try r.bool()
            let lots = try r.i64()
            if released {
                guard c.slots.isEmpty, order.status.isFinal else {
                    throw SnapshotError("a merged order's copies were released while it lists them or is not final")
                }
                c.setReleased(lots: lots)
            }
            return c
        }
        record.block = try optional { r in BlockLeadPart(order: try r.int(), lots: try r.i64(), reserved: try r.fixed()) }
        record.singlePrice = try optional { r in try r.fixed() }
        record.mixedPrices = try bool()
        record.pendingFinal = try optional { r in
            PendingFinal(kind: try r.raw(), cumulativeQuantity: try r.fixed(), reason: try r.optional { r in try r.string() })
        }
        return record
    }
}

import SmartSyncBench
import Testing

@testable import SmartSyncCore

/// Stopped copies leave memory (`CopyBook.releaseStopped()`): an engine that releases them after every command must
/// behave exactly as one that keeps them, show each stopped copy exactly as it was from its frozen row, and write the
/// same snapshot bytes as a replay that releases once at the end.
@Suite("Stopped copies released from memory")
struct ReleasedCopiesTests {
    /// Two engines fed the same random commands: `released` releases its history and stopped copies after every
    /// accepted command (keeping each stopped copy's frozen row, as a store does), `kept` never does.
    struct Pair {
        var released: Engine
        var kept: Engine
        var frozen: [CopyRef: [UInt8]] = [:]
        /// Final orders as a store keeps them, by id.
        var storedOrders: [Int: [UInt8]] = [:]
        /// Lead fills as a store keeps them, in order.
        var storedLeadFills: [StoredLeadFill] = []
        /// Mark prices and each lead's curve points as a store keeps them (numbered from 0).
        var storedPrices: [PricePoint] = []
        var storedCurves: [Int: [Int: EquityPoint]] = [:]
        var limitOrders = 0
        var rng: SplitMix
        var event = 0
        var copies: [String] = []
        var accepted = 0
        var stops = 0

        init(seed: Int) throws {
            rng = SplitMix(seed: seed)
            var engine = try TestMarket.engine()
            var event = 0
            func moment() -> Moment {
                defer { event += 1 }
                return Moment(event: event, time: 1_700_000_000_000 + Int64(event) * 60_000)
            }
            for lead in ["lead0", "lead1"] {
                try engine.addUser(lead)
                try engine.deposit(user: lead, amount: fx("20000"), at: moment())
                try engine.startLeading(user: lead, portfolio: fx("10000"), profitShareRate: fx("0.1"), slippageLimit: nil, at: moment())
            }
            for k in 0..<8 {
                try engine.addUser("f\(k)")
                try engine.deposit(user: "f\(k)", amount: fx("100000"), at: moment())
            }
            released = engine
            kept = engine
            // What the set-up (run outside `execute`) stored, as a store would hold it.
            storedPrices = engine.priceHistory
            for l in engine.leads.indices {
                for (k, p) in engine.leads[l].curve.enumerated() { storedCurves[l, default: [:]][k] = p }
            }
            self.event = event
        }

        mutating func moment() -> Moment {
            defer { event += 1 }
            return Moment(event: event, time: 1_700_000_000_000 + Int64(event) * 60_000)
        }

        mutating func randomCommand() -> EngineCommand {
            let lead = "lead\(rng.int(0...1))"
            let someCopy = copies.isEmpty ? "none" : rng.pick(copies)
            switch rng.int(0...99) {
            case 0..<22:
                let id = "c\(copies.count)"
                copies.append(id)
                let stopLoss: Threshold? = rng.chance(30) ? .ratio(fx("0.0\(rng.int(2...9))")) : nil
                return .startCopy(
                    StartCopyRequest(
                        copyID: id, user: "f\(rng.int(0...7))", lead: lead, mode: rng.chance(80) ? .smartSync : .fixedAmount,
                        investment: Fixed(units: rng.int64(100...3_000) * Fixed.unitsPerOne), buyExisting: rng.chance(50),
                        stopLoss: stopLoss, amountPerOrder: fx("50")))
            case 22..<40:
                let symbol = rng.chance(60) ? TestMarket.btc : TestMarket.eth
                return .orderFraction(user: lead, account: .portfolio, symbol: symbol, side: .buy, fraction: fx("0.\(rng.int(1...4))"))
            case 40..<55:
                let symbol = rng.chance(60) ? TestMarket.btc : TestMarket.eth
                return .orderFraction(user: lead, account: .portfolio, symbol: symbol, side: .sell, fraction: fx("0.\(rng.int(3...9))"))
            case 55..<65:
                let (symbol, base) = rng.chance(60) ? (TestMarket.btc, Int64(50_000)) : (TestMarket.eth, Int64(2_000))
                return .price(symbol: symbol, price: Fixed(units: base * Int64(rng.int(80...125)) / 100 * Fixed.unitsPerOne))
            case 65..<68:
                // A limit order that rests until a price update reaches it (or is cancelled, or the lead stops).
                let (symbol, base, quantity) =
                    rng.chance(60) ? (TestMarket.btc, Int64(50_000), "0.01") : (TestMarket.eth, Int64(2_000), "0.2")
                let side: Side = rng.chance(60) ? .buy : .sell
                let price = Fixed(units: base * Int64(side == .buy ? rng.int(80...100) : rng.int(100...125)) / 100 * Fixed.unitsPerOne)
                return .order(OrderRequest(user: lead, symbol: symbol, side: side, quantity: fx(quantity), limitPrice: price))
            case 68..<70: return .cancelOrder(user: lead, orderID: rng.int(1...max(1, kept.nextOrderNumber - 1)))
            case 70..<83: return .stopCopy(copy: someCopy)
            case 83..<87: return .removeFollower(user: lead, copy: someCopy)
            case 87..<93:
                return .adjustInvestment(copy: someCopy, delta: Fixed(units: Int64(rng.int(-200...500)) * Fixed.unitsPerOne))
            default: return .setStopLoss(copy: someCopy, .ratio(fx("0.0\(rng.int(1...9))")))
            }
        }

        /// Runs `command` on both; they must accept or refuse it alike.
        mutating func run(_ command: EngineCommand) throws {
            let at = moment()
            let a = Result { () throws(EngineError) in try released.execute(command, at: at) }
            let b = Result { () throws(EngineError) in try kept.execute(command, at: at) }
            switch (a, b) {
            case (.success(let outcome), .success(let expected)):
                #expect(outcome.journal.count == expected.journal.count && outcome.failedOrders == expected.failedOrders, "\(command)")
                #expect(outcome.stoppedCopies == expected.stoppedCopies && outcome.stopReasons == expected.stopReasons)
                accepted += 1
                stops += outcome.stoppedCopies.count
                // As a store does: the stopped copies' frozen rows first, then release.
                for ref in outcome.stoppedCopies { frozen[ref] = released.frozenCopy(ref).bytes }
                for o in outcome.orders where !o.status.isOpen { storedOrders[o.id] = Engine.storedOrder(o).bytes }
                storedLeadFills += outcome.storedLeadFills
                #expect(outcome.pricesStart == storedPrices.count)
                storedPrices += outcome.prices
                for p in outcome.curvePoints { storedCurves[p.lead, default: [:]][p.k] = p.point }
                if case .order(let r) = command, r.limitPrice != nil { limitOrders += 1 }
                released.releaseHistory()
                #expect(released.stoppedCopiesInMemory.isEmpty && released.finalOrdersInMemory.isEmpty && released.leadFills.count <= 1)
            case (.failure(let e), .failure(let expected)):
                #expect(e.code == expected.code, "\(command): \(e) against \(expected)")
            default:
                Issue.record("\(command): \(a) against \(b)")
            }
        }

        /// Every copy reads the same from the releasing engine (a stopped one through its frozen row) as from the
        /// engine that keeps them.
        func compareViews() throws {
            for ref in kept.allCopies {
                var engine = released
                if released.isReleased(ref) {
                    engine = try released.viewing(frozen: try #require(frozen[ref]), of: ref)
                }
                #expect(engine.copyView(ref) == kept.copyView(ref), "copy \(kept.copyID(of: ref))")
                #expect(engine.copyHistory(ref) == kept.copyHistory(ref))
                #expect(engine.row(of: ref) == kept.row(of: ref))
                #expect(released.copy(named: kept.copyID(of: ref)) == ref)
                #expect(released.follower(of: ref) == kept.follower(of: ref))
            }
            for l in kept.leads.indices { #expect(released.leadView(l) == kept.leadView(l)) }
            // The curves as stored: each copy's curve rows and each lead's returns and shown points read from them are
            // the kept engine's.
            #expect(storedPrices == kept.priceHistory && released.priceCount == kept.priceCount)
            for l in kept.leads.indices {
                let points = (storedCurves[l] ?? [:]).sorted { $0.key < $1.key }
                #expect(points.map(\.key) == Array(0..<points.count) && points.map(\.value) == kept.leads[l].curve, "lead \(l)")
                for (shown, from) in [(40, 0), (3, 7)] {
                    let request = released.leadCurveRequest(l, windows: [1, 7], shownAtMost: shown, curveFrom: from)
                    let read = Engine.leadCurveRead(request, points: points.map(\.value))
                    #expect(read == kept.leadCurveRead(l, windows: [1, 7], shownAtMost: shown, curveFrom: from))
                    #expect(released.leadReturns(l, windows: [1, 7, nil], curve: read) == kept.leadReturns(l, windows: [1, 7, nil]))
                }
            }
            for ref in kept.allCopies where !released.isReleased(ref) {
                let l = (storedCurves[ref.lead] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
                #expect(Engine.curveRows(released.curveRowsRequest(ref), points: l, prices: storedPrices) == kept.curveRows(ref))
            }
            // The lead fills as stored, numbered within their lead, are the kept engine's.
            #expect(storedLeadFills == kept.leadFillsInMemory && released.leadFillCount == kept.leadFillCount)
            #expect(kept.leads.indices.allSatisfy { l in released.leadFillCount(of: l) == kept.leadFills.filter { $0.lead == l }.count })
            // Every order reads the same, a final one through its stored row; and so does every page of a user's.
            for id in 1..<kept.nextOrderNumber {
                let stored = try storedOrders[id].map { try released.order(stored: $0) }
                #expect(released.isReleased(orderID: id) == (released.order(id: id) == nil))
                #expect((released.order(id: id) ?? stored) == kept.order(id: id), "order \(id)")
            }
            let stored = try storedOrders.values.map { try released.order(stored: $0) }.sorted { $0.id > $1.id }
            for u in kept.users.indices {
                for all in [true, false] {
                    let mine = Array(kept.orders.reversed().filter { $0.user == u && (all || $0.status.isOpen) })
                    for (before, limit) in [(Int.max, 1_000), (Int.max, 3), (kept.nextOrderNumber / 2, 2)] {
                        let page = released.ordersPage(
                            user: u, before: before, limit: limit, all: all,
                            stored: Array(stored.filter { $0.user == u && $0.id < before }.prefix(limit)))
                        #expect(page == Array(mine.filter { $0.id < before }.prefix(limit)), "user \(u) before \(before)")
                    }
                }
            }
        }
    }

    @Test("A releasing engine equals one that keeps its stopped copies, command by command and byte for byte")
    func releasingEqualsKeeping() throws {
        var (stops, released, accepted, limitOrders, limitsDone) = (0, 0, 0, 0, [PlacedOrder.Status: Int]())
        for seed in 0..<40 {
            var pair = try Pair(seed: seed)
            for step in 0..<70 {
                try pair.run(pair.randomCommand())
                if step % 10 == 9 { try pair.compareViews() }
            }
            if pair.rng.chance(50) { try pair.run(.stopLeading(user: "lead0")) }
            try pair.compareViews()
            // With its whole journal kept and only its stopped copies released, the audit balances (a released copy
            // at zero); an engine that released its history says so instead of replaying.
            var booksOnly = pair.kept
            for l in booksOnly.leads.indices { booksOnly.leads[l].book.releaseStopped() }
            #expect(booksOnly.releasedCopyCount == pair.released.releasedCopyCount && booksOnly.audit().balanced, "seed \(seed)")
            #expect(pair.released.audit().problems.first?.contains("released") == true)
            // A replay that releases once, at the end, writes the same bytes; and they read back the same.
            pair.kept.releaseHistory()
            let bytes = pair.released.snapshotBytes()
            #expect(bytes == pair.kept.snapshotBytes(), "seed \(seed)")
            #expect(try Engine(snapshot: bytes).snapshotBytes() == bytes)
            stops += pair.stops
            released += pair.released.releasedCopyCount
            accepted += pair.accepted
            limitOrders += pair.limitOrders
            for bytes in pair.storedOrders.values {
                let o = try pair.released.order(stored: bytes)
                if o.kind == .limit { limitsDone[o.status, default: 0] += 1 }
            }
            for lead in pair.released.leads { #expect(lead.book.rowCount == lead.book.activeCount) }
        }
        // The runs stopped and released copies, and kept fanning out after releasing.
        #expect(stops > 50 && released == stops && accepted > 1_500, "stops \(stops), released \(released), accepted \(accepted)")
        // Limit orders rested, then filled as prices reached them or were cancelled, across releases.
        #expect(
            limitOrders > 20 && limitsDone[.filled, default: 0] > 5 && limitsDone[.cancelled, default: 0] > 5,
            "\(limitOrders) \(limitsDone)")
    }

    @Test("A frozen copy is refused for another slot, when cut short, and in another format")
    func frozenCopiesAreChecked() throws {
        var pair = try Pair(seed: 7)
        var ref: CopyRef?
        for _ in 0..<200 where ref == nil {
            try pair.run(pair.randomCommand())
            ref = pair.frozen.keys.first
        }
        let stopped = try #require(ref)
        let bytes = try #require(pair.frozen[stopped])
        #expect(try pair.released.viewing(frozen: bytes, of: stopped).copyView(stopped).status == .stopped)
        let other = try #require(pair.released.allCopies.first { $0 != stopped && $0.lead == stopped.lead })
        #expect(throws: SnapshotError.self) { try pair.released.viewing(frozen: bytes, of: other) }
        #expect(throws: SnapshotError.self) { try pair.released.viewing(frozen: Array(bytes.dropLast(3)), of: stopped) }
        // Small: a stopped copy's holdings are all zero and are left out.
        #expect(bytes.count < 400, "\(bytes.count) bytes")
        var newer = bytes
        newer[Engine.frozenCopyMagic.count] &+= 1
        #expect(throws: SnapshotError.self) { try pair.released.viewing(frozen: newer, of: stopped) }
        #expect(throws: SnapshotError.self) { try pair.released.viewing(frozen: Array("not a copy".utf8), of: stopped) }
    }

    @Test("A stored order reads back as it was, and is refused when cut short, in another format or not this engine's")
    func storedOrdersAreChecked() throws {
        var pair = try Pair(seed: 3)
        for _ in 0..<60 { try pair.run(pair.randomCommand()) }
        let (id, bytes) = try #require(pair.storedOrders.min { $0.key < $1.key })
        #expect(try pair.released.order(stored: bytes) == pair.kept.order(id: id))
        #expect(pair.released.order(id: id) == nil && pair.released.isReleased(orderID: id))
        #expect(throws: SnapshotError.self) { try pair.released.order(stored: Array(bytes.dropLast(2))) }
        #expect(throws: SnapshotError.self) { try pair.released.order(stored: bytes + [0]) }
        var newer = bytes
        newer[Engine.storedOrderMagic.count] &+= 1
        #expect(throws: SnapshotError.self) { try pair.released.order(stored: newer) }
        #expect(throws: SnapshotError.self) { try pair.released.order(stored: Array("not an order".utf8)) }
        // An order of an engine that never gave its id, or of a user it does not know.
        var order = try #require(pair.kept.order(id: id))
        order.id = pair.kept.nextOrderNumber
        #expect(throws: SnapshotError.self) { try pair.released.order(stored: Engine.storedOrder(order).bytes) }
        order.id = id
        order.user = pair.kept.users.count
        #expect(throws: SnapshotError.self) { try pair.released.order(stored: Engine.storedOrder(order).bytes) }
        // Small: an order with one fill.
        #expect(bytes.count < 300, "\(bytes.count) bytes")
    }

    /// A host may give two commands one moment (a scenario's price bars at one event): the second replaces the lead's
    /// curve point of that moment, and its outcome carries the point again, so a store keeps the last version.
    @Test("A curve point replaced by a second command of one moment is written again")
    func aReplacedCurvePointIsWrittenAgain() throws {
        var pair = try Pair(seed: 1)
        try pair.run(.orderFraction(user: "lead0", account: .portfolio, symbol: TestMarket.btc, side: .buy, fraction: fx("0.3")))
        var engine = pair.kept
        let moment = pair.moment()
        let first = try engine.execute(.price(symbol: TestMarket.btc, price: fx("51000")), at: moment)
        let second = try engine.execute(.price(symbol: TestMarket.btc, price: fx("52000")), at: moment)
        let k = engine.curveCount(of: 0) - 1
        let firstPoint = try #require(first.curvePoints.first { $0.lead == 0 && $0.k == k })
        let secondPoint = try #require(second.curvePoints.first { $0.lead == 0 && $0.k == k })
        #expect(firstPoint.point != secondPoint.point && secondPoint.point == engine.leads[0].curve.last)
    }
}

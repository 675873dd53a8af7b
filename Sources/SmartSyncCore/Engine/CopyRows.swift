/// One copy's past as the pages show it: its fills, the profit share it paid, its failed copy orders.
///
/// While an engine keeps its history (`simulate`, tests) `Engine.copyRows(_:)` builds this from memory. A server's
/// engine releases the history of every command once the command is committed (`Engine.releaseHistory()`): the
/// rows then live only in the database, and a store reads them back for the `CopyRowsRequest` the engine gives.
public struct CopyRows: Sendable, Hashable {
    /// The copy's row in the copy-fill batch at journal position `position`.
    public struct Fill: Sendable, Hashable {
        public var position: Int
        /// Quantity in lots of the symbol's qtyStep; quote and fee in USDT.
        public var lots: Lots
        public var quote: Fixed
        public var fee: Fixed
        public var cappedByCash: Bool

        init(position: Int, row: (slot: Int, lots: Lots, quote: Fixed, fee: Fixed, cappedByCash: Bool)) {
            self.init(position: position, lots: row.lots, quote: row.quote, fee: row.fee, cappedByCash: row.cappedByCash)
        }

        public init(position: Int, lots: Lots, quote: Fixed, fee: Fixed, cappedByCash: Bool) {
            self.position = position
            self.lots = lots
            self.quote = quote
            self.fee = fee
            self.cappedByCash = cappedByCash
        }
    }

    /// Profit share the copy paid in the batch at journal position `position` (1e-8 USDT).
    public struct Share: Sendable, Hashable {
        public var position: Int
        public var amount: Fixed

        public init(position: Int, amount: Fixed) {
            self.position = position
            self.amount = amount
        }
    }

    /// In journal order.
    public var fills: [Fill]
    public var profitShares: [Share]
    /// In the order they happened.
    public var failures: [FailedCopyOrder]
    /// The header of each fill's batch, by position, for batches no longer in memory (a store reads them with the
    /// rows; `Engine.batchHeader(at:rows:)`).
    public var headers: [Int: CopyFillHeader]

    public init(
        fills: [Fill] = [], profitShares: [Share] = [], failures: [FailedCopyOrder] = [], headers: [Int: CopyFillHeader] = [:]
    ) {
        self.fills = fills
        self.profitShares = profitShares
        self.failures = failures
        self.headers = headers
    }
}

/// What a copy-fill batch says of the merged order beside its rows: what a copy's fills page and curve need.
public struct CopyFillHeader: Sendable, Hashable {
    public var lead: Int
    public var symbol: Int
    public var side: Side
    public var event: Int
    public var time: Int64
    public var leadFillID: String?
    public var leadPrice: Fixed
    public var price: Fixed

    public init(lead: Int, symbol: Int, side: Side, event: Int, time: Int64, leadFillID: String?, leadPrice: Fixed, price: Fixed) {
        self.lead = lead
        self.symbol = symbol
        self.side = side
        self.event = event
        self.time = time
        self.leadFillID = leadFillID
        self.leadPrice = leadPrice
        self.price = price
    }

    public init(_ b: CopyFillBatch) {
        self.init(
            lead: b.lead, symbol: b.symbol, side: b.side, event: b.event, time: b.time, leadFillID: b.leadFillID,
            leadPrice: b.leadPrice, price: b.price)
    }
}

/// What `Engine.releaseHistory(_:)` may drop beside the copy-fill rows, failed orders and journal entries, which it
/// always drops: the parts a store keeps only since a schema step (an older database gets them on a writable open).
public struct HistoryParts: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Stopped copies' rows (`Engine.frozenCopy(_:)`).
    public static let stoppedCopies = HistoryParts(rawValue: 1)
    /// Final orders (`Engine.storedOrder(_:)`).
    public static let finalOrders = HistoryParts(rawValue: 2)
    /// Lead fills but the last.
    public static let leadFills = HistoryParts(rawValue: 4)
    /// Mark prices and leads' equity curve points but the last of each.
    public static let curves = HistoryParts(rawValue: 8)
    public static let all: HistoryParts = [.stoppedCopies, .finalOrders, .leadFills, .curves]
}

/// What a store reads to build a copy's `CopyRows`: the journal positions of the copy-fill batches of its lead
/// that may hold a row of it (those since it started), and the events at which its lead had failed copy orders since.
/// A batch's rows are keyed `(position, slot)` and failures `(event, lead, slot)`, so each is one keyed look-up.
public struct CopyRowsRequest: Sendable, Hashable {
    public var lead: Int
    public var slot: Int
    public var batches: [Int]
    public var failureEvents: [Int]
    /// Failed orders numbered from this on came after the engine's state (a read sees one committed moment).
    public var failuresBefore: Int
}

extension Engine {
    /// True once the engine released history to a store: a copy's past must then be read from the store
    /// (`copyRowsRequest(_:)`), not from `copyRows(_:)`.
    public var historyInStore: Bool { historyReleased }

    /// Drops from memory what the last commands added to the history and a store now holds: the rows of copy-fill
    /// batches (their headers stay, for the lead's pages and the copies' curves), failed copy orders, and whole
    /// chunks of journal entries but their copy-fill batches (`Journal.releaseEntries(before:)`), and the rows of
    /// stopped copies (`CopyBook.releaseStopped()`: a store holds their frozen form, `frozenCopy(_:)`), final orders
    /// (a store holds them, `storedOrder(_:)`) and lead fills but the last. `parts` leaves out those a store cannot
    /// give back yet (an older database before it stored them). Call it only once what it drops is committed.
    public mutating func releaseHistory(_ parts: HistoryParts = .all) {
        journal.releaseCopyFillRows(from: historyReleasedThrough)
        journal.releaseEntries(before: journal.count)
        historyReleasedThrough = journal.count
        if parts.contains(.stoppedCopies) {
            for l in leads.indices where leads[l].book.activeCount < leads[l].book.rowCount { leads[l].book.releaseStopped() }
        }
        // An order at an external venue stays while the venue book holds its record: a report can still change it
        // after it is final (the copies' share allocated later, a fill trailing a cancel).
        if parts.contains(.finalOrders) { orders.removeAll { !$0.status.isOpen && venueBook.record(placedOrder: $0.id) == nil } }
        if parts.contains(.curves) {
            if priceHistory.count > 1 {
                priceHistoryReleased += priceHistory.count - 1
                priceHistory.removeFirst(priceHistory.count - 1)
            }
            for l in leads.indices where leads[l].curve.count > 1 {
                if l >= curveReleased.count { curveReleased += repeatElement(0, count: l + 1 - curveReleased.count) }
                curveReleased[l] += leads[l].curve.count - 1
                leads[l].curve.removeFirst(leads[l].curve.count - 1)
            }
        }
        if parts.contains(.leadFills) && leadFills.count > 1 {
            leadFillsReleased += leadFills.count - 1
            leadFills.removeFirst(leadFills.count - 1)
        }
        failedOrdersReleased += failedOrders.count
        failedOrders = []
        failuresByLead = []
        historyReleased = true
    }

    /// Mark prices set so far (in memory or released).
    public var priceCount: Int { priceHistoryReleased + priceHistory.count }

    /// The points lead `l`'s equity curve released to the store.
    public func curveReleased(of l: Int) -> Int { l < curveReleased.count ? curveReleased[l] : 0 }

    /// Points of lead `l`'s equity curve so far (in memory or released).
    public func curveCount(of l: Int) -> Int { curveReleased(of: l) + leads[l].curve.count }

    /// Lead fills so far (in memory or released).
    public var leadFillCount: Int { leadFillsReleased + leadFills.count }

    /// Lead `l`'s fills so far (in memory or released).
    public func leadFillCount(of l: Int) -> Int { l < leadFillCounts.count ? leadFillCounts[l] : 0 }

    /// Failed copy orders so far (in memory or released).
    public var failedOrderCount: Int { failedOrdersReleased + failedOrders.count }

    /// The copy's past from memory: complete while the engine keeps its history (`historyInStore` is false).
    public func copyRows(_ ref: CopyRef) -> CopyRows {
        precondition(!historyInStore, "the engine released its history: read the copy's past from the store (copyRowsRequest)")
        var rows = CopyRows()
        let positions = ref.lead < copyFillBatches.count ? copyFillBatches[ref.lead] : []
        for position in positions {
            guard case .copyFills(let b) = journal[position] else { continue }
            if let k = b.row(of: ref.slot) {
                rows.fills.append(
                    CopyRows.Fill(position: position, row: b.fill(k)))
            }
            if let share = b.profitShare(of: ref.slot) {
                rows.profitShares.append(CopyRows.Share(position: position, amount: Fixed(units: share)))
            }
        }
        let failures = ref.lead < failuresByLead.count ? failuresByLead[ref.lead] : []
        rows.failures = failures.lazy.map { failedOrders[$0] }.filter { Int($0.slot) == ref.slot }
        return rows
    }

    /// What a store must read to give the copy's past (see `CopyRowsRequest`).
    public func copyRowsRequest(_ ref: CopyRef) -> CopyRowsRequest {
        let started = leads[ref.lead].book.startedEvent(ref.slot)
        let positions = ref.lead < copyFillBatches.count ? copyFillBatches[ref.lead] : []
        let batchEvents = ref.lead < copyFillBatchEvents.count ? copyFillBatchEvents[ref.lead] : []
        // Batches are in journal (so event) order: those from the copy's start on.
        let first = batchEvents.firstIndex(notBefore: { Int($0) < started })
        let events = ref.lead < failureEvents.count ? failureEvents[ref.lead] : []
        return CopyRowsRequest(
            lead: ref.lead, slot: ref.slot, batches: Array(positions[first...]),
            failureEvents: events.filter { $0 >= started }, failuresBefore: failedOrderCount)
    }

    /// The header of the copy-fill batch at `position`: from the journal while it holds it, else from `rows`.
    public func batchHeader(at position: Int, rows: CopyRows) -> CopyFillHeader? {
        guard journal.holdsEntry(at: position) else { return rows.headers[position] }
        guard case .copyFills(let b) = journal[position] else { return nil }
        return CopyFillHeader(b)
    }

    /// The copy's fills in order (from `rows`, else from memory), each with the lead price of its lead fill.
    public func copyFills(_ ref: CopyRef, rows: CopyRows? = nil) -> [CopyFillView] {
        let rows = rows ?? copyRows(ref)
        return rows.fills.compactMap { row in
            guard let b = batchHeader(at: row.position, rows: rows) else { return nil }
            let symbol = venue.symbols[b.symbol]
            return CopyFillView(
                event: b.event, time: b.time, symbol: symbol.name, side: b.side,
                quantity: row.lots.quantity(step: symbol.qtyStep), price: b.price, quote: row.quote, fee: row.fee, leadPrice: b.leadPrice,
                leadFillID: b.leadFillID, cappedByCash: row.cappedByCash)
        }
    }
}

/// What moved a copy's money, in journal order: its fills and the profit share it paid (at their batches'
/// positions), and the money its follower added or took out (the entry before each change's `journalCount`). A copy's
/// equity curve and its statement both replay these.
struct CopyMoneyMoves {
    enum Move {
        case fill(CopyRows.Fill, CopyFillHeader)
        /// Profit share paid in the batch with this header (nil when the batch's header is not at hand).
        case profitShare(Fixed, CopyFillHeader?)
        case change(CopyEvent)
    }

    /// The follower's money added or taken out, in order.
    let changes: [CopyEvent]
    /// What started the copy: all the money in but what was added later.
    let investment: Fixed
    private let rows: CopyRows
    private var nextFill = 0
    private var nextShare = 0
    private var nextMoney = 0

    init(_ engine: Engine, _ ref: CopyRef, rows: CopyRows) {
        self.rows = rows
        changes = engine.copyEvents(ref).filter { e in
            switch e.kind {
            case .investmentAdded, .investmentRemoved: return true
            default: return false
            }
        }
        let added = changes.reduce(Int64(0)) { sum, e in
            if case .investmentAdded(let a) = e.kind { return sum + a.units }
            return sum
        }
        investment = Fixed(units: engine.leads[ref.lead].book.totalIn(ref.slot).units - added)
    }

    /// The next move at a journal position below `count`, nil when there is none; at one position a fill comes
    /// before its profit share. A fill whose batch header cannot be read is passed over.
    mutating func next(below count: Int, in engine: Engine) -> Move? {
        while true {
            let fill = nextFill < rows.fills.count ? rows.fills[nextFill].position : .max
            let share = nextShare < rows.profitShares.count ? rows.profitShares[nextShare].position : .max
            let money = nextMoney < changes.count ? changes[nextMoney].journalCount - 1 : .max
            let next = min(fill, share, money)
            guard next < count else { return nil }
            if fill == next {
                let row = rows.fills[nextFill]
                nextFill += 1
                if let header = engine.batchHeader(at: next, rows: rows) { return .fill(row, header) }
                continue
            }
            if share == next {
                let amount = rows.profitShares[nextShare].amount
                nextShare += 1
                return .profitShare(amount, engine.batchHeader(at: next, rows: rows))
            }
            nextMoney += 1
            return .change(changes[nextMoney - 1])
        }
    }
}

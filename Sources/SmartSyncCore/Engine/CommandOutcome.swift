/// What one accepted command did, in the order it happened: the history it added to the engine. `Engine.execute`
/// returns it, so that the store appends it, metrics count it, the live stream publishes it and an HTTP answer is
/// built from it, and no caller compares counters before and after.
public struct CommandOutcome: Sendable {
    public var moment: Moment
    /// The journal entries it appended; the first is entry `journalStart` of the whole journal (its ledger position).
    public var journal: [JournalEntry] = []
    public var journalStart: Int
    /// The lead fills it applied (a lead order, a resting lead order a price reached).
    public var leadFills: [LeadFill] = []
    /// Each of `leadFills`' number among its lead's fills (`n`, from 0).
    public var leadFillNumbers: [Int] = []
    /// The copy orders that failed, in order; the first is `failedOrdersStart` of all failures.
    public var failedOrders: [FailedCopyOrder] = []
    public var failedOrdersStart: Int
    /// The orders it placed, executed, cancelled or expired, as they stand after it, in id order.
    public var orders: [PlacedOrder] = []
    /// The changes followers made to running copies (investment, stop loss, take profit).
    public var copyEvents: [CopyEvent] = []
    public var startedCopies: [CopyRef] = []
    /// Copies it stopped, in the order they stopped (by their follower, the lead, a stop loss or a take profit).
    public var stoppedCopies: [CopyRef] = []
    /// Why each of `stoppedCopies` stopped.
    public var stopReasons: [StopReason] = []
    /// The stopped copies' frozen rows (`Engine.frozenCopy(_:)`), for a store that releases them from memory: set by
    /// that store (`DurableEngine`), empty otherwise.
    public var frozenCopies: [FrozenCopy] = []
    /// The orders it made final, as a store keeps them (`Engine.storedOrder(_:)`): set by a store that releases them
    /// from memory (`DurableEngine`), empty otherwise.
    public var storedOrders: [StoredOrder] = []
    /// Mark prices it set (a listing's first price or a price update); the first is number `pricesStart` of all.
    public var prices: [PricePoint] = []
    public var pricesStart = 0
    /// The points its leads' equity curves gained, each with its lead and number in that lead's curve.
    public var curvePoints: [StoredCurvePoint] = []

    public init(moment: Moment, journalStart: Int, failedOrdersStart: Int) {
        self.moment = moment
        self.journalStart = journalStart
        self.failedOrdersStart = failedOrdersStart
    }

    /// Copy fills in its journal entries.
    public var copyFillCount: Int {
        journal.reduce(0) { n, entry in
            if case .copyFills(let b) = entry { return n + b.count }
            return n
        }
    }

    /// The order the command placed, if it placed one.
    public var placedOrder: PlacedOrder? { orders.first { $0.event == moment.event } }
}

/// What the command being applied changed that the engine's histories do not say by their length.
struct OutcomeScratch: Sendable {
    var orders: [Int] = []
    var stoppedCopies: [CopyRef] = []
    var stopReasons: [StopReason] = []
    /// The number of the first point each lead's curve gained (a point replaced within the command is that one).
    var curveStarts: [Int: Int] = [:]

    mutating func reset() {
        curveStarts.removeAll(keepingCapacity: true)
        orders.removeAll(keepingCapacity: true)
        stoppedCopies.removeAll(keepingCapacity: true)
        stopReasons.removeAll(keepingCapacity: true)
    }
}

extension Engine {
    /// Where every history stands before a command: the outcome is what was added after.
    struct HistoryMarks {
        var journal, leadFills, failedOrders, copyEvents, copies, prices: Int
    }

    var historyMarks: HistoryMarks {
        HistoryMarks(
            journal: journal.count, leadFills: leadFills.count, failedOrders: failedOrders.count,
            copyEvents: copyEvents.count, copies: copyOrder.count, prices: priceHistory.count)
    }

    func outcome(since marks: HistoryMarks, at moment: Moment) -> CommandOutcome {
        var outcome = CommandOutcome(
            moment: moment, journalStart: marks.journal, failedOrdersStart: failedOrdersReleased + marks.failedOrders)
        outcome.journal.reserveCapacity(journal.count - marks.journal)
        for k in marks.journal..<journal.count { outcome.journal.append(journal[k]) }
        outcome.leadFills = Array(leadFills[marks.leadFills...])
        outcome.leadFillNumbers = leadFillNumbers(leadFills[marks.leadFills...])
        outcome.failedOrders = Array(failedOrders[marks.failedOrders...])
        outcome.copyEvents = Array(copyEvents[marks.copyEvents...])
        outcome.startedCopies = Array(copyOrder[marks.copies...])
        outcome.stoppedCopies = scratch.stoppedCopies
        outcome.stopReasons = scratch.stopReasons
        outcome.prices = Array(priceHistory[marks.prices...])
        outcome.pricesStart = priceHistoryReleased + marks.prices
        for (l, first) in scratch.curveStarts.sorted(by: { $0.key < $1.key }) {
            for k in first..<curveCount(of: l) {
                outcome.curvePoints.append(StoredCurvePoint(lead: l, k: k, point: leads[l].curve[k - curveReleased(of: l)]))
            }
        }
        outcome.orders = Set(scratch.orders).sorted().compactMap { order(id: $0) }
        return outcome
    }

    /// Notes an order the command placed or changed.
    mutating func noteOrder(_ id: Int) { scratch.orders.append(id) }
}

/// A stopped copy's row as a store keeps it once the copy leaves memory (`Engine.frozenCopy(_:)`).
public struct FrozenCopy: Sendable, Hashable {
    public var lead: Int
    public var slot: Int
    public var bytes: [UInt8]

    public init(lead: Int, slot: Int, bytes: [UInt8]) {
        self.lead = lead
        self.slot = slot
        self.bytes = bytes
    }
}

/// A lead fill as a store keeps it once it leaves memory: the fill and its number among its lead's fills.
public struct StoredLeadFill: Sendable, Hashable {
    /// Its number among its lead's fills, from 0.
    public var n: Int
    public var fill: LeadFill

    public init(n: Int, fill: LeadFill) {
        self.n = n
        self.fill = fill
    }
}

extension CommandOutcome {
    /// Its lead fills, each with its number among its lead's fills.
    public var storedLeadFills: [StoredLeadFill] { zip(leadFillNumbers, leadFills).map { StoredLeadFill(n: $0, fill: $1) } }
}

extension Engine {
    /// The lead fills in memory, each with its number among its lead's fills.
    public var leadFillsInMemory: [StoredLeadFill] {
        zip(leadFillNumbers(leadFills[...]), leadFills).map { StoredLeadFill(n: $0, fill: $1) }
    }

    /// The number among its lead's fills of each of `fills`, the latest lead fills in memory.
    func leadFillNumbers(_ fills: ArraySlice<LeadFill>) -> [Int] {
        var later: [Int: Int] = [:]
        var numbers = Array(repeating: 0, count: fills.count)
        for (k, fill) in zip(numbers.indices, fills).reversed() {
            later[fill.lead, default: 0] += 1
            numbers[k] = leadFillCount(of: fill.lead) - later[fill.lead, default: 0]
        }
        return numbers
    }
}

/// A point of a lead's equity curve as a store keeps it once it leaves memory: its lead and number in the curve.
public struct StoredCurvePoint: Sendable, Hashable {
    public var lead: Int
    public var k: Int
    public var point: EquityPoint

    public init(lead: Int, k: Int, point: EquityPoint) {
        self.lead = lead
        self.k = k
        self.point = point
    }
}

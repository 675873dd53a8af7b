/// Equity curves in a server: a lead's curve points and the mark prices leave memory once committed (all but the last
/// of each, `releaseHistory()`); the views read what they need of them from a store, or from memory while the engine
/// keeps them. Both give the same values: the reads below say what to read, the builders read it from arrays
/// numbered from 0 (what memory holds before any release, and what a store holds).

/// What a copy's equity curve is valued at (`Engine.copyEquityCurve`): its lead's curve points after the copy's start
/// (and before its stop), and the mark prices from the first one set after its start on, with the marks before it.
public struct CurveRows: Sendable, Hashable {
    /// The lead's curve points with an event after the copy's start (and before its stop), in order.
    public var points: [EquityPoint] = []
    /// Mark prices numbered `pricesFrom` and after, in order, up to the state's `priceCount`.
    public var prices: [PricePoint] = []
    public var pricesFrom = 0
    /// Each symbol's mark before price number `pricesFrom` (symbols never priced before it are absent).
    public var marks: [Int: Fixed] = [:]

    public init(points: [EquityPoint] = [], prices: [PricePoint] = [], pricesFrom: Int = 0, marks: [Int: Fixed] = [:]) {
        self.points = points
        self.prices = prices
        self.pricesFrom = pricesFrom
        self.marks = marks
    }
}

/// Which `CurveRows` a copy's curve needs, as of one committed state.
public struct CurveRowsRequest: Sendable, Hashable {
    public var lead: Int
    /// The copy's start event: points and prices after it.
    public var started: Int
    /// The copy's stop event (points before it), nil while it runs.
    public var stopped: Int?
    /// The lead's curve points and the mark prices of the state: those numbered from these on came later.
    public var pointsBelow: Int
    public var pricesBelow: Int
    public var symbols: Int
}

/// What a lead's views read of its curve (`APIViews.lead`, `Engine.leadReturns`): its first point, for each window of
/// returns the last point at or before the window's start, and the points the view shows.
public struct LeadCurveRead: Sendable, Hashable {
    public var first: EquityPoint?
    /// Window (days) → the last point at or before its start (absent when the window reaches back to the first).
    public var bases: [Int: EquityPoint] = [:]
    /// The points shown, in order (numbered `shownPositions`).
    public var shown: [EquityPoint] = []

    public init(first: EquityPoint? = nil, bases: [Int: EquityPoint] = [:], shown: [EquityPoint] = []) {
        self.first = first
        self.bases = bases
        self.shown = shown
    }
}

/// Which `LeadCurveRead` a lead's view needs, as of one committed state.
public struct LeadCurveRequest: Sendable, Hashable {
    public var lead: Int
    /// The lead's curve points in the state.
    public var pointsBelow: Int
    /// Window (days) → its start time (only windows that start after the first point need a base).
    public var windowStarts: [Int: Int64]
    /// Points shown: at most this many, evenly spread over those from `curveFrom` (nil: all of them).
    public var shownAtMost: Int?
    /// Show the points from this event on, with the last before it (0: all).
    public var curveFrom: Int
}

extension LeadCurveRequest {
    /// The numbers of the points shown, given the number of the first point with an event at or after `curveFrom`
    /// (nil when none is): the last point before the span, then the span, sampled evenly with its first and last.
    public func shownPositions(firstFrom: Int?) -> [Int] {
        var start = 0
        if curveFrom > 0 { start = firstFrom.map { Swift.max(0, $0 - 1) } ?? Swift.max(0, pointsBelow - 1) }
        let count = pointsBelow - start
        guard count > 0 else { return [] }
        guard let n = shownAtMost else { return Array(start..<pointsBelow) }
        if n == 1 { return [pointsBelow - 1] }
        guard n >= 2, count > n else { return Array(start..<pointsBelow) }
        return (0..<n).map { start + $0 * (count - 1) / (n - 1) }
    }
}

extension Engine {
    /// Whether the engine released curve points or mark prices (read them with `curveRowsRequest` and
    /// `leadCurveRequest` from a store).
    public var curvesInStore: Bool { priceHistoryReleased > 0 || curveReleased.contains { $0 > 0 } }

    /// What a store must read for the copy's curve.
    public func curveRowsRequest(_ ref: CopyRef) -> CurveRowsRequest {
        let book = leads[ref.lead].book
        let stopped = Int(book.stoppedEvent(ref.slot))
        return CurveRowsRequest(
            lead: ref.lead, started: book.startedEvent(ref.slot), stopped: stopped < 0 ? nil : stopped,
            pointsBelow: curveCount(of: ref.lead), pricesBelow: priceCount, symbols: venue.symbols.count)
    }

    /// What a store must read for the market's marks since event `from` as lead `l`'s rows (a forecast's span): the
    /// marks before it (`CurveRows.marks`) and every price set after it (`CurveRows.prices`).
    public func curveRowsRequest(lead l: Int, from event: Int) -> CurveRowsRequest {
        CurveRowsRequest(
            lead: l, started: event, stopped: nil, pointsBelow: curveCount(of: l), pricesBelow: priceCount, symbols: venue.symbols.count)
    }

    /// `request`'s rows from memory. Precondition: the curves are in memory (`curvesInStore` is false).
    public func curveRows(_ request: CurveRowsRequest) -> CurveRows {
        precondition(!curvesInStore, "the engine released its curves: read them from the store (curveRowsRequest)")
        return Self.curveRows(request, points: leads[request.lead].curve, prices: priceHistory)
    }

    /// The copy's `CurveRows` from memory. Precondition: the curves are in memory (`curvesInStore` is false).
    public func curveRows(_ ref: CopyRef) -> CurveRows {
        precondition(!curvesInStore, "the engine released its curves: read them from the store (curveRowsRequest)")
        return Self.curveRows(curveRowsRequest(ref), points: leads[ref.lead].curve, prices: priceHistory)
    }

    /// `request`'s rows from a lead's whole curve and every mark price (each numbered from 0).
    public static func curveRows(_ request: CurveRowsRequest, points: [EquityPoint], prices: [PricePoint]) -> CurveRows {
        let prices = prices.prefix(request.pricesBelow)
        var rows = CurveRows()
        rows.points = points.prefix(request.pointsBelow).filter { p in
            p.event > request.started && (request.stopped.map { p.event < $0 } ?? true)
        }
        rows.pricesFrom = prices.firstIndex { $0.event > request.started } ?? prices.count
        for p in prices[..<rows.pricesFrom] { rows.marks[p.symbol] = p.price }
        rows.prices = Array(prices[rows.pricesFrom...])
        return rows
    }

    /// What a store must read for lead `l`'s view: returns over `windows` (days) and the points shown (see
    /// `LeadCurveRequest`).
    public func leadCurveRequest(_ l: Int, windows: [Int], shownAtMost: Int?, curveFrom: Int = 0) -> LeadCurveRequest {
        var starts: [Int: Int64] = [:]
        for days in windows { starts[days] = now - Int64(days) * 86_400_000 }
        return LeadCurveRequest(
            lead: l, pointsBelow: curveCount(of: l), windowStarts: starts, shownAtMost: shownAtMost, curveFrom: curveFrom)
    }

    /// Lead `l`'s `LeadCurveRead` from memory. Precondition: the curves are in memory.
    public func leadCurveRead(_ l: Int, windows: [Int], shownAtMost: Int?, curveFrom: Int = 0) -> LeadCurveRead {
        precondition(!curvesInStore, "the engine released its curves: read them from the store (leadCurveRequest)")
        return Self.leadCurveRead(
            leadCurveRequest(l, windows: windows, shownAtMost: shownAtMost, curveFrom: curveFrom), points: leads[l].curve)
    }

    /// `request`'s read from a lead's whole curve (numbered from 0).
    public static func leadCurveRead(_ request: LeadCurveRequest, points: [EquityPoint]) -> LeadCurveRead {
        let curve = points.prefix(request.pointsBelow)
        var read = LeadCurveRead(first: curve.first)
        if let start = curve.first?.time {
            for (days, from) in request.windowStarts where from > start {
                // The last point at or before the window's start.
                let after = curve.firstIndex(notBefore: { $0.time <= from })
                if after > 0 { read.bases[days] = curve[after - 1] }
            }
        }
        let firstFrom = request.curveFrom > 0 ? curve.firstIndex { $0.event >= request.curveFrom } : nil
        read.shown = request.shownPositions(firstFrom: firstFrom).map { curve[$0] }
        return read
    }
}

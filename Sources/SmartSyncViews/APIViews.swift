import SmartSyncCore

/// What the API shows beyond the scenario report's objects: a lead's returns and sparkline or curve, a copy's
/// summary, pages, built from the engine in one read.
public enum APIViews {
    // MARK: Leads

    /// The windows of a lead's returns, in days (and all time).
    public static let returnWindows = [7, 30, 90]

    /// What `lead(_:_:curvePoints:curveFrom:curve:)` reads of the lead's curve (`LeadCurveRead`): a store reads it
    /// from this request when the engine released its curves.
    public static func leadCurveRequest(_ engine: Engine, _ l: Int, curvePoints: Int?, curveFrom: Int = 0) -> LeadCurveRequest {
        engine.leadCurveRequest(l, windows: returnWindows, shownAtMost: curvePoints == 0 ? 40 : curvePoints, curveFrom: curveFrom)
    }

    /// A lead for the API: the report's lead, its slippage limit and returns over 7, 30, 90 days and all time, and
    /// at most `curvePoints` points of its equity curve (nil: all; 0: none, with a sparkline of its NAV instead).
    /// What it shows of the curve comes from `curve` (read for `leadCurveRequest`), else from memory.
    public static func lead(_ engine: Engine, _ l: Int, curvePoints: Int?, curveFrom: Int = 0, curve: LeadCurveRead? = nil) -> LeadReport {
        var lead = ScenarioReport.lead(engine, l, curve: false)
        let read =
            curve
            ?? engine.leadCurveRead(
                l, windows: returnWindows, shownAtMost: curvePoints == 0 ? 40 : curvePoints, curveFrom: curveFrom)
        lead.slippageLimit = engine.leads[l].slippageLimit
        lead.executionMode = engine.executionMode(lead: l).rawValue
        let r = engine.leadReturns(l, windows: returnWindows + [nil], curve: read).map { ReturnReport(roi: $0.roi, pnl: $0.pnl) }
        lead.returns = ReturnsReport(days7: r[0], days30: r[1], days90: r[2], all: r[3])
        if curvePoints == 0 {
            lead.sparkline = read.shown.map(\.nav)
        } else {
            lead.equityCurve = read.shown.map(CurvePointReport.init)
        }
        return lead
    }

    /// At most `n` points of `points`, evenly spread, always with the first and the last.
    public static func sample<T>(_ points: [T], _ n: Int) -> [T] {
        guard n >= 2, points.count > n else { return n == 1 ? Array(points.suffix(1)) : points }
        return (0..<n).map { k in points[k * (points.count - 1) / (n - 1)] }
    }

    // MARK: Copies

    /// A copy without its fills and failed orders (pages read those by page): the report's copy, their counts and
    /// the failed orders grouped by reason, from the copy's counters (no history is read).
    public static func copySummary(_ engine: Engine, _ ref: CopyRef) -> CopyReport {
        var view = ScenarioReport.copy(engine, ref, history: false)
        let copy = engine.row(of: ref)
        let groups = engine.leads[ref.lead].book.failureSummary(ref.slot).sorted { $0.lastEvent > $1.lastEvent }
        view.fillCount = copy.fillCount
        view.failedOrderCount = groups.reduce(0) { $0 + $1.count }
        view.failedOrderReasons = groups.map { g in
            FailureReasonReport(
                reason: g.reason.rawValue, explanation: g.reason.explanation, count: g.count, lastEvent: g.lastEvent,
                lastTime: engine.time(ofEvent: g.lastEvent).map(ISO8601.format))
        }
        view.startedEvent = copy.startedEvent
        view.startedTime = .some(engine.time(ofEvent: copy.startedEvent).map(ISO8601.format))
        view.stoppedTime = .some(copy.stoppedEvent.flatMap { engine.time(ofEvent: $0) }.map(ISO8601.format))
        return view
    }

    /// One page of items numbered in order (`n` ascending): `newest` first, before the item numbered `cursor`, or
    /// oldest first, after it.
    public static func page<T>(_ numbered: [(n: Int, item: T)], limit: Int, cursor: Int?, newest: Bool) -> [(n: Int, item: T)] {
        if newest { return Array(numbered.filter { cursor == nil || $0.n < cursor! }.suffix(limit).reversed()) }
        return Array(numbered.filter { cursor == nil || $0.n > cursor! }.prefix(limit))
    }
}

import SmartSyncCore

/// The JSON of what the API answers beyond the scenario report's objects (orders, pages of fills and failures,
/// histories, returns), built from the engine in one read.
public enum APIViews {
    public static func amount(_ value: Fixed) -> JSONValue { .string(value.description) }
    public static func time(_ t: Int64?) -> JSONValue { t.map { .string(ISO8601.format($0)) } ?? .null }

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
    public static func lead(_ engine: Engine, _ l: Int, curvePoints: Int?, curveFrom: Int = 0, curve: LeadCurveRead? = nil) -> JSONValue {
        guard case .object(var pairs) = ScenarioReport.lead(engine, l, curve: false) else { return .null }
        let read =
            curve
            ?? engine.leadCurveRead(
                l, windows: returnWindows, shownAtMost: curvePoints == 0 ? 40 : curvePoints, curveFrom: curveFrom)
        pairs.append(("slippageLimit", amount(engine.leads[l].slippageLimit)))
        pairs.append(("executionMode", .string(engine.executionMode(lead: l).rawValue)))
        let windows: [Int?] = returnWindows + [nil]
        pairs.append(
            (
                "returns",
                .object(
                    engine.leadReturns(l, windows: windows, curve: read).map { r in
                        (r.days.map { "\($0)d" } ?? "all", .object([("roi", amount(r.roi)), ("pnl", amount(r.pnl))]))
                    })
            ))
        if curvePoints == 0 {
            pairs.append(("sparkline", .array(read.shown.map { amount($0.nav) })))
        } else {
            pairs.append(
                (
                    "equityCurve",
                    .array(
                        read.shown.map { p in
                            .object([
                                ("time", time(p.time)), ("event", .int(p.event)), ("equity", amount(p.equity)), ("nav", amount(p.nav)),
                            ])
                        })
                ))
        }
        return .object(pairs)
    }

    /// At most `n` points of `points`, evenly spread, always with the first and the last.
    public static func sample<T>(_ points: [T], _ n: Int) -> [T] {
        guard n >= 2, points.count > n else { return n == 1 ? Array(points.suffix(1)) : points }
        return (0..<n).map { k in points[k * (points.count - 1) / (n - 1)] }
    }

    // MARK: Copies

    /// A copy without its fills and failed orders (pages read those by page): the report's copy, their counts and
    /// the failed orders grouped by reason, from the copy's counters (no history is read).
    public static func copySummary(_ engine: Engine, _ ref: CopyRef) -> JSONValue {
        guard case .object(var pairs) = ScenarioReport.copy(engine, ref, history: false) else { return .null }
        let copy = engine.row(of: ref)
        let groups = engine.leads[ref.lead].book.failureSummary(ref.slot).sorted { $0.lastEvent > $1.lastEvent }
        pairs.append(("fillCount", .int(copy.fillCount)))
        pairs.append(("failedOrderCount", .int(groups.reduce(0) { $0 + $1.count })))
        pairs.append(
            (
                "failedOrderReasons",
                .array(
                    groups.map { g in
                        .object([
                            ("reason", .string(g.reason.rawValue)), ("explanation", .string(g.reason.explanation)),
                            ("count", .int(g.count)),
                            ("lastEvent", .int(g.lastEvent)), ("lastTime", time(engine.time(ofEvent: g.lastEvent))),
                        ])
                    })
            ))
        pairs.append(("startedEvent", .int(copy.startedEvent)))
        pairs.append(("startedTime", time(engine.time(ofEvent: copy.startedEvent))))
        pairs.append(("stoppedTime", copy.stoppedEvent.map { time(engine.time(ofEvent: $0)) } ?? .null))
        return .object(pairs)
    }

    /// One page of items numbered in order (`n` ascending): `newest` first, before the item numbered `cursor`, or
    /// oldest first, after it.
    /// An object with its number in its list first (`n`, the cursor of `after`).
    public static func numbered(_ n: Int, _ value: JSONValue) -> JSONValue {
        guard case .object(let pairs) = value else { return value }
        return .object([("n", .int(n))] + pairs)
    }

    public static func page<T>(_ numbered: [(n: Int, item: T)], limit: Int, cursor: Int?, newest: Bool) -> [(n: Int, item: T)] {
        if newest { return Array(numbered.filter { cursor == nil || $0.n < cursor! }.suffix(limit).reversed()) }
        return Array(numbered.filter { cursor == nil || $0.n > cursor! }.prefix(limit))
    }

    public static func history(_ item: CopyHistoryItem) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("event", .int(item.event)), ("time", time(item.time))]
        switch item.kind {
        case .started(let investment):
            pairs += [("type", .string("started")), ("amount", amount(investment))]
        case .change(.startedWith(let sl, let tp)):
            pairs += [
                ("type", .string("startedWith")), ("stopLoss", ScenarioReport.threshold(sl)), ("takeProfit", ScenarioReport.threshold(tp)),
            ]
        case .change(.investmentAdded(let a)):
            pairs += [("type", .string("investmentAdded")), ("amount", amount(a))]
        case .change(.investmentRemoved(let a)):
            pairs += [("type", .string("investmentRemoved")), ("amount", amount(a))]
        case .change(.stopLossSet(let t)):
            pairs += [("type", .string("stopLossSet")), ("stopLoss", ScenarioReport.threshold(t))]
        case .change(.takeProfitSet(let t)):
            pairs += [("type", .string("takeProfitSet")), ("takeProfit", ScenarioReport.threshold(t))]
        case .stopped(let reason):
            pairs += [("type", .string("stopped")), ("stopReason", .string(reason.rawValue))]
        }
        pairs.append(("netInvested", amount(item.netInvestedAfter)))
        return .object(pairs)
    }
}

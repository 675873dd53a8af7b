import Foundation
import SmartSyncAPI
import SmartSyncCore
import SmartSyncViews

/// The lead board and a lead's profile: public, no key needed.
extension APIHandlers {
    func leadBoard(_ input: Operations.LeadBoard.Input) async throws -> Operations.LeadBoard.Output {
        let sort = input.query.sort?.rawValue ?? "roi"
        // ROI and PnL sort over a trailing window of the market's clock, or all time.
        let period = input.query.period?.rawValue ?? "all"
        let days = ["7d": 7, "30d": 30, "90d": 90][period]
        let board = try await service.readShared("leads?sort=\(sort)&period=\(period)") { engine, cache -> [LeadReport] in
            // Each lead's curve as its board entry shows it (returns and a sparkline), read once per committed state
            // for every order of the board.
            var curves: [Int: LeadCurveRead]
            if let read = cache.boardCurves.withLock({ $0 }) {
                curves = read
            } else {
                curves = [:]
                for l in engine.leads.indices where engine.leads[l].status == .active {
                    curves[l] = try await service.leadCurveRead(engine, APIViews.leadCurveRequest(engine, l, curvePoints: 0))
                }
                cache.boardCurves.withLock { [curves] in $0 = curves }
            }
            let views = engine.leads.indices.filter { engine.leads[$0].status == .active }.map { l in
                (l, engine.leadView(l), engine.leadReturns(l, windows: [days], curve: curves[l]!)[0])
            }
            // Ties keep the order leads started in.
            let sorted = views.enumerated().sorted { a, b in
                let (x, y) = (a.element.1, b.element.1)
                let (rx, ry) = (a.element.2, b.element.2)
                func order<T: Comparable>(_ p: T, _ q: T, descending: Bool = true) -> Bool {
                    p == q ? a.offset < b.offset : (descending ? p > q : p < q)
                }
                switch sort {
                case "pnl": return order(rx.pnl, ry.pnl)
                case "aum": return order(x.aum, y.aum)
                case "followers": return order(x.followers, y.followers)
                case "maxDrawdown": return order(x.maxDrawdown, y.maxDrawdown, descending: false)
                case "winRate": return order(x.winRate, y.winRate)
                default: return order(rx.roi, ry.roi)
                }
            }
            return sorted.enumerated().map { n, entry in
                let l = entry.element.0
                var lead = APIViews.lead(engine, l, curvePoints: 0, curve: curves[l]!)
                lead.n = n
                return lead
            }
        }
        let page = (limit: input.query.limit ?? .max, after: input.query.after)
        return .ok(.init(body: .json(Self.listPage(board, page).map(\.item))))
    }

    func leadProfile(_ input: Operations.LeadProfile.Input) async throws -> Operations.LeadProfile.Output {
        let id = input.path.user
        let points = input.query.curvePoints
        // The curve from this event on (with the last point before it, so that the span is covered).
        let from = input.query.curveFrom ?? 0
        let engine = service.read { $0 }
        guard let u = engine.user(named: id), let l = engine.users[u].lead else { throw APIError.notFound("lead \(id)") }
        let curve = try await service.leadCurveRead(engine, APIViews.leadCurveRequest(engine, l, curvePoints: points, curveFrom: from))
        return .ok(.init(body: .json(APIViews.lead(engine, l, curvePoints: points, curveFrom: from, curve: curve))))
    }
}

/// A forecast of a copy before starting it (`Engine.forecast`), from the lead's own fills of the span.
extension APIHandlers {
    /// How far beyond the profit share a copy may be from its lead's result and still track it: 0.2 points.
    static let trackingWithin = Fixed(units: 200_000)
    /// The most lead fills a forecast replays (the latest; the span then starts at the first of them).
    static let maxForecastFills = 5_000

    func forecast(_ input: Operations.Forecast.Input) async throws -> Operations.Forecast.Output {
        let days = input.query.days ?? 30
        let engine = service.read { $0 }
        guard let u = engine.user(named: input.path.user), let l = engine.users[u].lead else {
            throw APIError.notFound("lead \(input.path.user)")
        }
        guard engine.leads[l].status == .active else {
            throw APIError(
                .unprocessableContent, code: "leadNotActive", "\(input.path.user) stopped leading: no copy can start", field: "user")
        }
        let end = engine.now
        var start = end - Int64(days) * 86_400_000
        // The lead's curve at the span's start (its net funding then), or its first point if it started later.
        let read = try await service.leadCurveRead(engine, engine.leadCurveRequest(l, windows: [days], shownAtMost: 0, curveFrom: 0))
        guard var base = read.bases[days] ?? read.first else { throw APIError.notFound("lead \(input.path.user)'s curve") }
        start = max(start, read.bases[days] == nil ? base.time : start)
        // Its fills since, newest pages first: at most the last `maxForecastFills` (the span starts at the first).
        var fills: [LeadFill] = []
        var before = Int.max
        while fills.count < Self.maxForecastFills {
            let page = try await service.leadFills(engine, lead: l, before: before, limit: 500)
            let inSpan = page.filter { $0.fill.time >= start }
            fills.insert(contentsOf: inSpan.map(\.fill), at: 0)
            guard inSpan.count == page.count, page.count >= 500, let first = page.first else { break }
            before = first.fill.event
        }
        // Too many: the latest, and the span starts at the first of them, its base the last curve point before it.
        var from = base.event
        if fills.count > Self.maxForecastFills {
            fills.removeFirst(fills.count - Self.maxForecastFills)
            (start, from) = (fills[0].time, fills[0].event)
        }
        // Its transfers since: where its curve's net funding moves (the first point read is the last before `from`).
        let points = try await service.leadCurveRead(
            engine, engine.leadCurveRequest(l, windows: [], shownAtMost: nil, curveFrom: max(1, from))
        ).shown
        if from != base.event, let before = points.first, before.event < from { base = before }
        var transfers: [(event: Int, time: Int64, amount: Fixed)] = []
        var funding = base.netFunding
        for p in points where p.event > base.event && p.netFunding != funding {
            transfers.append((p.event, p.time, p.netFunding - funding))
            funding = p.netFunding
        }
        // The market's marks over the span: those at its start, then every price set since.
        let market = try await service.curveRows(engine, engine.curveRowsRequest(lead: l, from: from))
        // The portfolio at the start: today's, with the span's fills and transfers taken back.
        let lead = engine.leads[l]
        var cash = lead.cash - (lead.netFunding - base.netFunding)
        var positions = lead.positions.mapValues(\.quantity)
        var startMarks = engine.venue.marks
        // A symbol's price at the start: the market's mark then; else (never priced before) the first price the lead
        // traded it at in the span; else today's.
        for (s, price) in market.marks where startMarks.indices.contains(s) { startMarks[s] = price }
        var priced = Set(market.marks.keys)
        for f in fills {
            if f.side == .buy {
                cash += f.quote + f.fee
                positions[f.symbol, default: .zero] -= f.quantity
            } else {
                cash -= f.quote - f.fee
                positions[f.symbol, default: .zero] += f.quantity
            }
            if priced.insert(f.symbol).inserted { startMarks[f.symbol] = f.price }
        }
        var forecastInput = ForecastInput(
            settings: engine.settings, symbols: engine.venue.symbols, startMarks: startMarks, endMarks: engine.venue.marks,
            leadCash: Fixed.max(cash, .zero), leadPositions: positions.filter { $0.value.isPositive },
            profitShareRate: lead.profitShareRate,
            slippageLimit: lead.slippageLimit, fills: fills, start: start, end: max(end, start), investment: input.query.investment,
            buyExisting: input.query.buyExisting ?? false)
        forecastInput.transfers = transfers
        forecastInput.prices = market.prices
        let result: Forecast
        do {
            result = try Engine.forecast(forecastInput)
        } catch {
            throw APIError(error)
        }
        let smallest = Engine.smallestTracking(
            forecastInput, within: Self.trackingWithin, ladder: Engine.forecastLadder(minimum: engine.settings.minInvestment))
        return .ok(
            .init(
                body: .json(
                    ForecastReport(
                        lead: input.path.user, days: days, from: start, to: max(end, start), buyExisting: forecastInput.buyExisting,
                        forecast: result, trackingWithin: Self.trackingWithin, smallestTracking: smallest))))
    }
}

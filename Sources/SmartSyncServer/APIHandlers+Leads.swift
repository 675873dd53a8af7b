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

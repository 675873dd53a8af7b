import Foundation
import HTTPTypes
import Hummingbird
import SmartSyncCore
import SmartSyncStore
import SmartSyncViews

/// Public reads: markets, the configuration and the lead board, no key needed.
extension Routes {
    // MARK: Public: markets and the lead board

    func registerPublic(_ router: Router<AppContext>) {
        router.get("/v1/leads") { request, _ in
            let sort = try Self.choice(request, "sort", ["roi", "pnl", "aum", "followers", "maxDrawdown", "winRate"])
            // ROI and PnL sort over a trailing window of the market's clock, or all time.
            let period = try Self.choice(request, "period", ["7d", "30d", "90d", "all"], default: "all")!
            let days = ["7d": 7, "30d": 30, "90d": 90][period]
            let page = try Self.listQuery(request)
            let board = try await service.readShared("leads?sort=\(sort)&period=\(period)") { engine, cache -> JSONValue in
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
                return .array(
                    sorted.enumerated().map { n, entry in
                        let l = entry.element.0
                        return APIViews.numbered(n, APIViews.lead(engine, l, curvePoints: 0, curve: curves[l]!))
                    })
            }
            guard page.after != nil || page.limit != .max, case .array(let all) = board else { return jsonResponse(board) }
            return jsonResponse(.array(Self.listPage(all, page).map(\.item)))
        }
        router.get("/v1/leads/:user") { request, context in
            let id = try Self.parameter(context, "user")
            let points = try Self.optionalIntQuery(request, "curvePoints", range: 0...100_000)
            // The curve from this event on (with the last point before it, so that the span is covered).
            let from = try Self.intQuery(request, "curveFrom", default: 0, range: 0...Int(Int32.max))
            let engine = service.read { $0 }
            guard let u = engine.user(named: id), let l = engine.users[u].lead else { throw APIError.notFound("lead \(id)") }
            let curve = try await service.leadCurveRead(engine, APIViews.leadCurveRequest(engine, l, curvePoints: points, curveFrom: from))
            return jsonResponse(APIViews.lead(engine, l, curvePoints: points, curveFrom: from, curve: curve))
        }
    }
}

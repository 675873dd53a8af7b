import Foundation
import HTTPTypes
import Hummingbird
import SmartSyncCore
import SmartSyncScenario
import SmartSyncStore

/// The JSON API (v1). Amounts are strings; errors are `{"error": {"code", "message", "field"}}`. Requests that move
/// money accept an `Idempotency-Key` header: a retry with the same key does not act twice.
struct Routes: Sendable {
    let service: EngineService

    func register(on router: Router<AppContext>) {
        router.get("/health") { _, _ in jsonResponse(.object([("status", .string("ok"))])) }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: service.metrics.emitToBuffer())))
        }
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        registerPublic(router)
        registerAccount(router)
        registerLead(router)
        registerCopies(router)
        registerOperator(router)
    }

    // MARK: Public: markets and the lead board

    func registerPublic(_ router: Router<AppContext>) {
        router.get("/v1/markets") { _, _ in
            await jsonResponse(
                service.read { engine in
                    .array(
                        engine.venue.symbols.indices.map { s in
                            let symbol = engine.venue.symbols[s]
                            return .object([
                                ("symbol", .string(symbol.name)), ("price", .string(engine.venue.marks[s].description)),
                                ("qtyStep", .string(symbol.qtyStep.description)), ("priceTick", .string(symbol.priceTick.description)),
                                ("minQty", .string(symbol.minQty.description)), ("minNotional", .string(symbol.minNotional.description)),
                            ])
                        })
                })
        }
        router.get("/v1/config") { _, _ in
            let demo = service.demoStatus.withLock { $0 }
            return await jsonResponse(
                service.read { engine in
                    let s = engine.settings
                    return .object([
                        ("minInvestment", .string(s.minInvestment.description)), ("takerFeeRate", .string(s.takerFeeRate.description)),
                        ("maxActiveCopiesPerFollower", .int(s.maxActiveCopiesPerFollower)),
                        ("maxProfitShareRate", .string(s.maxProfitShareRate.description)),
                        ("slippageLimit", .string(s.slippageLimit.description)), ("defaultFollowerLimit", .int(s.defaultFollowerLimit)),
                        // The market's clock: the time of the last command (in the demo, a moment of 2021).
                        ("marketTime", engine.moments.isEmpty ? .null : .string(ISO8601.format(engine.now))),
                        (
                            "demo",
                            demo.map { d in
                                .object([
                                    ("from", .string(ISO8601.format(d.from))), ("to", .string(ISO8601.format(d.to))),
                                    ("finished", .bool(d.finished)),
                                ])
                            } ?? .null
                        ),
                    ])
                })
        }
        router.get("/v1/leads") { request, _ in
            let sort = request.uri.queryParameters.get("sort") ?? "roi"
            let keys = ["roi", "pnl", "aum", "followers", "maxDrawdown", "winRate"]
            guard keys.contains(sort) else {
                throw APIError(.badRequest, code: "invalidInput", "must be one of \(keys.joined(separator: ", "))", field: "sort")
            }
            // ROI and PnL sort over a trailing window of the market's clock, or all time.
            let periods: [String: Int?] = ["7d": 7, "30d": 30, "90d": 90, "all": nil]
            let period = request.uri.queryParameters.get("period") ?? "all"
            guard let days = periods[period] else {
                throw APIError(.badRequest, code: "invalidInput", "must be one of 7d, 30d, 90d, all (got \"\(period)\")", field: "period")
            }
            return await jsonResponse(
                service.read { engine in
                    let views = engine.leads.indices.filter { engine.leads[$0].status == .active }.map { l in
                        (l, engine.leadView(l), engine.leadReturns(l, windows: [days])[0])
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
                    return .array(sorted.map { APIViews.lead(engine, $0.element.0, curvePoints: 0) })
                })
        }
        router.get("/v1/leads/:user") { request, context in
            let id = try Self.parameter(context, "user")
            let points = request.uri.queryParameters.get("curvePoints") == nil
                ? nil : try Self.intQuery(request, "curvePoints", default: 0, range: 0...100_000)
            // The curve from this event on (with the last point before it, so that the span is covered).
            let from = try Self.intQuery(request, "curveFrom", default: 0, range: 0...Int(Int32.max))
            return try await jsonResponse(
                service.read { engine in
                    guard let u = engine.user(named: id), let l = engine.users[u].lead else { throw APIError.notFound("lead \(id)") }
                    return APIViews.lead(engine, l, curvePoints: points, curveFrom: from)
                })
        }
        router.get("/v1/leads/:user/fills") { request, context in
            let id = try Self.parameter(context, "user")
            let limit = try Self.intQuery(request, "limit", default: 500, range: 1...10_000)
            let before = request.uri.queryParameters.get("before") == nil
                ? Int.max : try Self.intQuery(request, "before", default: 0, range: 0...Int(Int32.max))
            return try await jsonResponse(
                service.read { engine in
                    guard let u = engine.user(named: id), let l = engine.users[u].lead else { throw APIError.notFound("lead \(id)") }
                    // Oldest first, the last `limit` before the event `before` (pages go back with before = the first event).
                    let fills = engine.leadFills.filter { $0.lead == l && $0.event < before }.suffix(limit)
                    return .array(
                        fills.map { f in
                            .object([
                                ("id", .string(f.id)), ("event", .int(f.event)), ("time", .string(ISO8601.format(f.time))),
                                ("symbol", .string(engine.venue.symbols[f.symbol].name)), ("side", .string(f.side.rawValue)),
                                ("quantity", .string(f.quantity.description)), ("price", .string(f.price.description)),
                                ("quote", .string(f.quote.description)), ("fee", .string(f.fee.description)),
                            ])
                        })
                })
        }
        router.get("/v1/leads/:user/buy-existing") { request, context in
            let id = try Self.parameter(context, "user")
            guard let text = request.uri.queryParameters.get("investment") else {
                throw APIError(.badRequest, code: "invalidInput", "is required", field: "investment")
            }
            let investment: Fixed
            do { investment = try Fixed(text) } catch {
                throw APIError(.badRequest, code: "invalidInput", "\(error)", field: "investment")
            }
            guard investment.isPositive else { throw APIError(.badRequest, code: "invalidInput", "must be positive (got \(investment))", field: "investment") }
            return try await jsonResponse(
                service.read { engine in
                    let preview: [BuyExistingPreview]
                    do { preview = try engine.buyExistingPreview(lead: id, investment: investment) } catch let error as EngineError { throw APIError(error) }
                    return .array(
                        preview.map { p in
                            .object([
                                ("symbol", .string(p.symbol)), ("weight", .string(p.weight.description)),
                                ("notional", .string(p.notional.description)), ("quantity", .string(p.quantity.description)),
                                ("price", .string(p.price.description)), ("skipped", p.skipped.map { .string($0.rawValue) } ?? .null),
                                ("explanation", p.skipped.map { .string($0.explanation) } ?? .null),
                            ])
                        })
                })
        }
    }

    /// A path parameter, percent-decoded (`/v1/copies/a%20b` names the copy `a b`).
    static func parameter(_ context: AppContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    /// The ids a client chooses (users, copies): letters, digits, `.`, `_`, `-`, at most 64, so that they fit in a
    /// URL path unescaped.
    static func checkID(_ id: String, field: String) throws {
        let allowed = id.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x2D
        }
        guard !id.isEmpty, id.utf8.count <= 64, allowed else {
            throw APIError(.badRequest, code: "invalidInput", "must be 1 to 64 letters, digits, '.', '_' or '-' (got \"\(id)\")", field: field)
        }
    }

    /// An integer query parameter within `range`, or 400 naming it.
    static func intQuery(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw APIError(.badRequest, code: "invalidInput", "must be an integer from \(range.lowerBound) to \(range.upperBound)", field: name)
        }
        return n
    }

    // MARK: The caller's main account

    func registerAccount(_ router: Router<AppContext>) {
        router.get("/v1/me") { _, context in
            let caller = try context.requireCaller()
            return try await jsonResponse(
                service.read { engine in
                    guard let u = engine.user(named: caller.user) else { throw APIError.notFound("user \(caller.user)") }
                    var user = ScenarioReport.user(engine.users[u])
                    if case .object(var pairs) = user {
                        pairs.append(("role", .string(caller.role.rawValue)))
                        user = .object(pairs)
                    }
                    return user
                })
        }
        router.post("/v1/transfers") { request, context in
            let caller = try context.requireCaller()
            let body = try await decodeBody(TransferBody.self, request, context)
            let direction: TransferDirection
            switch (body.from, body.to) {
            case ("main", "portfolio"): direction = .mainToPortfolio
            case ("portfolio", "main"): direction = .portfolioToMain
            default: throw APIError(.badRequest, code: "invalidInput", "a transfer goes from main to portfolio or back", field: "to")
            }
            return try await command(.transfer(user: caller.user, amount: body.amount, direction: direction), request, caller)
        }
        router.post("/v1/orders") { request, context in
            let caller = try context.requireCaller()
            let body = try await decodeBody(OrderBody.self, request, context)
            let account = body.account ?? .portfolio
            let given = [("quoteAmount", body.quoteAmount != nil), ("quantity", body.quantity != nil), ("fraction", body.fraction != nil)]
                .filter(\.1).map(\.0)
            if given.count > 1 {
                throw APIError(
                    .badRequest, code: "invalidInput", "give one of quoteAmount, quantity or fraction, not \(given.joined(separator: " and "))",
                    field: given[1])
            }
            if body.fraction != nil && body.limitPrice != nil {
                throw APIError(.badRequest, code: "invalidInput", "a fraction order is a market order: give quantity or quoteAmount with a limit price", field: "limitPrice")
            }
            let order: EngineCommand
            if let fraction = body.fraction {
                order = .orderFraction(user: caller.user, account: account, symbol: body.symbol, side: body.side, fraction: fraction)
            } else {
                order = .order(
                    OrderRequest(
                        user: caller.user, account: account, symbol: body.symbol, side: body.side, quoteAmount: body.quoteAmount,
                        quantity: body.quantity, limitPrice: body.limitPrice))
            }
            let receipt = try await submit(order, request, caller)
            return try await jsonResponse(
                service.read { engine in
                    guard let placed = engine.order(placedAt: receipt.event) else { throw APIError.notFound("order") }
                    return APIViews.order(engine, placed, applied: receipt.applied)
                }, status: receipt.applied ? .created : .ok)
        }
        router.get("/v1/orders") { request, context in
            let caller = try context.requireCaller()
            let status = request.uri.queryParameters.get("status") ?? "open"
            guard ["open", "all"].contains(status) else {
                throw APIError(.badRequest, code: "invalidInput", "must be one of \"open\", \"all\" (got \"\(status)\")", field: "status")
            }
            let limit = try Self.intQuery(request, "limit", default: 100, range: 1...1_000)
            return try await jsonResponse(
                service.read { engine in
                    guard let u = engine.user(named: caller.user) else { throw APIError.notFound("user \(caller.user)") }
                    // Newest first: open orders, or every order.
                    let mine = engine.orders.reversed().lazy.filter { $0.user == u && (status == "all" || $0.status.isOpen) }.prefix(limit)
                    return .array(mine.map { APIViews.order(engine, $0) })
                })
        }
        router.get("/v1/orders/:id") { _, context in
            let caller = try context.requireCaller()
            guard let id = Int(try Self.parameter(context, "id")) else { throw APIError.notFound("order") }
            return try await jsonResponse(
                service.read { engine in
                    guard let u = engine.user(named: caller.user), let o = engine.order(id: id), o.user == u else {
                        throw APIError.notFound("order \(id)")
                    }
                    return APIViews.order(engine, o)
                })
        }
        router.delete("/v1/orders/:id") { request, context in
            let caller = try context.requireCaller()
            guard let id = Int(try Self.parameter(context, "id")) else { throw APIError.notFound("order") }
            _ = try await submit(.cancelOrder(user: caller.user, orderID: id), request, caller)
            return try await jsonResponse(
                service.read { engine in
                    guard let o = engine.order(id: id) else { throw APIError.notFound("order \(id)") }
                    return APIViews.order(engine, o)
                })
        }
    }

    // MARK: Leading

    func registerLead(_ router: Router<AppContext>) {
        router.post("/v1/leading") { request, context in
            let caller = try context.requireCaller()
            let body = try await decodeBody(StartLeadingBody.self, request, context)
            return try await command(
                .startLeading(
                    user: caller.user, portfolio: body.portfolio, profitShareRate: body.profitShareRate,
                    slippageLimit: body.slippageLimit, followerLimit: body.followerLimit), request, caller, status: .created)
        }
        router.patch("/v1/leading") { request, context in
            let caller = try context.requireCaller()
            let body = try await decodeBody(UpdateLeadBody.self, request, context)
            return try await command(
                .updateLead(
                    user: caller.user, profitShareRate: body.profitShareRate, slippageLimit: body.slippageLimit,
                    followerLimit: body.followerLimit), request, caller)
        }
        router.delete("/v1/leading") { request, context in
            let caller = try context.requireCaller()
            return try await command(.stopLeading(user: caller.user), request, caller)
        }
        router.get("/v1/leading/followers") { _, context in
            let caller = try context.requireCaller()
            return try await jsonResponse(
                service.read { engine in
                    guard let u = engine.user(named: caller.user), let l = engine.users[u].lead else { throw APIError.notFound("lead portfolio") }
                    // A lead sees its followers' copy sizes and results, nothing else of theirs.
                    return .array(
                        engine.allCopies.filter { $0.lead == l }.map { ref in
                            let v = engine.copyView(ref)
                            return .object([
                                ("copy", .string(v.id)), ("status", .string(v.status.name)), ("netInvested", .string(v.netInvested.description)),
                                ("equity", .string(v.equity.description)), ("roi", .string(v.roi.description)),
                                ("profitSharePaid", .string(v.profitSharePaid.description)),
                            ])
                        })
                })
        }
        router.delete("/v1/leading/followers/:copy") { request, context in
            let caller = try context.requireCaller()
            let copy = try Self.parameter(context, "copy")
            return try await command(.removeFollower(user: caller.user, copy: copy), request, caller)
        }
    }

    // MARK: Copies

    func registerCopies(_ router: Router<AppContext>) {
        router.post("/v1/copies") { request, context in
            let caller = try context.requireCaller()
            let body = try await decodeBody(StartCopyBody.self, request, context)
            if let id = body.id { try Self.checkID(id, field: "id") }
            // Without an id: from the Idempotency-Key when there is one, so that a retry names the same copy.
            let key = HTTPField.Name("Idempotency-Key").flatMap { request.headers[$0] }
            let sequence = await service.commandCount
            let id = body.id ?? key.map { "\(caller.user)-\(body.lead)-\(SHA256.hex($0).prefix(12))" } ?? "\(caller.user)-\(body.lead)-\(sequence)"
            let start = StartCopyRequest(
                copyID: id, user: caller.user, lead: body.lead, mode: body.mode ?? .smartSync, investment: body.investment,
                buyExisting: body.buyExisting ?? false, stopLoss: body.stopLoss, takeProfit: body.takeProfit,
                amountPerOrder: body.amountPerOrder)
            let applied = try await apply(.startCopy(start), request, caller)
            return try await copyJSON(id, caller, status: applied ? .created : .ok)
        }
        router.get("/v1/copies") { request, context in
            let caller = try context.requireCaller()
            let view = request.uri.queryParameters.get("view") ?? "full"
            guard ["full", "summary"].contains(view) else {
                throw APIError(.badRequest, code: "invalidInput", "must be one of \"full\", \"summary\" (got \"\(view)\")", field: "view")
            }
            return await jsonResponse(
                service.read { engine in
                    guard let u = engine.user(named: caller.user) else { return .array([]) }
                    return .array(engine.users[u].copies.map { view == "summary" ? APIViews.copySummary(engine, $0) : ScenarioReport.copy(engine, $0) })
                })
        }
        router.get("/v1/copies/:id") { request, context in
            let caller = try context.requireCaller()
            let id = try Self.parameter(context, "id")
            let view = request.uri.queryParameters.get("view") ?? "full"
            guard ["full", "summary"].contains(view) else {
                throw APIError(.badRequest, code: "invalidInput", "must be one of \"full\", \"summary\" (got \"\(view)\")", field: "view")
            }
            return try await jsonResponse(copyRead(id, caller) { engine, ref in
                view == "summary" ? APIViews.copySummary(engine, ref) : ScenarioReport.copy(engine, ref)
            })
        }
        router.get("/v1/copies/:id/fills") { request, context in
            let caller = try context.requireCaller()
            let (limit, cursor, newest) = try Self.pageQuery(request)
            return try await jsonResponse(copyRead(try Self.parameter(context, "id"), caller) { engine, ref in
                let page = APIViews.page(engine.copyFills(ref), limit: limit, cursor: cursor, newest: newest)
                // The lead fills behind this page, found in one pass from the newest.
                var wanted = Set(page.compactMap { $0.item.leadFillID })
                var leadFills: [String: LeadFill] = [:]
                for f in engine.leadFills.reversed() where !wanted.isEmpty {
                    if wanted.remove(f.id) != nil { leadFills[f.id] = f }
                }
                return .array(page.map { APIViews.copyFill($0.n, $0.item, leadFill: $0.item.leadFillID.flatMap { leadFills[$0] }) })
            })
        }
        router.get("/v1/copies/:id/failed-orders") { request, context in
            let caller = try context.requireCaller()
            let (limit, cursor, newest) = try Self.pageQuery(request)
            let reason = try request.uri.queryParameters.get("reason").map { text in
                guard let r = FailedCopyOrder.Reason(rawValue: text) else {
                    let allowed = FailedCopyOrder.Reason.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                    throw APIError(.badRequest, code: "invalidInput", "must be one of \(allowed) (got \"\(text)\")", field: "reason")
                }
                return r
            }
            return try await jsonResponse(copyRead(try Self.parameter(context, "id"), caller) { engine, ref in
                // Numbered within all of the copy's failures, so that `n` and the cursor mean the same with a filter.
                let all = engine.failedOrders(ref).enumerated().filter { reason == nil || $0.element.reason == reason }.map { (n: $0.offset, failure: $0.element) }
                let page: [(n: Int, failure: FailedCopyOrder)]
                if newest {
                    page = Array(all.filter { cursor == nil || $0.n < cursor! }.suffix(limit).reversed())
                } else {
                    page = Array(all.filter { cursor == nil || $0.n > cursor! }.prefix(limit))
                }
                return .array(page.map { APIViews.failedOrder(engine, $0.n, $0.failure) })
            })
        }
        router.get("/v1/copies/:id/tracking") { _, context in
            let caller = try context.requireCaller()
            return try await jsonResponse(copyRead(try Self.parameter(context, "id"), caller) { engine, ref in
                ScenarioReport.tracking(engine.copyView(ref).tracking)
            })
        }
        router.get("/v1/copies/:id/history") { _, context in
            let caller = try context.requireCaller()
            return try await jsonResponse(copyRead(try Self.parameter(context, "id"), caller) { engine, ref in
                .array(engine.copyHistory(ref).map(APIViews.history))
            })
        }
        router.get("/v1/copies/:id/equity-curve") { request, context in
            let caller = try context.requireCaller()
            let points = request.uri.queryParameters.get("points") == nil ? nil : try Self.intQuery(request, "points", default: 0, range: 2...100_000)
            return try await jsonResponse(copyRead(try Self.parameter(context, "id"), caller) { engine, ref in
                let curve = engine.copyEquityCurve(ref)
                return .array(
                    (points.map { APIViews.sample(curve, $0) } ?? curve).map { p in
                        .object([
                            ("event", .int(p.event)), ("time", APIViews.time(p.time)), ("equity", .string(p.equity.description)),
                            ("netInvested", .string(p.netInvested.description)), ("nav", .string(p.nav.description)),
                        ])
                    })
            })
        }
        // Settings and stop of a copy: only its follower may act on it.
        router.post("/v1/copies/:id/investment") { request, context in
            try await copyAction(request, context) { id in .adjustInvestment(copy: id, delta: try await decodeBody(AdjustBody.self, request, context).delta) }
        }
        router.put("/v1/copies/:id/stop-loss") { request, context in
            try await copyAction(request, context) { id in .setStopLoss(copy: id, try await decodeBody(StopLossBody.self, request, context).stopLoss) }
        }
        router.put("/v1/copies/:id/take-profit") { request, context in
            try await copyAction(request, context) { id in .setTakeProfit(copy: id, try await decodeBody(TakeProfitBody.self, request, context).takeProfit) }
        }
        router.delete("/v1/copies/:id") { request, context in
            try await copyAction(request, context) { id in .stopCopy(copy: id) }
        }
    }

    /// `order` (`oldest`, the default, or `newest`), `limit` (default all for oldest, 50 for newest) and the cursor:
    /// `after` (oldest first) or `before` (newest first) an item's `n`.
    static func pageQuery(_ request: Request) throws -> (limit: Int, cursor: Int?, newest: Bool) {
        let order = request.uri.queryParameters.get("order") ?? "oldest"
        guard ["oldest", "newest"].contains(order) else {
            throw APIError(.badRequest, code: "invalidInput", "must be one of \"oldest\", \"newest\" (got \"\(order)\")", field: "order")
        }
        let newest = order == "newest"
        let limit = try intQuery(request, "limit", default: newest ? 50 : 1_000_000, range: 1...1_000_000)
        let name = newest ? "before" : "after"
        let cursor = request.uri.queryParameters.get(name) == nil ? nil : try intQuery(request, name, default: 0, range: 0...Int(Int32.max))
        return (limit, cursor, newest)
    }

    /// Checks that the caller owns the copy, builds its command (decoding the body), applies it, returns the copy.
    /// A stop loss or take profit that fires at once (already reached) stops the copy: the answer says so in `fired`.
    func copyAction(_ request: Request, _ context: AppContext, _ make: (String) async throws -> EngineCommand) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try Self.parameter(context, "id")
        _ = try await copyRead(id, caller, owner: true) { _, _ in .null }
        let command = try await make(id)
        let receipt = try await submit(command, request, caller)
        return try await jsonResponse(copyRead(id, caller) { engine, ref in
            guard case .object(var pairs) = ScenarioReport.copy(engine, ref) else { return .null }
            let book = engine.leads[ref.lead].book
            var fired = false
            switch command {
            case .setStopLoss, .setTakeProfit, .adjustInvestment:
                fired = book.status[ref.slot] == .stopped && Int(book.stoppedEvent[ref.slot]) == receipt.event
            default: break
            }
            pairs.append(("fired", .bool(fired)))
            return .object(pairs)
        })
    }

    // MARK: Operator

    func registerOperator(_ router: Router<AppContext>) {
        router.post("/v1/users") { request, context in
            _ = try context.requireOperator()
            let body = try await decodeBody(UserBody.self, request, context)
            try Self.checkID(body.id, field: "id")
            let key = try await service.issueKey(user: body.id, role: body.role ?? .user)
            return jsonResponse(
                .object([("id", .string(body.id)), ("role", .string((body.role ?? .user).rawValue)), ("apiKey", .string(key))]),
                status: .created)
        }
        router.post("/v1/deposits") { request, context in
            let caller = try context.requireOperator()
            let body = try await decodeBody(MoneyBody.self, request, context)
            return try await command(.deposit(user: body.user, amount: body.amount), request, caller, status: .created)
        }
        router.post("/v1/withdrawals") { request, context in
            let caller = try context.requireOperator()
            let body = try await decodeBody(MoneyBody.self, request, context)
            return try await command(.withdraw(user: body.user, amount: body.amount), request, caller, status: .created)
        }
        router.post("/v1/prices") { request, context in
            let caller = try context.requireOperator()
            let body = try await decodeBody(PriceBody.self, request, context)
            return try await command(.price(symbol: body.symbol, price: body.price), request, caller)
        }
        router.get("/v1/settings") { _, context in
            _ = try context.requireOperator()
            return await jsonResponse(service.read { engine in Self.settingsJSON(engine.settings) })
        }
        router.patch("/v1/settings") { request, context in
            let caller = try context.requireOperator()
            let body = try await decodeBody(SettingsBody.self, request, context)
            _ = try await apply(
                .updateSettings(
                    takerFeeRate: body.takerFeeRate, minInvestment: body.minInvestment,
                    maxActiveCopiesPerFollower: body.maxActiveCopiesPerFollower, defaultFollowerLimit: body.defaultFollowerLimit),
                request, caller)
            return await jsonResponse(service.read { engine in Self.settingsJSON(engine.settings) })
        }
        router.post("/v1/symbols") { request, context in
            let caller = try context.requireOperator()
            let body = try await decodeBody(SymbolBody.self, request, context)
            let symbol: Symbol
            do {
                symbol = try Symbol(
                    name: body.symbol, qtyStep: body.qtyStep, priceTick: body.priceTick, minQty: body.minQty ?? body.qtyStep,
                    minNotional: body.minNotional ?? .zero)
            } catch let error as FieldError {
                throw APIError(.badRequest, code: "invalidInput", error.rule, field: error.field)
            }
            return try await command(.listSymbol(symbol, price: body.price, book: nil), request, caller, status: .created)
        }
    }

    // MARK: Helpers

    static func settingsJSON(_ s: Settings) -> JSONValue {
        .object([
            ("takerFeeRate", .string(s.takerFeeRate.description)), ("minInvestment", .string(s.minInvestment.description)),
            ("slippageLimit", .string(s.slippageLimit.description)), ("maxActiveCopiesPerFollower", .int(s.maxActiveCopiesPerFollower)),
            ("defaultFollowerLimit", .int(s.defaultFollowerLimit)), ("maxProfitShareRate", .string(s.maxProfitShareRate.description)),
        ])
    }

    /// The longest Idempotency-Key accepted.
    static let maxIdempotencyKey = 200

    /// Submits a command for the caller. The Idempotency-Key (scoped to the caller) makes a retry a no-op; reused
    /// for another request it is refused (422).
    func submit(_ command: EngineCommand, _ request: Request, _ caller: Caller) async throws -> CommandReceipt {
        let key = HTTPField.Name("Idempotency-Key").flatMap { request.headers[$0] }
        if let key {
            guard !key.isEmpty, key.utf8.count <= Self.maxIdempotencyKey else {
                throw APIError(
                    .badRequest, code: "invalidInput", "must be 1 to \(Self.maxIdempotencyKey) characters (got \(key.utf8.count))",
                    field: "Idempotency-Key")
            }
        }
        do {
            return try await service.submit(command, requestID: key.map { "\(caller.user):\($0)" })
        } catch let error as EngineError {
            throw APIError(error)
        }
    }

    /// Applies a command for the caller: true when it acted, false for a retry.
    func apply(_ command: EngineCommand, _ request: Request, _ caller: Caller) async throws -> Bool {
        try await submit(command, request, caller).applied
    }

    func command(_ c: EngineCommand, _ request: Request, _ caller: Caller, status: HTTPResponse.Status = .ok) async throws -> Response {
        let receipt = try await submit(c, request, caller)
        let count = await service.commandCount
        return jsonResponse(
            .object([("applied", .bool(receipt.applied)), ("event", .int(receipt.event)), ("commands", .int(count))]),
            status: receipt.applied ? status : .ok)
    }

    /// Reads one copy for its follower or the operator (another user's copy does not exist for the caller: 404).
    func copyRead(_ id: String, _ caller: Caller, owner: Bool = false, _ body: @Sendable (Engine, CopyRef) throws -> JSONValue) async throws -> JSONValue {
        try await service.read { engine in
            guard let ref = engine.copy(named: id) else { throw APIError.notFound("copy \(id)") }
            let follower = engine.users[Int(engine.leads[ref.lead].book.users[ref.slot])].id
            // The operator may read, not act.
            if follower != caller.user && (owner || caller.role != .operator_) {
                if caller.role == .operator_ { throw APIError.forbidden }
                throw APIError.notFound("copy \(id)")
            }
            return try body(engine, ref)
        }
    }

    /// A copy's details for its follower or the operator.
    func copyValue(_ id: String, _ caller: Caller, owner: Bool = false) async throws -> JSONValue {
        try await copyRead(id, caller, owner: owner) { engine, ref in ScenarioReport.copy(engine, ref) }
    }

    func copyJSON(_ id: String, _ caller: Caller, status: HTTPResponse.Status = .ok) async throws -> Response {
        jsonResponse(try await copyValue(id, caller), status: status)
    }
}

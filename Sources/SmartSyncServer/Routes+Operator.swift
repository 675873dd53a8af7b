import Foundation
import HTTPTypes
import Hummingbird
import SmartSyncCore
import SmartSyncStore
import SmartSyncViews

/// The operator: users and keys, deposits and withdrawals, prices, symbols, settings.
extension Routes {
    // MARK: Operator

    func registerOperator(_ router: Router<AppContext>) {
        router.get("/v1/venue") { _, context in
            _ = try context.requireOperator()
            return jsonResponse(service.read { engine in Self.venueJSON(engine) })
        }
        router.patch("/v1/settings") { request, context in
            let caller = try context.requireOperator()
            let body = try await decodeBody(SettingsBody.self, request, context)
            if let mode = body.defaultExecutionMode {
                _ = try await apply(.executionMode(lead: nil, mode), request, caller, keySuffix: "#mode")
            }
            _ = try await apply(
                .updateSettings(
                    takerFeeRate: body.takerFeeRate, minInvestment: body.minInvestment,
                    maxActiveCopiesPerFollower: body.maxActiveCopiesPerFollower, defaultFollowerLimit: body.defaultFollowerLimit),
                request, caller)
            return jsonResponse(service.read { engine in Self.settingsJSON(engine) })
        }
    }

    // MARK: Helpers

    /// Where orders execute, the orders open at an external venue and the venue reports refused (newest first, 100).
    static func venueJSON(_ engine: Engine) -> JSONValue {
        let book = engine.venueBook
        let symbols = engine.venue.symbols
        return .object([
            ("venue", .string(book.mode.rawValue)), ("defaultExecutionMode", .string(book.defaultExecutionMode.rawValue)),
            ("ordersSent", .int(book.orders.count)),
            (
                "open",
                .array(
                    book.open.map { r in
                        let owner: String
                        switch r.owner {
                        case .lead: owner = "lead"
                        case .main: owner = "main"
                        case .copies: owner = r.block == nil ? "copies" : "block"
                        }
                        return .object([
                            ("clientOrderId", .string(r.clientOrderID)), ("status", .string(r.order.status.rawValue)),
                            ("for", .string(owner)), ("symbol", .string(symbols[r.symbol].name)), ("side", .string(r.side.rawValue)),
                            ("limitPrice", r.limitPrice.map { .string($0.description) } ?? .null),
                            ("filledQuantity", .string(r.order.filledQuantity.description)),
                            ("reserved", .string(r.stillReserved.description)), ("cancelRequested", .bool(r.order.cancelRequested)),
                        ])
                    })
            ),
            (
                "refusals",
                .array(
                    book.refusals.suffix(100).reversed().map { f in
                        .object([
                            ("clientOrderId", .string(f.clientOrderID)), ("kind", .string(f.kind)), ("detail", .string(f.detail)),
                            ("event", .int(f.event)), ("time", .string(ISO8601.format(f.time))),
                        ])
                    })
            ),
        ])
    }

    static func settingsJSON(_ engine: Engine) -> JSONValue {
        let s = engine.settings
        return .object([
            ("defaultExecutionMode", .string(engine.venueBook.defaultExecutionMode.rawValue)),
            ("venue", .string(engine.venueMode.rawValue)),
            ("takerFeeRate", .string(s.takerFeeRate.description)), ("minInvestment", .string(s.minInvestment.description)),
            ("slippageLimit", .string(s.slippageLimit.description)), ("maxActiveCopiesPerFollower", .int(s.maxActiveCopiesPerFollower)),
            ("defaultFollowerLimit", .int(s.defaultFollowerLimit)), ("maxProfitShareRate", .string(s.maxProfitShareRate.description)),
        ])
    }
}

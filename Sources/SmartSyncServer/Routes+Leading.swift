import Foundation
import HTTPTypes
import Hummingbird
import SmartSyncCore
import SmartSyncStore
import SmartSyncViews

/// A lead portfolio: start, settings, followers, stop.
extension Routes {
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
            // The mode alone is its own command; with other changes it goes first (it is the one a venue can refuse).
            let others = body.profitShareRate != nil || body.slippageLimit != nil || body.followerLimit != nil
            if let mode = body.executionMode {
                let response = try await command(.executionMode(lead: caller.user, mode), request, caller, keySuffix: "#mode")
                guard others else { return response }
            }
            return try await command(
                .updateLead(
                    user: caller.user, profitShareRate: body.profitShareRate, slippageLimit: body.slippageLimit,
                    followerLimit: body.followerLimit), request, caller)
        }
        router.delete("/v1/leading") { request, context in
            let caller = try context.requireCaller()
            return try await command(.stopLeading(user: caller.user), request, caller)
        }
        router.get("/v1/leading/followers") { request, context in
            let caller = try context.requireCaller()
            let page = try Self.listQuery(request)
            return try jsonResponse(
                service.read { engine in
                    guard let u = engine.user(named: caller.user), let l = engine.users[u].lead else {
                        throw APIError.notFound("lead portfolio")
                    }
                    // A lead sees its followers' copy sizes and results, nothing else of theirs.
                    return .array(
                        Self.listPage(engine.allCopies.lazy.filter { $0.lead == l }, page).map { n, ref in
                            let v = engine.copyView(ref)
                            return .object([
                                ("n", .int(n)), ("copy", .string(v.id)), ("status", .string(v.status.name)),
                                ("netInvested", .string(v.netInvested.description)),
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
}

import Foundation
import SmartSyncCore
import SmartSyncViews

/// A lead portfolio: start, settings, followers, stop, through the generated protocol.
extension APIHandlers {
    func startLeading(_ input: Operations.StartLeading.Input) async throws -> Operations.StartLeading.Output {
        let caller = try RequestScope.require()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let applied = try await apply(
            .startLeading(
                user: caller.user, portfolio: body.portfolio, profitShareRate: body.profitShareRate, slippageLimit: body.slippageLimit,
                followerLimit: body.followerLimit), RequestScope.idempotencyKey, caller)
        return applied.applied
            ? .created(.init(body: .json(applied)))
            : .ok(.init(body: .json(applied)))
    }

    func updateLeading(_ input: Operations.UpdateLeading.Input) async throws -> Operations.UpdateLeading.Output {
        let caller = try RequestScope.require()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let key = RequestScope.idempotencyKey
        // The mode alone is its own command; with other changes it goes first (it is the one a venue can refuse).
        let others = body.profitShareRate != nil || body.slippageLimit != nil || body.followerLimit != nil
        var answer: Components.Schemas.Applied?
        if let mode = body.executionMode {
            answer = try await apply(.executionMode(lead: caller.user, mode == .block ? .block : .follow), key, caller, keySuffix: "#mode")
        }
        if others || answer == nil {
            answer = try await apply(
                .updateLead(
                    user: caller.user, profitShareRate: body.profitShareRate, slippageLimit: body.slippageLimit,
                    followerLimit: body.followerLimit), key, caller)
        }
        guard let applied = answer else { throw Self.noBody }
        return .ok(.init(body: .json(applied)))
    }

    func stopLeading(_ input: Operations.StopLeading.Input) async throws -> Operations.StopLeading.Output {
        let caller = try RequestScope.require()
        let applied = try await apply(.stopLeading(user: caller.user), RequestScope.idempotencyKey, caller)
        return .ok(.init(body: .json(applied)))
    }

    func followers(_ input: Operations.Followers.Input) async throws -> Operations.Followers.Output {
        let caller = try RequestScope.require()
        let page = (limit: input.query.limit ?? .max, after: input.query.after)
        let followers = try service.read { engine in
            guard let u = engine.user(named: caller.user), let l = engine.users[u].lead else { throw APIError.notFound("lead portfolio") }
            // A lead sees its followers' copy sizes and results, nothing else of theirs.
            return Routes.listPage(engine.allCopies.lazy.filter { $0.lead == l }, page).map { n, ref in
                let v = engine.copyView(ref)
                return Operations.Followers.Output.Ok.Body.JsonPayloadPayload(
                    n: n, copy: v.id, status: v.status.name, netInvested: v.netInvested, equity: v.equity, roi: v.roi,
                    profitSharePaid: v.profitSharePaid)
            }
        }
        return .ok(.init(body: .json(followers)))
    }

    func removeFollower(_ input: Operations.RemoveFollower.Input) async throws -> Operations.RemoveFollower.Output {
        let caller = try RequestScope.require()
        let applied = try await apply(
            .removeFollower(user: caller.user, copy: input.path.copy), RequestScope.idempotencyKey, caller)
        return .ok(.init(body: .json(applied)))
    }
}

import Foundation
import OpenAPIRuntime
import SmartSyncAPI
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
                followerLimit: body.followerLimit), caller)
        return applied.applied
            ? .created(.init(body: .json(applied)))
            : .ok(.init(body: .json(applied)))
    }

    func updateLeading(_ input: Operations.UpdateLeading.Input) async throws -> Operations.UpdateLeading.Output {
        let caller = try RequestScope.require()
        guard case .json(let body) = input.body else { throw Self.noBody }
        // The mode alone is its own command; with other changes it goes first (it is the one a venue can refuse).
        let others = body.profitShareRate != nil || body.slippageLimit != nil || body.followerLimit != nil
        if let mode = body.executionMode {
            let applied = try await apply(.executionMode(lead: caller.user, mode == .block ? .block : .follow), caller, keySuffix: "#mode")
            if !others { return .ok(.init(body: .json(applied))) }
        }
        let applied = try await apply(
            .updateLead(
                user: caller.user, profitShareRate: body.profitShareRate, slippageLimit: body.slippageLimit,
                followerLimit: body.followerLimit), caller)
        return .ok(.init(body: .json(applied)))
    }

    func stopLeading(_ input: Operations.StopLeading.Input) async throws -> Operations.StopLeading.Output {
        let caller = try RequestScope.require()
        let applied = try await apply(.stopLeading(user: caller.user), caller)
        return .ok(.init(body: .json(applied)))
    }

    func followers(_ input: Operations.Followers.Input) async throws -> Operations.Followers.Output {
        let caller = try RequestScope.require()
        let page = (limit: input.query.limit ?? .max, after: input.query.after)
        let (engine, refs) = try service.read { engine in
            guard let u = engine.user(named: caller.user), let l = engine.users[u].lead else { throw APIError.notFound("lead portfolio") }
            return (engine, Self.listPage(engine.allCopies.lazy.filter { $0.lead == l }, page))
        }
        // A lead sees its followers' copy sizes and results, nothing else of theirs.
        var followers: [Operations.Followers.Output.Ok.Body.JsonPayloadPayload] = []
        for (n, ref) in refs {
            let v = try await service.viewing(engine, ref).copyView(ref)
            followers.append(
                .init(
                    n: n, copy: v.id, status: v.status.name, netInvested: v.netInvested, equity: v.equity, roi: v.roi,
                    profitSharePaid: v.profitSharePaid))
        }
        return .ok(.init(body: .json(followers)))
    }

    func removeFollower(_ input: Operations.RemoveFollower.Input) async throws -> Operations.RemoveFollower.Output {
        let caller = try RequestScope.require()
        let applied = try await apply(
            .removeFollower(user: caller.user, copy: input.path.copy), caller)
        return .ok(.init(body: .json(applied)))
    }
}

/// The caller's statement of profit share earned as a lead, as JSON or CSV, over `from` ≤ time < `to`.
extension APIHandlers {
    func leadProfitShare(_ input: Operations.LeadProfitShare.Input) async throws -> Operations.LeadProfitShare.Output {
        let span = try Self.span(from: input.query.from, to: input.query.to)
        return .ok(.init(body: .json(try await profitShareStatement(span))))
    }

    func leadProfitShareCSV(_ input: Operations.LeadProfitShareCSV.Input) async throws -> Operations.LeadProfitShareCSV.Output {
        let span = try Self.span(from: input.query.from, to: input.query.to)
        return .ok(.init(body: .csv(HTTPBody(try await profitShareStatement(span).csv))))
    }

    /// From the statements of every copy the caller's lead portfolio ever had (a running copy that paid nothing is
    /// skipped; a stopped copy released from memory is read from the database): one read per such copy.
    func profitShareStatement(_ span: (from: Int64?, to: Int64?)) async throws -> LeadShareStatementReport {
        let caller = try RequestScope.require()
        let (committed, l) = try service.read { engine in
            guard let u = engine.user(named: caller.user), let l = engine.users[u].lead else { throw APIError.notFound("lead portfolio") }
            return (engine, l)
        }
        var statements: [CopyStatement] = []
        for slot in 0..<committed.leads[l].book.count {
            let ref = CopyRef(lead: l, slot: slot)
            if !committed.isReleased(ref) && committed.leads[l].book.profitSharePaid(slot).isZero { continue }
            let engine = try await service.viewing(committed, ref)
            statements.append(engine.copyStatement(ref, rows: try await service.copyRows(engine, ref)))
        }
        return LeadShareStatementReport(LeadShareStatement(lead: caller.user, copies: statements, from: span.from, to: span.to))
    }
}

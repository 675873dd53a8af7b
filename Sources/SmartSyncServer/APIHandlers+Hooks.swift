import Foundation
import SmartSyncAPI
import SmartSyncCore
import SmartSyncStore
import SmartSyncViews

/// Webhooks for alerts (Alerts.swift): register, list, remove, test, and each hook's delivery log.
extension APIHandlers {
    func hooks(_ input: Operations.Hooks.Input) async throws -> Operations.Hooks.Output {
        let caller = try RequestScope.require()
        let hooks = try await service.alerts.store.hooks(user: caller.user)
        return .ok(.init(body: .json(hooks.map(Self.hookReport))))
    }

    func createHook(_ input: Operations.CreateHook.Input) async throws -> Operations.CreateHook.Output {
        let caller = try RequestScope.require()
        guard case .json(let body) = input.body else { throw Self.noBody }
        let policy = service.alerts.policy.withLock { $0 }
        if let refusal = policy.refusal(of: body.url) {
            throw APIError(.unprocessableContent, code: "invalidInput", "url \(refusal)", field: "url")
        }
        let events = body.events.map(\.rawValue)
        if events.contains(AlertReport.Kind.trackingGap.rawValue) && body.trackingGap == nil {
            throw APIError(
                .unprocessableContent, code: "invalidInput",
                "trackingGap is required with the trackingGap event: the points a copy's return may be off its lead's", field: "trackingGap"
            )
        }
        if body.trackingGap != nil && !events.contains(AlertReport.Kind.trackingGap.rawValue) {
            throw APIError(
                .unprocessableContent, code: "invalidInput", "trackingGap is only for the trackingGap event: add it to events",
                field: "trackingGap")
        }
        guard service.read({ $0.user(named: caller.user) }) != nil else { throw APIError.notFound("user \(caller.user)") }
        let existing = try await service.alerts.store.hooks(user: caller.user)
        guard existing.count < policy.hooksPerUser else {
            throw APIError(
                .unprocessableContent, code: "tooManyHooks", "a user may register at most \(policy.hooksPerUser) hooks; remove one first",
                field: "url")
        }
        let hook = try await service.alerts.store.add(
            StoredHook(
                user: caller.user, url: body.url, events: events, secret: body.secret, trackingGap: body.trackingGap?.description,
                created: Int64(Date().timeIntervalSince1970 * 1000)))
        service.alerts.added(hook)
        return .created(.init(body: .json(Self.hookReport(hook))))
    }

    func hook(_ input: Operations.Hook.Input) async throws -> Operations.Hook.Output {
        let hook = try await ownHook(input.path.id)
        return .ok(.init(body: .json(Self.hookReport(hook))))
    }

    func deleteHook(_ input: Operations.DeleteHook.Input) async throws -> Operations.DeleteHook.Output {
        let caller = try RequestScope.require()
        let hook = try await ownHook(input.path.id)
        guard try await service.alerts.store.remove(hook.n, user: caller.user) else { throw APIError.notFound("hook \(input.path.id)") }
        service.alerts.removed(hook.n, user: caller.user)
        return .ok(.init(body: .json(.init(removed: input.path.id))))
    }

    func hookDeliveries(_ input: Operations.HookDeliveries.Input) async throws -> Operations.HookDeliveries.Output {
        let hook = try await ownHook(input.path.id)
        let deliveries = try await service.alerts.store.deliveries(
            hook: hook.n, before: input.query.before.map(Int64.init), limit: input.query.limit ?? 100)
        return .ok(
            .init(
                body: .json(
                    deliveries.map { d in
                        HookDeliveryReport(
                            n: Int(d.n), type: d.type, status: d.status.rawValue, attempts: d.attempts, responseStatus: d.responseStatus,
                            error: d.error, createdAt: ISO8601.format(d.created), updatedAt: ISO8601.format(d.updated), body: d.body)
                    })))
    }

    func testHook(_ input: Operations.TestHook.Input) async throws -> Operations.TestHook.Output {
        let caller = try RequestScope.require()
        let hook = try await ownHook(input.path.id)
        // The market's time and event of the last command (a test happens between commands).
        let last = service.read { $0.moments.last } ?? Moment(event: 0, time: 0)
        let (time, event) = (last.time, last.event)
        let alert = AlertReport(
            type: .test, time: ISO8601.format(time), event: event, user: caller.user,
            message: "A test alert for hook-\(hook.n): if you can read this, deliveries to \(hook.url) work.")
        service.alerts.raise([(alert, hook)])
        return .accepted(.init(body: .json(.init(queued: true))))
    }

    /// The caller's hook named `id` (`hook-<n>`); 404 for another user's.
    private func ownHook(_ id: String) async throws -> StoredHook {
        let caller = try RequestScope.require()
        guard id.hasPrefix("hook-"), let n = Int64(id.dropFirst(5)),
            let hook = try await service.alerts.store.hooks(user: caller.user).first(where: { $0.n == n })
        else { throw APIError.notFound("hook \(id)") }
        return hook
    }

    static func hookReport(_ h: StoredHook) -> HookReport {
        HookReport(
            id: "hook-\(h.n)", url: h.url, events: h.events, trackingGap: h.trackingGap.flatMap { try? Fixed($0) },
            createdAt: ISO8601.format(h.created))
    }
}

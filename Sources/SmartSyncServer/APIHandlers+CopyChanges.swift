import Foundation
import SmartSyncAPI
import SmartSyncCore
import SmartSyncStore
import SmartSyncViews

/// A follower's copies: start one, change its investment, stop loss or take profit, stop it. Only its follower acts
/// on a copy; each answers the copy as it is after the change.
extension APIHandlers {
    func startCopy(_ input: Operations.StartCopy.Input) async throws -> Operations.StartCopy.Output {
        let caller = try RequestScope.require()
        guard case .json(let request) = input.body else { throw Self.noBody }
        let body = request.value1
        // Without an id: from the Idempotency-Key when there is one, so that a retry names the same copy.
        let id =
            body.id ?? RequestScope.idempotencyKey.map { "\(caller.user)-\(body.lead)-\(SHA256.hex($0).prefix(12))" }
            ?? "\(caller.user)-\(body.lead)-\(service.commandCount)"
        let mode: CopyMode = body.mode == .fixedAmount ? .fixedAmount : .smartSync
        let start = StartCopyRequest(
            copyID: id, user: caller.user, lead: body.lead, mode: mode, investment: body.investment,
            buyExisting: body.buyExisting ?? false, stopLoss: body.stopLoss, takeProfit: body.takeProfit,
            amountPerOrder: body.amountPerOrder, controls: body.controls ?? nil)
        let receipt = try await submit(.startCopy(start), caller)
        RequestScope.setServerTiming(Self.serverTiming(receipt))
        let copy = try await copyReport(id, caller)
        return receipt.applied ? .created(.init(body: .json(copy))) : .ok(.init(body: .json(copy)))
    }

    func stopCopy(_ input: Operations.StopCopy.Input) async throws -> Operations.StopCopy.Output {
        let mode: StopMode? =
            switch input.query.mode {
            case nil: nil
            case .sellAll: .sellAll
            case .keepHoldings: .keepHoldings
            case .closeOnly: .closeOnly
            }
        return .ok(.init(body: .json(try await change(input.path.id) { .stopCopy(copy: $0, mode: mode) })))
    }

    func adjustInvestment(_ input: Operations.AdjustInvestment.Input) async throws -> Operations.AdjustInvestment.Output {
        guard case .json(let body) = input.body else { throw Self.noBody }
        return .ok(.init(body: .json(try await change(input.path.id) { .adjustInvestment(copy: $0, delta: body.delta) })))
    }

    func setStopLoss(_ input: Operations.SetStopLoss.Input) async throws -> Operations.SetStopLoss.Output {
        guard case .json(let body) = input.body else { throw Self.noBody }
        return .ok(.init(body: .json(try await change(input.path.id) { .setStopLoss(copy: $0, body.stopLoss) })))
    }

    func setTakeProfit(_ input: Operations.SetTakeProfit.Input) async throws -> Operations.SetTakeProfit.Output {
        guard case .json(let body) = input.body else { throw Self.noBody }
        return .ok(.init(body: .json(try await change(input.path.id) { .setTakeProfit(copy: $0, body.takeProfit) })))
    }

    func setCopyControls(_ input: Operations.SetCopyControls.Input) async throws -> Operations.SetCopyControls.Output {
        guard case .json(let body) = input.body else { throw Self.noBody }
        return .ok(.init(body: .json(try await change(input.path.id) { .setCopyControls(copy: $0, body) })))
    }

    /// Checks that the caller owns the copy `id`, applies the command `make` builds for it and answers the copy after
    /// it. A stop loss or take profit that fires at once (already reached) stops the copy: `fired` says so.
    func change(_ id: String, _ make: (String) -> EngineCommand) async throws -> CopyReport {
        let caller = try RequestScope.require()
        _ = try service.read { engine in try Self.visibleCopy(engine, id, caller, owner: true) }
        let command = make(id)
        let receipt = try await submit(command, caller)
        let (engine, ref, past) = try await Self.copyPast(service, id, caller, owner: true)
        var copy = ScenarioReport.copy(engine, ref, rows: past)
        switch command {
        case .setStopLoss, .setTakeProfit, .adjustInvestment:
            copy.fired =
                receipt.outcome.map { $0.stoppedCopies.contains(ref) } ?? (engine.row(of: ref).stoppedEvent == receipt.event)
        default: copy.fired = false
        }
        RequestScope.setServerTiming(Self.serverTiming(receipt))
        return copy
    }
}

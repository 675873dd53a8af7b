import Foundation
import Logging
import ServiceLifecycle
import SmartSyncCore
import SmartSyncStore

/// Several instances on one PostgreSQL database: joining, following the shared log, serving handed-over commands.
extension EngineService {

    /// Joins the instances sharing this PostgreSQL database: leases, hand-over and following the shared log.
    public func joinCluster(_ membership: ClusterMembership) {
        cluster = membership
        // A writer that hangs while holding the log's lock must not stop every instance for good.
        (store.log.base as? PostgresCommandLog)?.lockTimeout = "15s"
    }

    /// True when the store failed after accepting a command: this replica must be restarted.
    public var isBroken: Bool { store.isBroken }

    /// True when this service runs on a database several instances may share.
    public nonisolated var sharesDatabase: Bool { storeIsShared }

    /// On PostgreSQL, the store's pooled async clients (postgres-nio's `PostgresClient`: the reads' and the
    /// writer's) for the server's `ServiceGroup` to run and shut down, those nothing has queried through yet (see
    /// `PostgresPool`).
    public nonisolated func adoptDatabaseClients() -> [any Service] {
        [databaseReads?.adoptClient(), databaseWrites?.adoptClient()].compactMap { $0 }
    }

    /// Applies what other instances appended since this replica last looked, telling listeners about it.
    public func refresh() async throws {
        try await inOrder { try await refreshInOrder() }
    }

    /// `refresh()` inside `inOrder`.
    func refreshInOrder() async throws {
        var outcomes: [(EngineCommand, CommandOutcome)] = []
        guard try await store.catchUpAwaiting(each: { record, outcome in outcomes.append((record.command, outcome)) }) > 0 else { return }
        publish()
        for (command, outcome) in outcomes {
            observe(command, outcome, took: nil)
            publishEvents(command, outcome)
        }
        updateGauges()
    }

    /// The lead whose lease a command needs: a lead's own commands and its followers' copy changes. Market-wide
    /// commands (prices, listings, users, deposits, settings) run wherever they arrive.
    static func lead(of command: EngineCommand, in engine: Engine) -> String? {
        func leadOfCopy(_ id: String) -> String? {
            guard let ref = engine.copy(named: id) else { return nil }
            return engine.users[engine.leads[ref.lead].user].id
        }
        switch command {
        case .order(let r): return r.account == .portfolio ? r.user : nil
        case .orderFraction(let user, let account, _, _, _): return account == .portfolio ? user : nil
        case .cancelOrder(let user, _), .transfer(let user, _, _), .stopLeading(let user), .removeFollower(let user, _):
            return user
        case .startLeading(let user, _, _, _, _), .updateLead(let user, _, _, _): return user
        case .startCopy(let r): return r.lead
        case .stopCopy(let copy, _), .adjustInvestment(let copy, _), .setStopLoss(let copy, _), .setTakeProfit(let copy, _),
            .setCopyControls(let copy, _):
            return leadOfCopy(copy)
        case .listSymbol, .addUser, .deposit, .withdraw, .price, .updateSettings: return nil
        // One instance talks to the venue (clusters trade on the simulated market for now).
        case .venueMode, .venueSent, .venueReport: return nil
        case .executionMode(let lead, _): return lead
        }
    }

    /// Waits for the holder's outcome of a handed-over request, polling off the actor (reads go on meanwhile).
    /// When the holder dies, its lease expires and this instance takes the lead over and executes what waits for
    /// it, this request included: each request has a request id, so a command the dead holder had committed is not
    /// applied again. After 20 s a request nobody started is withdrawn (503, nothing done); one being executed is
    /// awaited 20 s more.
    nonisolated static func awaitOutcome(
        row: Int64, lead: String, cluster: ClusterMembership, service: EngineService
    ) async throws -> Result<Bool, EngineError> {
        let clock = ContinuousClock()
        let asked = clock.now
        var nextLeaseCheck = asked + .milliseconds(250)
        var deadline = asked + .seconds(20)
        var withdrawable = true
        var pause = Duration.milliseconds(1)
        while true {
            // Every millisecond for the first 20 ms (a holder answers in a few), then backing off to 10 ms.
            try await Task.sleep(for: pause)
            if asked.duration(to: clock.now) > .milliseconds(20) { pause = min(pause * 2, .milliseconds(10)) }
            if let outcome = try await cluster.leases.outcome(of: row) { return outcome }
            if clock.now >= nextLeaseCheck {
                nextLeaseCheck = clock.now + .milliseconds(250)
                if try await cluster.take(lead) != .elsewhere { try await service.serveInbox(leads: [lead]) }
            }
            if clock.now >= deadline {
                if withdrawable {
                    if try await cluster.leases.withdraw(row) {
                        throw APIError(
                            .serviceUnavailable, code: "leadUnavailable",
                            "the instance executing lead \(lead) did not take the request in 20 s; nothing was done, retry", field: nil)
                    }
                    withdrawable = false
                    deadline = clock.now + .seconds(20)
                } else {
                    throw APIError(
                        .serviceUnavailable, code: "outcomeUnknown",
                        "the instance executing lead \(lead) did not answer; retry with the same Idempotency-Key to learn whether it applied",
                        field: nil)
                }
            }
        }
    }

    /// Executes the requests other instances handed over for `leads` (this instance's leads), recording each outcome.
    @discardableResult
    public func serveInbox(leads: Set<String>) async throws -> Int {
        guard let cluster else { return 0 }
        let requests = try await cluster.leases.pending(for: leads)
        for request in requests {
            // Withdrawn by its requester, or answered by another holder meanwhile: not executed.
            guard try await cluster.leases.claim(request.id) else { continue }
            let outcome: Result<Bool, EngineError>
            do {
                outcome = .success(
                    try await inOrder {
                        try await refreshInOrder()
                        // Already in the log: the previous holder executed it and died before writing the outcome.
                        if try await store.storedRequest(request.requestID) != nil { return true }
                        return try await executeHere(request.command, requestID: request.requestID).applied
                    })
            } catch let error as EngineError {
                outcome = .failure(error)
            }
            try await cluster.leases.complete(request.id, outcome)
        }
        return requests.count
    }
}

import SmartSyncCore
import SmartSyncViews

/// Live events: what each committed command did, as the WebSocket's messages.
extension EngineService {
    /// Builds the events of one committed command for those listening: prices and lead fills for everyone; copy
    /// fills, failed copy orders and copy status changes for the copy's follower.
    func publishEvents(_ command: EngineCommand, _ outcome: CommandOutcome) {
        guard events.isListenedTo else { return }
        let engine = store.engine
        let moment = outcome.moment
        var out: [(EventHub.Audience, String)] = []
        for p in outcome.prices where p.event == moment.event {
            out.append((.everyone, StreamEvents.price(engine, p, time: moment.time)))
        }
        for fill in outcome.leadFills {
            out.append((.everyone, StreamEvents.leadFill(engine, fill)))
        }
        // Copies of the users listening (all copies when an operator listens).
        let users = events.hasOperatorListening ? Set(engine.users.map(\.id)) : events.listeningUsers
        var watched: [CopyRef] = []
        for id in users { if let u = engine.user(named: id) { watched += engine.users[u].copies } }
        for entry in outcome.journal {
            guard case .copyFills(let b) = entry else { continue }
            for ref in watched where ref.lead == b.lead {
                guard let row = b.row(of: ref.slot) else { continue }
                out.append((.user(engine.follower(of: ref)), StreamEvents.copyFill(engine, ref, b, row: row)))
            }
        }
        let watchedSet = Set(watched)
        for f in outcome.failedOrders where watchedSet.contains(CopyRef(lead: Int(f.lead), slot: Int(f.slot))) {
            let ref = CopyRef(lead: Int(f.lead), slot: Int(f.slot))
            out.append((.user(engine.follower(of: ref)), StreamEvents.failedCopyOrder(engine, f)))
        }
        // From the outcome: a stopped copy's row may have left memory already.
        let reasons = Dictionary(zip(outcome.stoppedCopies, outcome.stopReasons), uniquingKeysWith: { a, _ in a })
        // A close-only stop changes the status to closing (it may stop in the same command: then both are sent).
        let closing = outcome.copyEvents.filter { $0.kind == .closeOnly }.map(\.copy)
        for ref in closing where watchedSet.contains(ref) {
            out.append(
                (
                    .user(engine.follower(of: ref)),
                    StreamEvents.copyStatus(id: engine.copyID(of: ref), status: .closing, stopReason: nil, event: moment.event)
                ))
        }
        for ref in outcome.startedCopies + outcome.stoppedCopies where watchedSet.contains(ref) {
            out.append(
                (
                    .user(engine.follower(of: ref)),
                    StreamEvents.copyStatus(
                        id: engine.copyID(of: ref), status: engine.leads[ref.lead].book.status(ref.slot), stopReason: reasons[ref],
                        event: moment.event)
                ))
        }
        events.publish(out)
    }
}

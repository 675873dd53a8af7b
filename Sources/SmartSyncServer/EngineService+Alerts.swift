import SmartSyncCore
import SmartSyncStore
import SmartSyncViews

/// Alerts: what each command did, for the users whose hooks ask for it. Built on the writer after the commit from
/// the command's outcome (failed copy orders, stopped copies) and, for tracking gaps, from the copies of the users
/// who asked; handed to `Alerts` without waiting, so a fan-out never waits for a receiver.
extension EngineService {
    func raiseAlerts(_ outcome: CommandOutcome) {
        guard !alerts.isEmpty else { return }
        let engine = store.engine
        let moment = outcome.moment
        let time = ISO8601.format(moment.time)
        var out: Alerts.Job = []
        func lead(of ref: CopyRef) -> String { engine.users[engine.leads[ref.lead].user].id }

        // A fan-out can fail or stop every copy of a lead: each is checked against the users who asked by number, and
        // only theirs are written out.
        let failing = Set(alerts.users(asking: .copyOrderFailed).keys.compactMap { engine.user(named: $0) })
        if !failing.isEmpty {
            for f in outcome.failedOrders {
                let ref = CopyRef(lead: Int(f.lead), slot: Int(f.slot))
                let u = engine.leads[ref.lead].book.follower(ref.slot)
                guard failing.contains(u) else { continue }
                let user = engine.users[u].id
                let copy = engine.copyID(of: ref)
                let symbol = engine.venue.symbols[Int(f.symbol)].name
                let alert = AlertReport(
                    type: .copyOrderFailed, time: time, event: Int(f.event), user: user, copy: copy, lead: lead(of: ref),
                    symbol: symbol, side: f.side.rawValue, reason: f.reason.rawValue, explanation: f.reason.explanation,
                    message: "Copy \(copy)'s \(f.side.rawValue) of \(symbol) failed: \(f.reason.explanation)")
                out.append((alert, nil))
            }
        }

        let hooked = outcome.stoppedCopies.isEmpty ? [] : Set(alerts.usersWithHooks.compactMap { engine.user(named: $0) })
        for (ref, reason) in zip(outcome.stoppedCopies, outcome.stopReasons) {
            if !gapsBeyond.isEmpty {
                let suffix = "/" + engine.copyID(of: ref)
                gapsBeyond = gapsBeyond.filter { !$0.hasSuffix(suffix) }
            }
            let u = engine.leads[ref.lead].book.follower(ref.slot)
            guard hooked.contains(u) else { continue }
            let user = engine.users[u].id
            let asks = alerts.hooks(of: user).flatMap(\.events)
            guard !asks.isEmpty else { continue }
            let copy = engine.copyID(of: ref)
            let leadID = lead(of: ref)
            let specific: (AlertReport.Kind, String)? =
                switch reason {
                case .stopLoss: (.stopLossFired, "Copy \(copy)'s total stop loss fired: its holdings were sold and it stopped.")
                case .takeProfit: (.takeProfitFired, "Copy \(copy)'s total take profit fired: its holdings were sold and it stopped.")
                case .leadStopped: (.leadStopped, "\(leadID) stopped leading; copy \(copy) stopped with it.")
                case .follower, .removedByLead: nil
                }
            for (kind, message) in [specific, (.copyStopped, "Copy \(copy) of \(leadID) stopped (\(reason.rawValue)).")].compactMap({ $0 })
            where asks.contains(kind.rawValue) {
                let alert = AlertReport(
                    type: kind, time: time, event: moment.event, user: user, copy: copy, lead: leadID, stopReason: reason.rawValue,
                    message: message)
                out.append((alert, nil))
            }
        }

        // Tracking gaps: the copies of the users who asked, each hook's threshold crossed outward (again only after
        // the copy came back within it).
        for (user, hooks) in alerts.users(asking: .trackingGap) {
            guard let u = engine.user(named: user) else { continue }
            // A closing copy skips buys on purpose: its gap is not a tracking problem.
            for ref in engine.users[u].copies
            where engine.leads[ref.lead].book.isActive(ref.slot) && !engine.leads[ref.lead].book.isClosing(ref.slot) {
                let gap = engine.tracking(ref).gap.clampedMultiplied(by: Fixed(100), .towardZero)
                let copy = engine.copyID(of: ref)
                for hook in hooks {
                    guard let threshold = hook.trackingGap.flatMap({ try? Fixed($0) }) else { continue }
                    let key = "\(hook.n)/\(copy)"
                    let beyond = abs(gap.units) > threshold.units
                    if beyond && !gapsBeyond.contains(key) {
                        gapsBeyond.insert(key)
                        let alert = AlertReport(
                            type: .trackingGap, time: time, event: moment.event, user: user, copy: copy, lead: lead(of: ref),
                            gapPoints: gap, thresholdPoints: threshold,
                            message:
                                "Copy \(copy)'s return is \(gap) points from \(lead(of: ref))'s, beyond the \(threshold) points you set.")
                        out.append((alert, hook))
                    } else if !beyond {
                        gapsBeyond.remove(key)
                    }
                }
            }
        }
        alerts.raise(out)
    }
}

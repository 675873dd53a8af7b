import SmartSyncCore
import SmartSyncScenario

/// Live events: what each committed command did, as the WebSocket's messages.
extension EngineService {
    /// Builds the events of one committed command for those listening: prices and lead fills for everyone; copy
    /// fills, failed copy orders and copy status changes for the copy's follower.
    func publishEvents(_ command: EngineCommand, _ outcome: CommandOutcome) {
        guard events.isListenedTo else { return }
        let engine = store.engine
        let moment = outcome.moment
        var out: [(EventHub.Audience, String)] = []
        func text(_ pairs: [(String, JSONValue)]) -> String { JSONValue.object(pairs).compact() }
        for p in outcome.prices where p.event == moment.event {
            out.append(
                (
                    .everyone,
                    text([
                        ("type", .string("price")), ("symbol", .string(engine.venue.symbols[p.symbol].name)),
                        ("price", .string(p.price.description)), ("time", .string(ISO8601.format(moment.time))),
                    ])
                ))
        }
        for fill in outcome.leadFills {
            out.append(
                (
                    .everyone,
                    text([
                        ("type", .string("leadFill")), ("lead", .string(engine.users[engine.leads[fill.lead].user].id)),
                        ("id", .string(fill.id)),
                        ("symbol", .string(engine.venue.symbols[fill.symbol].name)), ("side", .string(fill.side.rawValue)),
                        ("quantity", .string(fill.quantity.description)), ("price", .string(fill.price.description)),
                        ("event", .int(fill.event)),
                    ])
                ))
        }
        // Copies of the users listening (all copies when an operator listens).
        let users = events.hasOperatorListening ? Set(engine.users.map(\.id)) : events.listeningUsers
        var watched: [CopyRef] = []
        for id in users { if let u = engine.user(named: id) { watched += engine.users[u].copies } }
        for entry in outcome.journal {
            guard case .copyFills(let b) = entry else { continue }
            for ref in watched where ref.lead == b.lead {
                guard let row = b.row(of: ref.slot) else { continue }
                let symbol = engine.venue.symbols[b.symbol]
                out.append(
                    (
                        .user(engine.users[Int(engine.leads[ref.lead].book.users[ref.slot])].id),
                        text([
                            ("type", .string("copyFill")), ("copy", .string(engine.leads[ref.lead].book.ids[ref.slot])),
                            ("symbol", .string(symbol.name)), ("side", .string(b.side.rawValue)),
                            ("quantity", .string(Fixed(units: b.lots[row] * symbol.qtyStep.units).description)),
                            ("price", .string(b.price.description)), ("fee", .string(Fixed(units: b.fee[row]).description)),
                            ("leadPrice", .string(b.leadPrice.description)), ("cappedByCash", .bool(b.cappedByCash[row])),
                            ("event", .int(b.event)),
                        ])
                    ))
            }
        }
        let watchedSet = Set(watched)
        for f in outcome.failedOrders where watchedSet.contains(CopyRef(lead: Int(f.lead), slot: Int(f.slot))) {
            let book = engine.leads[Int(f.lead)].book
            out.append(
                (
                    .user(engine.users[Int(book.users[Int(f.slot)])].id),
                    text([
                        ("type", .string("failedCopyOrder")), ("copy", .string(book.ids[Int(f.slot)])),
                        ("symbol", .string(engine.venue.symbols[Int(f.symbol)].name)), ("side", .string(f.side.rawValue)),
                        ("reason", .string(f.reason.rawValue)), ("explanation", .string(f.reason.explanation)),
                        ("event", .int(Int(f.event))),
                    ])
                ))
        }
        for ref in outcome.startedCopies + outcome.stoppedCopies where watchedSet.contains(ref) {
            let book = engine.leads[ref.lead].book
            out.append(
                (
                    .user(engine.users[Int(book.users[ref.slot])].id),
                    text([
                        ("type", .string("copyStatus")), ("copy", .string(book.ids[ref.slot])),
                        ("status", .string(book.status[ref.slot].name)),
                        ("stopReason", book.stopReason[ref.slot].map { .string($0.rawValue) } ?? .null), ("event", .int(moment.event)),
                    ])
                ))
        }
        events.publish(out)
    }
}

import SmartSyncCore

/// The live stream's messages (`/v1/stream`), one JSON object each with its `type`: built from the committed engine
/// and what a command did (`CommandOutcome`).
public enum StreamEvents {
    static func text(_ pairs: [(String, JSONValue)]) -> String { JSONValue.object(pairs).compact() }

    public static func price(_ engine: Engine, _ p: PricePoint, time: Int64) -> String {
        text([
            ("type", .string("price")), ("symbol", .string(engine.venue.symbols[p.symbol].name)),
            ("price", .string(p.price.description)), ("time", .string(ISO8601.format(time))),
        ])
    }

    public static func leadFill(_ engine: Engine, _ fill: LeadFill) -> String {
        text([
            ("type", .string("leadFill")), ("lead", .string(engine.users[engine.leads[fill.lead].user].id)), ("id", .string(fill.id)),
            ("symbol", .string(engine.venue.symbols[fill.symbol].name)), ("side", .string(fill.side.rawValue)),
            ("quantity", .string(fill.quantity.description)), ("price", .string(fill.price.description)), ("event", .int(fill.event)),
        ])
    }

    /// The copy `ref`'s fill in a batch of copy fills, at row `row`.
    public static func copyFill(_ engine: Engine, _ ref: CopyRef, _ b: CopyFillBatch, row: Int) -> String {
        let symbol = engine.venue.symbols[b.symbol]
        let fill = b.fill(row)
        return text([
            ("type", .string("copyFill")), ("copy", .string(engine.copyID(of: ref))),
            ("symbol", .string(symbol.name)), ("side", .string(b.side.rawValue)),
            ("quantity", .string(fill.lots.quantity(step: symbol.qtyStep).description)),
            ("price", .string(b.price.description)), ("fee", .string(fill.fee.description)),
            ("leadPrice", .string(b.leadPrice.description)), ("cappedByCash", .bool(fill.cappedByCash)), ("event", .int(b.event)),
        ])
    }

    public static func failedCopyOrder(_ engine: Engine, _ f: FailedCopyOrder) -> String {
        return text([
            ("type", .string("failedCopyOrder")), ("copy", .string(engine.copyID(of: CopyRef(lead: Int(f.lead), slot: Int(f.slot))))),
            ("symbol", .string(engine.venue.symbols[Int(f.symbol)].name)), ("side", .string(f.side.rawValue)),
            ("reason", .string(f.reason.rawValue)), ("explanation", .string(f.reason.explanation)), ("event", .int(Int(f.event))),
        ])
    }

    public static func copyStatus(id: String, status: CopyStatus, stopReason: StopReason?, event: Int) -> String {
        text([
            ("type", .string("copyStatus")), ("copy", .string(id)), ("status", .string(status.name)),
            ("stopReason", stopReason.map { .string($0.rawValue) } ?? .null), ("event", .int(event)),
        ])
    }
}

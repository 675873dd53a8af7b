import SmartSyncCore

/// The live stream's messages (`/v1/stream`), one JSON object each with its `type` first: one type per message,
/// declared in the contract beside the API's answers (`StreamHello`, `StreamPrice`, … in openapi.yaml), built from
/// the committed engine and what a command did (`CommandOutcome`), and written in declared field order.
public enum StreamEvents {
    /// The compact JSON text of a message.
    static func text(_ event: some Encodable) -> String { JSONValueEncoder.value(event).compact() }

    public static func hello(user: String) -> String { text(StreamHello(user: user)) }

    public static func price(_ engine: Engine, _ p: PricePoint, time: Int64) -> String {
        text(StreamPrice(symbol: engine.venue.symbols[p.symbol].name, price: p.price, time: ISO8601.format(time)))
    }

    public static func leadFill(_ engine: Engine, _ fill: LeadFill) -> String {
        text(
            StreamLeadFill(
                lead: engine.users[engine.leads[fill.lead].user].id, id: fill.id, symbol: engine.venue.symbols[fill.symbol].name,
                side: fill.side.rawValue, quantity: fill.quantity, price: fill.price, event: fill.event))
    }

    /// The copy `ref`'s fill in a batch of copy fills, at row `row`.
    public static func copyFill(_ engine: Engine, _ ref: CopyRef, _ b: CopyFillBatch, row: Int) -> String {
        let symbol = engine.venue.symbols[b.symbol]
        let fill = b.fill(row)
        return text(
            StreamCopyFill(
                copy: engine.copyID(of: ref), symbol: symbol.name, side: b.side.rawValue,
                quantity: fill.lots.quantity(step: symbol.qtyStep), price: b.price, fee: fill.fee, leadPrice: b.leadPrice,
                cappedByCash: fill.cappedByCash, event: b.event))
    }

    public static func failedCopyOrder(_ engine: Engine, _ f: FailedCopyOrder) -> String {
        text(
            StreamFailedCopyOrder(
                copy: engine.copyID(of: CopyRef(lead: Int(f.lead), slot: Int(f.slot))), symbol: engine.venue.symbols[Int(f.symbol)].name,
                side: f.side.rawValue, reason: f.reason.rawValue, explanation: f.reason.explanation, event: Int(f.event)))
    }

    public static func copyStatus(id: String, status: CopyStatus, stopReason: StopReason?, event: Int) -> String {
        text(StreamCopyStatus(copy: id, status: status.name, stopReason: stopReason?.rawValue, event: event))
    }
}

/// The first message: whose events these are.
public struct StreamHello: Encodable, Hashable, Sendable {
    public let type = "hello"
    public var user: String
}

/// A symbol's mark price changed.
public struct StreamPrice: Encodable, Hashable, Sendable {
    public let type = "price"
    public var symbol: String
    public var price: Fixed
    public var time: String
}

/// A lead's order filled (everyone sees every lead's fills, as on the lead's public profile).
public struct StreamLeadFill: Encodable, Hashable, Sendable {
    public let type = "leadFill"
    public var lead: String
    public var id: String
    public var symbol: String
    public var side: String
    public var quantity: Fixed
    public var price: Fixed
    public var event: Int
}

/// One of the caller's copies filled, beside the lead's price.
public struct StreamCopyFill: Encodable, Hashable, Sendable {
    public let type = "copyFill"
    public var copy: String
    public var symbol: String
    public var side: String
    public var quantity: Fixed
    public var price: Fixed
    public var fee: Fixed
    public var leadPrice: Fixed
    public var cappedByCash: Bool
    public var event: Int
}

/// One of the caller's copy orders failed, with its reason.
public struct StreamFailedCopyOrder: Encodable, Hashable, Sendable {
    public let type = "failedCopyOrder"
    public var copy: String
    public var symbol: String
    public var side: String
    public var reason: String
    public var explanation: String
    public var event: Int
}

/// One of the caller's copies started or stopped (with why).
public struct StreamCopyStatus: Encodable, Hashable, Sendable {
    public let type = "copyStatus"
    public var copy: String
    public var status: String
    @EncodesNull public var stopReason: String?
    public var event: Int
}

import SmartSyncCore

/// What an alert says (the contract's `Alert`): the body of a webhook delivery, signed and sent to every hook of the
/// user that asked for its type.
public struct AlertReport: Encodable, Hashable, Sendable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Encodable {
        /// One of the user's copy orders failed (its reason and explanation say why).
        case copyOrderFailed
        /// A copy's total stop loss fired: it was sold and stopped.
        case stopLossFired
        /// A copy's total take profit fired: it was sold and stopped.
        case takeProfitFired
        /// A copy's return moved further from its lead's than the hook's `trackingGap` (fires again only after it
        /// came back within).
        case trackingGap
        /// The lead of one of the user's copies stopped leading; the copy stopped with it.
        case leadStopped
        /// One of the user's copies stopped, for any reason (`stopReason`).
        case copyStopped
        /// Sent on request (`POST /v1/hooks/{id}/test`), to check a receiver.
        case test

        /// The types a hook can ask for (all but `test`).
        public static var subscribable: [Kind] { allCases.filter { $0 != .test } }
    }

    public var type: Kind
    /// The engine's time of the event (ISO 8601), and its number.
    public var time: String
    public var event: Int
    public var user: String
    public var copy: String?
    public var lead: String?
    public var symbol: String?
    public var side: String?
    /// For a failed copy order: its reason and what it means.
    public var reason: String?
    public var explanation: String?
    /// For a stop: why the copy stopped.
    public var stopReason: String?
    /// For a tracking gap: the copy's return minus the lead's, and the hook's threshold, in points.
    public var gapPoints: Fixed?
    public var thresholdPoints: Fixed?
    /// One sentence for a person.
    public var message: String

    public init(
        type: Kind, time: String, event: Int, user: String, copy: String? = nil, lead: String? = nil, symbol: String? = nil,
        side: String? = nil, reason: String? = nil, explanation: String? = nil, stopReason: String? = nil,
        gapPoints: Fixed? = nil, thresholdPoints: Fixed? = nil, message: String
    ) {
        (self.type, self.time, self.event, self.user, self.copy, self.lead) = (type, time, event, user, copy, lead)
        (self.symbol, self.side, self.reason, self.explanation, self.stopReason) = (symbol, side, reason, explanation, stopReason)
        (self.gapPoints, self.thresholdPoints, self.message) = (gapPoints, thresholdPoints, message)
    }

    /// The JSON text sent (compact, fields in declared order): what the signature covers, byte for byte.
    public var text: String { JSONValueEncoder.value(self).compact() }
}

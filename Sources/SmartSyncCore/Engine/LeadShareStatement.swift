/// One profit-share payment a lead received: from which copy, when, how much (after a sale of the copy's, or
/// settled at its stop), and the lead's total earned after it.
public struct LeadShareLine: Sendable, Hashable {
    public var event: Int
    public var time: Int64?
    public var copyID: String
    public var follower: String
    public var amount: Fixed
    /// True when it was settled at the copy's stop (else it followed a sale).
    public var atStop: Bool
    /// The lead's profit share earned, all copies, after this line.
    public var earnedAfter: Fixed
}

/// A lead's statement of profit share earned over a span (`from` ≤ time < `to`, nil unbounded): what it had earned
/// before (`opening`), every payment in the span in the order it happened, and the total after (`closing` =
/// opening + the lines). Over all time its closing total is the lead's `profitShareEarned`.
public struct LeadShareStatement: Sendable, Hashable {
    public var lead: String
    public var from: Int64?
    public var to: Int64?
    public var opening: Fixed
    public var lines: [LeadShareLine]
    public var closing: Fixed
}

extension LeadShareStatement {
    /// The statement of `lead` from the whole statements (no span) of every copy it ever had: their profit-share
    /// lines, merged in event order (a stop's settlement is the last line of its copy at that event).
    public init(lead: String, copies: [CopyStatement], from: Int64? = nil, to: Int64? = nil) {
        var all: [LeadShareLine] = []
        for statement in copies {
            let stopEvent = statement.lines.last { $0.kind == .paidOut || $0.kind == .assetsOut }?.event
            for line in statement.lines where line.kind == .profitShare {
                all.append(
                    LeadShareLine(
                        event: line.event, time: line.time, copyID: statement.copyID, follower: statement.follower,
                        amount: -line.cashChange, atStop: line.event == stopEvent, earnedAfter: .zero))
            }
        }
        all.sort { ($0.event, $0.copyID) < ($1.event, $1.copyID) }
        var earned = Fixed.zero
        var opening = Fixed.zero
        var lines: [LeadShareLine] = []
        for var line in all {
            earned += line.amount
            line.earnedAfter = earned
            let t = line.time ?? .min
            if let from, t < from {
                opening = earned
            } else if to.map({ t < $0 }) ?? true {
                lines.append(line)
            }
        }
        self.init(lead: lead, from: from, to: to, opening: opening, lines: lines, closing: opening + lines.reduce(.zero) { $0 + $1.amount })
    }
}

/// One profit-share payment a lead received: from which copy, when, how much (after a sale of the copy's, or
/// settled at its stop), and the lead's total earned after it. A lead sees its followers' copies, not who they are:
/// no follower id.
public struct LeadShareLine: Sendable, Hashable {
    public var event: Int
    public var time: Int64?
    public var copyID: String
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
    /// The statement of `lead` from the whole statements (no span) of every copy it ever had, in slot order: their
    /// profit-share lines merged in the order the engine paid them (event, then slot, then line). A payment at the
    /// event that stopped its copy is marked `atStop`.
    public init(lead: String, copies: [CopyStatement], from: Int64? = nil, to: Int64? = nil) {
        var all: [(key: (Int, Int, Int), line: LeadShareLine)] = []
        for (k, statement) in copies.enumerated() {
            for (n, line) in statement.lines.enumerated() where line.kind == .profitShare {
                let share = LeadShareLine(
                    event: line.event, time: line.time, copyID: statement.copyID, amount: -line.cashChange,
                    atStop: line.event == statement.stoppedEvent, earnedAfter: .zero)
                all.append(((line.event, k, n), share))
            }
        }
        all.sort { $0.key < $1.key }
        var earned = Fixed.zero
        var opening = Fixed.zero
        var lines: [LeadShareLine] = []
        for var (_, line) in all {
            earned += line.amount
            line.earnedAfter = earned
            let t = line.time ?? .min
            if let from, t < from {
                opening += line.amount
            } else if to.map({ t < $0 }) ?? true {
                lines.append(line)
            }
        }
        self.init(lead: lead, from: from, to: to, opening: opening, lines: lines, closing: opening + lines.reduce(.zero) { $0 + $1.amount })
    }
}

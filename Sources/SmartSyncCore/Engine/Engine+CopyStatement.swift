/// One line of a copy's statement: money in or out, a fill (beside the lead fill it copied), profit share paid, or
/// what the stop moved out.
public struct StatementLine: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// The investment that started the copy, and money the follower added later.
        case started, added
        /// Money the follower took out of a running copy.
        case removed
        case buy, sell
        /// Profit share paid to the lead (after a sale, or settled at the stop).
        case profitShare
        /// At the stop: a holding too small to sell, moved as it is to the follower's main account.
        case assetsOut
        /// At the stop: the copy's cash returned to the follower's main account.
        case paidOut
    }

    public var kind: Kind
    public var event: Int
    /// Milliseconds since 1970 (nil when the engine did not see the event's time).
    public var time: Int64?
    /// The symbol of a fill or of assets moved out.
    public var symbol: String?
    /// A fill's quantity, or the quantity moved out.
    public var quantity: Fixed = .zero
    /// A fill's price (the merged order's average price, the same for every copy in it).
    public var price: Fixed?
    public var quote: Fixed = .zero
    public var fee: Fixed = .zero
    /// A sale's realized PnL at average cost: quote − fee − the cost basis that leaves with it (buy fees included).
    public var realizedPnl: Fixed = .zero
    /// The cost basis that moved: bought in, sold out (at average cost), or moved out with assets.
    public var costChange: Fixed = .zero
    /// What the line did to the copy's cash (signed).
    public var cashChange: Fixed = .zero
    /// The copy's cash after the line.
    public var cashAfter: Fixed = .zero
    /// The copy's holding of `symbol` after the line.
    public var holdingAfter: Fixed = .zero
    /// The lead fill a fill copied, and its price.
    public var leadFillID: String?
    public var leadPrice: Fixed?
}

/// A copy's holding of one symbol at a moment of its statement.
public struct StatementHolding: Sendable, Hashable {
    public var symbol: String
    public var quantity: Fixed
    /// Its cost basis (buy fees included).
    public var cost: Fixed
}

/// A copy's cash and holdings at one end of its statement.
public struct StatementBalance: Sendable, Hashable {
    public var cash: Fixed
    public var holdings: [StatementHolding]
}

/// The sums of a statement's lines.
public struct StatementTotals: Sendable, Hashable {
    /// Started and added.
    public var moneyIn: Fixed = .zero
    /// Removed and paid out at the stop.
    public var moneyOut: Fixed = .zero
    public var bought: Fixed = .zero
    public var sold: Fixed = .zero
    public var fees: Fixed = .zero
    public var profitShare: Fixed = .zero
    public var realizedPnl: Fixed = .zero
}

/// A copy's statement over a span of time: its balance at the start (`opening`), every line in the span in the order
/// it happened, and its balance at the end (`closing`). It reconciles exactly: opening cash + the lines' cash changes
/// = closing cash, and for each symbol opening quantity + bought − sold − moved out = closing quantity.
public struct CopyStatement: Sendable, Hashable {
    public var copyID: String
    public var follower: String
    public var lead: String
    /// The span: lines at `from` ≤ time < `to` (nil: from the start, to now).
    public var from: Int64?
    public var to: Int64?
    /// The event that stopped the copy (nil while it runs).
    public var stoppedEvent: Int? = nil
    public var opening: StatementBalance
    public var lines: [StatementLine]
    public var closing: StatementBalance
    public var totals: StatementTotals
}

extension Engine {
    /// The statement of copy `ref` for `from` ≤ time < `to` (nil: unbounded), from its whole past: `rows` (else
    /// memory) give its fills and profit shares, its history the money in and out. Every line is replayed from the
    /// copy's start, so balances and average costs are exact at every line.
    public func copyStatement(_ ref: CopyRef, rows: CopyRows? = nil, from: Int64? = nil, to: Int64? = nil) -> CopyStatement {
        let rows = rows ?? copyRows(ref)
        let book = leads[ref.lead].book
        var moves = CopyMoneyMoves(self, ref, rows: rows)
        let started = book.startedEvent(ref.slot)
        let stopped = Int(book.stoppedEvent(ref.slot))

        var cash: Int64 = 0
        var lots: [Int: Int64] = [:]
        var cost: [Int: Int64] = [:]
        var lines: [StatementLine] = []
        var opening: StatementBalance?
        var closing: StatementBalance?
        var totals = StatementTotals()

        func balance() -> StatementBalance {
            StatementBalance(
                cash: Fixed(units: cash),
                holdings: lots.keys.sorted().compactMap { s in
                    guard lots[s, default: 0] != 0 || cost[s, default: 0] != 0 else { return nil }
                    return StatementHolding(
                        symbol: venue.symbols[s].name, quantity: Fixed(units: lots[s, default: 0] * venue.symbols[s].qtyStep.units),
                        cost: Fixed(units: cost[s, default: 0]))
                })
        }
        /// A line without a time (a command applied without one, as tests do) counts as before any `from`.
        func inSpan(_ time: Int64?) -> Bool {
            guard let t = time else { return from == nil }
            if let from, t < from { return false }
            if let to, t >= to { return false }
            return true
        }
        /// Before a line changes the balances: the first line of the span takes the opening balance, the first one
        /// after it the closing balance.
        func willApply(_ time: Int64?) {
            if closing == nil, let to, let t = time, t >= to { closing = balance() }
            if opening == nil, closing == nil, inSpan(time) { opening = balance() }
        }
        /// Lists a line (its balances applied) when it falls in the span, and adds it up.
        func record(_ line: StatementLine) {
            guard inSpan(line.time) else { return }
            var line = line
            line.cashAfter = Fixed(units: cash)
            if let name = line.symbol, let s = venue.symbols.firstIndex(where: { $0.name == name }) {
                line.holdingAfter = Fixed(units: lots[s, default: 0] * venue.symbols[s].qtyStep.units)
            }
            lines.append(line)
            switch line.kind {
            case .started, .added: totals.moneyIn += line.cashChange
            case .removed, .paidOut: totals.moneyOut -= line.cashChange
            case .buy: totals.bought += line.quote
            case .sell: totals.sold += line.quote
            case .profitShare: totals.profitShare -= line.cashChange
            case .assetsOut: break
            }
            totals.fees += line.fee
            totals.realizedPnl += line.realizedPnl
        }

        let investment = moves.investment.units
        willApply(time(ofEvent: started))
        cash += investment
        record(StatementLine(kind: .started, event: started, time: time(ofEvent: started), cashChange: Fixed(units: investment)))

        while let move = moves.next(below: .max, in: self) {
            switch move {
            case .fill(let row, let b):
                let symbol = venue.symbols[b.symbol]
                var line = StatementLine(
                    kind: b.side == .buy ? .buy : .sell, event: b.event, time: b.time, symbol: symbol.name,
                    quantity: row.lots.quantity(step: symbol.qtyStep), price: b.price, quote: row.quote, fee: row.fee,
                    leadFillID: b.leadFillID, leadPrice: b.leadPrice)
                willApply(b.time)
                if b.side == .buy {
                    cash -= (row.quote + row.fee).units
                    lots[b.symbol, default: 0] += row.lots.count
                    cost[b.symbol, default: 0] += (row.quote + row.fee).units
                    line.costChange = row.quote + row.fee
                    line.cashChange = -(row.quote + row.fee)
                } else {
                    let removed = CostBasis.removed(
                        cost: cost[b.symbol, default: 0], held: lots[b.symbol, default: 0], sold: row.lots.count)
                    cash += (row.quote - row.fee).units
                    lots[b.symbol, default: 0] -= row.lots.count
                    cost[b.symbol, default: 0] -= removed
                    line.costChange = Fixed(units: -removed)
                    line.realizedPnl = Fixed(units: (row.quote - row.fee).units - removed)
                    line.cashChange = row.quote - row.fee
                }
                record(line)
            case .profitShare(let amount, let b):
                willApply(b?.time)
                cash -= amount.units
                record(StatementLine(kind: .profitShare, event: b?.event ?? 0, time: b?.time, cashChange: -amount))
            case .change(let e):
                willApply(e.time)
                switch e.kind {
                case .investmentAdded(let a):
                    cash += a.units
                    record(StatementLine(kind: .added, event: e.event, time: e.time, cashChange: a))
                case .investmentRemoved(let a):
                    cash -= a.units
                    record(StatementLine(kind: .removed, event: e.event, time: e.time, cashChange: -a))
                default: break
                }
            }
        }
        if stopped >= 0 {
            // The stop settled after its sales: holdings left (too small to sell) moved as they are, profit share still
            // due (what the copy paid beyond its sales' shares), then the cash.
            let t = time(ofEvent: stopped)
            willApply(t)
            for s in lots.keys.sorted() where lots[s, default: 0] != 0 {
                let symbol = venue.symbols[s]
                let line = StatementLine(
                    kind: .assetsOut, event: stopped, time: t, symbol: symbol.name,
                    quantity: Fixed(units: lots[s, default: 0] * symbol.qtyStep.units), costChange: Fixed(units: -cost[s, default: 0]))
                lots[s] = 0
                cost[s] = 0
                record(line)
            }
            let shares = rows.profitShares.reduce(Int64(0)) { $0 + $1.amount.units }
            let due = book.profitSharePaid(ref.slot).units - shares
            if due > 0 {
                cash -= due
                record(StatementLine(kind: .profitShare, event: stopped, time: t, cashChange: Fixed(units: -due)))
            }
            if cash > 0 {
                let out = cash
                cash = 0
                record(StatementLine(kind: .paidOut, event: stopped, time: t, cashChange: Fixed(units: -out)))
            }
        }
        let end = balance()
        return CopyStatement(
            copyID: book.id(ref.slot), follower: users[book.follower(ref.slot)].id, lead: users[leads[ref.lead].user].id,
            from: from, to: to, stoppedEvent: stopped >= 0 ? stopped : nil, opening: opening ?? closing ?? end, lines: lines,
            closing: closing ?? end, totals: totals)
    }
}

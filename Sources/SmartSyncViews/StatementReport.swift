import SmartSyncCore

// A copy's statement as the API answers it (JSON, and CSV for a spreadsheet) and `simulate --statement` prints it:
// the contract's `CopyStatement` is `CopyStatementReport` (typeOverrides).

/// The lead fill a copy fill copied, beside it.
public struct StatementLeadFill: Encodable, Hashable, Sendable {
    public var id: String
    public var price: Fixed
    /// The lead fill's quantity and quote, when it could be read.
    public var quantity: Fixed?
    public var quote: Fixed?
}

/// One line of a statement.
public struct StatementLineReport: Encodable, Hashable, Sendable {
    /// started, added, removed, buy, sell, profitShare, assetsOut, paidOut.
    public var type: String
    public var event: Int
    @EncodesNull public var time: String? = nil
    public var symbol: String?
    public var quantity: Fixed?
    public var price: Fixed?
    public var quote: Fixed?
    public var fee: Fixed?
    /// A sale's realized PnL at average cost.
    public var realizedPnl: Fixed?
    /// The cost basis bought in (positive), sold or moved out (negative).
    public var costChange: Fixed?
    public var cashChange: Fixed
    public var cashAfter: Fixed
    /// The holding of `symbol` after the line.
    public var holdingAfter: Fixed?
    public var leadFill: StatementLeadFill?

    public init(_ line: StatementLine, leadFills: [String: LeadFill] = [:]) {
        type = line.kind.rawValue
        event = line.event
        time = line.time.map(ISO8601.format)
        symbol = line.symbol
        let trade = line.kind == .buy || line.kind == .sell
        if trade || line.kind == .assetsOut {
            (quantity, costChange, holdingAfter) = (line.quantity, line.costChange, line.holdingAfter)
        }
        if trade { (price, quote, fee) = (line.price, line.quote, line.fee) }
        if line.kind == .sell { realizedPnl = line.realizedPnl }
        (cashChange, cashAfter) = (line.cashChange, line.cashAfter)
        if let id = line.leadFillID {
            let f = leadFills[id]
            leadFill = StatementLeadFill(id: id, price: line.leadPrice ?? f?.price ?? .zero, quantity: f?.quantity, quote: f?.quote)
        }
    }
}

/// Cash and holdings at one end of a statement.
public struct StatementBalanceReport: Encodable, Hashable, Sendable {
    public struct Holding: Encodable, Hashable, Sendable {
        public var symbol: String
        public var quantity: Fixed
        /// Its cost basis (buy fees included).
        public var cost: Fixed
    }
    public var cash: Fixed
    public var holdings: [Holding]

    public init(_ b: StatementBalance) {
        cash = b.cash
        holdings = b.holdings.map { Holding(symbol: $0.symbol, quantity: $0.quantity, cost: $0.cost) }
    }
}

/// A copy's statement: its balance at `from`, every line until `to`, its balance then, and the lines' sums.
public struct CopyStatementReport: Encodable, Hashable, Sendable {
    public struct Totals: Encodable, Hashable, Sendable {
        public var moneyIn: Fixed
        public var moneyOut: Fixed
        public var bought: Fixed
        public var sold: Fixed
        public var fees: Fixed
        public var profitShare: Fixed
        public var realizedPnl: Fixed
    }
    public var copy: String
    public var follower: String
    public var lead: String
    @EncodesNull public var from: String? = nil
    @EncodesNull public var to: String? = nil
    public var opening: StatementBalanceReport
    public var closing: StatementBalanceReport
    public var totals: Totals
    public var lines: [StatementLineReport]

    public init(_ s: CopyStatement, leadFills: [String: LeadFill] = [:]) {
        (copy, follower, lead) = (s.copyID, s.follower, s.lead)
        from = s.from.map(ISO8601.format)
        to = s.to.map(ISO8601.format)
        (opening, closing) = (StatementBalanceReport(s.opening), StatementBalanceReport(s.closing))
        let t = s.totals
        totals = Totals(
            moneyIn: t.moneyIn, moneyOut: t.moneyOut, bought: t.bought, sold: t.sold, fees: t.fees, profitShare: t.profitShare,
            realizedPnl: t.realizedPnl)
        lines = s.lines.map { StatementLineReport($0, leadFills: leadFills) }
    }

    /// The columns of `csv`.
    public static let csvColumns = [
        "type", "time", "event", "symbol", "quantity", "price", "quote", "fee", "realized_pnl", "cost_change", "cash_change",
        "cash_after", "holding_after", "lead_fill", "lead_price", "lead_quantity",
    ]

    /// The statement as CSV, one row per line between an `opening` row (cash in `cash_after`, then one
    /// `opening_holding` row per holding: its quantity in `holding_after`, its cost basis in `cost_change`) and the
    /// same `closing` rows. Amounts are exact decimals, times ISO 8601.
    public var csv: String {
        var table = CSVTable(columns: Self.csvColumns)
        func row(_ fields: [String: String]) { table.append(fields) }
        func balance(_ b: StatementBalanceReport, _ name: String, time: String?) {
            row(["type": name, "time": time ?? "", "cash_after": b.cash.description])
            for h in b.holdings {
                row([
                    "type": name + "_holding", "time": time ?? "", "symbol": Self.text(h.symbol), "holding_after": h.quantity.description,
                    "cost_change": h.cost.description,
                ])
            }
        }
        balance(opening, "opening", time: from)
        for l in lines {
            row([
                "type": l.type, "time": l.time ?? "", "event": String(l.event), "symbol": Self.text(l.symbol ?? ""),
                "quantity": l.quantity?.description ?? "", "price": l.price?.description ?? "", "quote": l.quote?.description ?? "",
                "fee": l.fee?.description ?? "", "realized_pnl": l.realizedPnl?.description ?? "",
                "cost_change": l.costChange?.description ?? "", "cash_change": l.cashChange.description,
                "cash_after": l.cashAfter.description, "holding_after": l.holdingAfter?.description ?? "",
                "lead_fill": Self.text(l.leadFill?.id ?? ""), "lead_price": l.leadFill?.price.description ?? "",
                "lead_quantity": l.leadFill?.quantity?.description ?? "",
            ])
        }
        balance(closing, "closing", time: to)
        return table.text
    }

    /// A text cell a spreadsheet must not read as a formula (a venue's fill id starting with `=`, `+`, `-` or `@`):
    /// with a `'` first. Amounts are numbers and keep their sign.
    static func text(_ value: String) -> String {
        guard let first = value.first, "=+-@".contains(first) else { return value }
        return "'" + value
    }

    /// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, with quotes doubled.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + String(text.flatMap { $0 == "\"" ? ["\"", "\""] : [$0] }) + "\""
    }
}

/// A lead's statement of profit share earned (`LeadShareStatement`), as the API answers it.
public struct LeadShareStatementReport: Encodable, Hashable, Sendable {
    public struct Line: Encodable, Hashable, Sendable {
        public var event: Int
        @EncodesNull public var time: String? = nil
        public var copy: String
        public var amount: Fixed
        /// `sale` (after a sale of the copy's) or `stop` (settled when the copy stopped).
        public var type: String
        public var earnedAfter: Fixed
    }
    public var lead: String
    @EncodesNull public var from: String? = nil
    @EncodesNull public var to: String? = nil
    /// Profit share earned before `from`.
    public var opening: Fixed
    /// `opening` + the lines.
    public var closing: Fixed
    public var lines: [Line]

    public init(_ s: LeadShareStatement) {
        lead = s.lead
        from = s.from.map(ISO8601.format)
        to = s.to.map(ISO8601.format)
        (opening, closing) = (s.opening, s.closing)
        lines = s.lines.map {
            Line(
                event: $0.event, time: $0.time.map(ISO8601.format), copy: $0.copyID, amount: $0.amount,
                type: $0.atStop ? "stop" : "sale", earnedAfter: $0.earnedAfter)
        }
    }

    /// The columns of `csv`.
    public static let csvColumns = ["type", "time", "event", "copy", "amount", "earned_after"]

    /// The statement as CSV: an `opening` row (earned before the span in `earned_after`), one row per payment, and a
    /// `closing` row. Amounts are exact decimals, times ISO 8601.
    public var csv: String {
        var table = CSVTable(columns: Self.csvColumns)
        func row(_ fields: [String: String]) { table.append(fields) }
        row(["type": "opening", "time": from ?? "", "earned_after": opening.description])
        for l in lines {
            row([
                "type": l.type, "time": l.time ?? "", "event": String(l.event), "copy": CopyStatementReport.text(l.copy),
                "amount": l.amount.description, "earned_after": l.earnedAfter.description,
            ])
        }
        row(["type": "closing", "time": to ?? "", "earned_after": closing.description])
        return table.text
    }
}

/// A CSV table (RFC 4180) built row by row: a header of `columns`, then each row's fields in that order (missing
/// ones empty), lines ended by CRLF.
struct CSVTable {
    let columns: [String]
    private var lines: [String]

    init(columns: [String]) {
        self.columns = columns
        lines = [columns.joined(separator: ",")]
    }

    mutating func append(_ fields: [String: String]) {
        lines.append(columns.map { CopyStatementReport.csvField(fields[$0] ?? "") }.joined(separator: ","))
    }

    var text: String { lines.joined(separator: "\r\n") + "\r\n" }
}

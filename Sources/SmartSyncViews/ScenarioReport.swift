import SmartSyncCore

/// The report of a scenario run: the JSON of DESIGN §7 and a readable summary.
public enum ScenarioReport {
    /// The `--json` report. Field names are fixed by DESIGN §7; more fields are added beside them.
    public static func json(_ engine: Engine) -> JSONValue {
        let audit = engine.audit()
        let failures = engine.failedOrdersByCopy()
        return encoded(
            ScenarioReportBody(
                users: engine.users.map(UserReport.init), leads: engine.leads.indices.map { lead(engine, $0) },
                copies: engine.allCopies.map { copy(engine, $0, failures: failures[$0] ?? []) }, feesCollected: engine.feesCollected,
                audit: AuditReport(
                    balanced: audit.balanced, totalUSDT: audit.totalUSDT, expectedUSDT: audit.expectedUSDT,
                    journalEntries: audit.entries, problems: audit.problems)))
    }

    /// A lead as the report shows it; `curve: false` leaves out its equity curve (for views that show their own).
    public static func lead(_ engine: Engine, _ l: Int, curve: Bool = true) -> LeadReport {
        let v = engine.leadView(l)
        return LeadReport(
            user: v.user, status: v.status.rawValue, cash: v.cash, holdings: v.holdings.map { HoldingReport($0) }, equity: v.equity,
            roi: v.roi, pnl: v.pnl, aum: v.aum, followers: v.followers, followerLimit: v.followerLimit, winRate: v.winRate,
            closedRoundTrips: v.closedRoundTrips, maxDrawdown: v.maxDrawdown, profitShareRate: v.profitShareRate,
            profitShareEarned: v.profitShareEarned, nav: v.nav, fills: engine.leadFillCount(of: l),
            equityCurve: curve ? engine.leads[l].curve.map(CurvePointReport.init) : nil)
    }

    /// A copy as the report shows it; `history: false` leaves out its fills and failed orders (for views that read
    /// them by page).
    /// `failures` are the copy's failed orders when the caller grouped them already (`Engine.failedOrdersByCopy`).
    /// `rows` are the copy's rows read from a store (`CopyRows`); without them the engine's memory is read.
    public static func copy(
        _ engine: Engine, _ ref: CopyRef, history: Bool = true, failures: [FailedCopyOrder]? = nil, rows: CopyRows? = nil
    ) -> CopyReport {
        let v = engine.copyView(ref)
        let row = engine.row(of: ref)
        let leadWeights = engine.leadWeights(ref.lead)
        return CopyReport(
            id: v.id, user: v.user, lead: v.lead, mode: v.mode.rawValue, status: v.status.name, stopReason: v.stopReason?.rawValue,
            netInvested: v.netInvested, pnl: v.equity + v.totalOut - v.totalIn, stopLoss: row.stopLoss, takeProfit: row.takeProfit,
            controls: engine.leads[ref.lead].book.controls(ref.slot), cash: v.cash, equity: v.equity,
            holdings: v.holdings.map { HoldingReport($0, leadWeight: leadWeights[$0.symbol] ?? .zero) },
            realizedPnl: v.realizedPnl, unrealizedPnl: v.unrealizedPnl, roi: v.roi, feesPaid: v.feesPaid,
            profitSharePaid: v.profitSharePaid,
            fills: history ? engine.copyFills(ref, rows: rows).map(CopyFillReport.init) : nil,
            failedOrders: history
                ? (failures ?? engine.failedOrders(ref, rows: rows)).map {
                    FailedOrderReport($0, symbol: engine.venue.symbols[Int($0.symbol)].name)
                } : nil,
            tracking: TrackingReport(v.tracking))
    }

    /// `value` as the report writes it. The report's types encode only strings, integers, booleans and null, which
    /// this encoder cannot fail on.
    static func encoded(_ value: some Encodable) -> JSONValue {
        JSONValueEncoder.value(value)
    }

    /// A readable summary: leads, copies, failed copy orders with reasons in words, the audit.
    public static func summary(_ engine: Engine) -> String {
        var out: [String] = []
        let audit = engine.audit()
        for l in engine.leads.indices {
            let v = engine.leadView(l)
            out.append("Lead \(v.user) (\(v.status.rawValue)): equity \(v.equity) USDT, ROI \(percent(v.roi)), PnL \(v.pnl) USDT")
            out.append(
                "  followers \(v.followers)/\(v.followerLimit), AUM \(v.aum) USDT, win rate \(percent(v.winRate)), max drawdown \(percent(v.maxDrawdown)), profit share earned \(v.profitShareEarned) USDT"
            )
            for h in v.holdings {
                out.append("  holds \(h.quantity) \(h.symbol.split(separator: "-")[0]) worth \(h.value) USDT (weight \(percent(h.weight)))")
            }
        }
        if !engine.allCopies.isEmpty { out.append("") }
        let failures = engine.failedOrdersByCopy()
        for ref in engine.allCopies {
            let v = engine.copyView(ref)
            let fills = engine.copyFillCount(ref)
            let failed = failures[ref] ?? []
            let money =
                v.status != .stopped
                ? "invested \(v.netInvested) USDT, equity \(v.equity) USDT"
                : "paid in \(v.totalIn) USDT, paid out \(v.totalOut) USDT, PnL \(v.totalOut - v.totalIn) USDT"
            out.append(
                "Copy \(v.id) of \(v.lead) by \(v.user) [\(v.mode.rawValue), \(v.status.name)\(v.stopReason.map { ": \($0.rawValue)" } ?? "")]: \(money), ROI \(percent(v.roi))"
            )
            out.append(
                "  cash \(v.cash) USDT, realized \(v.realizedPnl) USDT, unrealized \(v.unrealizedPnl) USDT, fees \(v.feesPaid) USDT, profit share \(v.profitSharePaid) USDT, \(fills) fills"
            )
            for h in v.holdings {
                out.append(
                    "  holds \(h.quantity) \(h.symbol.split(separator: "-")[0]) worth \(h.value) USDT (weight \(percent(h.weight)))\(h.dust ? " — dust" : "")"
                )
            }
            for f in failed {
                let symbol = engine.venue.symbols[Int(f.symbol)].name
                out.append(
                    "  failed copy order at event \(f.event): \(f.side.rawValue) \(symbol) for \(f.notional) USDT — \(f.reason.rawValue): \(f.reason.explanation)"
                )
            }
            let t = v.tracking
            out.append(
                "  tracking: copy ROI \(percent(t.copyRoi)) vs lead ROI \(percent(t.leadRoi)) over the same span, gap \(percent(t.gap))")
            out.append(
                "    = fees \(percent(t.fees)) + profit share \(percent(t.profitShare)) + price difference \(percent(t.priceDifference)) + failed or capped \(percent(t.failedOrCapped)) + sizing \(percent(t.sizing)) + rounding \(percent(t.rounding))"
            )
        }
        if engine.allCopies.count >= 10 {
            out.append("")
            out.append(contentsOf: trackingTable(engine, failures: failures))
        }
        out.append("")
        out.append("Fees collected: \(engine.feesCollected) USDT")
        out.append(
            audit.balanced
                ? "Audit: balanced (\(audit.entries) journal entries, \(audit.totalUSDT) USDT in all accounts)" : "Audit: NOT balanced")
        for p in audit.problems { out.append("  " + p) }
        return out.joined(separator: "\n")
    }

    /// Mean tracking of the copies by size (paid in, by decade) and mode: where the gap to the lead comes from.
    public static func trackingTable(_ engine: Engine, failures: [CopyRef: [FailedCopyOrder]]? = nil) -> [String] {
        let failures = failures ?? engine.failedOrdersByCopy()
        struct Group {
            var count = 0
            var failed = 0
            var sums = [Fixed](repeating: .zero, count: 9)
        }
        struct Key: Hashable, Comparable {
            var decade: Int
            var mode: String
            var label: String { "\(decade)–\(decade * 10) \(mode)" }
            static func < (a: Key, b: Key) -> Bool { (a.decade, a.mode) < (b.decade, b.mode) }
        }
        var groups: [Key: Group] = [:]
        for ref in engine.allCopies {
            let v = engine.copyView(ref)
            var decade = 100
            while Fixed(decade * 10) < v.totalIn && decade < 100_000_000 { decade *= 10 }
            let key = Key(decade: decade, mode: v.mode.rawValue)
            let t = v.tracking
            let values = [t.copyRoi, t.leadRoi, t.gap, t.fees, t.profitShare, t.priceDifference, t.failedOrCapped, t.sizing, t.rounding]
            groups[key, default: Group()].count += 1
            groups[key]!.failed += failures[ref]?.count ?? 0
            for k in values.indices { groups[key]!.sums[k] += values[k] }
        }
        func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: Swift.max(0, w - s.count)) + s }
        var lines = [
            "Tracking by follower size (USDT paid in) and mode, means per copy:",
            pad("size and mode", 28) + pad("copies", 7) + pad("copy ROI", 10) + pad("lead ROI", 10) + pad("gap", 9)
                + pad("fees", 8) + pad("share", 8) + pad("price", 8) + pad("failed", 8) + pad("sizing", 8) + pad("round", 8)
                + pad("failed orders", 14),
        ]
        for key in groups.keys.sorted() {
            let g = groups[key]!
            let means = g.sums.map { $0.clampedDivided(by: Fixed(g.count), .halfEven) }
            var line = pad(key.label, 28) + pad(String(g.count), 7)
            for (k, m) in means.enumerated() { line += pad(percent(m), k < 3 ? (k == 2 ? 9 : 10) : 8) }
            lines.append(line + pad(String(g.failed), 14))
        }
        return lines
    }

    /// A ratio as a percentage with two decimals ("-11.4%" → "-11.40%").
    public static func percent(_ ratio: Fixed) -> String {
        let hundredths = ratio.clampedMultiplied(by: Fixed(10_000), .halfEven)
        let units = hundredths.rounded(toStep: .one, .halfEven).units / Fixed.unitsPerOne
        let sign = units < 0 ? "-" : ""
        let m = abs(units)
        let cents = m % 100
        return "\(sign)\(m / 100).\(cents < 10 ? "0" : "")\(cents)%"
    }
}

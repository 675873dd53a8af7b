/// A copy's equity at one moment of its history.
public struct CopyCurvePoint: Sendable, Hashable {
    public var event: Int
    /// Milliseconds since 1970; nil when the engine did not see the event's time.
    public var time: Int64?
    public var equity: Fixed
    /// Net invested at this point: money added later moves this, not the NAV.
    public var netInvested: Fixed
    /// Unit NAV (1 at the start): equity ÷ performance units, so money added or removed is not a gain or loss.
    public var nav: Fixed
}

/// What "buy existing assets" would buy for one symbol if a copy started now.
public struct BuyExistingPreview: Sendable, Hashable {
    public var symbol: String
    /// The lead's weight in the symbol.
    public var weight: Fixed
    /// Investment × weight, rounded down: what the copy would spend.
    public var notional: Fixed
    /// The quantity that buys at the mark price, rounded down to the symbol's step.
    public var quantity: Fixed
    public var price: Fixed
    /// Why nothing would be bought (below the symbol's minimums), nil when it would be.
    public var skipped: FailedCopyOrder.Reason?
}

extension Engine {
    /// A copy's equity over its life (never stored per copy): its start, then every point of its lead's equity curve
    /// while the copy was active, then its current equity if it is still active. Each point replays what moved the
    /// copy's money up to that point (its fills and profit shares, the money added or removed) and values its
    /// holdings at the marks of that moment, so the last point of an active copy equals `copyEquity`.
    /// The copy's rows come from `rows` (else from memory), with the headers of their batches (`batchHeader`); its
    /// lead's curve points and the mark prices from `curve` (else from memory).
    public func copyEquityCurve(_ ref: CopyRef, rows: CopyRows? = nil, curve: CurveRows? = nil) -> [CopyCurvePoint] {
        let rows = rows ?? copyRows(ref)
        let curve = curve ?? curveRows(ref)
        let book = leads[ref.lead].book
        let started = book.startedEvent(ref.slot)
        let stopped = Int(book.stoppedEvent(ref.slot))
        // Units and net invested move only with the follower's changes, recorded with the units after each.
        var moves = CopyMoneyMoves(self, ref, rows: rows)
        let changes = moves.changes
        let investment = moves.investment
        guard investment.isPositive else { return [] }
        var cash = investment.units
        var lots: [Int: Int64] = [:]
        var marks: [Fixed] = Array(repeating: .zero, count: venue.symbols.count)
        for (s, price) in curve.marks where s >= 0 && s < marks.count { marks[s] = price }
        var nextPrice = curve.pricesFrom

        /// Applies what moved the copy's money at journal positions before `count`.
        func apply(upTo count: Int) {
            while let move = moves.next(below: count, in: self) {
                switch move {
                case .fill(let row, let b):
                    if b.side == .buy {
                        cash -= (row.quote + row.fee).units
                        lots[b.symbol, default: 0] += row.lots.count
                    } else {
                        cash += (row.quote - row.fee).units
                        lots[b.symbol, default: 0] -= row.lots.count
                    }
                case .profitShare(let amount, _):
                    cash -= amount.units
                case .change(let e):
                    switch e.kind {
                    case .investmentAdded(let a): cash += a.units
                    case .investmentRemoved(let a): cash -= a.units
                    default: break
                    }
                }
            }
        }
        /// Sets the marks of the prices numbered before `count` (those from `curve.pricesFrom` on).
        func markPrices(upTo count: Int) {
            while nextPrice < min(count, curve.pricesFrom + curve.prices.count) {
                let p = curve.prices[nextPrice - curve.pricesFrom]
                if p.symbol >= 0 && p.symbol < marks.count { marks[p.symbol] = p.price }
                nextPrice += 1
            }
        }
        func equity() -> Fixed {
            var units = cash
            for (s, q) in lots where q != 0 { units += q * lotValue(s, price: marks[s]) }
            return Fixed(units: units)
        }

        var points: [CopyCurvePoint] = []
        var nextChange = 0
        var units = investment
        var invested = investment
        func point(_ event: Int, _ time: Int64?, equity: Fixed) -> CopyCurvePoint {
            while nextChange < changes.count && changes[nextChange].event <= event {
                units = changes[nextChange].unitsAfter
                invested = changes[nextChange].netInvestedAfter
                nextChange += 1
            }
            return CopyCurvePoint(
                event: event, time: time, equity: equity, netInvested: invested, nav: Self.nav(equity: equity, units: units))
        }
        points.append(point(started, time(ofEvent: started), equity: equity()))
        for p in curve.points {
            apply(upTo: p.journalCount)
            markPrices(upTo: p.priceCount)
            points.append(point(p.event, p.time, equity: equity()))
        }
        if stopped < 0 {
            // Now: the current equity, units and net invested (the last change may come after every curve point).
            apply(upTo: journal.count)
            markPrices(upTo: priceCount)
            let last = points.last!
            let now = equity()
            let event = max(last.event, lastEvent, changes.last?.event ?? 0)
            let current = point(event, time(ofEvent: event) ?? self.now, equity: now)
            if now != last.equity || current.netInvested != last.netInvested { points.append(current) }
        } else {
            // The stop: what the copy was worth when it was liquidated (its NAV at the stop × its units).
            var end = point(stopped, time(ofEvent: stopped), equity: .zero)
            end.nav = Fixed(units: book.navAtStop(ref.slot))
            end.equity = units.clampedMultiplied(by: end.nav, .halfEven)
            points.append(end)
        }
        return points
    }

    /// The last event the engine has seen a price or fill at.
    var lastEvent: Int { max(priceHistory.last?.event ?? 0, leadFills.last?.event ?? 0) }

    /// What a copy of `lead` with `investment` would buy now with "buy existing assets", symbol by symbol.
    public func buyExistingPreview(lead: String, investment: Fixed) throws(EngineError) -> [BuyExistingPreview] {
        let u = try requireUser(lead, field: "lead")
        guard let l = activeLead(of: u) else { throw EngineError(.leadNotActive, field: "lead", "\"\(lead)\" is not leading") }
        guard investment.isPositive else { throw EngineError(.invalidInput, field: "investment", "must be positive (got \(investment))") }
        let weights = leadWeights(l)
        return buyExistingNotionals(lead: l, investment: investment).map { s, n in
            let symbol = venue.symbols[s]
            let mark = venue.marks[s]
            let lotPrice = lotValue(s, price: mark)
            let quantity = Fixed(units: (lotPrice > 0 ? n / lotPrice : 0) * symbol.qtyStep.units)
            let notional = Fixed(units: n)
            // The planner's checks, in its order (DESIGN §1).
            var skipped: FailedCopyOrder.Reason?
            if n <= 0 || notional < symbol.minNotional {
                skipped = .belowMinNotional
            } else if quantity.isZero || quantity < symbol.minQty {
                skipped = .belowMinQty
            } else if (symbol.quote(quantity: quantity, price: mark) ?? .zero) < symbol.minNotional {
                skipped = .belowMinNotional
            }
            return BuyExistingPreview(
                symbol: symbol.name, weight: weights[symbol.name] ?? .zero, notional: notional, quantity: quantity, price: mark,
                skipped: skipped)
        }
    }
}

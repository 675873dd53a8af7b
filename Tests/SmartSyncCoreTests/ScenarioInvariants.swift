import Testing

@testable import SmartSyncCore

// The invariants every random scenario checks after every step (RandomScenarioDriver): a refused command changes
// nothing; after an accepted one the books balance, nothing is negative, the venue and the fee account move by what
// the journal says, each merged order's allocation is exact, each copy's account follows its fills (cost basis,
// realized PnL, profit share under the high-water mark), each copy's order for a lead fill at the mark is what
// DESIGN §2 / §3a say (computed here, independently of the planner), stopped copies and leads are empty, stops happen
// exactly when and why they should, and the tracking identities hold.

/// Counters over whole property runs, so that a test can show its checks were not vacuous.
struct ScenarioStats {
    var steps = 0
    var accepted = 0
    var refused = 0
    var refusals: [EngineError.Code: Int] = [:]
    var buysChecked = 0
    var sellsChecked = 0
    var copyFills = 0
    var capped = 0
    var partialBatches = 0
    var replays = 0
    var profitSharePayments = 0
    var profitShares = 0
    /// Copies whose status changed in a step (stopped).
    var stops = 0
    var stopsByReason: [StopReason: Int] = [:]
    var failures: [FailedCopyOrder.Reason: Int] = [:]
    var priceStops = 0
    var adjustUp = 0
    var adjustDownFromCash = 0
    var adjustDownSelling = 0
    var leadsStopped = 0
    var transfers = 0
    /// Stops that could not sell everything and moved assets as they are to the follower's main account.
    var assetsMovedAtStop = 0
    /// Price updates that filled a resting lead order (copied) before the stops were checked.
    var restingFills = 0
    /// Stops by mode: close-only asked, closing copies that then stopped by themselves, holdings kept.
    var closeOnly = 0
    var closedOut = 0
    var keepHoldings = 0
    /// Buys a copy's controls skipped entirely.
    var controlled = 0

    mutating func add(_ o: ScenarioStats) {
        steps += o.steps
        accepted += o.accepted
        refused += o.refused
        for (k, v) in o.refusals { refusals[k, default: 0] += v }
        buysChecked += o.buysChecked
        sellsChecked += o.sellsChecked
        copyFills += o.copyFills
        capped += o.capped
        partialBatches += o.partialBatches
        replays += o.replays
        profitSharePayments += o.profitSharePayments
        profitShares += o.profitShares
        stops += o.stops
        for (k, v) in o.stopsByReason { stopsByReason[k, default: 0] += v }
        for (k, v) in o.failures { failures[k, default: 0] += v }
        priceStops += o.priceStops
        adjustUp += o.adjustUp
        adjustDownFromCash += o.adjustDownFromCash
        adjustDownSelling += o.adjustDownSelling
        leadsStopped += o.leadsStopped
        transfers += o.transfers
        assetsMovedAtStop += o.assetsMovedAtStop
        restingFills += o.restingFills
        closeOnly += o.closeOnly
        closedOut += o.closedOut
        keepHoldings += o.keepHoldings
        controlled += o.controlled
    }
}

/// What the rules say one copy does for one lead fill, computed independently of the engine's planner.
enum ExpectedCopyOrder: Equatable, CustomStringConvertible {
    case nothing
    case fill(lots: Int64, capped: Bool)
    case fail(FailedCopyOrder.Reason)

    var description: String {
        switch self {
        case .nothing: return "nothing"
        case .fill(let lots, let capped): return "fill \(lots) lots\(capped ? " (capped)" : "")"
        case .fail(let reason): return "fail \(reason.rawValue)"
        }
    }
}

/// The checker of one run: what it found (the check and the message) and what it exercised.
struct ScenarioInvariants {
    /// Symbols that trade against a synthetic book.
    let booked: [Bool]
    var issues: [(check: String, message: String)] = []
    var stats = ScenarioStats()
    /// Highest cumulative realized PnL each copy has had (`lead << 32 | slot` → units): the high-water mark.
    var peakRealized: [Int: Int64] = [:]

    /// Notes a broken invariant; `check` is the function that found it (a shrunk case must break the same one).
    mutating func fail(_ message: String, check: String = #function) {
        issues.append((check, message))
    }

    // MARK: Refused commands

    /// A refused command changed nothing: not the state, not the journal, not the audit.
    mutating func refused(_ error: EngineError, before: Engine, after: Engine) {
        stats.steps += 1
        stats.refused += 1
        stats.refusals[error.code, default: 0] += 1
        if after.journal.count != before.journal.count { fail("refused (\(error)) but the journal grew") }
        if !after.audit().balanced { fail("refused (\(error)) and the audit fails") }
        if Fingerprint(after) != Fingerprint(before) || LifecycleSnapshot(after) != LifecycleSnapshot(before) {
            fail("refused (\(error)) but changed the state")
        }
    }

    // MARK: Accepted commands

    /// Every invariant after an accepted `command`.
    mutating func accepted(_ command: EngineCommand, before: Engine, after engine: Engine) {
        stats.steps += 1
        stats.accepted += 1
        let audit = engine.audit()
        if !audit.balanced || !audit.problems.isEmpty { return fail("audit: \(audit.problems.prefix(3))") }
        nothingNegative(engine)
        let batches = journalMoves(before: before, after: engine)
        let newFailures = Array(engine.failedOrders[before.failedOrders.count...])
        for f in newFailures { stats.failures[f.reason, default: 0] += 1 }
        for b in batches { checkBatch(b, engine, failures: newFailures, batchesInStep: batches) }
        // Copies that stopped in this step were liquidated and settled on top of any copy fill: the per-fill checks
        // below hold only for leads whose copies all kept their status.
        func changedStatus(_ l: Int) -> Int {
            before.leads[l].book.rows.reduce(0) { $0 + ($1.status != engine.leads[l].book[$1.slot].status ? 1 : 0) }
        }
        let settled = Set(engine.leads.indices.filter { l in l < before.leads.count && changedStatus(l) > 0 })
        for l in settled { stats.stops += changedStatus(l) }
        // An adjustment down that had to sell takes its delta out of the cash the sale left.
        var takenOut: [CopyRef: Int64] = [:]
        if case .adjustInvestment(let id, let delta) = command, delta.isNegative, let ref = before.copy(named: id) {
            takenOut[ref] = -delta.units
        }
        for b in batches where batches.filter({ $0.lead == b.lead }).count == 1 && !settled.contains(b.lead) {
            checkCopyAccounts(b, before: before, after: engine, takenOut: takenOut)
        }
        let newFills = Array(engine.leadFills[before.leadFills.count...])
        if newFills.count == 1, let fill = newFills.first, !booked[fill.symbol], !settled.contains(fill.lead) {
            checkSizing(fill, before: before, after: engine, batches: batches, failures: newFailures)
        }
        trackRealizedPeaks(before: before, batches: batches)
        checkAccounts(engine)
        checkStatements(engine, before: before)
        checkStops(command, before: before, after: engine, batches: batches)
        checkClosing(engine)
    }

    /// A copy still closing after a step holds something it could sell (else the step would have stopped it),
    /// unless its lead's copy orders are in flight at a venue.
    mutating func checkClosing(_ engine: Engine) {
        for (l, lead) in engine.leads.enumerated() where !engine.venueBook.isBusy(lead: l) {
            if lead.book.closingCount != lead.book.rows.count(where: { $0.status == .closing }) {
                fail("lead \(l)'s closing count \(lead.book.closingCount) differs from its rows")
            }
            for copy in lead.book.rows where copy.status == .closing {
                let sellable = copy.holdings.contains { h in
                    let symbol = engine.venue[h.symbol]
                    return h.lots.quantity(step: symbol.qtyStep) >= symbol.minQty
                        && h.lots.count * engine.lotValue(h.symbol, price: engine.venue.mark(h.symbol)) >= symbol.minNotional.units
                }
                if !sellable { fail("closing copy \(copy.id) holds nothing it could sell and did not stop") }
            }
        }
    }

    /// Every copy's statement, replayed from its past alone, ends where its account is (cash, holdings, cost basis)
    /// and adds up to its totals (money in, realized PnL, fees, profit share); split at any moment, the first part's
    /// closing balance is the second's opening, and each part's lines carry its opening balance to its closing one.
    /// Only the copies the step changed are read again: a statement is a function of the copy's past, which a step
    /// that leaves its account row as it was did not touch.
    mutating func checkStatements(_ engine: Engine, before: Engine) {
        for (l, lead) in engine.leads.enumerated() {
            for copy in lead.book.rows {
                if l < before.leads.count, copy.slot < before.leads[l].book.count, before.leads[l].book[copy.slot] == copy { continue }
                let ref = CopyRef(lead: l, slot: copy.slot)
                let all = engine.copyStatement(ref)
                let held = copy.holdings.filter { $0.lots != 0 || !$0.cost.isZero }.sorted { $0.symbol < $1.symbol }.map { h in
                    let symbol = engine.venue[h.symbol]
                    return StatementHolding(symbol: symbol.name, quantity: h.lots.quantity(step: symbol.qtyStep), cost: h.cost)
                }
                if all.closing != StatementBalance(cash: copy.cash, holdings: held) {
                    fail("copy \(copy.id)'s statement closes at \(all.closing), its account holds \(copy.cash) and \(held)")
                }
                let t = all.totals
                if t.moneyIn != copy.totalIn || t.realizedPnl != copy.realizedPnl || t.fees != copy.feesPaid
                    || t.profitShare != copy.profitSharePaid
                {
                    fail("copy \(copy.id)'s statement totals \(t) differ from its account \(copy)")
                }
                // Money out is the account's total out but for assets a stop moved out as they are (valued there).
                if !all.lines.contains(where: { $0.kind == .assetsOut }) && t.moneyOut != copy.totalOut {
                    fail("copy \(copy.id)'s statement pays out \(t.moneyOut), its account \(copy.totalOut)")
                }
                reconciles(all, copy.id)
                guard let middle = all.lines.dropFirst(all.lines.count / 2).first?.time else { continue }
                let (before, after) = (engine.copyStatement(ref, to: middle), engine.copyStatement(ref, from: middle))
                if before.closing != after.opening || after.closing != all.closing
                    || before.lines.count + after.lines.count != all.lines.count
                {
                    fail("copy \(copy.id)'s statement split at \(middle) does not join up")
                }
                reconciles(before, copy.id)
                reconciles(after, copy.id)
            }
        }
    }

    /// Opening cash + the lines' cash changes = closing cash; per symbol, opening + bought − sold − moved out = closing.
    mutating func reconciles(_ s: CopyStatement, _ id: String) {
        var cash = s.opening.cash
        var quantities: [String: Fixed] = [:]
        for h in s.opening.holdings { quantities[h.symbol] = h.quantity }
        for line in s.lines {
            cash += line.cashChange
            if cash != line.cashAfter { fail("copy \(id)'s statement line \(line) does not carry its cash") }
            guard let symbol = line.symbol else { continue }
            switch line.kind {
            case .buy: quantities[symbol, default: .zero] += line.quantity
            case .sell, .assetsOut: quantities[symbol, default: .zero] -= line.quantity
            default: break
            }
            if quantities[symbol, default: .zero] != line.holdingAfter {
                fail("copy \(id)'s statement line \(line) does not carry its holding")
            }
        }
        let closing = Dictionary(uniqueKeysWithValues: s.closing.holdings.map { ($0.symbol, $0.quantity) })
        if cash != s.closing.cash || quantities.filter({ !$0.value.isZero }) != closing.filter({ !$0.value.isZero }) {
            fail("copy \(id)'s statement does not reconcile: \(s.opening) + lines → \(cash), \(quantities); closing \(s.closing)")
        }
    }

    /// No negative balance anywhere but the venue.
    mutating func nothingNegative(_ engine: Engine) {
        for user in engine.users {
            if user.cash.isNegative { fail("\(user.id) main USDT \(user.cash)") }
            for (asset, q) in user.assets where q.isNegative { fail("\(user.id) main \(asset) \(q)") }
        }
        for (l, lead) in engine.leads.enumerated() {
            if lead.cash.isNegative { fail("lead \(l) cash \(lead.cash)") }
            for (s, p) in lead.positions where p.quantity.isNegative { fail("lead \(l) holds \(p.quantity) of \(s)") }
            for copy in lead.book.rows {
                if copy.cash.isNegative { fail("copy \(copy.id) cash \(copy.cash)") }
                for h in copy.holdings where h.lots < 0 { fail("copy \(copy.id) lots \(h.lots) of symbol \(h.symbol)") }
            }
        }
    }

    /// The new journal entries move the venue and the fee account by exactly what they say; returns the step's copy
    /// fill batches.
    mutating func journalMoves(before: Engine, after engine: Engine) -> [CopyFillBatch] {
        var venueDelta: [String: Int64] = [:]
        var feeDelta: Int64 = 0
        var batches: [CopyFillBatch] = []
        for index in before.journal.count..<engine.journal.count {
            let entry = engine.journal[index]
            if case .copyFills(let b) = entry { batches.append(b) }
            entry.forEachPosting(symbols: engine.venue.symbols) { p in
                switch (p.account, p.asset) {
                case (.venue, .usdt): venueDelta["USDT", default: 0] += p.units
                case (.venue, .base(let s)): venueDelta[engine.venue.symbols[s].base, default: 0] += p.units
                case (.fees, _): feeDelta += p.units
                default: break
                }
            }
        }
        for asset in Set(engine.venueBalances.keys).union(before.venueBalances.keys) {
            let moved = (engine.venueBalances[asset] ?? .zero).units - (before.venueBalances[asset] ?? .zero).units
            if moved != venueDelta[asset] ?? 0 { fail("venue \(asset) moved \(moved) units but the fills say \(venueDelta[asset] ?? 0)") }
        }
        if engine.feesCollected.units - before.feesCollected.units != feeDelta {
            fail("fee account moved by \(engine.feesCollected - before.feesCollected), fills say \(feeDelta)")
        }
        stats.profitShares += batches.reduce(0) { $0 + $1.profitShare.count }
        return batches
    }

    /// Follows each copy's cumulative realized PnL through this step's fills in order (a stop can sell a winner
    /// and then a loser: the profit share is due on the running total in between), keeping its highest value.
    mutating func trackRealizedPeaks(before: Engine, batches: [CopyFillBatch]) {
        var held: [Int: Int64] = [:]
        var cost: [Int: Int64] = [:]
        var realized: [Int: Int64] = [:]
        for b in batches {
            guard b.lead < before.leads.count else { continue }
            let old = before.leads[b.lead].book
            for k in 0..<b.count {
                let i = Int(b.slots[k])
                let key = b.lead << 32 | i
                let holdingKey = key << 8 | b.symbol
                let known = i < old.count
                let lots = held[holdingKey] ?? (known ? old[i].lots(of: SymbolIndex(b.symbol)).count : 0)
                let basis = cost[holdingKey] ?? (known ? old[i].cost(of: SymbolIndex(b.symbol)).units : 0)
                var r = realized[key] ?? (known ? old[i].realizedPnl.units : 0)
                if b.side == .buy {
                    held[holdingKey] = lots + b.lots[k]
                    cost[holdingKey] = basis + b.quote[k] + b.fee[k]
                } else {
                    let removed = b.lots[k] >= lots ? basis : Int64(Int128(basis) * Int128(b.lots[k]) / Int128(max(lots, 1)))
                    held[holdingKey] = lots - b.lots[k]
                    cost[holdingKey] = basis - removed
                    r += b.quote[k] - b.fee[k] - removed
                }
                realized[key] = r
                peakRealized[key] = max(peakRealized[key] ?? 0, r)
            }
        }
    }

    /// Stopped copies are empty and say why; running ones keep the minimum investment and no reason, under an active
    /// lead, within their thresholds; the count of active copies is right; profit share never exceeds ρ × the best
    /// cumulative realized PnL (the high-water mark); the tracking parts add up to the gap; a stopped lead is empty.
    mutating func checkAccounts(_ engine: Engine) {
        for (l, lead) in engine.leads.enumerated() {
            let book = lead.book
            let rate = Int128(lead.profitShareRate.units)
            var active = 0
            for copy in book.rows {
                let ref = CopyRef(lead: l, slot: copy.slot)
                let key = l << 32 | copy.slot
                let peak = max(peakRealized[key] ?? 0, copy.realizedPnl.units)
                peakRealized[key] = peak
                if Int128(copy.profitSharePaid.units) > Int128(max(peak, 0)) * rate / Int128(Fixed.unitsPerOne) {
                    fail("copy \(copy.id) paid \(copy.profitSharePaid) of profit share, above ρ × peak \(peak)")
                }
                if copy.status == .stopped {
                    if !copy.cash.isZero || copy.holdings.contains(where: { $0.lots != 0 }) { fail("stopped copy \(copy.id) is not empty") }
                    if copy.stopReason == nil || copy.stoppedEvent == nil { fail("stopped copy \(copy.id) has no stop reason or event") }
                } else {
                    active += 1
                    if copy.netInvested < engine.settings.minInvestment {
                        fail("running copy \(copy.id) has net invested \(copy.netInvested) below the minimum")
                    }
                    if copy.stopReason != nil { fail("active copy \(copy.id) has a stop reason") }
                    if lead.status == .stopped { fail("copy \(copy.id) is active under a stopped lead") }
                    if let breach = Self.breach(engine, ref, equity: engine.copyEquity(ref)) {
                        fail("active copy \(copy.id) is past its \(breach) (checked after every event)")
                    }
                }
                let t = engine.tracking(ref)
                var parts: Fixed = t.fees + t.profitShare
                parts += t.priceDifference + t.failedOrCapped
                parts += t.sizing + t.rounding
                let roiGap: Fixed = t.copyRoi - t.leadRoi
                if parts != t.gap || t.gap != roiGap { fail("tracking of \(copy.id) does not add up: \(t)") }
            }
            if active != book.activeCount { fail("lead \(l) activeCount \(book.activeCount), \(active) active") }
            if lead.status == .stopped {
                if !lead.cash.isZero || lead.positions.values.contains(where: { !$0.quantity.isZero }) {
                    fail("stopped lead \(l) still holds funds")
                }
                if engine.restingOrders.contains(where: { $0.account == .portfolio && $0.user == lead.user }) {
                    fail("stopped lead \(l) still has resting portfolio orders")
                }
            }
        }
    }

    /// One merged order's allocation: rows ascending, positive lots, fees exactly the venue's fee on the merged
    /// quote and never above a copy's stand-alone fee, one price for everyone, the same fraction on a partial fill.
    mutating func checkBatch(_ b: CopyFillBatch, _ engine: Engine, failures: [FailedCopyOrder], batchesInStep: [CopyFillBatch]) {
        stats.copyFills += b.count
        stats.capped += b.cappedByCash.filter { $0 }.count
        guard b.count > 0 else { return fail("an empty copy-fill batch was journaled") }
        if zip(b.slots, b.slots.dropFirst()).contains(where: { $0 >= $1 }) { fail("batch slots not ascending") }
        if b.lots.contains(where: { $0 <= 0 }) { fail("batch with a non-positive quantity") }
        let totalQuote = b.quote.reduce(0, +)
        if b.fee.reduce(0, +) != takerFee(totalQuote) {
            fail("batch fees \(b.fee.reduce(0, +)) ≠ ⌈0.1% × \(totalQuote)⌉ = \(takerFee(totalQuote))")
        }
        for k in 0..<b.count where b.fee[k] > takerFee(b.quote[k]) {
            fail("copy slot \(b.slots[k]) pays fee \(b.fee[k]) above its stand-alone \(takerFee(b.quote[k]))")
        }
        let lotAtAverage = engine.lotValue(b.symbol, price: b.price)
        if !booked[b.symbol] {
            // One price: every quote is exactly lots × that price.
            for k in 0..<b.count where b.quote[k] != b.lots[k] * lotAtAverage {
                fail("copy slot \(b.slots[k]) quote \(b.quote[k]) ≠ \(b.lots[k]) lots at \(b.price)")
            }
        }
        // Same fraction on a partial fill: requested = allocated + what failed for lack of price or liquidity.
        let sameOrder = batchesInStep.filter { $0.lead == b.lead && $0.symbol == b.symbol }
        guard sameOrder.count == 1 else { return }
        let partial = failures.filter {
            Int($0.lead) == b.lead && Int($0.symbol) == b.symbol && $0.side == b.side
                && ($0.reason == .slippageExceeded || $0.reason == .noLiquidity)
        }
        guard !partial.isEmpty else { return }
        stats.partialBatches += 1
        let lotAtLead = engine.lotValue(b.symbol, price: b.leadPrice)
        var requested: [Int32: Int64] = [:]
        for k in 0..<b.count { requested[b.slots[k], default: 0] += b.lots[k] }
        for f in partial {
            if f.notional.units % lotAtLead != 0 { fail("failed notional \(f.notional) is not whole lots") }
            requested[f.slot, default: 0] += f.notional.units / lotAtLead
        }
        let r = Int128(requested.values.reduce(0, +))
        let e = Int128(b.lots.reduce(0, +))
        for (slot, req) in requested {
            let got = Int128(b.row(of: Int(slot)).map { b.lots[$0] } ?? 0)
            // |got − req × e / r| < 1 lot.
            if abs(got * r - Int128(req) * e) >= r {
                fail("partial fill: slot \(slot) got \(got) of \(req) lots; the order filled \(e) of \(r)")
            }
        }
    }

    /// Each copy row of a batch against its account: cash, cost basis (buy fees included, pro rata out on a sell,
    /// all of it on a full sell), realized PnL, and the high-water-mark profit share paid to the lead's main account.
    /// `takenOut` is cash the command itself took out of a copy after its sale (an adjustment down).
    mutating func checkCopyAccounts(_ b: CopyFillBatch, before: Engine, after engine: Engine, takenOut: [CopyRef: Int64]) {
        let l = b.lead
        let old = before.leads[l].book
        let new = engine.leads[l].book
        let rate = Int128(engine.leads[l].profitShareRate.units)
        var dueTotal: Int64 = 0
        for k in 0..<b.count {
            let i = Int(b.slots[k])
            // A copy started in this very step (buy existing assets) has no "before".
            guard i < old.count else { continue }
            let (was, now) = (old[i], new[i])
            let symbol = SymbolIndex(b.symbol)
            let heldBefore = was.lots(of: symbol).count
            let costBefore = was.cost(of: symbol).units
            let heldAfter = now.lots(of: symbol).count
            let costAfter = now.cost(of: symbol).units
            let (quote, fee, lots) = (b.quote[k], b.fee[k], b.lots[k])
            if b.side == .buy {
                if now.cash.units != was.cash.units - quote - fee { fail("copy \(was.id) buy cash is off") }
                if heldAfter != heldBefore + lots || costAfter != costBefore + quote + fee {
                    fail("copy \(was.id) buy holding or cost basis is off")
                }
                continue
            }
            let removed = lots >= heldBefore ? costBefore : Int64(Int128(costBefore) * Int128(lots) / Int128(heldBefore))
            let realized = quote - fee - removed
            if heldAfter != heldBefore - lots || costAfter != costBefore - removed {
                fail("copy \(was.id) sell holding or cost basis is off")
            }
            if now.realizedPnl.units - was.realizedPnl.units != realized {
                fail("copy \(was.id) realized \(now.realizedPnl - was.realizedPnl), expected \(Fixed(units: realized))")
            }
            let cashAfterSale = was.cash.units + quote - fee
            var due: Int64 = 0
            if realized > 0 && now.realizedPnl.isPositive {
                let owed = Int64(Int128(now.realizedPnl.units) * rate / Int128(Fixed.unitsPerOne)) - was.profitSharePaid.units
                due = max(0, min(owed, cashAfterSale))
            }
            let out = takenOut[CopyRef(lead: l, slot: i)] ?? 0
            if now.profitSharePaid.units - was.profitSharePaid.units != due || now.cash.units != cashAfterSale - due - out {
                fail(
                    "copy \(was.id) profit share paid \(now.profitSharePaid - was.profitSharePaid), expected \(Fixed(units: due)) "
                        + "(realized \(Fixed(units: realized)), cumulative \(now.realizedPnl), paid before \(was.profitSharePaid))")
            }
            let listed = b.profitShareSlots.indices.filter { Int(b.profitShareSlots[$0]) == i }.map { b.profitShare[$0] }
            if listed.reduce(0, +) != due { fail("copy \(was.id) profit share in the batch is \(listed)") }
            dueTotal += due
        }
        let leadUser = engine.leads[l].user
        if engine.users[leadUser].cash.units - before.users[leadUser].cash.units != dueTotal
            || engine.leads[l].profitShareEarned.units - before.leads[l].profitShareEarned.units != dueTotal
        {
            fail("lead \(l) received \(engine.users[leadUser].cash - before.users[leadUser].cash), copies paid \(Fixed(units: dueTotal))")
        }
        if dueTotal > 0 { stats.profitSharePayments += 1 }
    }

    /// Compares each copy's outcome for a lead fill (no book on the symbol) with DESIGN §2 / §3a computed here.
    mutating func checkSizing(
        _ fill: LeadFill, before: Engine, after engine: Engine, batches: [CopyFillBatch], failures: [FailedCopyOrder]
    ) {
        let l = fill.lead
        let s = fill.symbol
        let symbol = engine.venue.symbols[s]
        guard fill.price == engine.venue.marks[s] else { return fail("fill at \(fill.price) off the mark without a book") }
        let batch = batches.first { $0.lead == l && $0.symbol == s && $0.leadFillID == fill.id }
        if let batch, batch.leadPrice != fill.price || batch.side != fill.side { fail("batch does not match its lead fill") }
        let book = before.leads[l].book
        let lotPrice = engine.lotValue(s, price: fill.price)
        let minLots = symbol.minQty.units / symbol.qtyStep.units
        let minNotional = symbol.minNotional.units
        let rate = engine.settings.takerFeeRate

        func cost(_ lots: Int64) -> Int64 { lots * lotPrice + takerFee(lots * lotPrice, rate: rate) }

        // Lead equity just before the fill, the filled symbol at the fill price.
        var leadEquity = Int128(before.leads[l].cash.units)
        for (sym, p) in before.leads[l].positions {
            let price = sym == s ? fill.price : before.venue.marks[sym]
            leadEquity += Int128(p.quantity.units) * Int128(price.units) / Int128(Fixed.unitsPerOne)
        }
        let leadHeld = Int128(before.leads[l].positions[s]?.quantity.units ?? 0)
        // A closing copy (close-only stop) follows the sells and buys nothing.
        for copy in book.rows where fill.side == .buy ? copy.status == .active : copy.isActive {
            let i = copy.slot
            let expected: ExpectedCopyOrder
            if fill.side == .buy {
                var equity = Int128(copy.cash.units)
                for h in copy.holdings {
                    let price = h.symbol.index == s ? fill.price : before.venue.mark(h.symbol)
                    equity += Int128(h.lots.count) * Int128(engine.lotValue(h.symbol, price: price))
                }
                var n =
                    copy.mode == .fixedAmount
                    ? copy.amountPerOrder.units
                    : Int64(Int128(fill.quote.units) * max(equity, 0) / leadEquity)
                // The follower's controls: not among its pairs → no order; else the order cap, then what keeps the
                // symbol's holding (at the fill price) within the weight cap of the equity.
                var controlled = false
                if let c = book.controls(i) {
                    var m = n
                    if let pairs = c.pairs, !pairs.contains(symbol.name) { m = 0 }
                    if let cap = c.maxOrderAmount { m = min(m, cap.units) }
                    if let w = c.maxSymbolWeight {
                        let held = Int128(copy.lots(of: SymbolIndex(s)).count) * Int128(lotPrice)
                        let room = max(0, Int128(max(equity, 0)) * Int128(w.units) / Int128(Fixed.unitsPerOne) - held)
                        m = Int64(min(Int128(m), room))
                    }
                    controlled = m < n
                    n = max(m, 0)
                }
                let cash = copy.cash.units
                if controlled && n == 0 {
                    expected = .nothing
                    stats.controlled += 1
                } else if n <= 0 || n < minNotional {
                    expected = .fail(.belowMinNotional)
                } else {
                    var lots = n / lotPrice
                    var capped = false
                    if lots > 0 && cost(lots) > cash {
                        capped = true
                        // Start near the answer (cash ÷ (lot × (1 + fee rate))), then step down to what fits.
                        let perLot = Int128(lotPrice) * Int128(Fixed.unitsPerOne + rate.units)
                        lots = min(lots, Int64(Int128(cash) * Int128(Fixed.unitsPerOne) / perLot) + 1)
                        while lots > 0 && cost(lots) > cash { lots -= 1 }
                    }
                    if lots == 0 || lots < minLots {
                        expected = .fail(capped ? .insufficientCash : .belowMinQty)
                    } else if lots * lotPrice < minNotional {
                        expected = .fail(capped ? .insufficientCash : .belowMinNotional)
                    } else {
                        expected = .fill(lots: lots, capped: capped)
                    }
                }
                stats.buysChecked += 1
            } else {
                let held = copy.lots(of: SymbolIndex(s)).count
                if held == 0 {
                    expected = .nothing
                } else {
                    let q = Int128(fill.quantity.units)
                    let whole = q >= leadHeld
                    let lots = whole ? held : Int64(q * Int128(held) / leadHeld)
                    let requestedBelow =
                        whole
                        ? Int128(held) * Int128(lotPrice) < Int128(minNotional)
                        : q * Int128(held) * Int128(lotPrice) < Int128(minNotional) * leadHeld
                    if requestedBelow {
                        expected = .fail(.belowMinNotional)
                    } else if lots == 0 || lots < minLots {
                        expected = .fail(.belowMinQty)
                    } else if lots * lotPrice < minNotional {
                        expected = .fail(.belowMinNotional)
                    } else {
                        expected = .fill(lots: lots, capped: false)
                    }
                    stats.sellsChecked += 1
                }
            }

            let mine = failures.filter { Int($0.lead) == l && Int($0.slot) == i }
            let row = batch?.row(of: i)
            let actual: ExpectedCopyOrder
            switch (row, mine.count) {
            case (nil, 0): actual = .nothing
            case (let k?, 0): actual = .fill(lots: batch!.lots[k], capped: batch!.cappedByCash[k])
            case (nil, 1): actual = .fail(mine[0].reason)
            default:
                actual = .nothing
                fail("copy \(copy.id) has \(row == nil ? 0 : 1) fills and \(mine.count) failures for one lead fill")
            }
            if actual != expected { fail("copy \(copy.id) (\(copy.mode)): expected \(expected), engine did \(actual)") }
            if row == nil {
                // A copy order that was not sent leaves the account as it was (a sell's holding stays as dust).
                let after = engine.leads[l].book[i]
                let unchanged = after.cash == copy.cash && after.holdings.map(\.lots) == copy.holdings.map(\.lots)
                if !unchanged { fail("copy \(copy.id) changed without a fill") }
            }
            if let f = mine.first, Int(f.event) != fill.event || Int(f.symbol) != s || f.side != fill.side {
                fail("copy \(copy.id) failure recorded with the wrong event, symbol or side")
            }
        }
    }

    // MARK: Stops

    /// Which copies stopped in the step, and why, judged against what the command was.
    mutating func checkStops(_ command: EngineCommand, before: Engine, after engine: Engine, batches newBatches: [CopyFillBatch]) {
        var stopped: [CopyRef: StopReason] = [:]
        for (l, lead) in engine.leads.enumerated() where l < before.leads.count {
            for copy in lead.book.rows
            where copy.status == .stopped && before.leads[l].book.count > copy.slot && before.leads[l].book[copy.slot].isActive {
                stopped[CopyRef(lead: l, slot: copy.slot)] = copy.stopReason
            }
        }
        for (_, reason) in stopped { stats.stopsByReason[reason, default: 0] += 1 }
        // A closing copy stops (reason follower) after whichever command leaves it nothing it could sell: a lead
        // sell, a price that puts what it holds below the minimums, a withdrawal that sold. Those are checked here and
        // set aside; the rest is judged against the command.
        for (ref, reason) in stopped where before.leads[ref.lead].book[ref.slot].status == .closing && reason == .follower {
            if case .stopCopy(let id, _) = command, before.copy(named: id) == ref { continue }
            // Stopped by itself: what moved out as it is was below the symbol's minimums at the marks (dust).
            stats.closedOut += 1
            stopped[ref] = nil
            checkStopPayouts(before: before, after: engine, stopped: [ref: reason])
            for k in before.journal.count..<engine.journal.count {
                guard case .transfer(let asset, let amount, .copy(ref.lead, ref.slot), .main) = engine.journal[k],
                    asset != Symbol.quoteAsset,
                    let s = engine.venue.symbols.firstIndex(where: { $0.base == asset })
                else { continue }
                let symbol = engine.venue.symbols[s]
                let value = symbol.quote(quantity: amount, price: engine.venue.marks[s]) ?? .zero
                if amount >= symbol.minQty && value >= symbol.minNotional {
                    fail("closing copy \(ref) stopped by itself holding \(amount) \(asset) it could sell")
                }
            }
        }
        func leadIndex(_ user: String) -> Int? { before.user(named: user).flatMap { before.users[$0].lead } }

        switch command {
        case .price(let name, let price):
            guard let s = engine.venue.symbols.firstIndex(where: { $0.name == name }) else { return }
            // Stops fire exactly for the copies this price breaches, judged on the holdings just before.
            var expected: [CopyRef: StopReason] = [:]
            for (l, lead) in before.leads.enumerated() where lead.status == .active {
                for copy in lead.book.rows where copy.isActive {
                    let ref = CopyRef(lead: l, slot: copy.slot)
                    var equity = copy.cash.units
                    for h in copy.holdings {
                        equity +=
                            h.lots.count * before.lotValue(h.symbol, price: h.symbol.index == s ? price : before.venue.mark(h.symbol))
                    }
                    if let breach = Self.breach(before, ref, equity: Fixed(units: equity)) { expected[ref] = breach }
                }
            }
            // A resting lead order that the price crosses fills (and fans out) before the thresholds are checked, so
            // the exact prediction holds when no lead order filled; otherwise only the reasons are checked.
            let leadFilled = engine.leadFills.count != before.leadFills.count
            let mainFilled = (before.journal.count..<engine.journal.count).contains { k in
                if case .trade(let t) = engine.journal[k], case .main = t.account { return true }
                return false
            }
            if leadFilled {
                stats.restingFills += 1
                for (r, reason) in stopped where reason != .stopLoss && reason != .takeProfit {
                    fail("copy \(r) stopped with \(reason) on a price update")
                }
            } else {
                if expected != stopped { fail("price stops \(stopped), the thresholds say \(expected)") }
                // Copies stopped by one price update are liquidated together: one merged order per lead and symbol.
                var orders: Set<[Int]> = []
                for b in newBatches where !orders.insert([b.lead, b.symbol, b.side == .buy ? 0 : 1]).inserted {
                    fail("two liquidation orders for lead \(b.lead), symbol \(b.symbol) in one update")
                }
            }
            stats.priceStops += stopped.count
            if !mainFilled { checkStopPayouts(before: before, after: engine, stopped: stopped) }
        case .stopCopy(let id, .closeOnly?):
            // The copy closes: it stops at once only when it holds nothing it could sell.
            guard let ref = engine.copy(named: id) else { return fail("closeOnly on unknown \(id) accepted") }
            stats.closeOnly += 1
            let book = engine.leads[ref.lead].book
            if book[ref.slot].status == .closing {
                if !stopped.isEmpty { fail("closeOnly on \(id) stopped \(stopped)") }
                if !newBatches.isEmpty { fail("closeOnly on \(id) traded") }
            } else if stopped != [ref: .follower] {
                fail("closeOnly on \(id): it is \(book[ref.slot].status) and the step stopped \(stopped)")
            } else {
                if !newBatches.isEmpty { fail("closeOnly on a flat \(id) traded") }
                checkStopPayouts(before: before, after: engine, stopped: stopped)
            }
        case .stopCopy(let id, _), .removeFollower(_, let id):
            let reason: StopReason
            if case .stopCopy = command { reason = .follower } else { reason = .removedByLead }
            let ref = engine.copy(named: id)
            if ref == nil || stopped != [ref!: reason] { fail("expected only \(id) stopped (\(reason)), got \(stopped)") }
            if case .stopCopy(_, .keepHoldings?) = command {
                stats.keepHoldings += 1
                if !newBatches.isEmpty { fail("keepHoldings on \(id) sold") }
            }
            checkStopPayouts(before: before, after: engine, stopped: stopped)
            // Other copies did not move.
            for (l, lead) in engine.leads.enumerated() {
                for copy in lead.book.rows
                where CopyRef(lead: l, slot: copy.slot) != ref && copy.cash != before.leads[l].book[copy.slot].cash {
                    fail("stopping \(id) changed copy \(copy.id)")
                }
            }
        case .stopLeading(let user):
            guard let l = leadIndex(user) else { return fail("\(user) stopped leading without a portfolio") }
            stats.leadsStopped += 1
            let expectedStops = before.leads[l].book.rows.filter(\.isActive).map(\.slot)
            let expected = Dictionary(uniqueKeysWithValues: expectedStops.map { (CopyRef(lead: l, slot: $0), StopReason.leadStopped) })
            if stopped != expected { fail("stopLeading stopped \(stopped), expected \(expected)") }
            checkStopPayouts(before: before, after: engine, stopped: stopped)
            // The portfolio moved as it is to the lead's main account.
            let u = before.leads[l].user
            let cashMoved = engine.users[u].cash - before.users[u].cash
            if cashMoved != before.leads[l].cash + profitShareIn(before: before, after: engine, lead: l) {
                fail("lead main gained \(cashMoved), portfolio cash was \(before.leads[l].cash)")
            }
            for (s, p) in before.leads[l].positions where p.quantity.isPositive {
                let base = engine.venue.symbols[s].base
                if engine.users[u].balance(base) - before.users[u].balance(base) != p.quantity {
                    fail("lead's \(base) did not move as it is")
                }
            }
        case .setStopLoss(let id, _), .setTakeProfit(let id, _):
            // A threshold that the current equity already breaches fires at once; otherwise nothing stops.
            if let ref = engine.copy(named: id), before.leads[ref.lead].book[ref.slot].isActive {
                let book = engine.leads[ref.lead].book
                let breach = Self.breach((book[ref.slot].stopLoss, book[ref.slot].takeProfit), before: before, ref)
                let expected = breach.map { [ref: $0] } ?? [:]
                if stopped != expected { fail("setting \(id)'s threshold stopped \(stopped), expected \(expected)") }
            }
        case .adjustInvestment(let id, let delta):
            checkAdjustment(id, delta, before: before, after: engine, batches: newBatches, stopped: stopped)
        case .transfer(let user, _, _):
            guard let l = leadIndex(user) else { return }
            stats.transfers += 1
            if !stopped.isEmpty { fail("a lead transfer stopped \(stopped)") }
            // A transfer buys or redeems units at the current NAV: the NAV does not move (beyond rounding).
            // Transfers that leave or find the portfolio empty are left to LifecycleLeadRoiTests.
            if before.leadEquity(l).isPositive && engine.leadEquity(l).isPositive {
                let (a, b) = (before.leadNav(l), engine.leadNav(l))
                let moved = engine.leadEquity(l) - before.leadEquity(l)
                if abs(a.units - b.units)
                    > Self.navTolerance(nav: b, units: engine.leads[l].units, moved: moved, equity: engine.leadEquity(l))
                {
                    fail("lead \(l)'s NAV moved from \(a) to \(b) on a transfer")
                }
            }
        case .order(let request) where request.account == .main:
            notCopied(before: before, after: engine, batches: newBatches, stopped: stopped)
        case .addUser, .deposit, .withdraw, .startLeading, .cancelOrder:
            notCopied(before: before, after: engine, batches: newBatches, stopped: stopped)
        default:
            // A copy start or a lead order: only a threshold can stop a copy.
            for (r, reason) in stopped where reason != .stopLoss && reason != .takeProfit { fail("copy \(r) stopped with \(reason)") }
        }
    }

    /// A command that is not the lead's trading copied nothing and stopped nothing.
    mutating func notCopied(before: Engine, after engine: Engine, batches: [CopyFillBatch], stopped: [CopyRef: StopReason]) {
        if !stopped.isEmpty { fail("a command off the lead portfolios stopped \(stopped)") }
        if engine.leadFills.count != before.leadFills.count || !batches.isEmpty { fail("a main-account trade was copied") }
        for (l, lead) in engine.leads.enumerated() where l < before.leads.count && !lead.book.rows.elementsEqual(before.leads[l].book.rows)
        {
            fail("a command off the lead portfolios changed copy accounts of lead \(l)")
        }
    }

    /// An adjustment moves net invested and the main account by `delta`, keeps the minimum, and leaves the NAV
    /// where it was (beyond rounding) unless it had to sell.
    mutating func checkAdjustment(
        _ id: String, _ delta: Fixed, before: Engine, after engine: Engine, batches newBatches: [CopyFillBatch],
        stopped: [CopyRef: StopReason]
    ) {
        guard let ref = engine.copy(named: id), before.leads[ref.lead].book[ref.slot].isActive else { return }
        let u = engine.leads[ref.lead].book[ref.slot].user
        if delta.isPositive {
            stats.adjustUp += 1
        } else if newBatches.isEmpty {
            stats.adjustDownFromCash += 1
        } else {
            stats.adjustDownSelling += 1
        }
        let niBefore = before.leads[ref.lead].book.netInvested(ref.slot)
        // Adding or taking out money buys or redeems the copy's units at its NAV: without sells (whose fees and
        // profit share are real costs), the copy's NAV does not move beyond rounding.
        let active = engine.leads[ref.lead].book[ref.slot].isActive
        if active && newBatches.isEmpty {
            let (a, b) = (before.copyNav(ref), engine.copyNav(ref))
            let units = engine.row(of: ref).units
            if abs(a.units - b.units) > Self.navTolerance(nav: b, units: units, moved: delta, equity: engine.copyEquity(ref)) {
                fail("copy \(id)'s NAV moved from \(a) to \(b) on an adjustment")
            }
        }
        if active {
            let ni = engine.leads[ref.lead].book.netInvested(ref.slot)
            if ni != niBefore + delta { fail("net invested moved by \(ni - niBefore), not \(delta)") }
            if engine.users[u].cash - before.users[u].cash != -delta {
                fail("main moved by \(engine.users[u].cash - before.users[u].cash), not \(-delta)")
            }
            if delta.isNegative && ni < engine.settings.minInvestment { fail("decrease left net invested below the minimum") }
        }
        for (r, reason) in stopped where reason != .stopLoss && reason != .takeProfit {
            fail("adjusting stopped \(r) with reason \(reason)")
        }
    }

    /// Profit share the lead's main account received in this step from the copies of lead `l`.
    func profitShareIn(before: Engine, after engine: Engine, lead l: Int) -> Fixed {
        engine.leads[l].profitShareEarned - before.leads[l].profitShareEarned
    }

    /// Every follower whose copies stopped (and nothing else happened to its main account in this step) received
    /// exactly their copy accounts' final cash: the copies' total-out growth minus the value of dust moved as it is.
    mutating func checkStopPayouts(before: Engine, after engine: Engine, stopped: [CopyRef: StopReason]) {
        var expected: [Int: Int64] = [:]
        for (ref, _) in stopped {
            let book = engine.leads[ref.lead].book
            let u = book[ref.slot].user
            expected[u, default: 0] += (book[ref.slot].totalOut - before.leads[ref.lead].book[ref.slot].totalOut).units
        }
        for (u, out) in expected {
            var dust: Int64 = 0
            for (s, symbol) in engine.venue.symbols.enumerated() {
                let moved = engine.users[u].balance(symbol.base) - before.users[u].balance(symbol.base)
                dust += symbol.quote(quantity: moved, price: engine.venue.marks[s])?.units ?? 0
            }
            // A follower that is also a lead may receive profit share in the same step.
            let share = engine.leads.indices.filter { engine.leads[$0].user == u }.reduce(Fixed.zero) {
                $0 + profitShareIn(before: before, after: engine, lead: $1)
            }
            let received = engine.users[u].cash - before.users[u].cash - share
            if dust != 0 { stats.assetsMovedAtStop += 1 }
            if received.units != out - dust {
                fail("follower \(engine.users[u].id) received \(received), its stopped copies paid out \(Fixed(units: out - dust))")
            }
        }
    }

    /// Rounding allowance (1e-8 units) of a NAV after `moved` USDT bought or redeemed units at it, leaving `equity`:
    /// the units' 8-decimal rounding magnified by NAV ÷ units, the NAV's own rounding, and the NAV's rounding (half a
    /// unit) carried into the units bought or redeemed, magnified by moved ÷ equity left (a big withdrawal from a
    /// portfolio leaves few units, each carrying more of that error).
    static func navTolerance(nav: Fixed, units: Fixed, moved: Fixed, equity: Fixed) -> Int64 {
        3 + 2 * nav.units / Swift.max(units.units, 1) + abs(moved.units) / Swift.max(equity.units, 1)
    }

    /// Which threshold `equity` breaches for copy `ref` of `engine` (nil: none). E ≤ NI − SL or E ≥ NI + TP.
    static func breach(_ engine: Engine, _ ref: CopyRef, equity: Fixed) -> StopReason? {
        let book = engine.leads[ref.lead].book
        let invested = book.netInvested(ref.slot)
        if let sl = book[ref.slot].stopLoss, equity <= invested - sl.distance(netInvested: invested) { return .stopLoss }
        if let tp = book[ref.slot].takeProfit, equity >= invested + tp.distance(netInvested: invested) { return .takeProfit }
        return nil
    }

    /// The breach of the thresholds now set on `ref`, judged at the equity just before the command.
    static func breach(_ thresholds: (stopLoss: Threshold?, takeProfit: Threshold?), before: Engine, _ ref: CopyRef) -> StopReason? {
        let book = before.leads[ref.lead].book
        let invested = book.netInvested(ref.slot)
        let equity = before.copyEquity(ref)
        if let sl = thresholds.stopLoss, equity <= invested - sl.distance(netInvested: invested) { return .stopLoss }
        if let tp = thresholds.takeProfit, equity >= invested + tp.distance(netInvested: invested) { return .takeProfit }
        return nil
    }
}

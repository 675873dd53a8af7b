extension Engine {
    /// Sends the workspace plan's copy orders to the venue as one merged order (immediate-or-cancel at `limit`),
    /// allocates the execution back pro rata so that quantities, quotes and fees add up exactly to the venue's,
    /// and applies the copy fills (and any profit share they trigger) to the copy accounts.
    mutating func executeMerged(_ ws: inout FanOutWorkspace, limit: Fixed?, leadFillID: String?, at moment: Moment) {
        recordFailures(ws.plan.failures)
        recordPlanMisses(ws.plan)
        let plan = ws.plan.totalLots > 0 ? ws.plan : nil
        guard let plan else { return }
        if venueBook.mode == .external {
            sendMerged(plan, limit: limit, leadFillID: leadFillID, at: moment)
            return
        }
        let step = venue.symbols[plan.symbol].qtyStep.units
        let execution = venue.execute(plan.symbol, plan.side, .quantity(Fixed(units: plan.totalLots * step)), limit: limit)
        allocateMerged(&ws, execution, leadFillID: leadFillID, recordShortfall: true, at: moment)
    }

    /// Allocates a merged order's execution to the workspace plan's requests: quantities exactly the requests when
    /// all executed, else the same fraction for every copy by largest remainder (its shortfall recorded as failed
    /// orders when `recordShortfall`); quotes as exact products at a single price, else pro rata; fees pro rata, never
    /// above a copy's stand-alone fee. Then applies the copy fills.
    mutating func allocateMerged(
        _ ws: inout FanOutWorkspace, _ execution: Execution, leadFillID: String?, recordShortfall: Bool, at moment: Moment
    ) {
        let plan = ws.plan
        let l = plan.lead
        let s = plan.symbol
        let step = venue.symbols[s].qtyStep.units
        let executedLots = execution.quantity.units / step
        let full = executedLots == plan.totalLots

        // Quantities: exactly the requests when all executed, else the same fraction for every copy.
        if !full {
            Allocation.largestRemainder(
                total: executedLots, weights: plan.lots, weightSum: plan.totalLots, caps: nil, into: &ws.lots,
                remainders: &ws.remainders)
            let lotPrice = lotValue(s, price: plan.referencePrice)
            for k in plan.slots.indices where recordShortfall && ws.lots[k] < plan.lots[k] {
                recordDeviation(
                    .missed, lead: l, slot: leads[l].book.slot(ofRow: Int(plan.slots[k])), symbol: s, side: plan.side,
                    quantity: (plan.lots[k] - ws.lots[k]) * step)
                recordFailures([
                    SyncPlanner.failure(
                        l, Int(plan.slots[k]), moment.event, s, plan.side, execution.shortfall ?? .slippageExceeded,
                        (plan.lots[k] - ws.lots[k]) * lotPrice)
                ])
            }
        }
        guard executedLots > 0 else { return }
        let lots = full ? plan.lots : ws.lots

        // Quotes: exact products at a single price, else pro rata of the venue's quote. A price off the lots' grid (a
        // venue's report: lots × a lot's value rounded down would add up to less than the venue's quote) is split pro
        // rata too, so that the copies pay exactly what the venue executed.
        if let price = execution.singlePrice,
            Int128(executedLots) * Int128(lotValue(s, price: price)) == Int128(execution.quote.units)
        {
            let lotPrice = lotValue(s, price: price)
            ws.quotes.removeAll(keepingCapacity: true)
            ws.quotes.append(contentsOf: lots.lazy.map { $0 * lotPrice })
        } else {
            Allocation.largestRemainder(
                total: execution.quote.units, weights: lots, weightSum: executedLots, caps: nil, into: &ws.quotes,
                remainders: &ws.remainders)
        }
        // Fees: pro rata of the venue's fee, never more than a copy's stand-alone fee (rounded up). The caps go in
        // the equity buffer, which the plan no longer needs.
        let rate = settings.takerFeeRate.units
        var caps: [Int64] = []
        swap(&caps, &ws.equity)
        defer { swap(&caps, &ws.equity) }
        caps.removeAll(keepingCapacity: true)
        caps.append(contentsOf: ws.quotes.lazy.map { Self.standaloneFee($0, rate: rate) })
        if execution.quote.isPositive {
            Allocation.largestRemainder(
                total: execution.fee.units, weights: ws.quotes, weightSum: execution.quote.units, caps: caps,
                into: &ws.fees, remainders: &ws.remainders)
        } else {
            ws.fees.removeAll(keepingCapacity: true)
            ws.fees.append(contentsOf: repeatElement(0, count: lots.count))
        }

        let batch = applyCopyFills(
            plan, lots: lots, partial: !full, quotes: ws.quotes, fees: ws.fees, price: execution.averagePrice,
            leadFillID: leadFillID, at: moment)
        let base = venue.symbols[s].base
        let sign: Int64 = plan.side == .buy ? 1 : -1
        venueBalances[Symbol.quoteAsset, default: .zero] += Fixed(units: sign * execution.quote.units)
        venueBalances[base, default: .zero] -= Fixed(units: sign * execution.quantity.units)
        feesCollected += execution.fee
        if copyFillBatches.count <= l {
            copyFillBatches.append(contentsOf: repeatElement([], count: l + 1 - copyFillBatches.count))
            copyFillBatchEvents.append(contentsOf: repeatElement([], count: l + 1 - copyFillBatchEvents.count))
        }
        copyFillBatches[l].append(journal.count)
        copyFillBatchEvents[l].append(Int32(truncatingIfNeeded: moment.event))
        journal.append(.copyFills(batch))
    }

    /// Appends a plan's failed copy orders (their copies by row: `SyncPlan`), by slot, indexed by lead so that a
    /// copy's failures are found without a full scan.
    mutating func recordFailures(_ planned: [FailedCopyOrder]) {
        guard let first = planned.first else { return }
        let l = Int(first.lead)
        var failures = planned
        if !leads[l].book.slotOfRow.isEmpty {
            for k in failures.indices { failures[k].slot = Int32(leads[l].book.slot(ofRow: Int(failures[k].slot))) }
        }
        // All failures of one plan belong to one lead: index them as one range.
        precondition(failures.allSatisfy { Int($0.lead) == l }, "failures of several leads in one plan")
        if failuresByLead.count <= l { failuresByLead.append(contentsOf: repeatElement([], count: l + 1 - failuresByLead.count)) }
        failuresByLead[l].append(contentsOf: failedOrders.count..<(failedOrders.count + failures.count))
        failedOrders.append(contentsOf: failures)
        for f in failures { leads[l].book.countFailure(f) }
        if failureEvents.count <= l { failureEvents.append(contentsOf: repeatElement([], count: l + 1 - failureEvents.count)) }
        for f in failures where failureEvents[l].last != Int(f.event) { failureEvents[l].append(Int(f.event)) }
    }

    /// Tracking: what the plan's failed and cash-capped orders did not trade, in quantity at the reference price.
    mutating func recordPlanMisses(_ plan: SyncPlan) {
        let price = plan.referencePrice.units
        guard price > 0 else { return }
        for f in plan.failures {
            let quantity = mulDivFloor(f.notional.units, Fixed.unitsPerOne, price) ?? 0
            recordDeviation(
                .missed, lead: plan.lead, slot: leads[plan.lead].book.slot(ofRow: Int(f.slot)), symbol: plan.symbol, side: plan.side,
                quantity: quantity)
        }
        for (slot, notional) in plan.sizingNotional {
            let quantity = roundedQuotient(Int128(notional) * Int128(Fixed.unitsPerOne), Int128(price), .towardZero)
            recordDeviation(
                .sizing, lead: plan.lead, slot: leads[plan.lead].book.slot(ofRow: Int(slot)), symbol: plan.symbol, side: .buy,
                quantity: Int64(clamping: quantity))
        }
        guard !plan.cappedNotional.isEmpty else { return }
        let step = venue.symbols[plan.symbol].qtyStep.units
        var k = 0
        for (slot, notional) in plan.cappedNotional {
            while plan.slots[k] != slot { k += 1 }
            let intended = mulDivFloor(notional, Fixed.unitsPerOne, price) ?? 0
            recordDeviation(
                .missed, lead: plan.lead, slot: leads[plan.lead].book.slot(ofRow: Int(slot)), symbol: plan.symbol, side: .buy,
                quantity: Swift.max(0, intended - plan.lots[k] * step))
        }
    }

    /// The taker fee of one quote on its own, rounded up.
    @inline(__always)
    public static func standaloneFee(_ quote: Int64, rate: Int64) -> Int64 {
        let (scaled, o) = quote.multipliedReportingOverflow(by: rate)
        if o { return mulDivCeil(quote, rate, Fixed.unitsPerOne) ?? .max / 4 }
        return scaled / Fixed.unitsPerOne + (scaled % Fixed.unitsPerOne == 0 ? 0 : 1)
    }

    /// Applies allocated fills to the copy book and builds their journal batch (`partial`: `lots` are not the plan's).
    private mutating func applyCopyFills(
        _ plan: SyncPlan, lots: [Int64], partial: Bool, quotes: [Int64], fees: [Int64], price: Fixed, leadFillID: String?,
        at moment: Moment
    ) -> CopyFillBatch {
        let l = plan.lead
        var batch = CopyFillBatch(
            lead: l, symbol: plan.symbol, side: plan.side, event: moment.event, time: moment.time,
            leadFillID: leadFillID, leadPrice: plan.referencePrice, price: price, leadUser: leads[l].user)
        // The batch's columns: the rows that received something (usually all of them).
        // Receipts show each row's request beside what it got: kept when the two differ (a partial execution).
        batch.requestedLots = plan.totalLots
        batch.feeRate = settings.takerFeeRate
        if lots.contains(0) {
            let rows = lots.indices.filter { lots[$0] > 0 }
            batch.slots = rows.map { plan.slots[$0] }
            batch.lots = rows.map { lots[$0] }
            batch.quote = rows.map { quotes[$0] }
            batch.fee = rows.map { fees[$0] }
            batch.cappedByCash = rows.map { plan.cappedByCash[$0] }
            if partial { batch.requested = rows.map { plan.lots[$0] } }
        } else {
            if partial { batch.requested = plan.lots }
            batch.slots = plan.slots
            batch.lots = lots
            batch.quote = quotes
            batch.fee = fees
            batch.cappedByCash = plan.cappedByCash
        }
        let rate = leads[l].profitShareRate.units
        let referenceLot = lotValue(plan.symbol, price: plan.referencePrice)

        // Move the book and the traded column out so they are mutated in place, not copied.
        var book = CopyBook()
        swap(&book, &leads[l].book)
        let c = book.column(for: SymbolIndex(plan.symbol)).index
        var held: [Int64] = []
        var cost: [Int64] = []
        swap(&held, &book.lots[c])
        swap(&cost, &book.cost[c])
        var negativeCash = false
        batch.slots.withUnsafeBufferPointer { slots in
            batch.lots.withUnsafeBufferPointer { q in
                batch.quote.withUnsafeBufferPointer { quote in
                    batch.fee.withUnsafeBufferPointer { fee in
                        book.cash.withUnsafeMutableBufferPointer { cash in
                            book.feesPaid.withUnsafeMutableBufferPointer { feesPaid in
                                held.withUnsafeMutableBufferPointer { held in
                                    cost.withUnsafeMutableBufferPointer { cost in
                                        if plan.side == .buy {
                                            for k in 0..<slots.count {
                                                let i = Int(slots[k])
                                                let spent = quote[k] + fee[k]
                                                book.epochFees[i] -= fee[k]
                                                let paidAbove = quote[k] - q[k] * referenceLot
                                                if paidAbove != 0 { book.epochPrice[i] -= paidAbove }
                                                cash[i] -= spent
                                                negativeCash = negativeCash || cash[i] < 0
                                                held[i] += q[k]
                                                cost[i] += spent
                                                feesPaid[i] += fee[k]
                                            }
                                        } else {
                                            for k in 0..<slots.count {
                                                let i = Int(slots[k])
                                                let removed = CostBasis.removed(cost: cost[i], held: held[i], sold: q[k])
                                                let proceeds = quote[k] - fee[k]
                                                book.epochFees[i] -= fee[k]
                                                let receivedAbove = quote[k] - q[k] * referenceLot
                                                if receivedAbove != 0 { book.epochPrice[i] += receivedAbove }
                                                cash[i] += proceeds
                                                cost[i] -= removed
                                                held[i] -= q[k]
                                                feesPaid[i] += fee[k]
                                                book.realizedPnl[i] += proceeds - removed
                                                guard proceeds - removed > 0 && rate > 0 else { continue }
                                                let due = ProfitShare.due(
                                                    rate: rate, realized: book.realizedPnl[i],
                                                    paid: book.profitSharePaid[i], cash: cash[i])
                                                if due > 0 {
                                                    cash[i] -= due
                                                    book.profitSharePaid[i] += due
                                                    book.epochShare[i] -= due
                                                    batch.profitShareSlots.append(Int32(i))
                                                    batch.profitShare.append(due)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        precondition(!negativeCash, "copy cash went negative: the cash cap failed")
        batch.slots.withUnsafeBufferPointer { slots in
            book.fillCount.withUnsafeMutableBufferPointer { fills in
                for k in 0..<slots.count { fills[Int(slots[k])] += 1 }
            }
        }
        swap(&held, &book.lots[c])
        swap(&cost, &book.cost[c])
        swap(&book, &leads[l].book)
        // The batch keeps slots (the copies' lasting numbers), the fan-out worked on rows.
        batch.slots = slots(ofRows: batch.slots, lead: l)
        batch.profitShareSlots = slots(ofRows: batch.profitShareSlots, lead: l)
        let profitShareTotal = batch.profitShare.reduce(0, +)
        if profitShareTotal > 0 {
            let receiver = leads[l].user
            users[receiver].cash += Fixed(units: profitShareTotal)
            leads[l].profitShareEarned += Fixed(units: profitShareTotal)
        }
        return batch
    }
}

/// The lead's profit share with a high-water mark (DESIGN §3): `due = max(0, ρ × R − S)`, rounded down.
public enum ProfitShare {
    /// Due now for cumulative realized PnL `realized` having paid `paid` so far, at `rate` (units of 1e-8), at most `cash`.
    @inlinable
    public static func due(rate: Int64, realized: Int64, paid: Int64, cash: Int64) -> Int64 {
        guard realized > 0 else { return 0 }
        let owed = (mulDivFloor(realized, rate, Fixed.unitsPerOne) ?? 0) - paid
        return Swift.max(0, Swift.min(owed, cash))
    }
}

extension Engine {
    /// Sends a plan's copy orders to the venue as one merged order (immediate-or-cancel at `limit`), allocates the
    /// execution back pro rata so that quantities, quotes and fees add up exactly to the venue's, and applies the
    /// copy fills (and any profit share they trigger) to the copy accounts. Returns the journal batch, if any.
    @discardableResult
    mutating func executeMerged(_ plan: SyncPlan, limit: Fixed?, leadFillID: String?, at moment: Moment) -> CopyFillBatch? {
        failedOrders.append(contentsOf: plan.failures)
        guard plan.totalLots > 0 else { return nil }
        let l = plan.lead
        let s = plan.symbol
        let step = venue.symbols[s].qtyStep.units
        let execution = venue.execute(s, plan.side, .quantity(Fixed(units: plan.totalLots * step)), limit: limit)
        let executedLots = execution.quantity.units / step

        // Quantities: exactly the requests when all executed, else the same fraction for every copy.
        let lots =
            executedLots == plan.totalLots
            ? plan.lots
            : Allocation.largestRemainder(total: executedLots, weights: plan.lots, weightSum: plan.totalLots)
        if executedLots < plan.totalLots {
            let lotPrice = lotValue(s, price: plan.referencePrice)
            for k in plan.slots.indices where lots[k] < plan.lots[k] {
                failedOrders.append(
                    failure(
                        l, Int(plan.slots[k]), moment.event, s, plan.side, execution.shortfall ?? .slippageExceeded,
                        (plan.lots[k] - lots[k]) * lotPrice))
            }
        }
        guard executedLots > 0 else { return nil }

        // Quotes: exact products at a single price, else pro rata of the venue's quote.
        let quotes: [Int64]
        if let price = execution.singlePrice {
            let lotPrice = lotValue(s, price: price)
            quotes = lots.map { $0 * lotPrice }
        } else {
            quotes = Allocation.largestRemainder(total: execution.quote.units, weights: lots, weightSum: executedLots)
        }
        // Fees: pro rata of the venue's fee, never more than a copy's stand-alone fee.
        let rate = settings.takerFeeRate.units
        let fees: [Int64]
        if execution.quote.isPositive {
            let caps = quotes.map { mulDivCeil($0, rate, Fixed.unitsPerOne) ?? .max }
            fees = Allocation.largestRemainder(
                total: execution.fee.units, weights: quotes, weightSum: execution.quote.units, caps: caps)
        } else {
            fees = [Int64](repeating: 0, count: quotes.count)
        }

        let batch = applyCopyFills(
            plan, lots: lots, quotes: quotes, fees: fees, price: execution.averagePrice, leadFillID: leadFillID,
            at: moment)
        let base = venue.symbols[s].base
        let sign: Int64 = plan.side == .buy ? 1 : -1
        venueBalances[Symbol.quoteAsset, default: .zero] += Fixed(units: sign * execution.quote.units)
        venueBalances[base, default: .zero] -= Fixed(units: sign * execution.quantity.units)
        feesCollected += execution.fee
        journal.append(.copyFills(batch))
        return batch
    }

    /// Applies allocated fills to the copy book and builds their journal batch.
    private mutating func applyCopyFills(
        _ plan: SyncPlan, lots: [Int64], quotes: [Int64], fees: [Int64], price: Fixed, leadFillID: String?,
        at moment: Moment
    ) -> CopyFillBatch {
        let l = plan.lead
        var batch = CopyFillBatch(
            lead: l, symbol: plan.symbol, side: plan.side, event: moment.event, time: moment.time,
            leadFillID: leadFillID, leadPrice: plan.referencePrice, price: price, leadUser: leads[l].user)
        batch.slots.reserveCapacity(plan.slots.count)
        batch.lots.reserveCapacity(plan.slots.count)
        batch.quote.reserveCapacity(plan.slots.count)
        batch.fee.reserveCapacity(plan.slots.count)
        batch.cappedByCash.reserveCapacity(plan.slots.count)
        let rate = leads[l].profitShareRate.units
        var profitShareTotal: Int64 = 0

        // Move the book out so its columns are mutated in place, not copied.
        var book = CopyBook()
        swap(&book, &leads[l].book)
        let c = book.column(for: plan.symbol)
        for k in plan.slots.indices where lots[k] > 0 {
            let i = Int(plan.slots[k])
            let (q, quote, fee) = (lots[k], quotes[k], fees[k])
            if plan.side == .buy {
                book.cash[i] -= quote + fee
                precondition(book.cash[i] >= 0, "copy cash went negative: the cash cap failed")
                book.lots[c][i] += q
                book.cost[c][i] += quote + fee
            } else {
                let removed = CostBasis.removed(cost: book.cost[c][i], held: book.lots[c][i], sold: q)
                let realized = quote - fee - removed
                book.cash[i] += quote - fee
                book.cost[c][i] -= removed
                book.lots[c][i] -= q
                book.realizedPnl[i] += realized
                if realized > 0 && rate > 0 {
                    let due = ProfitShare.due(
                        rate: rate, realized: book.realizedPnl[i], paid: book.profitSharePaid[i], cash: book.cash[i])
                    if due > 0 {
                        book.cash[i] -= due
                        book.profitSharePaid[i] += due
                        batch.profitShareSlots.append(Int32(i))
                        batch.profitShare.append(due)
                        profitShareTotal += due
                    }
                }
            }
            book.feesPaid[i] += fee
            batch.slots.append(Int32(i))
            batch.lots.append(q)
            batch.quote.append(quote)
            batch.fee.append(fee)
            batch.cappedByCash.append(plan.cappedByCash[k])
        }
        swap(&book, &leads[l].book)
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

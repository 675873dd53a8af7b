/// How a lead's orders execute with its copies' (DESIGN §3b, execution modes).
public enum ExecutionMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// The lead's order executes first; its fills are copied (each copy's merged order follows the lead's fill).
    case follow
    /// The lead's order and its copies' orders are one order: the execution is allocated pro rata to the lead and
    /// every copy at one average price, and a partial execution gives everyone the same fraction.
    case block

    public init(from decoder: any Decoder) throws { self = try decodeCase(decoder) }
}

extension Engine {
    /// The execution mode of lead portfolio `l`.
    public func executionMode(lead l: Int) -> ExecutionMode { venueBook.executionModes[l] ?? venueBook.defaultExecutionMode }

    /// Sets a lead's execution mode, or (lead nil) the operator's default.
    public mutating func setExecutionMode(lead user: String?, _ mode: ExecutionMode) throws(EngineError) {
        guard let user else {
            venueBook.defaultExecutionMode = mode
            return
        }
        let u = try requireUser(user, field: "user")
        let l = try requireActiveLead(user: u, field: "user")
        venueBook.executionModes[l] = mode
    }

    /// A block order (SEC-style block allocation): the lead's market order and its copies' orders, each copy sized
    /// from the lead's requested ratio (`r = requested notional / lead equity` for a buy, the fraction of its holding
    /// for a sell, at the mark), go to the venue as one order; the execution is allocated pro rata to the lead and
    /// every copy by largest remainder, at one average price. The copies' reference price is that average, so the
    /// tracking report shows no price difference.
    mutating func placeBlockOrder(_ request: OrderRequest, user u: Int, lead l: Int, symbol s: Int, at moment: Moment)
        throws(EngineError) -> OrderResult
    {
        let symbol = venue.symbols[s]
        let step = symbol.qtyStep.units
        let mark = venue.marks[s]
        let field = request.quoteAmount == nil ? "quantity" : "quoteAmount"
        var ws = FanOutWorkspace()
        swap(&ws, &workspace)
        do throws(EngineError) {
            let leadLots: Int64
            if request.side == .buy {
                let quote = request.quoteAmount ?? symbol.quote(quantity: request.quantity ?? .zero, price: mark) ?? .max
                if let q = request.quantity {
                    leadLots = q.units / step
                } else {
                    leadLots =
                        try Self.checkedAmount(field: "quoteAmount") { () throws(DecimalError) in try quote.divided(by: mark, .down) }.units
                        / step
                }
                try planBuys(
                    lead: l, symbol: s, price: mark, limit: nil,
                    target: .ratio(quote: quote.units, leadEquity: leadEquity(l).units), slots: .allActive,
                    event: moment.event, workspace: &ws)
            } else {
                let quantity = request.quantity ?? .zero
                let held = leads[l].positions[s]?.quantity ?? .zero
                guard quantity <= held else {
                    throw EngineError(
                        .insufficientFunds, field: "quantity", "sells \(quantity) \(symbol.base), the lead portfolio holds \(held)")
                }
                leadLots = quantity.units / step
                planSells(
                    lead: l, symbol: s, price: mark, fraction: (quantity.units, held.units), slots: .allActive,
                    event: moment.event, workspace: &ws)
            }
            guard leadLots > 0 else {
                throw EngineError(.invalidInput, field: field, "buys less than one step \(symbol.qtyStep) of \(symbol.name)")
            }
            let total = leadLots + ws.plan.totalLots
            let execution = venue.execute(s, request.side, .quantity(Fixed(units: total * step)), limit: nil)
            let executed = execution.quantity.units / step
            // The lead's share: its lots when all executed, else the same fraction as every copy's.
            var leadShare = leadLots
            if executed < total {
                leadShare = Allocation.largestRemainder(total: executed, weights: [leadLots] + ws.plan.lots, weightSum: total)[0]
            }
            let leadQuote: Fixed
            // Exact at a single price on the lots' grid (as the copies' quotes: `allocateMerged`), else pro rata.
            if let price = execution.singlePrice, Int128(executed) * Int128(lotValue(s, price: price)) == Int128(execution.quote.units) {
                leadQuote = Fixed(units: leadShare * lotValue(s, price: price))
            } else {
                leadQuote = Fixed(units: executed == 0 ? 0 : mulDivFloor(execution.quote.units, leadShare, executed) ?? 0)
            }
            // The copies' part of the fee is rounded down (so it never exceeds what their stand-alone fees allow: the
            // fee of their quote, rounded up), the lead's is the rest.
            let copiesFee =
                execution.quote.isPositive
                ? mulDivFloor(execution.fee.units, execution.quote.units - leadQuote.units, execution.quote.units) ?? 0 : 0
            let leadFee = Fixed(units: execution.fee.units - copiesFee)
            let leadExecution = Execution(
                quantity: Fixed(units: leadShare * step), quote: leadQuote, fee: leadFee, singlePrice: execution.singlePrice,
                shortfall: execution.shortfall)
            try checkExecutable(leadExecution, u: u, lead: l, s: s, side: request.side, field: field)

            let orderID = nextOrderNumber
            let fillID = "o\(orderID)-f1"
            let (journalBefore, failedBefore) = (journal.count, failedOrders.count)
            let fill = LeadFill(
                id: fillID, lead: l, symbol: s, side: request.side, quantity: leadExecution.quantity, quote: leadQuote,
                fee: leadFee, price: execution.averagePrice, event: moment.event, time: moment.time)
            try applyLeadFill(fill, fanOut: false)
            // Nothing can throw from here on.
            recordFailures(ws.plan.failures)
            recordPlanMisses(ws.plan)
            if ws.plan.totalLots > 0 {
                ws.plan.referencePrice = execution.averagePrice
                let copies = Execution(
                    quantity: execution.quantity - leadExecution.quantity, quote: execution.quote - leadQuote,
                    fee: execution.fee - leadFee, singlePrice: execution.singlePrice, shortfall: execution.shortfall ?? .noLiquidity)
                allocateMerged(&ws, copies, leadFillID: fillID, recordShortfall: true, at: moment)
            }
            swap(&ws, &workspace)
            nextOrderNumber += 1
            var placed = PlacedOrder(
                id: orderID, user: u, account: .portfolio, symbol: s, side: request.side, kind: .market,
                quantity: request.quantity, quoteAmount: request.quoteAmount, event: moment.event, time: moment.time,
                status: executed < total ? .expired : .filled)
            let trade = TradeRecord(
                account: .lead(l), symbol: s, side: request.side, quantity: leadExecution.quantity, quote: leadQuote, fee: leadFee,
                event: moment.event, time: moment.time)
            let counts = fanOutCounts(journalSince: journalBefore, failedSince: failedBefore)
            placed.record(trade, leadFillID: fillID, copyFills: counts.copyFills, failed: counts.failed)
            orders.append(placed)
            noteOrder(orderID)
            checkThresholds(lead: l, at: moment)
            return OrderResult(orderID: orderID, trades: [trade])
        } catch {
            swap(&ws, &workspace)
            throw error
        }
    }

    /// A block order at an external venue: the lead's market order and its copies' orders (sized as
    /// `placeBlockOrder` sizes them, at the mark) go out as one immediate-or-cancel order at the lead's slippage
    /// limit. The lead's part holds back its cash at that limit (or its quantity), the copies are held as for any
    /// merged order, and the execution is allocated to the lead and every copy when the order is final
    /// (`allocateVenueCopies`).
    mutating func sendBlockOrder(_ request: OrderRequest, user u: Int, lead l: Int, symbol s: Int, at moment: Moment)
        throws(EngineError) -> OrderResult
    {
        try requireCopiesSettled(lead: l, field: "symbol")
        let symbol = venue.symbols[s]
        let step = symbol.qtyStep.units
        let mark = venue.marks[s]
        let limit = slippageLimitPrice(l, s, request.side, mark)
        let field = request.quoteAmount == nil ? "quantity" : "quoteAmount"
        var ws = FanOutWorkspace()
        swap(&ws, &workspace)
        defer { swap(&ws, &workspace) }
        let leadLots: Int64
        let leadReserved: Fixed
        if request.side == .buy {
            let quote = request.quoteAmount ?? symbol.quote(quantity: request.quantity ?? .zero, price: mark) ?? .max
            if let q = request.quantity {
                leadLots = q.units / step
            } else {
                leadLots =
                    try Self.checkedAmount(field: "quoteAmount") { () throws(DecimalError) in try quote.divided(by: mark, .down) }.units
                    / step
            }
            try planBuys(
                lead: l, symbol: s, price: mark, limit: limit, target: .ratio(quote: quote.units, leadEquity: leadEquity(l).units),
                slots: .allActive, event: moment.event, workspace: &ws)
            let atLimit = symbol.quote(quantity: Fixed(units: leadLots * step), price: limit) ?? .max
            leadReserved = atLimit + venue.fee(onQuote: atLimit)
            let available = leads[l].cash - venueBook.held(by: .lead(l))
            guard leadReserved <= available else {
                throw EngineError(
                    .insufficientFunds, field: field,
                    "may cost \(leadReserved) USDT with the fee at the slippage limit \(limit), more than the lead portfolio's \(available) USDT not held by open orders"
                )
            }
        } else {
            let quantity = request.quantity ?? .zero
            let held = (leads[l].positions[s]?.quantity ?? .zero) - venueBook.held(by: .lead(l), symbol: s)
            guard quantity <= held else {
                throw EngineError(
                    .insufficientFunds, field: "quantity",
                    "sells \(quantity) \(symbol.base), the lead portfolio holds \(held) not held by open orders")
            }
            leadLots = quantity.units / step
            leadReserved = quantity
            planSells(
                lead: l, symbol: s, price: mark, fraction: (quantity.units, (leads[l].positions[s]?.quantity ?? .zero).units),
                slots: .allActive, event: moment.event, workspace: &ws)
        }
        guard leadLots > 0 else {
            throw EngineError(.invalidInput, field: field, "buys less than one step \(symbol.qtyStep) of \(symbol.name)")
        }
        let total = Fixed(units: (leadLots + ws.plan.totalLots) * step)
        try requireMinNotional(symbol.quote(quantity: total, price: mark) ?? .max, symbol, field: field)
        // Nothing can throw from here on.
        recordFailures(ws.plan.failures)
        recordPlanMisses(ws.plan)
        let orderID = nextOrderNumber
        nextOrderNumber += 1
        orders.append(
            PlacedOrder(
                id: orderID, user: u, account: .portfolio, symbol: s, side: request.side, kind: .market,
                quantity: request.quantity, quoteAmount: request.quoteAmount, event: moment.event, time: moment.time,
                status: .accepted))
        noteOrder(orderID)
        let copiesQuantity = Fixed(units: ws.plan.totalLots * step)
        let copiesQuote = symbol.quote(quantity: copiesQuantity, price: limit) ?? .max
        let copiesReserved = request.side == .buy ? copiesQuote + venue.fee(onQuote: copiesQuote) : copiesQuantity
        var record = VenueOrderRecord(
            order: VenueOrder(clientOrderID: venueBook.nextClientOrderID(), size: .quantity(total)), owner: .copies(lead: l),
            symbol: s, side: request.side, limitPrice: limit, immediateOrCancel: true, event: moment.event, time: moment.time,
            reserved: leadReserved + copiesReserved,
            copies: CopyRequests(
                slots: slots(ofRows: ws.plan.slots, lead: l), lots: ws.plan.lots, cappedByCash: ws.plan.cappedByCash, referencePrice: mark,
                leadFillID: nil, allocatedLots: Array(repeating: 0, count: ws.plan.slots.count)))
        record.block = BlockLeadPart(order: orderID, lots: leadLots, reserved: leadReserved)
        venueBook.add(record)
        return OrderResult(orderID: orderID)
    }

    /// Books the lead's share of a final block order as its lead fill (not fanned out: the copies' part of the same
    /// order is theirs) and ends the lead's order; returns what it took. The share is the lead's lots when all
    /// executed, else the same fraction as every copy's by largest remainder over [lead] + copies (as on the
    /// simulated market); its quote is exact at a single price, else pro rata; the copies' part of the fee is rounded
    /// down, the lead's is the rest.
    mutating func allocateBlockLead(_ k: Int, _ block: BlockLeadPart, _ requests: CopyRequests, at moment: Moment)
        -> (quantity: Fixed, quote: Fixed, fee: Fixed, fillID: String?)
    {
        let record = venueBook.orders[k]
        guard case .copies(let l) = record.owner else { return (.zero, .zero, .zero, nil) }
        let s = record.symbol
        let step = venue.symbols[s].qtyStep.units
        let o = record.order
        let executed = o.filledQuantity.units / step
        let total = block.lots + requests.lots.reduce(0, +)
        var share = block.lots
        if executed < total {
            share =
                executed == 0 ? 0 : Allocation.largestRemainder(total: executed, weights: [block.lots] + requests.lots, weightSum: total)[0]
        }
        let quote: Fixed
        if let price = record.mixedPrices ? nil : record.singlePrice,
            Int128(executed) * Int128(lotValue(s, price: price)) == Int128(o.filledQuote.units)
        {
            quote = Fixed(units: share * lotValue(s, price: price))
        } else {
            quote = Fixed(units: executed == 0 ? 0 : mulDivFloor(o.filledQuote.units, share, executed) ?? 0)
        }
        let copiesFee =
            o.filledQuote.isPositive ? mulDivFloor(o.fees.units, o.filledQuote.units - quote.units, o.filledQuote.units) ?? 0 : 0
        let fee = Fixed(units: o.fees.units - copiesFee)
        let quantity = Fixed(units: share * step)
        var fillID: String?
        if share > 0 {
            let id = "\(record.clientOrderID)/block"
            let fill = LeadFill(
                id: id, lead: l, symbol: s, side: record.side, quantity: quantity, quote: quote, fee: fee,
                price: Execution(quantity: o.filledQuantity, quote: o.filledQuote, fee: .zero, singlePrice: nil, shortfall: nil)
                    .averagePrice,
                event: moment.event, time: moment.time)
            do {
                try applyLeadFill(fill, fanOut: false)
                fillID = id
                let trade = TradeRecord(
                    account: .lead(l), symbol: s, side: record.side, quantity: quantity, quote: quote, fee: fee,
                    event: moment.event, time: moment.time)
                updateOrder(block.order) { $0.record(trade, leadFillID: id, copyFills: 0, failed: 0) }
            } catch {
                venueBook.refusals.append(
                    VenueRefusalRecord(
                        event: moment.event, time: moment.time, clientOrderID: record.clientOrderID, kind: "notBooked",
                        detail: "the lead's share of the block order could not be booked: \(error.message)"))
                return (.zero, .zero, .zero, nil)
            }
        }
        updateOrder(block.order) { p in
            if share == block.lots {
                p.status = .filled
            } else if o.status == .rejected {
                p.status = .cancelled
                p.cancelReason = "rejected by the venue: \(o.rejectReason ?? "no reason given")"
            } else {
                p.status = .expired
            }
        }
        return (quantity, quote, fee, fillID)
    }
}

// Orders at an external venue (DESIGN §3b): the engine logs an order as `new` with a deterministic client order
// id, the venue adapter sends it and logs `venueSent`, and every answer arrives as a `venueReport` command. A lead
// order's fills are lead fills; the copies' merged order is immediate-or-cancel at the slippage limit and is
// allocated once, when the venue has said its last word on it (so every copy gets the same average price and the
// copies' quantities, quotes and fees add up to the venue's, as on the simulated market).

extension Engine {
    public var venueMode: VenueMode { venueBook.mode }

    /// Switches between the simulated market and an external venue; only with no order open on either.
    public mutating func setVenueMode(_ mode: VenueMode, orderIDPrefix prefix: String? = nil) throws(EngineError) {
        if let prefix {
            guard (1...16).contains(prefix.utf8.count),
                prefix.utf8.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) })
            else { throw EngineError(.invalidInput, field: "orderIdPrefix", "must be 1 to 16 letters and digits (got \"\(prefix)\")") }
        }
        guard mode != venueBook.mode || (prefix != nil && prefix != venueBook.orderIDPrefix) else { return }
        guard venueBook.openPositions.isEmpty else {
            throw EngineError(
                .orderInFlight, field: "venue", "\(venueBook.openPositions.count) orders are open at the venue: they must be final first")
        }
        guard restingOrders.isEmpty else {
            throw EngineError(
                .invalidInput, field: "venue", "\(restingOrders.count) limit orders rest on the simulated market: cancel them first")
        }
        venueBook.mode = mode
        if let prefix { venueBook.orderIDPrefix = prefix }
    }

    /// Refuses a change to a lead's copies while its merged orders are in flight (they hold the copies' cash and
    /// holdings) or lead fills wait to be copied. Such a state lasts one round trip to the venue.
    func requireCopiesSettled(lead l: Int, field: String) throws(EngineError) {
        guard venueBook.isBusy(lead: l) else { return }
        throw EngineError(
            .orderInFlight, field: field,
            "a copy order of this lead is in flight at the venue; retry when it is done (usually within a second)")
    }

    /// A stop asked while lead `l`'s copy orders are in flight at the venue: queued, and done (its sells sent) when
    /// they are final. Refused when the copy is being stopped already. False when nothing is in flight.
    mutating func queueStopIfBusy(lead l: Int, slot i: Int, reason: StopReason) throws(EngineError) -> Bool {
        guard venueBook.isBusy(lead: l) else { return false }
        if venueBook.isStopping(lead: l, slot: i) {
            throw EngineError(
                .orderInFlight, field: "copy",
                "this copy is being stopped already: it is settled when its sells at the venue are final")
        }
        venueBook.stopping[l, default: []].append(PendingStop(slots: [i], reason: reason, queued: true))
        return true
    }

    /// The USDT of copy `i` of lead `l` held for its buy requests in open merged (or block) orders: each request's
    /// lots at the order's limit, with its stand-alone fee.
    func copyCashHeld(lead l: Int, slot i: Int) -> Int64 {
        var held: Int64 = 0
        let rate = settings.takerFeeRate.units
        for k in venueBook.openPositions {
            let record = venueBook.orders[k]
            guard case .copies(l) = record.owner, record.side == .buy, let requests = record.copies, let limit = record.limitPrice,
                let row = requests.slots.firstIndex(of: Int32(i))
            else { continue }
            let quote = (requests.lots[row] - requests.allocatedLots[row]) * lotValue(record.symbol, price: limit)
            held += quote + Self.standaloneFee(quote, rate: rate)
        }
        return held
    }

    // MARK: Lead orders

    /// What a user's main account may spend now: its USDT less what its open orders at the venue hold back.
    func mainCashAvailable(_ u: Int) -> Fixed {
        users[u].balance(Symbol.quoteAsset) - venueBook.held(by: .main(u))
    }

    /// Words for an error about the main balance: what its open orders at the venue hold back, if anything.
    func mainHeldNote(_ u: Int) -> String {
        let held = users[u].balance(Symbol.quoteAsset) - mainCashAvailable(u)
        return held.isPositive ? " (\(held) USDT more is held by open orders at the venue)" : ""
    }

    /// What a user's main account may sell now of symbol `s`'s base asset: its balance less open sells at the venue.
    func mainHeldAvailable(_ u: Int, symbol s: Int) -> Fixed {
        users[u].balance(venue.symbols[s].base) - venueBook.held(by: .main(u), symbol: s)
    }

    /// Logs an order of a lead portfolio (`lead`) or of the user's main account (nil) for the venue and reserves what
    /// it may spend or sell; nothing executes yet. A main account's order is a manual trade, never copied.
    mutating func sendVenueOrder(_ request: OrderRequest, user u: Int, lead: Int?, symbol s: Int, at moment: Moment)
        throws(EngineError) -> OrderResult
    {
        let symbol = venue.symbols[s]
        let account = lead == nil ? "main account" : "lead portfolio"
        let mine: ReservingAccount = lead.map { .lead($0) } ?? .main(u)
        let size: VenueOrder.Size
        let reserved: Fixed
        if request.side == .buy {
            if let limit = request.limitPrice {
                var quantity = request.quantity ?? .zero
                if let budget = request.quoteAmount {
                    quantity = try Self.checkedAmount(field: "quoteAmount") { () throws(DecimalError) in
                        try budget.divided(by: limit, .down)
                    }
                    .rounded(toStep: symbol.qtyStep, .down)
                    guard quantity.isPositive, quantity >= symbol.minQty else {
                        throw EngineError(.invalidInput, field: "quoteAmount", "buys less than minQty \(symbol.minQty) at the limit price")
                    }
                }
                let quote = symbol.quote(quantity: quantity, price: limit) ?? .max
                try requireMinNotional(quote, symbol, field: request.quoteAmount == nil ? "quantity" : "quoteAmount")
                size = .quantity(quantity)
                reserved = try Self.adding(quote, venue.fee(onQuote: quote), field: "quantity")
            } else if let budget = request.quoteAmount {
                try requireMinNotional(budget, symbol, field: "quoteAmount")
                size = .quote(budget)
                reserved = try Self.adding(budget, venue.fee(onQuote: budget), field: "quoteAmount")
            } else {
                throw EngineError(
                    .invalidInput, field: "quantity",
                    "a market buy at an external venue gives quoteAmount or a limitPrice: its cost must be known to reserve it")
            }
            let available = (lead.map { leads[$0].cash } ?? users[u].balance(Symbol.quoteAsset)) - venueBook.held(by: mine)
            guard reserved <= available else {
                throw EngineError(
                    .insufficientFunds, field: request.quoteAmount == nil ? "quantity" : "quoteAmount",
                    "may cost \(reserved) USDT with the fee, more than the \(account)'s \(available) USDT not held by open orders")
            }
        } else {
            let quantity = request.quantity ?? .zero
            let value = symbol.quote(quantity: quantity, price: request.limitPrice ?? venue.marks[s]) ?? .max
            try requireMinNotional(value, symbol, field: "quantity")
            let owned = lead.map { leads[$0].positions[s]?.quantity ?? .zero } ?? users[u].balance(symbol.base)
            let held = owned - venueBook.held(by: mine, symbol: s)
            guard quantity <= held else {
                throw EngineError(
                    .insufficientFunds, field: "quantity",
                    "sells \(quantity) \(symbol.base), the \(account) holds \(held) not held by open orders")
            }
            size = .quantity(quantity)
            reserved = quantity
        }
        let orderID = nextOrderNumber
        nextOrderNumber += 1
        orders.append(
            PlacedOrder(
                id: orderID, user: u, account: lead == nil ? .main : .portfolio, symbol: s, side: request.side,
                kind: request.limitPrice == nil ? .market : .limit, quantity: request.quantity,
                quoteAmount: request.quoteAmount, limitPrice: request.limitPrice, event: moment.event, time: moment.time,
                status: .accepted))
        noteOrder(orderID)
        venueBook.add(
            VenueOrderRecord(
                order: VenueOrder(clientOrderID: venueBook.nextClientOrderID(), size: size),
                owner: lead.map { .lead(lead: $0, order: orderID) } ?? .main(user: u, order: orderID),
                symbol: s, side: request.side, limitPrice: request.limitPrice, immediateOrCancel: false,
                event: moment.event, time: moment.time, reserved: reserved))
        return OrderResult(orderID: orderID)
    }

    func requireMinNotional(_ quote: Fixed, _ symbol: Symbol, field: String) throws(EngineError) {
        guard quote >= symbol.minNotional else {
            throw EngineError(
                .invalidInput, field: field, "is worth \(quote) USDT, below minNotional \(symbol.minNotional) USDT")
        }
    }

    private static func adding(_ a: Fixed, _ b: Fixed, field: String) throws(EngineError) -> Fixed {
        guard let sum = try? a.adding(b) else { throw EngineError(.overflow, field: field, "the amount is too large") }
        return sum
    }

    /// Asks the venue to cancel a user's open order, of a lead portfolio or a main account (the venue's answer
    /// decides what becomes of it).
    mutating func requestVenueCancel(user u: Int, orderID: Int) throws(EngineError) {
        guard
            let k = venueBook.openPositions.first(where: {
                switch venueBook.orders[$0].owner {
                case .lead(let l, let id): return id == orderID && leads[l].user == u
                case .main(let x, let id): return id == orderID && x == u
                case .copies: return false
                }
            })
        else {
            throw EngineError(.unknownOrder, field: "orderId", "no open order \(orderID) of \"\(users[u].id)\" at the venue")
        }
        do {
            // An order not sent yet is withdrawn; a sent one is asked to be cancelled (the venue answers).
            if venueBook.orders[k].order.status == .new {
                try venueBook.orders[k].order.apply(.cancelled)
                venueBook.openPositions.removeAll { $0 == k }
                updateOrder(orderID) { o in
                    o.status = .cancelled
                    o.cancelReason = "cancelled by its owner before it was sent"
                }
            } else {
                try venueBook.orders[k].order.apply(.cancelRequested)
            }
        } catch {
            throw EngineError(.invalidInput, field: "orderId", error.detail)
        }
    }

    // MARK: Copy orders

    /// Logs the copies' merged order of a plan for the venue: immediate-or-cancel at the slippage limit. The copies'
    /// share of cash (buys, at the limit with the fee) or holdings (sells) is theirs no more until it is allocated:
    /// nothing else changes the lead's copies while it is in flight.
    mutating func sendMerged(_ plan: SyncPlan, limit: Fixed?, leadFillID: String?, at moment: Moment) {
        let (l, s) = (plan.lead, plan.symbol)
        let symbol = venue.symbols[s]
        let price = limit ?? slippageLimitPrice(l, s, plan.side, plan.referencePrice)
        let quantity = Fixed(units: plan.totalLots * symbol.qtyStep.units)
        let quote = symbol.quote(quantity: quantity, price: price) ?? .max
        let reserved = plan.side == .buy ? quote + venue.fee(onQuote: quote) : quantity
        let requests = CopyRequests(
            slots: slots(ofRows: plan.slots, lead: l), lots: plan.lots, cappedByCash: plan.cappedByCash,
            referencePrice: plan.referencePrice,
            leadFillID: leadFillID, allocatedLots: Array(repeating: 0, count: plan.slots.count))
        venueBook.add(
            VenueOrderRecord(
                order: VenueOrder(clientOrderID: venueBook.nextClientOrderID(), size: .quantity(quantity)),
                owner: .copies(lead: l), symbol: s, side: plan.side, limitPrice: price, immediateOrCancel: true,
                event: moment.event, time: moment.time, reserved: reserved, copies: requests))
    }

    /// Allocates what a merged order executed since its last allocation to the copies' open requests, with the
    /// simulated market's exact rules (`allocateMerged`).
    mutating func allocateVenueCopies(_ k: Int, at moment: Moment) {
        let record = venueBook.orders[k]
        guard var requests = record.copies, !requests.isReleased, case .copies(let l) = record.owner else { return }
        let first = requests.allocatedQuantity.isZero && requests.allocatedLots.allSatisfy { $0 == 0 }
        var quantity = record.order.filledQuantity - requests.allocatedQuantity
        var quote = record.order.filledQuote - requests.allocatedQuote
        var fee = record.order.fees - requests.allocatedFee
        if first, let block = record.block {
            // A block order: the lead's share first, then the copies get the rest at the same average price.
            let lead = allocateBlockLead(k, block, requests, at: moment)
            quantity -= lead.quantity
            quote -= lead.quote
            fee -= lead.fee
            if record.order.filledQuantity.isPositive {
                requests.referencePrice =
                    Execution(
                        quantity: record.order.filledQuantity, quote: record.order.filledQuote, fee: .zero, singlePrice: nil, shortfall: nil
                    ).averagePrice
            }
            requests.leadFillID = lead.fillID
        }
        guard quantity.isPositive || first else { return }
        var ws = FanOutWorkspace()
        swap(&ws, &workspace)
        ws.plan.reset(lead: l, symbol: record.symbol, side: record.side, referencePrice: requests.referencePrice)
        var rows: [Int] = []
        for k in requests.slots.indices where requests.lots[k] > requests.allocatedLots[k] {
            ws.plan.append(
                leads[l].book.row(Int(requests.slots[k])), lots: requests.lots[k] - requests.allocatedLots[k],
                capped: requests.cappedByCash[k])
            rows.append(k)
        }
        let shortfall: FailedCopyOrder.Reason = record.order.status == .rejected ? .noLiquidity : .slippageExceeded
        let execution = Execution(
            quantity: quantity, quote: quote, fee: fee, singlePrice: first && !record.mixedPrices ? record.singlePrice : nil,
            shortfall: shortfall)
        let (journalBefore, failedBefore) = (journal.count, failedOrders.count)
        allocateMerged(&ws, execution, leadFillID: requests.leadFillID, recordShortfall: first, at: moment)
        let step = venue.symbols[record.symbol].qtyStep.units
        let full = quantity.units / step == ws.plan.totalLots
        for (j, k) in rows.enumerated() { requests.allocatedLots[k] += full ? ws.plan.lots[j] : (j < ws.lots.count ? ws.lots[j] : 0) }
        swap(&ws, &workspace)
        requests.allocatedQuantity = record.order.filledQuantity
        requests.allocatedQuote = record.order.filledQuote
        requests.allocatedFee = record.order.fees
        venueBook.orders[k].copies = requests
        // The lead order whose fill this was counts the copy fills and failures it caused.
        if let id = requests.leadFillID, let order = leadOrderID(ofFill: id) {
            let counts = fanOutCounts(journalSince: journalBefore, failedSince: failedBefore)
            updateOrder(order) { o in
                o.copyFills += counts.copyFills
                o.failedCopyOrders += counts.failed
            }
        }
    }

    /// The placed lead order a venue lead fill id (`<client order id>/<execution id>`, or `/block`) belongs to.
    func leadOrderID(ofFill id: String) -> Int? {
        guard let slash = id.firstIndex(of: "/"), let record = venueBook.record(String(id[..<slash])) else { return nil }
        if case .lead(_, let order) = record.owner { return order }
        return record.block?.order
    }

    /// Once a lead's merged orders are final: settles the copies being stopped, checks stop loss and take profit,
    /// and copies the lead fills that waited, one merged order at a time.
    mutating func drainVenue(lead l: Int, at moment: Moment) {
        while (venueBook.openCopyOrders[l] ?? 0) == 0 {
            if let stops = venueBook.stopping[l], !stops.isEmpty {
                venueBook.stopping[l] = nil
                // Stops whose sells were final are settled; those asked meanwhile sell now (settled when those are).
                for stop in stops where !stop.queued { settleStops(lead: l, slots: stop.slots, reason: stop.reason, at: moment) }
                for stop in stops where stop.queued {
                    stopCopies(lead: l, slots: stop.slots.filter { leads[l].book.isActive($0) }, reason: stop.reason, at: moment)
                }
                continue
            }
            checkThresholds(lead: l, at: moment)
            if (venueBook.openCopyOrders[l] ?? 0) > 0 || !(venueBook.stopping[l]?.isEmpty ?? true) { continue }
            guard var queue = venueBook.queued[l], !queue.isEmpty else { return }
            let next = queue.removeFirst()
            venueBook.queued[l] = queue.isEmpty ? nil : queue
            guard leads[l].status == .active, leads[l].book.activeCount > 0 else { continue }
            var ws = FanOutWorkspace()
            swap(&ws, &workspace)
            if next.side == .buy {
                // Cannot throw for a ratio the lead's own fill already passed; a failure leaves the fill uncopied.
                if (try? planBuys(
                    lead: l, symbol: next.symbol, price: next.price, limit: next.limit,
                    target: .ratio(quote: next.a, leadEquity: next.b), slots: .allActive, event: moment.event,
                    workspace: &ws)) != nil
                {
                    executeMerged(&ws, limit: next.limit, leadFillID: next.leadFillID, at: moment)
                }
            } else {
                planSells(
                    lead: l, symbol: next.symbol, price: next.price, fraction: (next.a, next.b), slots: .allActive,
                    event: moment.event, workspace: &ws)
                executeMerged(&ws, limit: next.limit, leadFillID: next.leadFillID, at: moment)
            }
            swap(&ws, &workspace)
        }
    }
}

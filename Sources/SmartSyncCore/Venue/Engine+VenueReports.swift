// What an external venue answers, applied as commands: each report goes through the order's state machine; a
// lead fill is booked, a merged order allocated once it is final (DESIGN §3b).

extension Engine {
    // MARK: Reports

    /// Logs that the adapter sent an order (`new` → `sent`).
    public mutating func markVenueSent(_ clientOrderID: String, at moment: Moment) throws(EngineError) {
        guard let k = venueBook.positions[clientOrderID] else {
            throw EngineError(.unknownOrder, field: "clientOrderId", "no order \(clientOrderID) was logged")
        }
        do {
            try venueBook.orders[k].order.apply(.sent)
        } catch {
            throw EngineError(.invalidInput, field: "clientOrderId", error.detail)
        }
    }

    /// Applies what the venue said about an order. A report the order's state machine refuses (a fill after a
    /// final state or beyond the size, an execution seen before, an unknown client order id) is recorded in
    /// `venueBook.refusals`, never applied; only a report missing what its kind needs is an error.
    public mutating func applyVenueReport(_ report: VenueReport, at moment: Moment) throws(EngineError) {
        guard let k = venueBook.positions[report.clientOrderID] else {
            refuseReport(report, "unknownOrder", "no order with this client order id was sent", at: moment)
            return
        }
        // A cancel or expiry that says more executed (CumQty) than the fills applied so far waits for those fills:
        // they are on their way, and the order stays open (its copies locked) until they are in.
        if report.kind == .cancelled || report.kind == .expired, let cumulative = report.cumulativeQuantity,
            cumulative > venueBook.orders[k].order.filledQuantity, venueBook.orders[k].order.status.isWorking
        {
            venueBook.orders[k].pendingFinal = PendingFinal(kind: report.kind, cumulativeQuantity: cumulative, reason: report.reason)
            return
        }
        try applyReport(report, at: k, moment)
        if let pending = venueBook.orders[k].pendingFinal, venueBook.orders[k].order.filledQuantity >= pending.cumulativeQuantity {
            venueBook.orders[k].pendingFinal = nil
            try applyReport(
                VenueReport(clientOrderID: report.clientOrderID, kind: pending.kind, reason: pending.reason), at: k, moment)
        }
    }

    private mutating func applyReport(_ report: VenueReport, at k: Int, _ moment: Moment) throws(EngineError) {
        var record = venueBook.orders[k]
        let symbol = venue.symbols[record.symbol]
        let event: VenueOrder.Event
        var price = Fixed.zero
        var overcharge: (charged: Fixed, booked: Fixed)?
        switch report.kind {
        case .accepted: event = .accepted(venueOrderID: report.venueOrderID ?? "")
        case .rejected: event = .rejected(reason: report.reason ?? "no reason given")
        case .cancelled: event = .cancelled
        case .expired: event = .expired
        case .cancelRejected: event = .cancelRejected(reason: report.reason ?? "no reason given")
        case .fill:
            guard let id = report.executionID, !id.isEmpty else {
                throw EngineError(.invalidInput, field: "executionId", "a fill names the venue's execution id")
            }
            guard let quantity = report.quantity, let p = report.price else {
                throw EngineError(.invalidInput, field: report.quantity == nil ? "quantity" : "price", "a fill gives quantity and price")
            }
            guard quantity.isPositive, p.isPositive, quantity.isMultiple(of: symbol.qtyStep),
                let quote = symbol.quote(quantity: quantity, price: p), let total = try? record.order.filledQuote.adding(quote)
            else {
                refuseReport(
                    report, VenueOrderRefusal.Kind.invalidFill.rawValue,
                    "quantity \(quantity) at \(p) is not a positive multiple of qtyStep \(symbol.qtyStep) at a positive price",
                    at: moment)
                return
            }
            // The fee at the operator's rate: of the order's total so far, less what its earlier fills paid (Σ fees =
            // the fee of Σ quotes). What the order reserved and the copies' fee caps are computed at that rate.
            let atRate = Fixed.max(venue.fee(onQuote: total) - record.order.fees, .zero)
            var fee = atRate
            if let commission = report.commission {
                guard !commission.isNegative, commission <= quote else {
                    refuseReport(
                        report, VenueOrderRefusal.Kind.invalidFill.rawValue,
                        "commission \(commission) must be between 0 and the execution's \(quote) USDT", at: moment)
                    return
                }
                if commission <= atRate {
                    fee = commission
                } else {
                    overcharge = (commission, atRate)
                }
            }
            event = .fill(executionID: id, quantity: quantity, quote: quote, fee: fee)
            price = p
        }
        let wasFinal = record.order.status.isFinal
        // A fill after a copy order's final report is not given to copies that are no longer held for it.
        if case .fill = event, wasFinal, case .copies = record.owner, !record.order.executionIDs.contains(report.executionID ?? "") {
            refuseReport(
                report, "lateFill",
                "the venue reported an execution after it said the order was \(record.order.status.rawValue); the copies were released, so it is not allocated (reconcile it with the venue)",
                at: moment)
            return
        }
        do {
            try record.order.apply(event)
        } catch {
            // A resent report the order already reflects is the expected echo of a resend, not a problem.
            if report.possibleDuplicate != true { refuseReport(report, error.kind.rawValue, error.detail, at: moment) }
            return
        }
        if case .fill = event {
            if let single = record.singlePrice, single != price { record.mixedPrices = true }
            if record.singlePrice == nil && !record.mixedPrices { record.singlePrice = price }
        }
        // A lead order's fill is booked first: if the books cannot take it, the order is left as it was (the report
        // is refused and recorded; the venue may send it again).
        var leadTrade: (fill: LeadFill, trade: TradeRecord)?
        if case .lead(let l, _) = record.owner, case .fill(let id, let quantity, let quote, let fee) = event {
            let fill = LeadFill(
                id: "\(record.clientOrderID)/\(id)", lead: l, symbol: record.symbol, side: record.side,
                quantity: quantity, quote: quote, fee: fee, price: price, event: moment.event, time: moment.time)
            do {
                try applyLeadFill(fill, fanOut: true)
            } catch {
                refuseReport(report, "notBooked", "the lead fill could not be booked: \(error.message)", at: moment)
                return
            }
            let trade = TradeRecord(
                account: .lead(l), symbol: record.symbol, side: record.side, quantity: quantity, quote: quote, fee: fee,
                event: moment.event, time: moment.time)
            leadTrade = (fill, trade)
        }
        // A main account's fill is a manual trade on that account, booked the same way (never copied).
        var mainTrade: TradeRecord?
        if case .main(let u, _) = record.owner, case .fill(let id, let quantity, let quote, let fee) = event {
            do {
                try checkFunds(u: u, lead: nil, s: record.symbol, side: record.side, quantity: quantity, quote: quote, fee: fee)
                mainTrade = try settle(
                    Execution(quantity: quantity, quote: quote, fee: fee, singlePrice: price, shortfall: nil), user: u, lead: nil,
                    s: record.symbol, side: record.side, fillID: "\(record.clientOrderID)/\(id)", at: moment)
            } catch {
                refuseReport(report, "notBooked", "the main account's fill could not be booked: \(error.message)", at: moment)
                return
            }
        }
        venueBook.orders[k] = record
        if let overcharge {
            refuseReport(
                report, "commissionAboveRate",
                "the venue charged \(overcharge.charged) USDT for this execution, more than the \(overcharge.booked) at the taker fee rate; the fill was booked with \(overcharge.booked) (set takerFeeRate to at least the venue's rate)",
                at: moment)
        }
        let nowFinal = record.order.status.isFinal
        if nowFinal && !wasFinal { venueBook.openPositions.removeAll { $0 == k } }

        switch record.owner {
        case .lead(_, let orderID), .main(_, let orderID):
            if let leadTrade {
                updateOrder(orderID) { o in o.record(leadTrade.trade, leadFillID: leadTrade.fill.id, copyFills: 0, failed: 0) }
            }
            if let mainTrade { updateOrder(orderID) { o in o.record(mainTrade, leadFillID: nil, copyFills: 0, failed: 0) } }
            updateOrder(orderID) { o in
                switch record.order.status {
                case .new, .sent, .accepted: o.status = o.filledQuantity.isPositive ? .partiallyFilled : .accepted
                case .partiallyFilled: o.status = .partiallyFilled
                case .filled: o.status = .filled
                case .expired: o.status = .expired
                case .cancelled:
                    o.status = .cancelled
                    o.cancelReason = o.cancelReason ?? report.reason ?? "cancelled at the venue"
                case .rejected:
                    o.status = .cancelled
                    o.cancelReason = "rejected by the venue: \(record.order.rejectReason ?? "no reason given")"
                }
            }
        case .copies(let l):
            if nowFinal {
                allocateVenueCopies(k, at: moment)
                venueBook.orders[k].copies?.releaseRequests()
            }
            if nowFinal && !wasFinal {
                venueBook.openCopyOrders[l, default: 1] -= 1
                if venueBook.openCopyOrders[l] == 0 { venueBook.openCopyOrders[l] = nil }
                drainVenue(lead: l, at: moment)
            }
        }
    }

    private mutating func refuseReport(_ report: VenueReport, _ kind: String, _ detail: String, at moment: Moment) {
        venueBook.refusals.append(
            VenueRefusalRecord(event: moment.event, time: moment.time, clientOrderID: report.clientOrderID, kind: kind, detail: detail))
    }
}

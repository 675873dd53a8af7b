import SmartSyncCore
import Testing

/// The order state machine of DESIGN §3b: every state against every kind of report.
@Suite("Venue orders")
struct VenueOrderTests {
    typealias Status = VenueOrder.Status

    /// An order of 10 ETH brought to `status` by reports a venue could send (the cancel flag off).
    static func order(in status: Status) throws -> VenueOrder {
        var o = VenueOrder(clientOrderID: "L1-7", size: .quantity(Fixed(10)))
        let steps: [VenueOrder.Event]
        switch status {
        case .new: steps = []
        case .sent: steps = [.sent]
        case .accepted: steps = [.sent, .accepted(venueOrderID: "V1")]
        case .partiallyFilled: steps = [.sent, .accepted(venueOrderID: "V1"), fill("E1", 4)]
        case .filled: steps = [.sent, .accepted(venueOrderID: "V1"), fill("E1", 4), fill("E2", 6)]
        case .cancelled: steps = [.sent, .accepted(venueOrderID: "V1"), .cancelRequested, .cancelled]
        case .rejected: steps = [.sent, .rejected(reason: "unknown symbol")]
        case .expired: steps = [.sent, fill("E1", 3), .expired]
        }
        for step in steps { try o.apply(step) }
        #expect(o.status == status)
        return o
    }

    /// A fill of `quantity` ETH at 2,000 USDT with a 0.1% fee.
    static func fill(_ id: String, _ quantity: Int) -> VenueOrder.Event {
        .fill(executionID: id, quantity: Fixed(quantity), quote: Fixed(quantity * 2_000), fee: Fixed(quantity * 2))
    }

    /// The refusal's kind, or nil when the order took the event.
    static func refused(_ o: inout VenueOrder, _ event: VenueOrder.Event) -> VenueOrderRefusal.Kind? {
        do {
            try o.apply(event)
            return nil
        } catch { return error.kind }
    }

    /// Each kind of event, named, as it arrives for the order in each state.
    static let events: [(String, VenueOrder.Event)] = [
        ("sent", .sent), ("accepted", .accepted(venueOrderID: "V9")), ("rejected", .rejected(reason: "no")),
        ("fill", fill("E9", 1)), ("cancelRequested", .cancelRequested), ("cancelRejected", .cancelRejected(reason: "too late")),
        ("cancelled", .cancelled), ("expired", .expired),
    ]

    /// The whole table, written out by hand: the state each event leads to, or nil where it is refused.
    static let table: [Status: [String: Status]] = [
        .new: ["sent": .sent, "cancelled": .cancelled],
        .sent: [
            "accepted": .accepted, "rejected": .rejected, "fill": .partiallyFilled, "cancelRequested": .sent, "cancelled": .cancelled,
            "expired": .expired,
        ],
        .accepted: ["fill": .partiallyFilled, "cancelRequested": .accepted, "cancelled": .cancelled, "expired": .expired],
        .partiallyFilled: ["fill": .partiallyFilled, "cancelRequested": .partiallyFilled, "cancelled": .cancelled, "expired": .expired],
        // A trade report that trails the cancel or the expiry is counted; the order stays final.
        .filled: [:], .cancelled: ["fill": .cancelled], .rejected: [:], .expired: ["fill": .expired],
    ]

    @Test(arguments: Status.allCases)
    func everyEventInEveryState(_ status: Status) throws {
        for (name, event) in Self.events {
            var o = try Self.order(in: status)
            let before = o
            if let next = Self.table[status]?[name] {
                try o.apply(event)
                #expect(o.status == next, "\(status) + \(name)")
            } else {
                #expect(Self.refused(&o, event) == (status.isFinal ? .afterFinal : .illegalTransition), "\(status) + \(name)")
                #expect(o == before, "a refused \(name) changed the \(status) order")
            }
        }
    }

    @Test func aRefusalNamesTheOrderAndItsState() throws {
        var o = try Self.order(in: .filled)
        do {
            try o.apply(.cancelled)
            Issue.record("a filled order was cancelled")
        } catch {
            #expect(error.clientOrderID == "L1-7" && error.status == .filled && error.kind == .afterFinal)
            #expect(error.description == "order L1-7 (filled): afterFinal: the order is filled: no report can change it")
        }
    }

    @Test func aTradeReportAfterTheCancelIsCounted() throws {
        var o = try Self.order(in: .cancelled)
        try o.apply(Self.fill("E1", 4))
        #expect(o.status == .cancelled && o.filledQuantity == Fixed(4))
        #expect(Self.refused(&o, Self.fill("E1", 4)) == .duplicateExecution)
        #expect(Self.refused(&o, Self.fill("E2", 7)) == .overfill)
        try o.apply(Self.fill("E2", 6))
        #expect(o.status == .filled && o.remaining == .zero)
    }

    @Test func fillsAddUpAndTheLastOneFills() throws {
        var o = try Self.order(in: .accepted)
        try o.apply(Self.fill("E1", 2))
        try o.apply(Self.fill("E2", 3))
        #expect(o.status == .partiallyFilled && o.remaining == Fixed(5))
        try o.apply(Self.fill("E3", 5))
        #expect(o.status == .filled && o.filledQuantity == Fixed(10) && o.filledQuote == Fixed(20_000) && o.fees == Fixed(20))
        #expect(o.executionIDs == ["E1", "E2", "E3"] && o.remaining == .zero && o.venueOrderID == "V1")
    }

    @Test func anExecutionIsAppliedOnceEvenWhenResent() throws {
        var o = try Self.order(in: .partiallyFilled)
        let before = o
        #expect(Self.refused(&o, Self.fill("E1", 4)) == .duplicateExecution)
        #expect(o == before)
        // After the order is final, the same resent report is still recognised as a duplicate (a no-op), not an alarm.
        var done = try Self.order(in: .filled)
        #expect(Self.refused(&done, Self.fill("E2", 6)) == .duplicateExecution)
        #expect(Self.refused(&done, Self.fill("E7", 1)) == .afterFinal)
    }

    @Test func aFillBeyondTheOrderIsRefused() throws {
        var o = try Self.order(in: .partiallyFilled)
        let before = o
        #expect(Self.refused(&o, Self.fill("E2", 7)) == .overfill)
        do { try o.apply(Self.fill("E2", 7)) } catch { #expect(error.description.contains("executed 11 of 10")) }
        #expect(o == before)
        for bad: VenueOrder.Event in [
            .fill(executionID: "E3", quantity: .zero, quote: Fixed(1), fee: .zero),
            .fill(executionID: "E3", quantity: Fixed(1), quote: .zero, fee: .zero),
            .fill(executionID: "E3", quantity: Fixed(1), quote: Fixed(2_000), fee: Fixed(-1)),
        ] {
            #expect(Self.refused(&o, bad) == .invalidFill)
            #expect(o == before)
        }
    }

    /// A market buy by quote: done when the USDT asked for is spent, whatever quantity that bought.
    @Test func aBuyByQuoteIsDoneWhenItsUSDTIsSpent() throws {
        var o = VenueOrder(clientOrderID: "C1", size: .quote(Fixed(1_000)))
        let (q3, q2, q5, fee6, fee4) = (try Fixed("0.3"), try Fixed("0.2"), try Fixed("0.5"), try Fixed("0.6"), try Fixed("0.4"))
        try o.apply(.sent)
        try o.apply(.fill(executionID: "A", quantity: q3, quote: Fixed(600), fee: fee6))
        #expect(o.status == .partiallyFilled && o.remaining == Fixed(400))
        #expect(Self.refused(&o, .fill(executionID: "B", quantity: q3, quote: Fixed(600), fee: .zero)) == .overfill)
        try o.apply(.fill(executionID: "B", quantity: q2, quote: Fixed(400), fee: fee4))
        #expect(o.status == .filled && o.filledQuantity == q5 && o.fees == Fixed(1))
    }

    /// A cancel asked is a flag: the venue may still fill (the fill raced the cancel), refuse the cancel, or cancel.
    @Test func aCancelRequestIsAFlagTheVenueAnswers() throws {
        var o = try Self.order(in: .accepted)
        try o.apply(.cancelRequested)
        #expect(o.cancelRequested)
        #expect(Self.refused(&o, .cancelRequested) == .illegalTransition)
        try o.apply(Self.fill("E1", 4))
        #expect(o.status == .partiallyFilled && o.cancelRequested)
        try o.apply(.cancelRejected(reason: "too late to cancel"))
        #expect(!o.cancelRequested && o.status == .partiallyFilled)
        try o.apply(.cancelRequested)
        try o.apply(.cancelled)
        #expect(o.status == .cancelled && !o.cancelRequested && o.remaining == Fixed(6))
        // A fill racing a cancel that completes the order ends the request too.
        var p = try Self.order(in: .partiallyFilled)
        try p.apply(.cancelRequested)
        try p.apply(Self.fill("E2", 6))
        #expect(p.status == .filled && !p.cancelRequested)
    }
}

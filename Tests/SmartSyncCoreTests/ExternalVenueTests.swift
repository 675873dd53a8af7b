import Foundation
import SmartSyncCore
import Testing

/// The engine trading at an external venue (DESIGN §3b): orders are logged as intents, the venue's answers arrive
/// as commands, lead orders reserve what they may spend, the copies' merged order is allocated exactly when it is
/// final, and nothing else changes a lead's copies while one is in flight. Golden numbers are worked by hand in
/// the comments (fee 0.1%, slippage limit 0.5%, BTC-USDT step 0.00001 = one lot).
@Suite struct ExternalVenueTests {
    /// A lead with 10,000 USDT, alice copying with 1,000 and bob with 3,000, at an external venue.
    static func market() throws -> Sim {
        var sim = try Sim()
        try sim.lead("lead", portfolio: "10000", deposit: "20000")
        try sim.copy("alice", of: "lead", investment: "1000")
        try sim.copy("bob", of: "lead", investment: "3000")
        try sim.engine.execute(.venueMode(.external), at: sim.next())
        return sim
    }

    static func report(
        _ sim: inout Sim, _ id: String, _ kind: VenueReport.Kind, exec: String? = nil, qty: String? = nil,
        px: String? = nil, reason: String? = nil, commission: String? = nil
    ) throws {
        try sim.engine.execute(
            .venueReport(
                VenueReport(
                    clientOrderID: id, kind: kind, venueOrderID: "V-\(id)", executionID: exec, quantity: qty.map(fx),
                    price: px.map(fx), reason: reason, commission: commission.map(fx))),
            at: sim.next())
    }

    /// Sends, accepts and fills one order whole at one price.
    static func fillWhole(_ sim: inout Sim, _ id: String, qty: String, px: String) throws {
        try sim.engine.execute(.venueSent(clientOrderID: id), at: sim.next())
        try report(&sim, id, .accepted)
        try report(&sim, id, .fill, exec: "1", qty: qty, px: px)
    }

    @Test func aLeadOrderIsAnIntentUntilTheVenueFillsIt() throws {
        var sim = try Self.market()
        let placed = try sim.buy("lead", quantity: "0.02", limit: "50000")
        #expect(placed.trades.isEmpty)
        // Logged, not sent: the adapter's outbox. 0.02 × 50,000 = 1,000 USDT + 1 USDT fee is held back.
        let intent = try #require(sim.engine.venueBook.outbox.first)
        #expect(intent.clientOrderID == "SS-1" && intent.order.status == .new && intent.reserved == fx("1001"))
        #expect(sim.engine.leads[0].cash == fx("10000") && sim.engine.leadFills.isEmpty)
        try Self.fillWhole(&sim, "SS-1", qty: "0.02", px: "50000")
        #expect(sim.engine.venueBook.record("SS-1")?.order.status == .filled)
        #expect(sim.engine.order(id: placed.orderID)?.status == .filled)
        #expect(sim.engine.leadFills.map(\.id) == ["SS-1/1"])
        #expect(sim.engine.leads[0].cash == fx("8999"))
        // The lead spent 1,000 of 10,000: alice's copy asks 100 USDT = 0.002 BTC (200 lots), bob's 0.006 (600), as
        // one immediate-or-cancel order at the slippage limit 50,000 × 1.005 = 50,250.
        let merged = try #require(sim.engine.venueBook.record("SS-2"))
        #expect(merged.order.size == .quantity(fx("0.008")) && merged.immediateOrCancel && merged.limitPrice == fx("50250"))
        #expect(merged.copies?.lots == [200, 600] && merged.copies?.leadFillID == "SS-1/1")
        // Nothing allocated yet.
        #expect(try sim.cash("alice") == fx("1000") && sim.lots("alice") == 0)
    }

    /// A venue fills the copies' merged order (800 lots: alice 200, bob 600) at one price off the lots' grid,
    /// 50,000.123456: a lot is worth 0.00001 × 50,000.123456 = 0.50000123456 USDT, 0.50000123 rounded down, and 800 of
    /// those (400.000984) are less than the venue's quote 0.008 × 50,000.123456 = 400.000987648 (400.00098764 rounded
    /// down). So the quote is split pro rata instead: alice 1/4 = 100.00024691, bob 3/4 = 300.00074073, exactly the
    /// venue's quote in all.
    @Test func aSinglePriceOffTheLotsGridIsSplitProRata() throws {
        var sim = try Self.market()
        try sim.buy("lead", quantity: "0.02", limit: "50000")
        try Self.fillWhole(&sim, "SS-1", qty: "0.02", px: "50000")
        try Self.fillWhole(&sim, "SS-2", qty: "0.008", px: "50000.123456")
        let batch = try #require(sim.batches.last)
        #expect(batch.lots == [200, 600])
        #expect(batch.quote == [fx("100.00024691").units, fx("300.00074073").units])
        #expect(sim.engine.venueBook.record("SS-2")?.order.filledQuote == fx("400.00098764"))
        #expect(sim.engine.audit().problems.isEmpty)
    }

    @Test func aMergedOrderFilledInTwoPartsIsAllocatedAtOneAveragePrice() throws {
        var sim = try Self.market()
        try sim.buy("lead", quantity: "0.02", limit: "50000")
        try Self.fillWhole(&sim, "SS-1", qty: "0.02", px: "50000")
        try sim.engine.execute(.venueSent(clientOrderID: "SS-2"), at: sim.next())
        try Self.report(&sim, "SS-2", .accepted)
        // While it is in flight (DESIGN §3b): money comes into a copy at once; what goes out is the cash not held for
        // its request (bob's 600 lots at the 50,250 limit: 301.5 + 0.3015 fee); a stop is queued until the order is
        // final; a new copy of this lead waits.
        try sim.engine.deposit(user: "user-bob", amount: fx("100"), at: sim.next())
        try sim.engine.adjustInvestment(copy: "bob", delta: fx("100"), at: sim.next())
        #expect(try sim.cash("bob") == fx("3100"))
        let out = refusal { try sim.engine.adjustInvestment(copy: "bob", delta: fx("-2799"), at: sim.next()) }
        #expect(out?.code == .insufficientFunds && out?.field == "delta" && out?.message.contains("301.8015 USDT held") == true)
        try sim.engine.stopCopy("alice", at: sim.next())
        #expect(sim.engine.venueBook.stopping[0]?.first?.queued == true)
        #expect(refusal { try sim.engine.stopCopy("alice", at: sim.next()) }?.code == .orderInFlight)
        #expect(refusal { try sim.engine.adjustInvestment(copy: "alice", delta: fx("10"), at: sim.next()) }?.code == .orderInFlight)
        try sim.user("carol", deposit: "500")
        let late = refusal {
            try sim.engine.startCopy(
                StartCopyRequest(copyID: "carol-1", user: "carol", lead: "lead", investment: fx("500")), at: sim.next())
        }
        #expect(late?.code == .orderInFlight && late?.field == "lead")
        // 0.003 at 50,010 (150.03 USDT, fee 0.15003) then 0.005 at 50,020 (250.10 USDT): 400.13 USDT in all, fee
        // 0.40013 (the fee of the total, so the second report pays 0.2501).
        try Self.report(&sim, "SS-2", .fill, exec: "7", qty: "0.003", px: "50010")
        #expect(try sim.lots("alice") == 0)
        try Self.report(&sim, "SS-2", .fill, exec: "8", qty: "0.005", px: "50020")
        let merged = try #require(sim.engine.venueBook.record("SS-2"))
        #expect(merged.order.status == .filled && merged.order.filledQuote == fx("400.13") && merged.order.fees == fx("0.40013"))
        // Pro rata 200 : 600 lots: alice 100.0325 USDT + 0.1000325 fee, bob 300.0975 + 0.3000975; both at
        // 50,016.25 on average.
        #expect(try sim.lots("alice") == 200 && sim.lots("bob") == 600)
        #expect(try sim.cash("alice") == fx("899.8674675"))
        #expect(try sim.cash("bob") == fx("2799.6024025"))
        let batch = try #require(sim.engine.journal.last.flatMap { if case .copyFills(let b) = $0 { return b } else { return nil } })
        #expect(batch.quote == [10_003_250_000, 30_009_750_000] && batch.fee == [10_003_250, 30_009_750])
        #expect(batch.price == fx("50016.25") && batch.leadFillID == "SS-1/1")
        #expect(sim.engine.audit().balanced)
        // The order is final: alice's queued stop sells her 200 lots now, and she is settled when that sell is.
        let sell = try #require(sim.engine.venueBook.record("SS-3"))
        #expect(sell.side == .sell && sell.copies?.lots == [200] && sim.engine.venueBook.stopping[0]?.first?.queued == false)
        try sim.engine.adjustInvestment(copy: "bob", delta: fx("-100"), at: sim.next())
        try Self.fillWhole(&sim, "SS-3", qty: "0.002", px: "50000")
        #expect(sim.engine.row(of: try sim.ref("alice")).status == .stopped && !sim.engine.venueBook.isBusy(lead: 0))
        #expect(sim.engine.audit().balanced)
    }

    @Test func anImmediateOrCancelRestGivesEveryCopyTheSameFraction() throws {
        var sim = try Self.market()
        try sim.buy("lead", quantity: "0.02", limit: "50000")
        try Self.fillWhole(&sim, "SS-1", qty: "0.02", px: "50000")
        try sim.engine.execute(.venueSent(clientOrderID: "SS-2"), at: sim.next())
        // 0.005 of 0.008 executes (5/8), the rest expires: alice 125 of 200 lots, bob 375 of 600.
        try Self.report(&sim, "SS-2", .fill, exec: "1", qty: "0.005", px: "50000")
        #expect(try sim.lots("alice") == 0)
        try Self.report(&sim, "SS-2", .expired)
        #expect(try sim.lots("alice") == 125 && sim.lots("bob") == 375)
        // 250 USDT at one price: exact products, 62.5 and 187.5, fees 0.0625 and 0.1875.
        #expect(try sim.cash("alice") == fx("937.4375") && sim.cash("bob") == fx("2812.3125"))
        // What did not execute is a failed copy order of each copy (75 and 225 lots at 50,000: 37.5 and 112.5 USDT).
        let failed = sim.engine.failedOrders.filter { $0.reason == .slippageExceeded }
        #expect(failed.map(\.notional) == [fx("37.5"), fx("112.5")])
        #expect(sim.engine.audit().balanced)
    }

    @Test func aRejectedCopyOrderChangesNoCopyAndIsRecordedAsFailed() throws {
        var sim = try Self.market()
        try sim.buy("lead", quantity: "0.02", limit: "50000")
        try Self.fillWhole(&sim, "SS-1", qty: "0.02", px: "50000")
        try sim.engine.execute(.venueSent(clientOrderID: "SS-2"), at: sim.next())
        try Self.report(&sim, "SS-2", .rejected, reason: "market closed")
        #expect(try sim.cash("alice") == fx("1000") && sim.cash("bob") == fx("3000"))
        #expect(sim.engine.failedOrders.map(\.reason) == [.noLiquidity, .noLiquidity])
        #expect(!sim.engine.venueBook.isBusy(lead: 0))
        #expect(sim.engine.audit().balanced)
    }

    @Test func reportsTheStateMachineRefusesAreRecordedNotApplied() throws {
        var sim = try Self.market()
        try sim.buy("lead", quantity: "0.02", limit: "50000")
        try Self.fillWhole(&sim, "SS-1", qty: "0.02", px: "50000")
        let cash = sim.engine.leads[0].cash
        // The same execution again (a resent report), more than the order, an id never sent, an odd quantity.
        try Self.report(&sim, "SS-1", .fill, exec: "1", qty: "0.02", px: "50000")
        try Self.report(&sim, "SS-2", .fill, exec: "1", qty: "0.009", px: "50000")
        try Self.report(&sim, "SS-99", .fill, exec: "1", qty: "0.001", px: "50000")
        try Self.report(&sim, "SS-2", .fill, exec: "2", qty: "0.0000001", px: "50000")
        #expect(sim.engine.venueBook.refusals.map(\.kind) == ["duplicateExecution", "illegalTransition", "unknownOrder", "invalidFill"])
        #expect(sim.engine.leads[0].cash == cash && sim.engine.leadFills.count == 1)
        // A fill without its execution id is not a report at all.
        #expect(throws: EngineError.self) { try Self.report(&sim, "SS-1", .fill, qty: "0.001", px: "50000") }
    }

    @Test func aLeadOrderHoldsBackWhatItMaySpendUntilItIsFinal() throws {
        var sim = try Self.market()
        // 0.1 BTC at 50,000 may cost 5,000 + 5 USDT: 4,995 of the 10,000 stay free.
        let first = try sim.buy("lead", quantity: "0.1", limit: "50000")
        do {
            try sim.buy("lead", quantity: "0.1", limit: "50000")
            Issue.record("a second order spent money the first holds")
        } catch {
            #expect((error as? EngineError)?.code == .insufficientFunds)
        }
        #expect(throws: EngineError.self) { try sim.engine.transfer(user: "lead", amount: fx("5000"), .portfolioToMain, at: sim.next()) }
        // A market buy at a venue needs a known cost.
        #expect(throws: EngineError.self) { try sim.buy("lead", quantity: "0.01") }
        // Selling what an open sell holds back is refused too.
        try Self.fillWhole(&sim, "SS-1", qty: "0.1", px: "50000")
        try sim.engine.execute(.venueSent(clientOrderID: "SS-2"), at: sim.next())
        try Self.report(&sim, "SS-2", .expired)
        try sim.sell("lead", quantity: "0.06", limit: "51000")
        #expect(throws: EngineError.self) { try sim.sell("lead", quantity: "0.05", limit: "51000") }
        // Cancelling a sent order is a request; the venue's answer releases the rest.
        try sim.engine.execute(.venueSent(clientOrderID: "SS-3"), at: sim.next())
        try sim.engine.cancelOrder(user: "lead", orderID: first.orderID + 1)
        #expect(sim.engine.venueBook.cancelsToSend.map(\.clientOrderID) == ["SS-3"])
        try Self.report(&sim, "SS-3", .cancelled)
        #expect(sim.engine.order(id: first.orderID + 1)?.status == .cancelled)
        try sim.sell("lead", quantity: "0.1", limit: "51000")
    }

    @Test func aLeadFillDuringACopyOrderIsCopiedWhenThatOrderIsDone() throws {
        var sim = try Self.market()
        try sim.buy("lead", quantity: "0.04", limit: "50000")
        try sim.engine.execute(.venueSent(clientOrderID: "SS-1"), at: sim.next())
        try Self.report(&sim, "SS-1", .fill, exec: "1", qty: "0.02", px: "50000")
        #expect(sim.engine.venueBook.record("SS-2") != nil)
        // The lead's second part fills while the copies' first order is in flight: its copies wait.
        try Self.report(&sim, "SS-1", .fill, exec: "2", qty: "0.02", px: "50000")
        #expect(sim.engine.venueBook.record("SS-3") == nil && sim.engine.venueBook.isBusy(lead: 0))
        try sim.engine.execute(.venueSent(clientOrderID: "SS-2"), at: sim.next())
        try Self.report(&sim, "SS-2", .fill, exec: "1", qty: "0.008", px: "50000")
        // Now the second lead fill is copied at the ratio it had: 1,000 USDT of the lead's 9,999 equity at the fill
        // (8,999 cash + 0.02 BTC); alice's equity is 999.9 (899.9 + 0.002 BTC), so she asks 100 USDT = 200 lots.
        let second = try #require(sim.engine.venueBook.record("SS-3"))
        #expect(second.copies?.leadFillID == "SS-1/2" && second.copies?.lots.first == 200)
        try sim.engine.execute(.venueSent(clientOrderID: "SS-3"), at: sim.next())
        try Self.report(&sim, "SS-3", .fill, exec: "1", qty: second.order.remaining.description, px: "50000")
        #expect(try sim.lots("alice") == 400)
        #expect(!sim.engine.venueBook.isBusy(lead: 0) && sim.engine.audit().balanced)
        // The lead order counts the copy fills its two fills caused.
        #expect(sim.engine.order(id: 1)?.copyFills == 4)
    }

    @Test func aStoppedCopyIsSettledWhenItsSellIsFinal() throws {
        var sim = try Self.market()
        try sim.buy("lead", quantity: "0.02", limit: "50000")
        try Self.fillWhole(&sim, "SS-1", qty: "0.02", px: "50000")
        try Self.fillWhole(&sim, "SS-2", qty: "0.008", px: "50000")
        // alice holds 0.002 BTC and 899.9 USDT (1,000 − 100 − 0.1 fee). Stopping sells it at the venue first.
        try sim.engine.stopCopy("alice", at: sim.next())
        let sell = try #require(sim.engine.venueBook.record("SS-3"))
        #expect(sell.side == .sell && sell.order.size == .quantity(fx("0.002")) && sell.limitPrice == fx("49750"))
        #expect(sim.engine.row(of: try sim.ref("alice")).status == .active)
        // 0.002 at 50,100: 100.2 USDT less 0.1002 fee = 100.0998, against a cost of 100.1 (a 0.0002 loss, so no
        // profit share): alice's main account gets 899.9 + 100.0998.
        try Self.fillWhole(&sim, "SS-3", qty: "0.002", px: "50100")
        let slot = try sim.ref("alice").slot
        #expect(sim.engine.leads[0].book[slot].status == .stopped)
        #expect(sim.engine.users[sim.engine.user(named: "user-alice")!].cash == fx("999.9998"))
        #expect(sim.engine.audit().balanced)
    }

    @Test func theVenueBookSurvivesASnapshot() throws {
        var sim = try Self.market()
        try sim.buy("lead", quantity: "0.04", limit: "50000")
        try sim.engine.execute(.venueSent(clientOrderID: "SS-1"), at: sim.next())
        try Self.report(&sim, "SS-1", .fill, exec: "1", qty: "0.02", px: "50000")
        try Self.report(&sim, "SS-1", .fill, exec: "2", qty: "0.01", px: "50010")
        try Self.report(&sim, "SS-99", .expired)
        let bytes = sim.engine.snapshotBytes()
        var restored = try Engine(snapshot: bytes)
        #expect(restored.venueBook == sim.engine.venueBook)
        #expect(restored.snapshotBytes() == bytes)
        // The restored engine goes on exactly as the original does.
        var next = sim
        next.engine = restored
        try Self.fillWhole(&sim, "SS-2", qty: "0.008", px: "50000")
        try Self.fillWhole(&next, "SS-2", qty: "0.008", px: "50000")
        restored = next.engine
        #expect(restored.snapshotBytes() == sim.engine.snapshotBytes())
        // A venue with open orders cannot be switched away from.
        #expect(throws: EngineError.self) { try sim.engine.setVenueMode(.simulated) }
    }

    @Test func aDatabasesOrderIDPrefixStartsItsClientOrderIDsAndSurvivesASnapshot() throws {
        var sim = try Self.market()
        // A bad prefix is refused, naming the field, and changes nothing.
        for bad in ["", "ab-12", "é", String(repeating: "a", count: 17)] {
            #expect(throws: EngineError.self) { try sim.engine.execute(.venueMode(.external, orderIDPrefix: bad), at: sim.next()) }
        }
        let refusal = #expect(throws: EngineError.self) {
            try sim.engine.execute(.venueMode(.external, orderIDPrefix: "ab-12"), at: sim.next())
        }
        #expect(refusal?.field == "orderIdPrefix")
        #expect(sim.engine.venueBook.orderIDPrefix == "")
        try sim.engine.execute(.venueMode(.external, orderIDPrefix: "1f0c9a2e"), at: sim.next())
        try sim.buy("lead", quantity: "0.02", limit: "50000")
        #expect(sim.engine.venueBook.outbox.map(\.clientOrderID) == ["1f0c9a2e-SS-1"])
        try Self.fillWhole(&sim, "1f0c9a2e-SS-1", qty: "0.02", px: "50000")
        #expect(sim.engine.venueBook.record("1f0c9a2e-SS-2")?.copies?.lots == [200, 600])
        // A report under the unprefixed id is about no order of this database: refused, not applied.
        try Self.report(&sim, "SS-2", .fill, exec: "1", qty: "0.008", px: "50000")
        #expect(sim.engine.venueBook.refusals.last?.kind == "unknownOrder")
        // The prefix is part of the state a snapshot keeps, and a changed prefix waits until no order is open.
        let restored = try Engine(snapshot: sim.engine.snapshotBytes())
        #expect(restored.venueBook.orderIDPrefix == "1f0c9a2e" && restored.snapshotBytes() == sim.engine.snapshotBytes())
        #expect(throws: EngineError.self) { try sim.engine.execute(.venueMode(.external, orderIDPrefix: "77"), at: sim.next()) }
        // The command keeps its stored form: one from before prefixes decodes with none.
        let old = try JSONDecoder().decode(EngineCommand.self, from: Data(#"{"venueMode":{"_0":"external"}}"#.utf8))
        #expect(old == .venueMode(.external))
        let new = try JSONEncoder().encode(EngineCommand.venueMode(.external, orderIDPrefix: "1f0c9a2e"))
        #expect(try JSONDecoder().decode(EngineCommand.self, from: new) == .venueMode(.external, orderIDPrefix: "1f0c9a2e"))
    }

    @Test func theVenuesCommissionIsBookedAsTheFeeWhenAtMostTheRate() throws {
        var sim = try Self.market()
        try sim.buy("lead", quantity: "0.02", limit: "50000")
        try sim.engine.execute(.venueSent(clientOrderID: "SS-1"), at: sim.next())
        // A commission below zero or above the execution is no fill: refused, not applied.
        try Self.report(&sim, "SS-1", .fill, exec: "0", qty: "0.02", px: "50000", commission: "-0.01")
        #expect(sim.engine.venueBook.refusals.last?.kind == "invalidFill" && sim.engine.leadFills.isEmpty)
        // The venue charged 0.75 USDT on 1,000 (0.075%, below the 0.1% rate): the lead pays 0.75, not 1.
        try Self.report(&sim, "SS-1", .fill, exec: "1", qty: "0.02", px: "50000", commission: "0.75")
        #expect(sim.engine.leads[0].cash == fx("8999.25") && sim.engine.leadFills.first?.fee == fx("0.75"))
        // The copies' merged order (0.008 at 50,250: alice 200 lots, bob 600) fills at 50,000 = 400 USDT and the
        // venue charges 0.3: split by quote, alice 100 → 0.075, bob 300 → 0.225 (each under its 0.1 / 0.3 cap).
        try sim.engine.execute(.venueSent(clientOrderID: "SS-2"), at: sim.next())
        try Self.report(&sim, "SS-2", .fill, exec: "1", qty: "0.008", px: "50000", commission: "0.3")
        #expect(try sim.cash("alice") == fx("899.925") && sim.cash("bob") == fx("2699.775"))
        #expect(sim.engine.venueBook.refusals.count == 1 && sim.engine.audit().problems.isEmpty)
        // Above the rate (2 USDT on a 500 USDT sale, where the rate's fee is 0.5): the fee at the rate is booked, so
        // nothing exceeds what was reserved, and the difference is recorded for the operator.
        try sim.sell("lead", quantity: "0.01", limit: "50000")
        try sim.engine.execute(.venueSent(clientOrderID: "SS-3"), at: sim.next())
        try Self.report(&sim, "SS-3", .fill, exec: "1", qty: "0.01", px: "50000", commission: "2")
        #expect(sim.engine.leadFills.last?.fee == fx("0.5") && sim.engine.leads[0].cash == fx("9498.75"))
        let note = try #require(sim.engine.venueBook.refusals.last)
        #expect(note.kind == "commissionAboveRate" && note.clientOrderID == "SS-3" && note.detail.contains("2 USDT"))
        #expect(sim.engine.audit().problems.isEmpty)
    }

    @Test func aMainAccountsManualOrderGoesToTheVenueAndHoldsBackWhatItMaySpend() throws {
        var sim = try Self.market()
        try sim.user("carol", deposit: "1000")
        // A buy of 0.01 BTC at 50,000 = 500 USDT + 0.5 fee is held back from carol's 1,000: 499.5 remain to use.
        let placed = try sim.buy("carol", quantity: "0.01", limit: "50000", account: .main)
        let intent = try #require(sim.engine.venueBook.outbox.first)
        #expect(intent.clientOrderID == "SS-1" && intent.reserved == fx("500.5"))
        #expect(sim.engine.order(id: placed.orderID)?.account == .main && sim.engine.order(id: placed.orderID)?.status == .accepted)
        // What it holds back is not there for anything else: a second such buy, a withdrawal, a copy.
        let second = refusal { try sim.buy("carol", quantity: "0.01", limit: "50000", account: .main) }
        #expect(second?.code == .insufficientFunds && second?.message.contains("499.5 USDT not held by open orders") == true)
        let withdrawal = refusal { try sim.engine.withdraw(user: "carol", amount: fx("500"), at: sim.next()) }
        #expect(withdrawal?.field == "amount" && withdrawal?.message.contains("500.5 USDT more is held") == true)
        let copy = refusal {
            try sim.engine.startCopy(
                StartCopyRequest(copyID: "carol-1", user: "carol", lead: "lead", investment: fx("500")), at: sim.next())
        }
        #expect(copy?.field == "investment")
        // The venue fills it at 49,900: 499 USDT + 0.499 fee; a manual trade on carol's main account, never copied.
        try Self.fillWhole(&sim, "SS-1", qty: "0.01", px: "49900")
        #expect(try sim.mainBalance("carol") == fx("500.501") && sim.mainBalance("carol", "BTC") == fx("0.01"))
        #expect(sim.engine.leadFills.isEmpty && sim.engine.venueBook.open.isEmpty)
        let order = try #require(sim.engine.order(id: placed.orderID))
        #expect(order.status == .filled && order.filledQuote == fx("499") && order.fees == fx("0.499"))
        // A sell holds back the quantity; cancelling asks the venue, whose answer releases it.
        let sale = try sim.sell("carol", quantity: "0.01", limit: "60000", account: .main)
        #expect(refusal { try sim.sell("carol", quantity: "0.01", limit: "60000", account: .main) }?.code == .insufficientFunds)
        try sim.engine.execute(.venueSent(clientOrderID: "SS-2"), at: sim.next())
        try sim.engine.execute(.cancelOrder(user: "carol", orderID: sale.orderID), at: sim.next())
        #expect(sim.engine.venueBook.record("SS-2")?.order.cancelRequested == true)
        try Self.report(&sim, "SS-2", .cancelled)
        #expect(sim.engine.order(id: sale.orderID)?.status == .cancelled)
        try sim.sell("carol", quantity: "0.01", limit: "60000", account: .main)
        #expect(sim.engine.audit().problems.isEmpty)
    }

    @Test func aBlockOrderAtTheVenueIsOneOrderAllocatedToTheLeadAndItsCopiesWhenFinal() throws {
        var sim = try Self.market()
        try sim.engine.execute(.executionMode(lead: "lead", .block), at: sim.next())
        // The lead buys for 1,000 USDT of its 10,000 at the mark 50,000: 0.02 BTC (2,000 lots); at the ratio 0.1 alice
        // asks 100 USDT = 200 lots and bob 600. One order of 0.028 BTC, immediate-or-cancel at 50,000 × 1.005.
        let placed = try sim.buy("lead", quote: "1000")
        let record = try #require(sim.engine.venueBook.outbox.first)
        #expect(sim.engine.venueBook.outbox.count == 1 && record.order.size == .quantity(fx("0.028")))
        #expect(record.immediateOrCancel && record.limitPrice == fx("50250") && record.copies?.lots == [200, 600])
        // The lead's part holds back 0.02 × 50,250 = 1,005 + 1.005 fee; the copies' 402 + 0.402.
        #expect(record.block?.lots == 2000 && record.block?.reserved == fx("1006.005") && record.reserved == fx("1408.407"))
        #expect(sim.engine.order(id: placed.orderID)?.status == .accepted && sim.engine.leadFills.isEmpty)
        let transfer = refusal { try sim.engine.transfer(user: "lead", amount: fx("9000"), .portfolioToMain, at: sim.next()) }
        #expect(transfer?.message.contains("1006.005 USDT held by open orders") == true)
        // alice's 200 lots at 50,250 hold 100.5 + 0.1005 of her 1,000: 899.3995 may go out, not 899.5.
        #expect(refusal { try sim.engine.adjustInvestment(copy: "alice", delta: fx("-899.5"), at: sim.next()) }?.code == .insufficientFunds)
        // The state in flight survives a snapshot byte for byte.
        #expect(try Engine(snapshot: sim.engine.snapshotBytes()).snapshotBytes() == sim.engine.snapshotBytes())
        // The venue fills it whole at 50,000: 1,400 USDT and a 1.4 fee. The lead's share is its 2,000 lots for exactly
        // 1,000 USDT; the copies' part of the fee is ⌊1.4 × 400 / 1,400⌋ = 0.4, the lead's the rest, 1.
        try Self.fillWhole(&sim, "SS-1", qty: "0.028", px: "50000")
        #expect(sim.engine.leads[0].cash == fx("8999") && sim.engine.leadFills.map(\.id) == ["SS-1/block"])
        let order = try #require(sim.engine.order(id: placed.orderID))
        #expect(order.status == .filled && order.filledQuote == fx("1000") && order.fees == fx("1") && order.copyFills == 2)
        // alice 200 lots for 100 + 0.1; bob 600 for 300 + 0.3, at the same average price as the lead.
        #expect(try sim.cash("alice") == fx("899.9") && sim.lots("alice") == 200)
        #expect(try sim.cash("bob") == fx("2699.7") && sim.lots("bob") == 600)
        #expect(!sim.engine.venueBook.isBusy(lead: 0) && sim.engine.audit().problems.isEmpty)
        // A block order's limit orders follow: a limit buy is the lead's own order, copied when it fills.
        try sim.buy("lead", quantity: "0.001", limit: "49000")
        #expect(sim.engine.venueBook.outbox.last?.block == nil && sim.engine.venueBook.outbox.last?.immediateOrCancel == false)
    }

    @Test func aPartlyExecutedBlockOrderGivesTheLeadAndEveryCopyTheSameFraction() throws {
        var sim = try Self.market()
        try sim.engine.execute(.executionMode(lead: "lead", .block), at: sim.next())
        let placed = try sim.buy("lead", quote: "1000")
        // Half of the 2,800 lots execute at 50,000 (700 USDT, fee 0.7), the rest expires: 1,000 / 100 / 300 lots.
        try sim.engine.execute(.venueSent(clientOrderID: "SS-1"), at: sim.next())
        try Self.report(&sim, "SS-1", .fill, exec: "1", qty: "0.014", px: "50000")
        #expect(sim.engine.leadFills.isEmpty)
        try Self.report(&sim, "SS-1", .expired)
        // The lead: 500 USDT and the fee's rest, 0.7 − ⌊0.7 × 200 / 700⌋ = 0.5; its order expired with half filled.
        #expect(sim.engine.leads[0].cash == fx("9499.5"))
        let order = try #require(sim.engine.order(id: placed.orderID))
        #expect(order.status == .expired && order.filledQuantity == fx("0.01"))
        #expect(try sim.cash("alice") == fx("949.95") && sim.lots("alice") == 100)
        #expect(try sim.cash("bob") == fx("2849.85") && sim.lots("bob") == 300)
        // Each copy's unexecuted half is a failed copy order.
        #expect(try sim.failures("alice").map(\.reason) == [.slippageExceeded] && sim.failures("bob").count == 1)
        #expect(sim.engine.audit().problems.isEmpty)
    }

    @Test func anEndThatOvertakesItsFillsWaitsForThem() throws {
        var sim = try Self.market()
        try sim.buy("lead", quantity: "0.02", limit: "50000")
        try Self.fillWhole(&sim, "SS-1", qty: "0.02", px: "50000")
        try sim.engine.execute(.venueSent(clientOrderID: "SS-2"), at: sim.next())
        // The venue's "expired, 0.005 executed" arrives before the fill it counts: the order stays open.
        try sim.engine.execute(
            .venueReport(VenueReport(clientOrderID: "SS-2", kind: .expired, cumulativeQuantity: fx("0.005"))), at: sim.next())
        #expect(sim.engine.venueBook.record("SS-2")?.order.status == .sent && sim.engine.venueBook.isBusy(lead: 0))
        try Self.report(&sim, "SS-2", .fill, exec: "1", qty: "0.005", px: "50000")
        #expect(sim.engine.venueBook.record("SS-2")?.order.status == .expired && !sim.engine.venueBook.isBusy(lead: 0))
        #expect(try sim.lots("alice") == 125 && sim.lots("bob") == 375)
        // A fill the venue reports after the end is not given to the copies (they were released): it is recorded.
        try Self.report(&sim, "SS-2", .fill, exec: "2", qty: "0.001", px: "50000")
        #expect(try sim.lots("alice") == 125 && sim.engine.venueBook.refusals.map(\.kind) == ["lateFill"])
        #expect(sim.engine.audit().balanced)
    }

    @Test func aLeadFillTheBooksCannotTakeLeavesTheOrderAsItWas() throws {
        var sim = try Self.market()
        // 0.1995 BTC at 50,000 holds 9,975 + 9.975 of the lead's 10,000; then the fee rate goes up to 1%.
        try sim.buy("lead", quantity: "0.1995", limit: "50000")
        try sim.engine.execute(
            .updateSettings(takerFeeRate: fx("0.01"), minInvestment: nil, maxActiveCopiesPerFollower: nil, defaultFollowerLimit: nil),
            at: sim.next())
        try sim.engine.execute(.venueSent(clientOrderID: "SS-1"), at: sim.next())
        try Self.report(&sim, "SS-1", .fill, exec: "1", qty: "0.1995", px: "50000")
        // 9,975 + 99.75 is more than the portfolio holds: refused, nothing booked, the execution not counted.
        let order = try #require(sim.engine.venueBook.record("SS-1")?.order)
        #expect(order.status == .sent && order.executionIDs.isEmpty && order.filledQuantity == .zero)
        #expect(sim.engine.venueBook.refusals.map(\.kind) == ["notBooked"] && sim.engine.leadFills.isEmpty)
        #expect(sim.engine.leads[0].cash == fx("10000") && sim.engine.audit().balanced)
    }
}

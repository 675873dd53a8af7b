import PropertyBased
import SmartSyncBench
import Testing

@testable import SmartSyncCore

// Random sequences of lifecycle events (RandomScenarioDriver, ScenarioMix.lifecycle): copies of random sizes with
// random stop loss / take profit, lead buys and sells, price moves, adjust up and down, stop, remove, lead transfers,
// threshold changes, manual main-account trades, deposits, and sometimes stopLeading at the end. ScenarioInvariants
// checks every step: the books balance, nothing is negative, every stopped copy is empty, no active copy sits past
// its stop, stops happen exactly when and why they should, the tracking identities hold, and every refused command
// leaves everything (journal included) as it was.

@Suite("Property: lifecycle events keep the books balanced and the copies consistent")
struct LifecyclePropertyTests {
    @Test("Random lifecycle sequences: balanced after every step, stopped copies empty, refusals change nothing")
    func randomLifecycles() async {
        let total = await RandomScenarioDriver.run(count: 250, mix: .lifecycle(withBook: false))
        // The runs exercised what they claim to check.
        #expect(total.accepted > 4_000, "\(total)")
        for reason in [StopReason.follower, .removedByLead, .leadStopped, .stopLoss, .takeProfit] {
            #expect((total.stopsByReason[reason] ?? 0) > 0, "no copy stopped with \(reason): \(total.stopsByReason)")
        }
        #expect(total.priceStops > 0 && total.adjustUp > 0 && total.adjustDownFromCash > 0 && total.adjustDownSelling > 0, "\(total)")
        #expect(total.profitShares > 0 && total.leadsStopped > 0 && total.transfers > 0 && total.restingFills > 0, "\(total)")
        #expect(total.closeOnly > 0 && total.closedOut > 0 && total.keepHoldings > 0 && total.controlled > 0, "\(total)")
        for code in [
            EngineError.Code.belowMinimumInvestment, .insufficientFunds, .copyNotActive, .copyingYourself, .duplicateID,
            .duplicateActiveCopy, .leadNotActive, .unknownCopy, .notLeading,
        ] {
            #expect((total.refusals[code] ?? 0) > 0, "no refusal with \(code): \(total.refusals)")
        }
    }

    @Test("The same with a thin BTC order book: liquidations walk it, and what cannot be sold moves as it is")
    func randomLifecyclesWithBook() async {
        let total = await RandomScenarioDriver.run(count: 150, mix: .lifecycle(withBook: true))
        #expect(total.accepted > 2_000 && total.priceStops > 0, "\(total)")
        #expect(total.assetsMovedAtStop > 0, "no stop had to move unsold assets: \(total)")
    }
}

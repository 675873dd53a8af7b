extension Engine {
    /// Rules a new command must meet before it is accepted, on top of what `execute` checks. They are kept apart
    /// from `execute` because commands logged before these rules existed must still replay exactly as they did:
    /// servers call this before executing a request; replaying a log does not.
    public func admit(_ command: EngineCommand) throws(EngineError) {
        switch command {
        case .orderFraction(let user, let account, let symbol, let side, let fraction):
            // An order that would do nothing (nothing held, or a share below the minimums) is refused, not "applied".
            guard try fractionOrder(user: user, account: account, symbol: symbol, side: side, fraction: fraction) == nil else { return }
            let u = try requireUser(user, field: "user")
            let s = try requireSymbol(symbol, field: "symbol")
            let market = venue.symbols[s]
            let lead = account == .portfolio ? activeLead(of: u) : nil
            let place = lead == nil ? "main account" : "lead portfolio"
            if side == .sell {
                let held = lead.map { leads[$0].positions[s]?.quantity ?? .zero } ?? mainHeldAvailable(u, symbol: s)
                guard held.isPositive else {
                    throw EngineError(.insufficientFunds, field: "symbol", "the \(place) holds no \(market.base) to sell")
                }
                throw EngineError(
                    .invalidInput, field: "fraction",
                    "\(fraction) of the \(held) \(market.base) held is below \(market.name)'s minimums (minQty \(market.minQty), minNotional \(market.minNotional) USDT)"
                )
            }
            let cash = lead.map { leads[$0].cash } ?? users[u].cash
            throw EngineError(
                .insufficientFunds, field: "fraction",
                "\(fraction) of the \(place)'s \(cash) USDT is below \(market.name)'s minNotional \(market.minNotional) USDT")
        case .startCopy(let r):
            if case .amount(let a) = r.stopLoss, a > r.investment {
                throw EngineError(
                    .invalidInput, field: "stopLoss.amount",
                    "must be at most the investment, \(r.investment) USDT (got \(a)): a larger loss cannot happen")
            }
        case .setStopLoss(let copy, .amount(let a)?):
            let ref = try requireActiveCopy(copy, field: "copy")
            let invested = leads[ref.lead].book.netInvested(ref.slot)
            if a > invested {
                throw EngineError(
                    .invalidInput, field: "stopLoss.amount",
                    "must be at most the net invested, \(invested) USDT (got \(a)): a larger loss cannot happen")
            }
        default:
            break
        }
    }
}

/// The result of an audit: whether the books balance, and every discrepancy found.
public struct AuditReport: Sendable {
    public var balanced: Bool { problems.isEmpty }
    public var problems: [String] = []
    /// Σ USDT over every account, the venue's settlement side included.
    public var totalUSDT: Fixed = .zero
    /// Deposits − withdrawals: what `totalUSDT` must equal.
    public var expectedUSDT: Fixed = .zero
    public var entries = 0
}

extension Engine {
    /// Proves conservation: replays the journal from zero and checks that (1) every account's live balance equals
    /// its replayed balance, (2) Σ USDT over all accounts and the venue equals deposits − withdrawals and every base
    /// asset sums to zero, (3) no account but the venue is negative.
    public func audit() -> AuditReport {
        var report = AuditReport()
        // A released history (copy-fill rows, journal chunks) is in the database only.
        guard journal.isComplete && !historyInStore else {
            report.problems.append(
                "the journal released entries to the database: audit the database (`smartsync audit`), which replays the whole log")
            return report
        }
        var replay = Replay(engine: self)
        for entry in journal { replay.apply(entry) }
        report.entries = journal.count

        func check(_ what: @autoclosure () -> String, live: Fixed, replayed: Int64) {
            if live.units != replayed {
                report.problems.append("\(what()): balance \(live) but the journal gives \(Fixed(units: replayed))")
            }
            if live.isNegative { report.problems.append("\(what()): negative balance \(live)") }
        }

        for (u, user) in users.enumerated() {
            let assets = Set(user.balances.keys).union(replay.main[u].keys)
            for asset in assets.sorted() {
                check("user \(user.id) main \(asset)", live: user.balance(asset), replayed: replay.main[u][asset] ?? 0)
            }
        }
        for (l, lead) in leads.enumerated() {
            check("lead \(l) cash", live: lead.cash, replayed: replay.lead[l][Symbol.quoteAsset] ?? 0)
            for (s, symbol) in venue.symbols.enumerated() {
                check(
                    "lead \(l) \(symbol.base)", live: lead.positions[s]?.quantity ?? .zero,
                    replayed: replay.lead[l][symbol.base] ?? 0)
            }
            // A copy released from memory was stopped and holds nothing (its money went back at the stop).
            let book = lead.book
            for i in 0..<book.count {
                check("copy \(book.id(i)) cash", live: book.isInMemory(i) ? book.cash(i) : .zero, replayed: replay.copyCash[l][i])
            }
            for (s, symbol) in venue.symbols.enumerated() {
                let step = symbol.qtyStep.units
                let column = book.columnIndex(of: SymbolIndex(s))
                for i in 0..<book.count {
                    let live = book.isInMemory(i) ? column.map { book.lots(i, column: $0).count * step } ?? 0 : 0
                    check("copy \(book.id(i)) \(symbol.base)", live: Fixed(units: live), replayed: replay.copyAsset(l, s, i))
                }
            }
        }
        if feesCollected.units != replay.fees {
            report.problems.append("fee account: \(feesCollected) but the journal gives \(Fixed(units: replay.fees))")
        }
        for (asset, live) in venueBalances where live.units != (replay.venue[asset] ?? 0) {
            report.problems.append("venue \(asset): \(live) but the journal gives \(Fixed(units: replay.venue[asset] ?? 0))")
        }

        // Conservation over everything the live state holds.
        var totals: [String: Int64] = [:]
        for user in users { for (asset, b) in user.balances { totals[asset, default: 0] += b.units } }
        for lead in leads {
            totals[Symbol.quoteAsset, default: 0] += lead.cash.units
            for (s, p) in lead.positions { totals[venue.symbols[s].base, default: 0] += p.quantity.units }
            totals[Symbol.quoteAsset, default: 0] += lead.book.cash.reduce(0, +)
            for (c, s) in lead.book.holdingColumns {
                totals[venue[s].base, default: 0] += lead.book.totalLots(column: c).quantity(step: venue[s].qtyStep).units
            }
        }
        totals[Symbol.quoteAsset, default: 0] += feesCollected.units
        for (asset, b) in venueBalances { totals[asset, default: 0] += b.units }
        report.totalUSDT = Fixed(units: totals[Symbol.quoteAsset] ?? 0)
        report.expectedUSDT = totalDeposits - totalWithdrawals
        if report.totalUSDT != report.expectedUSDT {
            report.problems.append(
                "USDT is not conserved: accounts hold \(report.totalUSDT), deposits − withdrawals = \(report.expectedUSDT)")
        }
        for (asset, total) in totals.sorted(by: { $0.key < $1.key }) where asset != Symbol.quoteAsset && total != 0 {
            report.problems.append("\(asset) is not conserved: accounts and venue sum to \(Fixed(units: total)), not 0")
        }
        return report
    }
}

/// Balances rebuilt from the journal alone.
private struct Replay {
    var main: [[String: Int64]]
    var lead: [[String: Int64]]
    var copyCash: [[Int64]]
    /// `copyAssets[lead][symbol]` → per-slot quantity units, created on first use.
    var copyAssets: [[Int: [Int64]]]
    var fees: Int64 = 0
    var venue: [String: Int64] = [:]
    let engine: Engine

    init(engine: Engine) {
        self.engine = engine
        main = Array(repeating: [:], count: engine.users.count)
        lead = Array(repeating: [:], count: engine.leads.count)
        copyCash = engine.leads.map { [Int64](repeating: 0, count: $0.book.count) }
        copyAssets = Array(repeating: [:], count: engine.leads.count)
    }

    func copyAsset(_ l: Int, _ s: Int, _ slot: Int) -> Int64 { copyAssets[l][s]?[slot] ?? 0 }

    /// The name of a posted asset (USDT, a symbol's base asset, or the asset a transfer names).
    func name(_ asset: Posting.Asset) -> String {
        switch asset {
        case .usdt: Symbol.quoteAsset
        case .base(let s): engine.venue.symbols[s].base
        case .other(let name): name
        }
    }

    mutating func add(_ p: Posting) {
        switch p.account {
        case .main(let u): main[u][name(p.asset), default: 0] += p.units
        case .lead(let l): lead[l][name(p.asset), default: 0] += p.units
        case .copy(let l, let slot):
            switch p.asset {
            case .usdt: copyCash[l][slot] += p.units
            case .base(let s): addCopyAsset(l, s, slot, p.units)
            case .other: break  // a copy account holds only USDT and listed assets
            }
        case .fees: fees += p.units
        case .venue: venue[name(p.asset), default: 0] += p.units
        }
    }

    mutating func addCopyAsset(_ l: Int, _ s: Int, _ slot: Int, _ units: Int64) {
        if copyAssets[l][s] == nil { copyAssets[l][s] = [Int64](repeating: 0, count: engine.leads[l].book.count) }
        copyAssets[l][s]![slot] += units
    }

    mutating func apply(_ entry: JournalEntry) {
        entry.forEachPosting(symbols: engine.venue.symbols) { add($0) }
    }
}

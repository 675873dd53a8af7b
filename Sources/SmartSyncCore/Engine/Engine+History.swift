/// A change a follower made to a running copy, kept for the copy's history.
public struct CopyEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The copy started with a stop loss or take profit (copies started without either record nothing).
        case startedWith(stopLoss: Threshold?, takeProfit: Threshold?)
        case investmentAdded(Fixed)
        case investmentRemoved(Fixed)
        case stopLossSet(Threshold?)
        case takeProfitSet(Threshold?)
        /// The follower asked for a close-only stop (`StopMode.closeOnly`): the copy buys nothing from here on.
        case closeOnly
        /// The copy's controls were set (at its start too) or cleared (nil).
        case controlsSet(CopyControls?)
    }

    public var copy: CopyRef
    public var event: Int
    public var time: Int64
    public var kind: Kind
    /// The copy's performance units after the change (its NAV is equity ÷ units).
    public var unitsAfter: Fixed
    /// Net invested after the change.
    public var netInvestedAfter: Fixed
    /// The journal's length when the change was recorded: money added or removed is the entry just before it, so a
    /// copy's curve places the change among its fills without reading the journal's released entries.
    public var journalCount: Int
}

/// One line of a copy's history as users read it: its start, every change, its stop.
public struct CopyHistoryItem: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case started(investment: Fixed)
        case change(CopyEvent.Kind)
        case stopped(StopReason)
    }

    public var event: Int
    public var time: Int64?
    public var kind: Kind
    public var netInvestedAfter: Fixed

    public init(event: Int, time: Int64?, kind: Kind, netInvestedAfter: Fixed) {
        (self.event, self.time, self.kind, self.netInvestedAfter) = (event, time, kind, netInvestedAfter)
    }
}

/// A lead's return over a trailing window of the engine's clock (or over its whole life).
public struct PeriodReturn: Sendable, Hashable {
    /// The window in days; nil for all time.
    public var days: Int?
    /// NAV change over the window (transfers in and out are not returns).
    public var roi: Fixed
    /// Profit over the window: the change of equity − net funding.
    public var pnl: Fixed
}

extension Engine {
    // MARK: Time of an event

    /// The time of the command at `event`, when the engine saw it through `execute`.
    public func time(ofEvent event: Int) -> Int64? { moments.time(ofEvent: event) }

    /// The engine's clock: the time of the last command it accepted (zero before any).
    public var now: Int64 { moments.last?.time ?? 0 }

    // MARK: A copy's history

    mutating func recordCopyEvent(_ ref: CopyRef, _ kind: CopyEvent.Kind, at moment: Moment) {
        let book = leads[ref.lead].book
        copyEvents.append(
            CopyEvent(
                copy: ref, event: moment.event, time: moment.time, kind: kind, unitsAfter: book.units(ref.slot),
                netInvestedAfter: book.netInvested(ref.slot), journalCount: journal.count))
    }

    /// The changes made to one copy, in order.
    public func copyEvents(_ ref: CopyRef) -> [CopyEvent] { copyEvents.filter { $0.copy == ref } }

    /// A copy's start, its changes and its stop, oldest first.
    public func copyHistory(_ ref: CopyRef) -> [CopyHistoryItem] {
        let book = leads[ref.lead].book
        let events = copyEvents(ref)
        let added = events.reduce(Fixed.zero) { sum, e in
            if case .investmentAdded(let a) = e.kind { return sum + a }
            return sum
        }
        let started = book.startedEvent(ref.slot)
        let investment = book.totalIn(ref.slot) - added
        var items = [
            CopyHistoryItem(
                event: started, time: time(ofEvent: started), kind: .started(investment: investment), netInvestedAfter: investment)
        ]
        for e in events {
            items.append(CopyHistoryItem(event: e.event, time: e.time, kind: .change(e.kind), netInvestedAfter: e.netInvestedAfter))
        }
        if !book.isActive(ref.slot), let reason = book.stopReason(ref.slot) {
            let stopped = Int(book.stoppedEvent(ref.slot))
            items.append(
                CopyHistoryItem(
                    event: stopped, time: time(ofEvent: stopped), kind: .stopped(reason), netInvestedAfter: book.netInvested(ref.slot)))
        }
        return items
    }

    // MARK: Returns over time

    /// A lead's ROI and PnL over each trailing window (in days, of the engine's clock), and over all time for nil.
    /// A window longer than the lead's life is its whole life. The window's base points come from `curve` (else from
    /// memory).
    public func leadReturns(_ l: Int, windows: [Int?], curve: LeadCurveRead? = nil) -> [PeriodReturn] {
        let curve = curve ?? leadCurveRead(l, windows: windows.compactMap { $0 }, shownAtMost: 1)
        let view = (nav: leads[l].navAtStop ?? leadNav(l), equity: leads[l].equityAtStop ?? leadEquity(l), funding: leads[l].netFunding)
        let profitNow = view.equity - view.funding
        return windows.map { days in
            var baseNav = Fixed.one
            var baseProfit = Fixed.zero
            if let days, let base = curve.bases[days] {
                baseNav = base.nav
                baseProfit = base.equity - base.netFunding
            }
            let roi = baseNav.isPositive ? Self.ratio(view.nav, baseNav) - .one : .zero
            return PeriodReturn(days: days, roi: roi, pnl: profitNow - baseProfit)
        }
    }
}

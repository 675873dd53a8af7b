import SmartSyncCore

/// A forecast as the API answers it: what a copy of `investment` would have done over the last `days` of the lead's
/// own fills, and the smallest investment that would have tracked the lead within `trackingWithin` beyond the
/// profit share. The contract's `Forecast` is this type (typeOverrides).
public struct ForecastReport: Encodable, Hashable, Sendable {
    public struct FailedOrders: Encodable, Hashable, Sendable {
        public var reason: String
        public var explanation: String
        public var count: Int
    }
    public var lead: String
    public var investment: Fixed
    public var buyExisting: Bool
    public var days: Int
    public var from: String
    public var to: String
    /// The lead fills replayed, and those the rebuilt portfolio could not pay for.
    public var leadFills: Int
    public var skippedLeadFills: Int
    public var copyFills: Int
    public var failedOrders: [FailedOrders]
    public var equity: Fixed
    public var fees: Fixed
    public var profitShare: Fixed
    public var tracking: TrackingReport
    /// The gap less the profit share: how far from the lead's result the copy would have been.
    public var gapBeyondProfitShare: Fixed
    public var trackingWithin: Fixed
    /// The smallest investment of the ladder tried (from the minimum investment up to 1,000 times it) that tracks
    /// within `trackingWithin`; null when none does.
    @EncodesNull public var smallestTrackingInvestment: Fixed? = nil

    public init(
        lead: String, days: Int, from: Int64, to: Int64, buyExisting: Bool, forecast f: Forecast, trackingWithin: Fixed,
        smallestTracking: Fixed?
    ) {
        (self.lead, investment, self.buyExisting, self.days) = (lead, f.investment, buyExisting, days)
        (self.from, self.to) = (ISO8601.format(from), ISO8601.format(to))
        (leadFills, skippedLeadFills, copyFills) = (f.leadFills, f.skippedLeadFills, f.copyFills)
        failedOrders = f.failedOrders.sorted { $0.key.rawValue < $1.key.rawValue }.map {
            FailedOrders(reason: $0.key.rawValue, explanation: $0.key.explanation, count: $0.value)
        }
        (equity, fees, profitShare) = (f.equity, f.fees, f.profitShare)
        tracking = TrackingReport(f.tracking)
        gapBeyondProfitShare = f.gapBeyondProfitShare
        self.trackingWithin = trackingWithin
        smallestTrackingInvestment = smallestTracking
    }
}

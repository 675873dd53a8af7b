/// Operator settings with the documented defaults (DESIGN §2, §3).
public struct Settings: Sendable, Hashable, Codable {
    /// Taker fee on every fill (0.1%).
    public var takerFeeRate = Fixed(units: 100_000)
    /// Minimum total investment of a copy (100 USDT).
    public var minInvestment = Fixed(100)
    /// Default slippage limit of a lead's copy orders (0.5%).
    public var slippageLimit = Fixed(units: 500_000)
    /// How many active copies one follower may have (10).
    public var maxActiveCopiesPerFollower = 10
    /// Default follower limit of a lead.
    public var defaultFollowerLimit = 1_000
    /// Largest profit-share rate a lead may set (30%).
    public var maxProfitShareRate = Fixed(units: 30_000_000)
    /// Profit-share rate when the lead sets none (10%).
    public var defaultProfitShareRate = Fixed(units: 10_000_000)

    public init() {}
}

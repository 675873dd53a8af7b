/// SplitMix64: a small deterministic random generator for reproducible runs (crash tests, property tests).
/// Not for anything secret.
public struct SplitMix: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// Seeded from an Int (a property-test input), mixed so that small seeds do not start alike.
    public init(seed: Int) { state = UInt64(bitPattern: Int64(seed)) ^ 0x5DEE_CE66_D1CE_4E5B }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

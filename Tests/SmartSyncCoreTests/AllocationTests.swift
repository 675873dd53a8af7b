import PropertyBased
import SmartSyncBench
import SmartSyncCore
import Testing

/// A plain reference for the uncapped largest-remainder split: floors, then +1 to the largest remainders in
/// (remainder descending, index ascending) order. Slow and obvious, so the fast one can be checked against it.
func referenceLargestRemainder(total: Int64, weights: [Int64]) -> [Int64] {
    let sum = weights.reduce(Int128(0)) { $0 + Int128($1) }
    guard sum > 0 else { return weights.map { _ in 0 } }
    var parts = weights.map { Int64(Int128(total) * Int128($0) / sum) }
    let remainders = weights.map { Int128(total) * Int128($0) % sum }
    var leftover = total - parts.reduce(0, +)
    let order = weights.indices.sorted { remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1 }
    for i in order where leftover > 0 {
        parts[i] += 1
        leftover -= 1
    }
    return parts
}

@Suite("Largest-remainder allocation (DESIGN §2 order merging)")
struct AllocationTests {
    static func split(_ total: Int64, _ weights: [Int64], caps: [Int64]? = nil) -> [Int64] {
        Allocation.largestRemainder(total: total, weights: weights, weightSum: weights.reduce(0, +), caps: caps)
    }

    /// 10 over [1, 1, 1]: each exact share is 3⅓, floors give 3 + 3 + 3 = 9, the one leftover unit goes to the
    /// largest remainder; all three remainders are ⅓, so the tie goes to the lowest index → [4, 3, 3].
    @Test("Hand-worked splits")
    func handWorked() {
        #expect(Self.split(10, [1, 1, 1]) == [4, 3, 3])
        // Same shares with scaled weights.
        #expect(Self.split(10, [7, 7, 7]) == [4, 3, 3])
        // 2 over [1, 1, 1]: shares ⅔ each, floors 0, two leftovers → the two lowest indices.
        #expect(Self.split(2, [1, 1, 1]) == [1, 1, 0])
        // 7 over [2, 3, 5]: shares 1.4, 2.1, 3.5 → floors 1 + 2 + 3 = 6; the leftover goes to remainder .5 (index 2).
        #expect(Self.split(7, [2, 3, 5]) == [1, 2, 4])
        // 100 over [1, 2, 3, 4]: shares 10, 20, 30, 40 — exact, nothing left over.
        #expect(Self.split(100, [1, 2, 3, 4]) == [10, 20, 30, 40])
        // 5 over [3, 1]: shares 3.75 and 1.25 → floors 3 + 1, leftover to .75 (index 0).
        #expect(Self.split(5, [3, 1]) == [4, 1])
        // 5 over [1, 3]: the same, mirrored — the remainder decides, not the index.
        #expect(Self.split(5, [1, 3]) == [1, 4])
        // A zero weight gets nothing, even when it is first.
        #expect(Self.split(3, [0, 1, 1]) == [0, 2, 1])
        // Nothing to split.
        #expect(Self.split(0, [5, 5]) == [0, 0])
        #expect(Allocation.largestRemainder(total: 0, weights: [], weightSum: 0) == [])
    }

    /// Ties always resolve toward the lower index (the copy created first), however many parts tie.
    @Test("Ties go to the lower index", arguments: [2, 5, 16, 17, 100, 1_000])
    func ties(count: Int) {
        let weights = [Int64](repeating: 3, count: count)
        for total in [Int64(1), Int64(count / 2), Int64(count - 1), Int64(count + 1), Int64(7 * count + 3)] {
            let parts = Self.split(total, weights)
            let base = total / Int64(count)
            let extra = Int(total % Int64(count))
            #expect(parts == (0..<count).map { $0 < extra ? base + 1 : base }, "total \(total) over \(count)")
        }
    }

    /// Caps bound each part (a copy's stand-alone fee).
    @Test("Caps are respected")
    func caps() {
        // 10 over [1, 1, 1] with caps [3, 4, 4]: floors 3, 3, 3; index 0 sits at its cap, so the leftover goes to
        // the tied remainders of indices 1 and 2 → the lower one, index 1.
        #expect(Self.split(10, [1, 1, 1], caps: [3, 4, 4]) == [3, 4, 3])
        // 10 over [8, 1, 1] with caps [5, 10, 10]: index 0 is cut from 8 to 5, the other shares are exact (1, 1),
        // no remainders; the 3 left go in index order to parts below their cap → index 1.
        #expect(Self.split(10, [8, 1, 1], caps: [5, 10, 10]) == [5, 4, 1])
        // Caps that exactly fit the total.
        #expect(Self.split(6, [1, 1, 1], caps: [1, 2, 3]) == [1, 2, 3])
        // Loose caps change nothing.
        #expect(Self.split(7, [2, 3, 5], caps: [100, 100, 100]) == [1, 2, 4])
        // Fee-like numbers: total 80150594 over three quotes, caps = stand-alone fees (see the merge golden test).
        #expect(
            Self.split(80_150_594, [12_300_091_020, 24_650_182_410, 43_200_319_680], caps: [12_300_092, 24_650_183, 43_200_320])
                == [12_300_091, 24_650_183, 43_200_320])
    }

    /// Thousands of parts, many tied remainders: the selection of the largest remainders must match a full sort.
    @Test("Many parts match the reference", arguments: [4_095, 4_096, 4_097, 20_000])
    func manyParts(count: Int) {
        var rng = SplitMix(seed: UInt64(count))
        for range in [Int64(1)...Int64(5), 1...1_000, 1...1_000_000_000_000] {
            let weights = (0..<count).map { _ in rng.int64(range) }
            for total in [Int64(count / 3), Int64(count - 1), rng.int64(0...1_000_000_000)] {
                #expect(Self.split(total, weights) == referenceLargestRemainder(total: total, weights: weights))
            }
        }
    }

    @Test("Large totals and weights use a 128-bit product")
    func largeValues() {
        let w: [Int64] = [Int64.max / 4, Int64.max / 4, 1]
        let parts = Self.split(Int64.max / 2, w)
        #expect(parts.reduce(Int128(0)) { $0 + Int128($1) } == Int128(Int64.max / 2))
        #expect(parts[0] >= parts[1] && parts[1] >= parts[2])
        #expect(parts[2] <= 1)
    }

    // MARK: Properties

    /// Random weight vectors with many duplicates and mixed magnitudes (small ranges make ties common).
    static let weightVectors = Gen.int64(in: 0...1_000_000_000).array(of: 1...60)

    @Test("Property: exact sum, each part within one of its share, monotone in weight, equal to the reference")
    func properties() async {
        await propertyCheck(count: 3_000, input: Self.weightVectors, Gen.int64(in: 0...10_000_000_000), Gen.int(in: 0...4)) {
            raw, total, shape in
            // Shape the weights: raw, squashed to a few values (many ties), or a few large ones among tiny ones.
            let weights: [Int64] =
                switch shape {
                case 0: raw
                case 1: raw.map { $0 % 4 }
                case 2: raw.map { $0 % 3 == 0 ? $0 : $0 % 10 }
                case 3: raw.map { $0 % 1_000 + 1 }
                // Huge weights (Σ up to 6e18): remainders need all 63 bits.
                default: raw.map { $0 * 100_000_000 + 1 }
                }
            let sum = weights.reduce(0, +)
            guard sum > 0 else { return }
            let parts = Allocation.largestRemainder(total: total, weights: weights, weightSum: sum)
            #expect(parts.count == weights.count)
            #expect(parts.reduce(0, +) == total)
            for i in weights.indices {
                // floor(share) ≤ part ≤ floor(share) + 1, and exactly the share when it is whole.
                let exact = Int128(total) * Int128(weights[i])
                let floor = Int64(exact / Int128(sum))
                #expect(parts[i] == floor || (parts[i] == floor + 1 && exact % Int128(sum) != 0))
            }
            // Monotone: a larger weight never gets less; an equal weight at a lower index never gets less.
            let order = weights.indices.sorted { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : $0 < $1 }
            for k in order.indices.dropLast() {
                #expect(parts[order[k]] >= parts[order[k + 1]])
            }
            #expect(parts == referenceLargestRemainder(total: total, weights: weights))
        }
    }

    @Test("Property: with caps, parts stay within caps and still add up exactly")
    func cappedProperties() async {
        await propertyCheck(count: 2_000, input: Self.weightVectors, Gen.int(in: 0...1_000_000)) { raw, seed in
            var rng = SplitMix(seed: UInt64(seed))
            let weights = raw.map { $0 % 100_000 }
            let sum = weights.reduce(0, +)
            guard sum > 0 else { return }
            // Caps like stand-alone fees: about the share of the total, sometimes a bit above or below.
            let total = rng.int64(0...5_000_000)
            let caps = weights.map { w -> Int64 in
                let share = Int64(Int128(total) * Int128(w) / Int128(sum))
                return max(0, share + rng.int64(-2...3))
            }
            guard caps.reduce(0, +) >= total else { return }
            let parts = Allocation.largestRemainder(total: total, weights: weights, weightSum: sum, caps: caps)
            #expect(parts.reduce(0, +) == total)
            for i in parts.indices {
                #expect(parts[i] >= 0 && parts[i] <= caps[i])
            }
        }
    }
}

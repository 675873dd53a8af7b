/// Splits an integer total into parts proportional to integer weights so that the parts add up exactly:
/// each part is rounded down, then the leftover units go one each to the largest remainders, ties to the lower
/// index (the copy created first). Optional caps bound each part (a copy's stand-alone fee).
public enum Allocation {
    /// Returns the parts; `weightSum` must be Σ weights (> 0) and `total` ≤ Σ caps when caps are given.
    public static func largestRemainder(total: Int64, weights: [Int64], weightSum: Int64, caps: [Int64]? = nil) -> [Int64] {
        precondition(weightSum > 0 || total == 0, "weights must not all be zero")
        let n = weights.count
        var parts = [Int64](repeating: 0, count: n)
        if total == 0 || n == 0 { return parts }
        var given: Int64 = 0
        // Remainders are compared as (remainder desc, index asc), packed into one 128-bit key.
        var keys: [UInt128] = []
        keys.reserveCapacity(Swift.min(n, 1 << 16))
        weights.withUnsafeBufferPointer { w in
            parts.withUnsafeMutableBufferPointer { p in
                for i in 0..<n {
                    let (q, r) = mulDivFloorRemainder(total, w[i], weightSum)
                    var part = q
                    if let caps, part > caps[i] { part = caps[i] }
                    p[i] = part
                    given += part
                    let open = caps.map { part < $0[i] } ?? true
                    if open && r > 0 && part == q {
                        keys.append(UInt128(UInt64(r)) << 64 | UInt128(UInt64.max - UInt64(i)))
                    }
                }
            }
        }
        var leftover = total - given
        if leftover <= 0 { return parts }
        let k = Swift.min(Int(leftover), keys.count)
        if k > 0 {
            if k < keys.count { selectLargest(&keys, k) }
            for key in keys[0..<k] {
                let i = Int(UInt64.max - UInt64(truncatingIfNeeded: key))
                parts[i] += 1
            }
            leftover -= Int64(k)
        }
        // Only reachable with caps: the rest goes, in index order, to parts still below their cap.
        var i = 0
        while leftover > 0 && i < n {
            let room = (caps?[i] ?? .max) - parts[i]
            if room > 0 {
                let add = Swift.min(room, leftover)
                parts[i] += add
                leftover -= add
            }
            i += 1
        }
        precondition(leftover == 0, "allocation total exceeds the caps")
        return parts
    }

    /// Reorders `keys` so that its first `k` elements are the `k` largest (in no particular order). Quickselect.
    static func selectLargest(_ keys: inout [UInt128], _ k: Int) {
        keys.withUnsafeMutableBufferPointer { a in
            var lo = 0
            var hi = a.count - 1
            let target = k - 1
            while lo < hi {
                // Median of three as pivot, descending partition.
                let mid = lo + (hi - lo) / 2
                if a[mid] > a[lo] { a.swapAt(mid, lo) }
                if a[hi] > a[lo] { a.swapAt(hi, lo) }
                if a[mid] > a[hi] { a.swapAt(mid, hi) }  // now a[hi] is the median
                let pivot = a[hi]
                var store = lo
                for j in lo..<hi where a[j] > pivot {
                    a.swapAt(store, j)
                    store += 1
                }
                a.swapAt(store, hi)
                if store == target { return }
                if store < target { lo = store + 1 } else { hi = store - 1 }
            }
        }
    }
}

/// Splits an integer total into parts proportional to integer weights so that the parts add up exactly:
/// each part is rounded down, then the leftover units go one each to the largest remainders, ties to the lower
/// index (the copy created first). Optional caps bound each part (a copy's stand-alone fee).
///
/// Linear time: the k largest remainders are found with a 4096-bucket radix select over the remainders' bits
/// (a few passes), not by sorting, so a million-copy allocation stays a few milliseconds.
public enum Allocation {
    /// Returns the parts; `weightSum` must be Σ weights (> 0) and `total` ≤ Σ caps when caps are given.
    public static func largestRemainder(total: Int64, weights: [Int64], weightSum: Int64, caps: [Int64]? = nil) -> [Int64] {
        var parts: [Int64] = []
        var remainders: [Int64] = []
        largestRemainder(total: total, weights: weights, weightSum: weightSum, caps: caps, into: &parts, remainders: &remainders)
        return parts
    }

    /// The same, writing into reusable buffers (`remainders` is scratch).
    public static func largestRemainder(
        total: Int64, weights: [Int64], weightSum: Int64, caps: [Int64]?, into parts: inout [Int64],
        remainders: inout [Int64]
    ) {
        precondition(weightSum > 0 || total == 0, "weights must not all be zero")
        precondition(total >= 0, "total must not be negative")
        let n = weights.count
        parts.removeAll(keepingCapacity: true)
        parts.append(contentsOf: repeatElement(0, count: n))
        if total == 0 || n == 0 { return }
        remainders.removeAll(keepingCapacity: true)
        remainders.append(contentsOf: repeatElement(-1, count: n))
        var given: Int64 = 0
        var candidates = 0
        weights.withUnsafeBufferPointer { w in
            parts.withUnsafeMutableBufferPointer { p in
                remainders.withUnsafeMutableBufferPointer { rem in
                    if let caps {
                        for i in 0..<n {
                            let (q, r) = mulDivFloorRemainder(total, w[i], weightSum)
                            let part = Swift.min(q, caps[i])
                            p[i] = part
                            given += part
                            // Only a part still below its cap and with a remainder can take a leftover unit.
                            if part == q && part < caps[i] && r > 0 {
                                rem[i] = r
                                candidates += 1
                            }
                        }
                    } else {
                        for i in 0..<n {
                            let (q, r) = mulDivFloorRemainder(total, w[i], weightSum)
                            p[i] = q
                            given += q
                            if r > 0 {
                                rem[i] = r
                                candidates += 1
                            }
                        }
                    }
                }
            }
        }
        var leftover = total - given
        let k = Int(Swift.min(leftover, Int64(candidates)))
        if k > 0 {
            giveToLargest(k, candidates: candidates, remainders: &remainders, parts: &parts, below: weightSum)
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
    }

    /// Adds one unit to each of the `k` candidates (remainder ≥ 0) with the largest remainders, ties to the lower
    /// index. Remainders are below `bound`. Radix select: narrow down 12 bits per pass until the k-th is found.
    static func giveToLargest(_ k: Int, candidates: Int, remainders: inout [Int64], parts: inout [Int64], below bound: Int64) {
        parts.withUnsafeMutableBufferPointer { p in
            remainders.withUnsafeMutableBufferPointer { rem in
                let n = rem.count
                if k == candidates {
                    for i in 0..<n where rem[i] >= 0 { p[i] += 1 }
                    return
                }
                var need = k
                let bits = Int64.bitWidth - bound.leadingZeroBitCount
                var shift = Swift.max(0, bits - 12)
                // Candidates still in play have (rem >> prefixShift) == prefix.
                var prefixShift = shift + 12
                var prefix: Int64 = 0
                var histogram = [Int](repeating: 0, count: 4096)
                while true {
                    for b in 0..<4096 { histogram[b] = 0 }
                    for i in 0..<n where rem[i] >= 0 && rem[i] >> prefixShift == prefix {
                        histogram[Int((rem[i] >> shift) & 4095)] += 1
                    }
                    // The bucket holding the need-th largest: everything above it wins.
                    var above = 0
                    var b = 4095
                    while above + histogram[b] < need {
                        above += histogram[b]
                        b -= 1
                    }
                    let threshold = Int64(b)
                    let takeAll = above + histogram[b] == need
                    for i in 0..<n where rem[i] >= 0 && rem[i] >> prefixShift == prefix {
                        let bucket = (rem[i] >> shift) & 4095
                        if bucket > threshold || (takeAll && bucket == threshold) {
                            p[i] += 1
                            rem[i] = -1
                        }
                    }
                    need -= takeAll ? above + histogram[b] : above
                    if need == 0 { return }
                    // Bits between shift and prefixShift are new; the bucket's higher bits repeat the prefix.
                    let newBits = prefixShift - shift
                    prefix = (prefix << newBits) | (threshold & ((1 << newBits) - 1))
                    prefixShift = shift
                    if shift == 0 {
                        // Equal remainders: the lower indices win.
                        for i in 0..<n where need > 0 && rem[i] >= 0 && rem[i] == prefix {
                            p[i] += 1
                            rem[i] = -1
                            need -= 1
                        }
                        return
                    }
                    shift = Swift.max(0, shift - 12)
                }
            }
        }
    }
}

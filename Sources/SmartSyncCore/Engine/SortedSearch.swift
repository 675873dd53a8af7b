extension RandomAccessCollection where Index == Int {
    /// The first index whose element is not `before` the sought one, in a collection ordered by that predicate
    /// (binary search; `endIndex` when every element is before). Histories kept in event, id or time order use it.
    func firstIndex(notBefore before: (Element) -> Bool) -> Int {
        var (lo, hi) = (startIndex, endIndex)
        while lo < hi {
            let mid = (lo + hi) / 2
            if before(self[mid]) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

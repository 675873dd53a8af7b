/// A hash index from names (user and copy ids) to where they are stored, that does not store the names again.
///
/// Each bucket holds a position (a 4-byte payload: a user's position, a copy's position in the engine's creation
/// order) or nothing; a look-up hashes the name, probes linearly, and compares the name stored at each position it
/// meets (`name(of:)` reads it from the users or the copy books). A `[String: Int]` keeps a second copy of every key
/// and costs ~60 B per entry at a million copies; this costs 4 B per bucket at ≤ 3/4 load (`bench soak`,
/// BENCHMARKS.md). The index is rebuilt when a snapshot is read, never stored,
/// so the per-process seed of `String.hashValue` is harmless, and nothing iterates it.
struct NameIndex: Sendable {
    /// Payload + 1; zero is an empty bucket. A power of two long (or empty).
    private var buckets: [UInt32] = []
    private(set) var count = 0

    /// The payload stored for `name`, if any.
    func find(_ name: String, name nameOf: (UInt32) -> String) -> UInt32? {
        guard !buckets.isEmpty else { return nil }
        let mask = buckets.count - 1
        var i = name.hashValue & mask
        while true {
            let b = buckets[i]
            if b == 0 { return nil }
            if nameOf(b - 1) == name { return b - 1 }
            i = (i + 1) & mask
        }
    }

    /// Adds `name` → `payload` (below `UInt32.max`); the caller has checked that `name` is not there (`find`).
    mutating func insert(_ name: String, _ payload: UInt32, name nameOf: (UInt32) -> String) {
        precondition(payload < .max, "a name index holds positions below 2^32 - 1")
        reserveCapacity(count + 1, name: nameOf)
        place(name.hashValue, payload + 1)
        count += 1
    }

    /// Room for `n` entries without rehashing.
    mutating func reserveCapacity(_ n: Int, name nameOf: (UInt32) -> String) {
        guard n * 4 > buckets.count * 3 else { return }
        var size = 16
        while n * 4 > size * 3 { size *= 2 }
        let old = buckets
        buckets = [UInt32](repeating: 0, count: size)
        for b in old where b != 0 { place(nameOf(b - 1).hashValue, b) }
    }

    private mutating func place(_ hash: Int, _ stored: UInt32) {
        let mask = buckets.count - 1
        var i = hash & mask
        while buckets[i] != 0 { i = (i + 1) & mask }
        buckets[i] = stored
    }

    /// Bytes held (for the memory figures).
    var byteCount: Int { 4 * buckets.capacity }
}

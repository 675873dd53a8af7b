import SmartSyncCore
import Testing

/// The hash chain's definitions (docs/receipts.md) against values computed independently with Python's hashlib:
///
///     leaf = sha256(b'\x00' + salt + text), node = sha256(b'\x01' + left + right),
///     salt = sha256(b'\x02' (b'\x03' for a profit share) + key + struct.pack('>q', seq) + struct.pack('>q', row)),
///     H(0) = sha256(b'\x00' * 32 + sha256(entry text))
///
/// so a follower's own checker, written from the docs, agrees with ours.
struct LedgerChainTests {
    static let rows = [
        "row=0 slot=0 requested=2000 lots=600 quote=30030000000 fee=30030000 capped=0",
        "row=1 slot=1 requested=3001 lots=900 quote=45045000000 fee=45045000 capped=0",
        "row=2 slot=2 requested=4999 lots=1500 quote=75075000000 fee=75075000 capped=0",
    ]

    @Test func hashesMatchAnIndependentImplementation() {
        #expect(
            LedgerChain.rowText(row: 0, slot: 0, requested: 2000, lots: 600, quote: 30_030_000_000, fee: 30_030_000, capped: false)
                == Self.rows[0])
        let leaves = Self.rows.map { LedgerChain.leaf($0) }
        #expect(Hex.encode(leaves[0]) == "fbab2f88fbc91c507523e2304dc281f7b0d4adcc60adb25986bf2ef9022d4084")
        let levels = LedgerChain.levels(leaves)
        #expect(Hex.encode(LedgerChain.root(levels)) == "05a35286e94c3979f7a6cc3b6ea248575fc7d5e3bb1a8d6a1b425a038b2720dd")
        #expect(
            Hex.encode(LedgerChain.link(LedgerChain.zero, "deposit user=0 amount=1000000000000"))
                == "c63116718081e9f0d06ecd356cec166b95b44fcb360b7abe297fcd70c016392b")
    }

    /// Salts: key bytes 1…32, the batch at ledger entry 5.
    @Test func saltsMatchAnIndependentImplementation() {
        let key = (1...32).map { UInt8($0) }
        let salt = LedgerChain.salt(key: key, seq: 5, row: 0)
        #expect(Hex.encode(salt) == "b362bb55f53ccf4571f847277b24a8ed68da1ab2147612c27256a222e92644bd")
        #expect(
            Hex.encode(LedgerChain.leaf(Self.rows[0], salt: salt)) == "6038de97c9b764f6a728ecef37a3a5e35e908cedea47782596e7fc01a3d5b673")
        #expect(
            Hex.encode(LedgerChain.salt(key: key, seq: 5, row: 1, share: true))
                == "d75514f5b4ba868fe0deadc55b8ea112709a8549287e8c3bde1ae9080e829d38")
    }

    /// Every leaf's path folds to the root, for trees of 1 to 33 leaves (odd levels included), and a path from
    /// another leaf does not.
    @Test func everyPathLeadsToTheRoot() {
        #expect(LedgerChain.root(LedgerChain.levels([])) == LedgerChain.zero)
        for n in 1...33 {
            let leaves = (0..<n).map { LedgerChain.leaf("leaf \($0)") }
            let levels = LedgerChain.levels(leaves)
            let root = LedgerChain.root(levels)
            for i in 0..<n {
                let path = LedgerChain.path(levels, index: i)
                #expect(path.count <= Int.bitWidth - (n - 1).leadingZeroBitCount)
                #expect(LedgerChain.fold(leaves[i], path) == root, "\(n) leaves, leaf \(i)")
                if n > 1 { #expect(LedgerChain.fold(leaves[(i + 1) % n], path) != root) }
            }
        }
    }
}

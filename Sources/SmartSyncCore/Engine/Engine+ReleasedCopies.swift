/// Stopped copies in a server: once their stop is committed, their rows live in the database, not in memory.
///
/// When a command stops copies, the store writes each one's frozen form (`frozenCopy(_:)`) in the same transaction
/// as the command; `releaseHistory()` then drops their rows (`CopyBook.releaseStopped()`). A read of such a copy
/// loads its frozen form and sees the engine with it in place (`viewing(frozen:of:)`): the same views, the same code.
extension Engine {
    /// The first bytes of a frozen copy, then its format (`frozenCopyFormat`, little-endian UInt32).
    static let frozenCopyMagic: [UInt8] = Array("SSCOPY".utf8)
    /// The version of the bytes `frozenCopy(_:)` writes. Frozen rows stay in databases for good: a change to them
    /// bumps this and keeps reading the older formats (unlike snapshots, which are rewritten).
    public static let frozenCopyFormat: UInt32 = 1

    /// The stopped copy `ref` as bytes: the magic, the format, then its row (`CopyBook.writeFrozenRow`: its slot, id,
    /// follower, money, tracking, failure counts, and holdings where not zero). Precondition: the copy is stopped and
    /// still in memory.
    public func frozenCopy(_ ref: CopyRef) -> FrozenCopy {
        // Through the lead's book in place: a local copy of the book would retain and release each of its columns,
        // per frozen copy.
        precondition(!leads[ref.lead].book.isActive(ref.slot), "only a stopped copy is frozen")
        var w = Self.versionedWriter(Self.frozenCopyMagic, Self.frozenCopyFormat, capacity: 320)
        leads[ref.lead].book.writeFrozenRow(ref.slot, into: &w)
        return FrozenCopy(lead: ref.lead, slot: ref.slot, bytes: w.bytes)
    }

    /// This engine with the frozen copy `bytes` (from `frozenCopy(_:)`) in place of `ref`'s lead's copy book, so
    /// that every view of the copy reads it as it was when it stopped. The lead's other copies are not in that
    /// book: use the result for this copy's views only.
    public func viewing(frozen bytes: [UInt8], of ref: CopyRef) throws(SnapshotError) -> Engine {
        var r = try Self.versionedReader(bytes, Self.frozenCopyMagic, Self.frozenCopyFormat, what: "frozen copy")
        let book: CopyBook
        do {
            let (slot, b) = try CopyBook.readFrozenRow(&r, symbols: leads[ref.lead].book.holdingSymbols)
            guard r.isAtEnd else { throw SnapshotError("\(r.remaining) bytes after the frozen copy") }
            guard slot == ref.slot else { throw SnapshotError("the frozen copy is slot \(slot), not \(ref.slot)") }
            guard b.id(slot) == leads[ref.lead].book.id(ref.slot) else {
                throw SnapshotError("the frozen copy is \"\(b.id(slot))\", not \"\(leads[ref.lead].book.id(ref.slot))\"")
            }
            // What the views index with it must be in range: a stopped copy of this follower, on listed symbols.
            guard b.follower(slot) == leads[ref.lead].book.follower(ref.slot), b.status(slot) == .stopped,
                b.holdingSymbols.allSatisfy({ $0 >= 0 && $0 < venue.symbols.count })
            else { throw SnapshotError("the frozen copy \"\(b.id(slot))\" is not this lead's stopped copy on listed symbols") }
            book = b
        } catch let e as SnapshotError {
            throw e
        } catch {
            throw SnapshotError("\(error)")
        }
        var engine = self
        engine.leads[ref.lead].book = book
        return engine
    }

    /// A writer of a row the database keeps for good (a frozen copy, a stored order): `magic`, then `format`
    /// (little-endian UInt32, versioned apart from snapshots), then what the caller writes.
    static func versionedWriter(_ magic: [UInt8], _ format: UInt32, capacity: Int) -> SnapshotWriter {
        var w = SnapshotWriter(chunkBytes: .max, sink: { _ in })
        w.bytes.reserveCapacity(capacity)
        w.bytes += magic
        withUnsafeBytes(of: format.littleEndian) { w.bytes.append(contentsOf: $0) }
        return w
    }

    /// A reader of the body of `bytes` that `versionedWriter(magic, format, …)` began; `what` names the row in errors.
    static func versionedReader(_ bytes: [UInt8], _ magic: [UInt8], _ format: UInt32, what: String) throws(SnapshotError)
        -> SnapshotReader
    {
        guard bytes.count >= magic.count + 4, Array(bytes.prefix(magic.count)) == magic else { throw SnapshotError("not a \(what)") }
        var found: UInt32 = 0
        for k in (magic.count..<(magic.count + 4)).reversed() { found = found << 8 | UInt32(bytes[k]) }
        guard found == format else { throw SnapshotError("a \(what) of format \(found); this build reads \(format)") }
        return SnapshotReader(bytes[(magic.count + 4)...])
    }

    /// Whether the copy's row was released from memory (read it with `viewing(frozen:of:)`).
    public func isReleased(_ ref: CopyRef) -> Bool { !leads[ref.lead].book.isInMemory(ref.slot) }

    /// Stopped copies whose rows are still in memory (`releaseHistory()` drops them), in lead then slot order.
    public var stoppedCopiesInMemory: [CopyRef] {
        leads.indices.flatMap { l in
            let book = leads[l].book
            return book.activeCount == book.rowCount
                ? []
                : (0..<book.rowCount).lazy.map { book.slot(ofRow: $0) }.filter { !book.isActive($0) }.map { CopyRef(lead: l, slot: $0) }
        }
    }

    /// Copies released from memory, all leads.
    public var releasedCopyCount: Int { leads.reduce(0) { $0 + $1.book.releasedCount } }
}

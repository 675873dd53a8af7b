/// Where a copy lives: its lead and its slot in the lead's copy book.
///
/// Kept in 8 bytes (two 32-bit numbers, the limit of a copy book's slots and of leads), not 16: the engine holds one
/// for every copy in its creation order, and the users hold theirs.
public struct CopyRef: Sendable, Hashable {
    private var storedLead: Int32
    private var storedSlot: Int32

    public var lead: Int {
        get { Int(storedLead) }
        set { storedLead = Int32(newValue) }
    }

    public var slot: Int {
        get { Int(storedSlot) }
        set { storedSlot = Int32(newValue) }
    }

    /// `lead` and `slot` must be in `0...Int32.max` (a copy book's slots are 32-bit numbers).
    public init(lead: Int, slot: Int) {
        precondition(Self.fits(lead) && Self.fits(slot), "a copy reference out of range: lead \(lead), slot \(slot)")
        storedLead = Int32(truncatingIfNeeded: lead)
        storedSlot = Int32(truncatingIfNeeded: slot)
    }

    /// Whether `n` can be a lead or slot number.
    public static func fits(_ n: Int) -> Bool { n >= 0 && n <= Int(Int32.max) }
}

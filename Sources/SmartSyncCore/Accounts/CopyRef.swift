/// Where a copy lives: its lead and its slot in the lead's copy book.
public struct CopyRef: Sendable, Hashable {
    public var lead: Int
    public var slot: Int

    public init(lead: Int, slot: Int) {
        self.lead = lead
        self.slot = slot
    }
}

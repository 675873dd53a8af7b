import Testing

@testable import SmartSyncCore

/// A user is 48 bytes (a million followers each have one) and still a value: what few users have lives in a box
/// that a change copies when another value shares it.
@Suite struct UserStorageTests {
    @Test func aUserIsSmallAndAValue() {
        #expect(MemoryLayout<User>.stride == 48)
        var a = User(id: "alice")
        #expect(a.assets.isEmpty && a.positions.isEmpty && a.copies.isEmpty && a.lead == nil)
        a.lead = 7
        a.copies.append(CopyRef(lead: 1, slot: 2))
        #expect(a.lead == 7 && a.copies == [CopyRef(lead: 1, slot: 2)])
        a.assets["BTC"] = fx("0.5")
        var b = a
        b.assets["BTC", default: .zero] += fx("1")
        b.positions[0, default: Position()].applyBuy(quantity: fx("1"), quote: fx("100"), fee: .zero)
        b.copies.append(CopyRef(lead: 3, slot: Int(Int32.max)))
        // The change to b left a alone.
        #expect(a.assets == ["BTC": fx("0.5")] && a.positions.isEmpty && a.copies.count == 1)
        #expect(b.assets == ["BTC": fx("1.5")] && b.positions[0]?.quantity == fx("1"))
        #expect(b.copies == [CopyRef(lead: 1, slot: 2), CopyRef(lead: 3, slot: Int(Int32.max))])
        b.copies = []
        b.lead = nil
        #expect(b.copies.isEmpty && b.lead == nil && a.copies.count == 1)
    }
}

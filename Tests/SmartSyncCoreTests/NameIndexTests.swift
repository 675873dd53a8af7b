import Testing

@testable import SmartSyncCore

/// The id look-ups (`NameIndex`) that keep no second copy of user and copy ids, and a user's inline copy list.
@Suite("Id look-ups")
struct NameIndexTests {
    /// 2,400 followers across three leads: every id is found where it is stored, through several rehashes and after
    /// a snapshot rebuilds the index; unknown ids and near-misses are not found; a repeated id is refused.
    @Test func everyIdIsFoundAndRepeatsAreRefused() throws {
        var sim = try Sim()
        let leads = ["alice", "bob", "carol"]
        for lead in leads { try sim.lead(lead, portfolio: "100000") }
        var refs: [String: CopyRef] = [:]
        for i in 0..<2_400 {
            refs["c\(i)"] = try sim.copy("c\(i)", of: leads[i % 3], investment: "100")
        }
        // One user with two copies (the list leaves its inline form) and one with none.
        try sim.user("two", deposit: "300")
        try sim.engine.startCopy(StartCopyRequest(copyID: "two-a", user: "two", lead: "alice", investment: fx("100")), at: sim.next())
        try sim.engine.startCopy(StartCopyRequest(copyID: "two-b", user: "two", lead: "bob", investment: fx("100")), at: sim.next())
        try sim.user("none", deposit: "1")

        let reopened = try Engine(snapshot: sim.engine.snapshotBytes())
        for engine in [sim.engine, reopened] {
            #expect(engine.userIndex.count == engine.users.count)
            #expect(engine.copyIndex.count == 2_402)
            for (id, ref) in refs {
                #expect(engine.copy(named: id) == ref)
                let u = try #require(engine.user(named: "user-" + id))
                #expect(engine.users[u].id == "user-" + id)
                #expect(engine.users[u].copies == [ref])
            }
            #expect(engine.user(named: "alice") == 0)
            #expect(engine.user(named: "c1") == nil)
            #expect(engine.copy(named: "user-c1") == nil)
            #expect(engine.copy(named: "c2400") == nil)
            #expect(engine.copy(named: "") == nil)
            let two = try #require(engine.user(named: "two"))
            #expect(engine.users[two].copies == [try #require(engine.copy(named: "two-a")), try #require(engine.copy(named: "two-b"))])
            #expect(engine.users[try #require(engine.user(named: "none"))].copies.isEmpty)
        }
        #expect(sim.engine.snapshotBytes() == reopened.snapshotBytes())

        #expect(refusal { try sim.engine.addUser("user-c17") }?.code == .duplicateID)
        #expect(
            refusal {
                try sim.engine.startCopy(StartCopyRequest(copyID: "c17", user: "none", lead: "alice", investment: fx("1")), at: sim.next())
            }?.code == .duplicateID)
    }

    /// The index on its own: names stored in an array, payloads their positions; 16 buckets grow as entries come.
    @Test func probesPastOtherNamesAndGrows() {
        var names: [String] = []
        var index = NameIndex()
        #expect(index.find("a") { names[Int($0)] } == nil)
        for i in 0..<1_000 {
            names.append("name-\(i)")
            index.insert(names[i], UInt32(i)) { names[Int($0)] }
            // Every name so far is still found after this insert (and any rehash it caused).
            if i % 97 == 0 {
                for k in 0...i { #expect(index.find(names[k]) { names[Int($0)] } == UInt32(k)) }
            }
        }
        #expect(index.count == 1_000)
        #expect(index.byteCount >= 4 * 1_334)  // ≤ 3/4 full
        #expect(index.find("name-1000") { names[Int($0)] } == nil)
    }

    /// A reference is two 32-bit numbers: 8 bytes, and every number up to Int32.max round-trips.
    @Test func copyRefsTakeEightBytes() {
        #expect(MemoryLayout<CopyRef>.stride == 8)
        for (lead, slot) in [(0, 0), (3, 1_000_000), (70_000, Int(Int32.max))] {
            let ref = CopyRef(lead: lead, slot: slot)
            #expect(ref.lead == lead && ref.slot == slot)
        }
        #expect(CopyRef.fits(Int(Int32.max)) && !CopyRef.fits(Int(Int32.max) + 1) && !CopyRef.fits(-1))
    }
}

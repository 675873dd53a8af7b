import Testing

@testable import SmartSyncStore

/// A FIX session's numbers and sent messages in the database, on both backends: what a restart resumes from.
@Suite struct VenueSessionStoreTests {
    @Test(arguments: Backend.available)
    func numbersAndMessagesSurviveAndNeverGoBack(_ backend: Backend) async throws {
        let database = try TestDatabase(backend)
        let store = try database.log().venueSessions()
        #expect(try await store.load("FIX.4.4:A->B") == nil)
        try await store.reset("FIX.4.4:A->B")
        try await store.saveOutgoing("FIX.4.4:A->B", nextOutgoing: 3, messages: [(2, "8=FIX.4.4\u{1}35=D\u{1}11=SS-1\u{1}")])
        try await store.saveIncoming("FIX.4.4:A->B", nextIncoming: 5)
        // A late save with lower numbers (two writes racing) never moves them back.
        try await store.saveOutgoing("FIX.4.4:A->B", nextOutgoing: 2, messages: [])
        try await store.saveIncoming("FIX.4.4:A->B", nextIncoming: 4)
        let loaded = try #require(try await store.load("FIX.4.4:A->B"))
        #expect(loaded.nextOutgoing == 3 && loaded.nextIncoming == 5 && loaded.sent == [2: "8=FIX.4.4\u{1}35=D\u{1}11=SS-1\u{1}"])
        // Another session is kept apart; a reset starts one afresh.
        #expect(try await store.load("FIX.4.4:A->C") == nil)
        try await store.reset("FIX.4.4:A->B")
        #expect(try await store.load("FIX.4.4:A->B") == StoredVenueSession(nextOutgoing: 1, nextIncoming: 1, sent: [:]))
    }
}

import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SmartSyncCore
import SmartSyncScenario
import SmartSyncStore
import SmartSyncViews
import Synchronization
import Testing

@testable import SmartSyncServer

/// Reads are answered from the last committed state: a command being applied (here held inside, after its commit)
/// makes no read wait, and no read sees it before it is published.
@Suite struct ReadsDuringCommandsTests {
    @Test func readsAndKeyLookupsDoNotWaitForACommandInProgress() async throws {
        let f = try await Fixture()
        let inside = Mutex(false)
        let onWriterThread = Mutex(false)
        let release = DispatchSemaphore(value: 0)
        let service = f.service
        await f.service.setAfterCommit {
            inside.withLock { $0 = true }
            // Commands run on the writer's own thread, not on a thread of Swift's cooperative pool.
            onWriterThread.withLock { $0 = service.writer.isCurrentThread }
            // Held until the reads below are done (30 s at most, so that a read that does wait fails, not hangs).
            _ = release.wait(timeout: .now() + 30)
        }
        let order = Task {
            try await f.service.submit(.order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(1_000))))
        }
        for _ in 0..<10_000 where !inside.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
        #expect(inside.withLock { $0 })
        let started = ContinuousClock.now
        // An HTTP read with a key never seen before (its look-up goes to the database) and the engine directly.
        let (status, fills) = try await f.app().test(.router) { client in
            try await client.execute(uri: "/v1/copies/alice-1/fills", method: .get, headers: headers(f.keys["alice"])) { response in
                (response.status, ((try? json(response.body)) as? [Any])?.count)
            }
        }
        let waited = started.duration(to: .now)
        let leadFills = f.service.read { $0.leadFillCount }
        release.signal()
        let receipt = try await order.value
        // Answered while the order was still held inside the writer, from the state before it.
        #expect(waited < .seconds(25))
        #expect(onWriterThread.withLock { $0 } && !f.service.writer.isCurrentThread)
        #expect(status == .ok && fills == 0 && leadFills == 0)
        // Once the commit returns, reads see it.
        #expect(receipt.applied && receipt.outcome?.copyFillCount == 1)
        #expect(f.service.read { $0.leadFillCount } == 1)
        await f.service.setAfterCommit(nil)
    }

    /// Commands await their commit, and the actor takes other calls meanwhile; they still run one at a time: a
    /// command that arrives while another is held after its commit waits for it, and many at once all commit, each
    /// at its own place in the log, with the same retry answered once.
    @Test func commandsRunOneAtATimeWhileACommitIsAwaited() async throws {
        let f = try await Fixture()
        let inside = Mutex(0)
        let release = DispatchSemaphore(value: 0)
        await f.service.setAfterCommit {
            // The first command is held after its commit until the second has been submitted.
            if inside.withLock({
                $0 += 1
                return $0
            }) == 1 {
                _ = release.wait(timeout: .now() + 30)
            }
        }
        let before = f.service.commandCount
        let first = Task { try await f.service.submit(.addUser("first")) }
        for _ in 0..<10_000 where inside.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let second = Task { try await f.service.submit(.addUser("second")) }
        try await Task.sleep(for: .milliseconds(100))
        // The second waits for its turn: it has not run while the first is held.
        #expect(inside.withLock { $0 } == 1)
        release.signal()
        #expect(try await first.value.event == before)
        #expect(try await second.value.event == before + 1)
        await f.service.setAfterCommit(nil)
        // Many at once, some of them the same retried request.
        let receipts = try await withThrowingTaskGroup(of: CommandReceipt.self) { group in
            for k in 0..<40 {
                group.addTask { try await f.service.submit(.addUser("u\(k % 30)"), requestID: "add-\(k % 30)") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(receipts.filter(\.applied).count == 30)
        #expect(Set(receipts.filter(\.applied).map(\.event)) == Set((before + 2)..<(before + 32)))
        #expect(f.service.commandCount == before + 32)
        #expect(f.service.read { engine in (0..<30).allSatisfy { engine.user(named: "u\($0)") != nil } })
        // The log holds them in order, and replays to a ledger that matches the stored one row for row.
        let replayed = try StoreDatabase.openExisting(f.folder.appendingPathComponent("s.sqlite").path)
        #expect(replayed.commandCount == before + 32)
        #expect(try replayed.verify().isEmpty)
    }

    /// The board is computed once per committed state and shared; a commit gives the next read a fresh one.
    @Test func theSharedBoardFollowsEveryCommit() async throws {
        let f = try await Fixture()
        func board() async throws -> String {
            try await f.app().test(.router) { client in
                try await client.execute(uri: "/v1/leads", method: .get) { String(buffer: $0.body) }
            }
        }
        let first = try await board()
        #expect(try await board() == first)
        _ = try await f.service.submit(.order(OrderRequest(user: "lead", symbol: "BTC-USDT", side: .buy, quoteAmount: Fixed(5_000))))
        _ = try await f.service.submit(.price(symbol: "BTC-USDT", price: Fixed(60_000)))
        let after = try await board()
        #expect(after != first)
        // The same as computed afresh from the committed state.
        let engine = f.service.read { $0 }
        let curve = try await f.service.leadCurveRead(engine, APIViews.leadCurveRequest(engine, 0, curvePoints: 0))
        var lead = APIViews.lead(engine, 0, curvePoints: 0, curve: curve)
        lead.n = 0
        // As the API writes it (APIHandlers.register).
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let fresh = String(decoding: try encoder.encode([lead]), as: UTF8.self)
        #expect(after == fresh)
    }
}

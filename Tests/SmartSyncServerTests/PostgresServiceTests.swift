import Foundation
import Logging
import SmartSyncBench
import SmartSyncCore
import SmartSyncStore
import Testing

@testable import SmartSyncServer

/// The server's engine on PostgreSQL (the store's contract tests cover the rest): `EngineService(databasePath:)`
/// takes a URL, keeps its keys there, and a restarted service finds both again.
@Suite(.timeLimit(.minutes(1)))
struct PostgresServiceTests {
    static let server =
        ProcessInfo.processInfo.environment["SMARTSYNC_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
        ?? "postgres://postgres:postgres@127.0.0.1:5432/postgres"

    static let reachable: Bool = {
        guard var url = try? PostgresURL(server) else { return false }
        url.connectTimeout = 2
        guard let session = try? PostgresSession(url: url) else { return false }
        session.close()
        return true
    }()

    @Test(.enabled(if: reachable, "no PostgreSQL server at SMARTSYNC_TEST_POSTGRES or 127.0.0.1:5432: skipped"))
    func serviceRunsOnAPostgresURL() async throws {
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let location = Self.server + (Self.server.contains("?") ? "&" : "?") + "schema=\(schema)"
        defer { try? PostgresAdmin.dropSchema(String(schema), on: try PostgresURL(Self.server)) }
        let key: String
        do {
            let service = try EngineService(databasePath: location, logger: Logger(label: "test"), now: { 1_620_172_800_000 })
            #expect(try await !service.hasKeys())
            key = try await service.issueKey(user: "operator", role: .operator_)
            #expect(try await service.execute(.deposit(user: "operator", amount: Fixed(100)), requestID: "d-1"))
            #expect(try await !service.execute(.deposit(user: "operator", amount: Fixed(100)), requestID: "d-1"))
        }
        let restarted = try EngineService(databasePath: location, logger: Logger(label: "test"), now: { 1_620_172_800_000 })
        #expect(restarted.commandCount == 2)
        #expect(try await restarted.caller(forKey: key) == Caller(user: "operator", role: .operator_))
        #expect(try await restarted.caller(forKey: key + "x") == nil)
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import SmartSyncCore
import SmartSyncStore
import SmartSyncViews

/// The caller's main account, transfers and orders.
extension Routes {
    // MARK: The caller's main account

    func registerAccount(_ router: Router<AppContext>) {
        router.get("/v1/me") { _, context in
            let caller = try context.requireCaller()
            return try jsonResponse(
                service.read { engine in
                    guard let u = engine.user(named: caller.user) else { throw APIError.notFound("user \(caller.user)") }
                    var user = ScenarioReport.user(engine.users[u])
                    if case .object(var pairs) = user {
                        pairs.append(("role", .string(caller.role.rawValue)))
                        user = .object(pairs)
                    }
                    return user
                })
        }
    }
}

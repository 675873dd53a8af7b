import Foundation
import Hummingbird

/// Answers a method the API does not declare on a path it does declare with `405 Method Not Allowed` and an `Allow`
/// header listing the methods it declares (RFC 9110 §15.5.6), instead of the router's 404. The paths and methods
/// are read from the OpenAPI document itself (`/openapi.json`), so the answer always matches the contract. HEAD is
/// allowed where GET is. Paths the document does not name (the web pages, `/metrics`) are left to the router.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each declared path as segments (`nil` for a `{parameter}`), with its methods in upper case.
    let paths: [(segments: [Substring?], methods: Set<String>)]

    init() {
        var paths: [(segments: [Substring?], methods: Set<String>)] = []
        let bytes = Data(OpenAPIDocument.json.utf8)
        if let document = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any],
            let declared = document["paths"] as? [String: Any]
        {
            let verbs: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
            for (path, item) in declared {
                guard let item = item as? [String: Any] else { continue }
                let methods = Set(item.keys.filter { verbs.contains($0) }.map { $0.uppercased() })
                let segments = path.split(separator: "/").map { $0.hasPrefix("{") ? nil : $0 } as [Substring?]
                paths.append((segments, methods))
            }
        }
        self.paths = paths
    }

    /// The methods declared on the path `path` matches, nil when it matches none. A literal segment wins over a
    /// parameter (`/v1/copies/summary` is not `/v1/copies/{id}`).
    func declaredMethods(_ path: String) -> Set<String>? {
        let parts = path.split(separator: "/")
        var best: (literals: Int, methods: Set<String>)?
        for p in paths where p.segments.count == parts.count {
            var literals = 0
            var matches = true
            for (s, part) in zip(p.segments, parts) {
                if let s {
                    guard s == part else {
                        matches = false
                        break
                    }
                    literals += 1
                }
            }
            if matches && literals > (best?.literals ?? -1) { best = (literals, p.methods) }
        }
        return best?.methods
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let method = request.method.rawValue
        guard let methods = declaredMethods(request.uri.path), !methods.contains(method),
            !(method == "HEAD" && methods.contains("GET"))
        else { return try await next(request, context) }
        let allow = methods.sorted().joined(separator: ", ")
        var response = try APIError(
            .methodNotAllowed, code: "methodNotAllowed", "\(method) is not a method of \(request.uri.path) (its methods: \(allow))"
        ).response(from: request, context: context)
        response.headers[.allow] = allow
        return response
    }
}

import Hummingbird
import SmartSyncViews

/// Holds every request to the contract (`openapi.yaml`) before a route sees it:
/// - a method the API does not declare on a path it does declare gets `405 Method Not Allowed` and an `Allow` header
///   listing the declared methods (RFC 9110 §15.5.6), instead of the router's 404; HEAD is allowed where GET is;
/// - a query parameter the operation declares must fit its schema (a whole number in its range, one of its values, a
///   decimal by its pattern), else 400 naming the parameter and the rule; so must a whole-number path parameter
///   (`/v1/copies/{id}/fills/{n}/receipt`);
/// - a request body must fit the operation's schema (`checkedBody`), else 400 naming the field and the rule (or 413);
/// - the answer is JSON whatever `Accept` says.
/// Paths the contract does not name (the web pages, `/metrics`) are left to the router. What passes reaches a route
/// already well formed: the generated decoding of `APIHandlers` never sees anything else.
struct ContractMiddleware<Context: RequestContext>: RouterMiddleware {
    struct Operation: Sendable {
        /// The query parameters: name, whether required, schema.
        var query: [(name: String, required: Bool, schema: JSONValue)]
        /// The request body's schema in `components.schemas`, nil when the operation takes none.
        var body: String?
        /// Whole-number path parameters: the path segment they are, name, schema.
        var pathIntegers: [(segment: Int, name: String, schema: JSONValue)] = []
    }

    /// Each declared path as segments (`nil` for a `{parameter}`), with its operations by upper-case method.
    let paths: [(segments: [Substring?], operations: [String: Operation])]
    let validator: SchemaValidator

    init(validator: SchemaValidator = requestValidator) {
        self.validator = validator
        var paths: [(segments: [Substring?], operations: [String: Operation])] = []
        if case .object(let declared)? = APIContract.document["paths"] {
            for (path, item) in declared {
                guard case .object(let methods) = item else { continue }
                var operations: [String: Operation] = [:]
                for (method, op) in methods where APIContract.verbs.contains(method) {
                    var query: [(name: String, required: Bool, schema: JSONValue)] = []
                    if case .array(let parameters)? = op["parameters"] {
                        for p in parameters where p["in"] == .string("query") {
                            guard case .string(let name)? = p["name"], let schema = p["schema"] else { continue }
                            query.append((name, p["required"] == .bool(true), schema))
                        }
                    }
                    var body: String?
                    if case .string(let ref)? = op["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"] {
                        body = ref.split(separator: "/").last.map(String.init)
                    }
                    var pathIntegers: [(segment: Int, name: String, schema: JSONValue)] = []
                    if case .array(let parameters)? = op["parameters"] {
                        let segments = path.split(separator: "/")
                        for p in parameters where p["in"] == .string("path") && p["schema"]?["type"] == .string("integer") {
                            guard case .string(let name)? = p["name"], let schema = p["schema"],
                                let k = segments.firstIndex(where: { $0 == "{\(name)}" })
                            else { continue }
                            pathIntegers.append((k, name, schema))
                        }
                    }
                    operations[method.uppercased()] = Operation(query: query, body: body, pathIntegers: pathIntegers)
                }
                paths.append((path.split(separator: "/").map { $0.hasPrefix("{") ? nil : $0 } as [Substring?], operations))
            }
        }
        self.paths = paths
    }

    /// The operations declared on the path `path` matches, nil when it matches none. A literal segment wins over a
    /// parameter (`/v1/copies/summary` is not `/v1/copies/{id}`).
    func declaredOperations(_ path: String) -> [String: Operation]? {
        let parts = path.split(separator: "/")
        var best: (literals: Int, operations: [String: Operation])?
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
            if matches && literals > (best?.literals ?? -1) { best = (literals, p.operations) }
        }
        return best?.operations
    }

    /// The methods declared on the path `path` matches (for tests and `Allow`).
    func declaredMethods(_ path: String) -> Set<String>? { declaredOperations(path).map { Set($0.keys) } }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let method = request.method.rawValue
        guard let operations = declaredOperations(request.uri.path) else { return try await next(request, context) }
        guard let operation = operations[method] ?? (method == "HEAD" ? operations["GET"] : nil) else {
            let allow = operations.keys.sorted().joined(separator: ", ")
            var response = try APIError(
                .methodNotAllowed, code: "methodNotAllowed", "\(method) is not a method of \(request.uri.path) (its methods: \(allow))"
            ).response(from: request, context: context)
            response.headers[.allow] = allow
            return response
        }
        let segments = request.uri.path.split(separator: "/")
        for parameter in operation.pathIntegers where parameter.segment < segments.count {
            try validator.validateQuery(String(segments[parameter.segment]), parameter.schema, name: parameter.name)
        }
        let query = request.uri.queryParameters
        for parameter in operation.query {
            guard let text = query.get(parameter.name) else {
                if parameter.required { throw APIError(.badRequest, code: "invalidInput", "is required", field: parameter.name) }
                continue
            }
            try validator.validateQuery(text, parameter.schema, name: parameter.name)
        }
        // Every answer is JSON, whatever `Accept` asks (as the API always answered): the generated code would refuse
        // an `Accept: text/html` only once the operation had run, so it never sees one.
        var head = request.head
        head.headerFields[.accept] = nil
        guard let schema = operation.body else { return try await next(Request(head: head, body: request.body), context) }
        let body = try await checkedBody(request, schema: schema, validator: validator)
        // It is JSON whatever the client said (`curl -d` says a form): the generated decoding asks for the type.
        head.headerFields[.contentType] = "application/json"
        return try await next(Request(head: head, body: .init(buffer: body)), context)
    }
}

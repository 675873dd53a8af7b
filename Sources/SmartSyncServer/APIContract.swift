import Foundation
import SmartSyncAssets
import SmartSyncViews
import Yams

/// The API's contract: `Sources/SmartSyncAssets/openapi.yaml`, compiled into the binary. It is the one source of
/// what the API declares. The server serves it as JSON at `/openapi.json`, checks every request body against its
/// schema before anything runs (`SchemaValidator`), and answers undeclared methods from its paths
/// (`ContractMiddleware`, which also checks query parameters).
enum APIContract {
    /// The document, in the file's order.
    static let document: JSONValue = {
        do {
            let text = String(decoding: Assets.openAPI, as: UTF8.self)
            guard let node = try Yams.compose(yaml: text) else { fatalError("openapi.yaml is empty") }
            return try value(node)
        } catch {
            // The file is compiled in and parsed by a test: a broken contract is a broken build, not a runtime state.
            fatalError("openapi.yaml does not parse: \(error)")
        }
    }()

    /// The document as minified JSON, as `/openapi.json` serves it.
    static let json: String = document.compact()

    /// The schemas of `components.schemas` by name.
    static let schemas: [String: JSONValue] = {
        guard case .object(let pairs)? = document["components"]?["schemas"] else { return [:] }
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }()

    /// The declared paths (`/v1/copies/{id}`) with the methods each declares, in upper case.
    static let paths: [(path: String, methods: Set<String>)] = {
        guard case .object(let pairs)? = document["paths"] else { return [] }
        return pairs.map { path, item in
            guard case .object(let operations) = item else { return (path, []) }
            return (path, Set(operations.map(\.0).filter { verbs.contains($0) }.map { $0.uppercased() }))
        }
    }()

    /// The keys of a path item that are operations.
    static let verbs: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// A YAML node as JSON: YAML's core schema decides what is a number, a boolean or null (`'200'` stays a string).
    static func value(_ node: Node) throws -> JSONValue {
        switch node {
        case .mapping(let mapping):
            return .object(try mapping.map { key, item in (key.string ?? "", try value(item)) })
        case .sequence(let sequence):
            return .array(try sequence.map(value))
        case .scalar(let scalar):
            switch node.any {
            case is NSNull: return .null
            case let b as Bool: return .bool(b)
            case let i as Int: return .int(i)
            case is Double: throw ContractError("a fractional number (\(scalar.string)): write decimals as strings")
            default: return .string(scalar.string)
            }
        case .alias:
            throw ContractError("YAML aliases are not used in the contract")
        }
    }

    struct ContractError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

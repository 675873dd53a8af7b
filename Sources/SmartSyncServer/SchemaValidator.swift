import Foundation
import SmartSyncViews

/// A JSON request body as the client sent it (before it becomes one of the request types).
indirect enum BodyValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case array([BodyValue])
    case object([String: BodyValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int.self) {
            self = .int(i)
        } else if let d = try? container.decode(Double.self) {
            self = .number(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([BodyValue].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: BodyValue].self))
        }
    }

    /// The JSON Schema type this value is.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// Checks a request body against its schema in the contract (`APIContract`), so that what the contract calls
/// invalid is refused with a 400 naming the field and the rule, and nothing else is. It understands the part of
/// JSON Schema the contract uses: `$ref`, `type`, `enum`, `const`, `pattern`, `minLength`, `maxLength`, `minimum`,
/// `maximum`, `properties`, `required`, `additionalProperties: false`, `minProperties`, `maxProperties`, `items`,
/// `minItems`, `maxItems`, `uniqueItems`, `oneOf` and `allOf`. A schema's `x-rule` is the rule
/// an error states; an object's `x-field` is the field named when none of its `oneOf` branches fits.
struct SchemaValidator: Sendable {
    let schemas: [String: JSONValue]
    let patterns: Patterns

    /// `schemas` are the contract's components; `alsoIn` is the rest of it whose patterns are checked too (the
    /// paths' parameters).
    init(schemas: [String: JSONValue], alsoIn others: [JSONValue] = []) {
        self.schemas = schemas
        var found: [String: NSRegularExpression] = [:]
        func collect(_ v: JSONValue) {
            switch v {
            case .object(let pairs):
                for (k, inner) in pairs {
                    if k == "pattern", case .string(let p) = inner { found[p] = try? NSRegularExpression(pattern: p) }
                    collect(inner)
                }
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        schemas.values.forEach(collect)
        others.forEach(collect)
        self.patterns = Patterns(compiled: found)
    }

    /// Compiled once; `NSRegularExpression` is immutable and documented safe to use from several threads.
    struct Patterns: @unchecked Sendable {
        let compiled: [String: NSRegularExpression]
    }

    /// Throws the first rule `value` breaks, walking fields in a fixed order (unknown fields, then required ones,
    /// then each declared field in the contract's order, then the object's `oneOf`).
    func validate(_ value: BodyValue, against schemaName: String) throws(APIError) {
        guard let schema = schemas[schemaName] else {
            throw APIError(.internalServerError, code: "internal", "the contract has no schema \(schemaName)")
        }
        try validate(value, schema, path: [], rule: nil)
    }

    /// Checks a query parameter's text against its schema: a whole number where the schema wants an integer, true or
    /// false for a boolean, a string otherwise. The field named is the parameter.
    func validateQuery(_ text: String, _ schema: JSONValue, name: String) throws(APIError) {
        let resolved = resolve(schema)
        let value: BodyValue
        if resolved["type"] == .string("integer") {
            guard let i = Int(text) else { throw fail("must be a whole number (got \(JSONValue.string(text).compact()))", [name]) }
            value = .int(i)
        } else if resolved["type"] == .string("boolean") {
            guard text == "true" || text == "false" else {
                throw fail("must be true or false (got \(JSONValue.string(text).compact()))", [name])
            }
            value = .bool(text == "true")
        } else {
            value = .string(text)
        }
        try validate(value, schema, path: [name], rule: nil)
    }

    private func resolve(_ schema: JSONValue) -> JSONValue {
        if case .string(let ref)? = schema["$ref"], ref.hasPrefix("#/components/schemas/"),
            let target = schemas[String(ref.dropFirst("#/components/schemas/".count))]
        {
            return resolve(target)
        }
        return schema
    }

    private func fail(_ rule: String, _ path: [String]) -> APIError {
        APIError(.badRequest, code: "invalidInput", rule, field: path.isEmpty ? nil : path.joined(separator: "."))
    }

    private func validate(_ value: BodyValue, _ raw: JSONValue, path: [String], rule inherited: String?) throws(APIError) {
        let schema = resolve(raw)
        var rule: String? = inherited
        if case .string(let r)? = schema["x-rule"] { rule = r }
        // A nullable schema (`type: [..., "null"]`) takes null whatever else it says.
        if value == .null, case .array(let types)? = schema["type"], types.contains(.string("null")) { return }
        // Every part must fit, in order (the contract writes an object with exclusive fields as its fields `allOf`
        // the oneOf that relates them, which is the form swift-openapi-generator reads).
        if case .array(let parts)? = schema["allOf"] {
            for part in parts { try validate(value, part, path: path, rule: rule) }
            return
        }
        if case .array(let branches)? = schema["oneOf"], schema["properties"] == nil {
            var field: String?
            if case .string(let f)? = schema["x-field"] { field = f }
            try validateOneOf(value, branches, path: path, rule: rule, field: field)
            return
        }
        if let types = schema["type"] {
            let allowed: [String]
            switch types {
            case .string(let t): allowed = [t]
            case .array(let ts): allowed = ts.compactMap { if case .string(let t) = $0 { t } else { nil } }
            default: allowed = []
            }
            let name = value.typeName
            if !allowed.contains(name) && !(name == "integer" && allowed.contains("number")) {
                throw fail(typeRule(allowed, given: value, rule: rule), path)
            }
        }
        if case .array(let options)? = schema["enum"] {
            guard options.contains(where: { matches(value, $0) }) else {
                let listed = options.map { $0.compact() }.joined(separator: ", ")
                throw fail(rule ?? "must be one of \(listed)", path)
            }
        }
        if let constant = schema["const"], !matches(value, constant) {
            throw fail(rule ?? "must be \(constant.compact())", path)
        }
        if case .string(let s) = value {
            try checkString(s, schema, path: path, rule: rule)
        }
        if case .int(let i) = value {
            if case .int(let min)? = schema["minimum"], i < min { throw fail(rule ?? "must be at least \(min)", path) }
            if case .int(let max)? = schema["maximum"], i > max { throw fail(rule ?? "must be at most \(max)", path) }
        }
        if case .object(let fields) = value {
            try checkObject(fields, schema, path: path, rule: rule)
        }
        if case .array(let items) = value {
            try checkArray(items, schema, path: path, rule: rule)
        }
    }

    /// An array's length, uniqueness and items; an item's errors name it as `field[index]`.
    private func checkArray(_ items: [BodyValue], _ schema: JSONValue, path: [String], rule: String?) throws(APIError) {
        if case .int(let min)? = schema["minItems"], items.count < min {
            throw fail(rule ?? (min == 1 ? "must not be empty" : "must have at least \(min) items"), path)
        }
        if case .int(let max)? = schema["maxItems"], items.count > max { throw fail(rule ?? "must have at most \(max) items", path) }
        if case .bool(true)? = schema["uniqueItems"] {
            for (k, item) in items.enumerated() where items[..<k].contains(item) {
                throw fail("must not list the same item twice", Self.indexed(path, k))
            }
        }
        if let inner = schema["items"] {
            for (k, item) in items.enumerated() { try validate(item, inner, path: Self.indexed(path, k), rule: nil) }
        }
    }

    /// `path` with its last field indexed: `events[2]`.
    private static func indexed(_ path: [String], _ k: Int) -> [String] {
        guard let last = path.last else { return ["[\(k)]"] }
        return path.dropLast() + ["\(last)[\(k)]"]
    }

    private func checkString(_ s: String, _ schema: JSONValue, path: [String], rule: String?) throws(APIError) {
        let length = s.unicodeScalars.count
        if case .int(let min)? = schema["minLength"], length < min {
            throw fail(rule ?? (min == 1 ? "must not be empty" : "must be at least \(min) characters"), path)
        }
        if case .int(let max)? = schema["maxLength"], length > max { throw fail(rule ?? "must be at most \(max) characters", path) }
        if case .string(let p)? = schema["pattern"], let regex = patterns.compiled[p] {
            // JSON Schema's patterns are ECMA-262, where `$` is the end of the input; ICU's `$` also matches before a
            // final line break, so a match must cover the whole text ("abc\n" is not an id). The contract's patterns
            // are all anchored at both ends.
            let range = NSRange(s.startIndex..<s.endIndex, in: s)
            if regex.firstMatch(in: s, range: range)?.range != range {
                throw fail(rule.map { "\($0) (got \(JSONValue.string(s).compact()))" } ?? "must match \(p)", path)
            }
        }
    }

    private func checkObject(_ fields: [String: BodyValue], _ schema: JSONValue, path: [String], rule: String?) throws(APIError) {
        let declared: [(String, JSONValue)]
        if case .object(let pairs)? = schema["properties"] { declared = pairs } else { declared = [] }
        if case .bool(false)? = schema["additionalProperties"] {
            let names = Set(declared.map(\.0))
            if let unknown = fields.keys.sorted().first(where: { !names.contains($0) }) {
                throw APIError(
                    .badRequest, code: "unknownField",
                    "is not a field of this request (its fields: \(names.sorted().joined(separator: ", ")))",
                    field: (path + [unknown]).joined(separator: "."))
            }
        }
        if case .array(let required)? = schema["required"] {
            for case .string(let name) in required where fields[name] == nil {
                throw fail("is required", path + [name])
            }
        }
        // Fields of which one is given (a stop loss's amount or ratio): more is a choice not made.
        if case .int(let max)? = schema["maxProperties"], fields.count > max {
            let names = fields.keys.sorted()
            throw fail(
                max == 1
                    ? "give \(names.joined(separator: " or ")), not \(names.count == 2 ? "both" : "all of them")"
                    : rule ?? "must have at most \(max) fields", path + [names[max]])
        }
        if case .int(let min)? = schema["minProperties"], fields.count < min {
            throw fail(rule ?? "must have at least \(min) field\(min == 1 ? "" : "s")", path)
        }
        for (name, inner) in declared {
            if let v = fields[name] { try validate(v, inner, path: path + [name], rule: nil) }
        }
        if case .array(let branches)? = schema["oneOf"] {
            var rule: String?
            if case .string(let r)? = schema["x-rule"] { rule = r }
            var field: String?
            if case .string(let f)? = schema["x-field"] { field = f }
            try validateOneOf(.object(fields), branches, path: path, rule: rule, field: field)
        }
    }

    /// Exactly one branch must fit. When none does and only one branch's required fields are all present, that
    /// branch's own error is the clearest; otherwise the schema's rule names what is wanted.
    private func validateOneOf(_ value: BodyValue, _ branches: [JSONValue], path: [String], rule: String?, field: String?)
        throws(APIError)
    {
        var fits = 0
        for b in branches where (try? validate(value, b, path: path, rule: nil)) != nil { fits += 1 }
        if fits == 1 { return }
        if fits == 0 {
            // A nullable field (`oneOf: [X, null]`) given a value: X's own error.
            let nonNull = branches.filter { resolve($0)["type"] != .string("null") }
            if nonNull.count == 1, value != .null { try validate(value, nonNull[0], path: path, rule: rule) }
        }
        if case .object(let fields) = value, field == nil || fits == 0 {
            let resolved = branches.map(resolve)
            // A field no branch declares: named as unknown, with every field the branches allow.
            let declared = resolved.map { b -> [String] in
                if case .object(let pairs)? = b["properties"] { pairs.map(\.0) } else { [] }
            }
            if resolved.allSatisfy({ $0["additionalProperties"] == .bool(false) }),
                let unknown = fields.keys.sorted().first(where: { k in !declared.contains { $0.contains(k) } })
            {
                let names = Set(declared.joined()).sorted().joined(separator: ", ")
                throw APIError(
                    .badRequest, code: "unknownField", "is not a field of this request (its fields: \(names))",
                    field: (path + [unknown]).joined(separator: "."))
            }
            // The branches whose required fields are all given: several is a choice not made; one is the form meant.
            let given = resolved.compactMap { b -> [String]? in
                guard case .array(let required)? = b["required"] else { return nil }
                let names = required.compactMap { if case .string(let n) = $0 { n } else { nil } }
                return names.allSatisfy { fields[$0] != nil && fields[$0] != .null } ? names : nil
            }
            if given.count > 1 {
                let choices = given.compactMap(\.last)
                throw fail(
                    "give \(choices.joined(separator: " or ")), not \(choices.count == 2 ? "both" : "several")",
                    path + [choices[1]])
            }
            if fits == 0, given.count == 1,
                let meant = resolved.firstIndex(where: { b in
                    guard case .array(let required)? = b["required"] else { return false }
                    return required.compactMap { if case .string(let n) = $0 { n } else { nil } } == given[0]
                })
            {
                try validate(value, branches[meant], path: path, rule: nil)
            }
        }
        throw fail(rule ?? "must fit exactly one of the forms the contract allows", field.map { path + [$0] } ?? path)
    }

    private func typeRule(_ allowed: [String], given: BodyValue, rule: String?) -> String {
        if given == .null { return "must not be null" }
        let wanted = allowed.filter { $0 != "null" }
        if wanted.isEmpty { return rule ?? "is not allowed here" }
        switch wanted.first {
        case "string": return rule ?? "must be a string"
        case "integer": return "must be a whole number"
        case "boolean": return "must be true or false"
        case "object": return "must be an object"
        case "array": return "must be an array"
        default: return "must be \(wanted.joined(separator: " or "))"
        }
    }

    private func matches(_ value: BodyValue, _ expected: JSONValue) -> Bool {
        switch (value, expected) {
        case (.null, .null): true
        case (.string(let a), .string(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        default: false
        }
    }
}

import SmartSyncCore

/// Encodes an `Encodable` value as a `JSONValue`, keeping an object's fields in the order they are encoded (a
/// synthesized conformance encodes them as declared). The scenario report is written this way, byte for byte stable,
/// from the same types the API answers with. Integers become `.int`; floating point is refused (money is `Fixed`, a
/// decimal string).
public struct JSONValueEncoder {
    public init() {}

    public func encode(_ value: some Encodable) throws -> JSONValue {
        let root = Slot()
        try value.encode(to: SlotEncoder(slot: root, codingPath: []))
        return root.value
    }

    /// `value` as JSON, for the product's own types (the report, the API's answers, stream messages, alerts): they
    /// hold strings, integers, booleans, `Fixed` and null only, which this encoder cannot fail on.
    public static func value(_ value: some Encodable) -> JSONValue {
        do { return try JSONValueEncoder().encode(value) } catch { preconditionFailure("\(type(of: value)) did not encode: \(error)") }
    }
}

/// A value being encoded: filled in once its container is known. An object's or array's members are values when
/// they are primitives (no slot of their own), slots when they have containers of their own.
private final class Slot {
    enum Member {
        case value(JSONValue)
        case slot(Slot)

        var value: JSONValue {
            switch self {
            case .value(let v): return v
            case .slot(let s): return s.value
            }
        }
    }
    enum Content {
        case empty
        case value(JSONValue)
        case object([(String, Member)])
        case array([Member])
    }
    var content = Content.empty

    var value: JSONValue {
        switch content {
        case .empty: return .object([])
        case .value(let v): return v
        case .object(let pairs): return .object(pairs.map { ($0.0, $0.1.value) })
        case .array(let items): return .array(items.map(\.value))
        }
    }

    /// Adds a field. A key encoded twice is written twice: the synthesized conformances the report's types use never
    /// do (checking every key against the others would make a report's objects quadratic in their fields).
    func add(_ key: String, _ member: Member) {
        guard case .object(var pairs) = content else { return }
        content = .empty
        pairs.append((key, member))
        content = .object(pairs)
    }

    func child(_ key: String) -> Slot {
        let s = Slot()
        add(key, .slot(s))
        return s
    }

    /// The slot of `key` for a nested container: the one already there (a second container for a key adds to the
    /// first, as Foundation's encoder does), else a new one.
    func nested(_ key: String) -> Slot {
        if case .object(let pairs) = content, let found = pairs.first(where: { $0.0 == key }), case .slot(let s) = found.1 {
            return s
        }
        return child(key)
    }

    func append(_ member: Member) {
        guard case .array(var items) = content else { return }
        content = .empty
        items.append(member)
        content = .array(items)
    }

    func append() -> Slot {
        let s = Slot()
        append(.slot(s))
        return s
    }
}

private struct SlotEncoder: Encoder {
    let slot: Slot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = slot.content {} else { slot.content = .object([]) }
        return KeyedEncodingContainer(Keyed<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = slot.content {} else { slot.content = .array([]) }
        return Unkeyed(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(slot: slot, codingPath: codingPath) }
}

/// A primitive's JSON value (nil for a value with containers of its own); floating point is refused.
private func primitive(_ value: some Encodable, path: [any CodingKey]) throws -> JSONValue? {
    switch value {
    // Amounts first: most of a report's values.
    case let v as Fixed: return .string(v.description)
    case let v as String: return .string(v)
    case let v as Bool: return .bool(v)
    case let v as any BinaryInteger:
        guard let i = Int(exactly: v) else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(v) does not fit an Int"))
        }
        return .int(i)
    case is Double, is Float:
        throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "floating point is not encoded; use Fixed"))
    default: return nil
    }
}

/// `value` as a member of an object or array: itself when primitive, else a slot it encodes into.
private func member(_ value: some Encodable, path: [any CodingKey]) throws -> Slot.Member {
    if let v = try primitive(value, path: path) { return .value(v) }
    let s = Slot()
    try value.encode(to: SlotEncoder(slot: s, codingPath: path))
    return .slot(s)
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { (stringValue, self.intValue) = ("\(intValue)", intValue) }
}

private struct Keyed<K: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: K) throws { slot.add(key.stringValue, .value(.null)) }
    // The common primitives without a cast.
    mutating func encode(_ value: String, forKey key: K) throws { slot.add(key.stringValue, .value(.string(value))) }
    mutating func encode(_ value: Int, forKey key: K) throws { slot.add(key.stringValue, .value(.int(value))) }
    mutating func encode(_ value: Bool, forKey key: K) throws { slot.add(key.stringValue, .value(.bool(value))) }
    mutating func encode(_ value: some Encodable, forKey key: K) throws {
        slot.add(key.stringValue, try member(value, path: codingPath + [key]))
    }
    mutating func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type, forKey key: K) -> KeyedEncodingContainer<N> {
        SlotEncoder(slot: slot.nested(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: K) -> any UnkeyedEncodingContainer {
        SlotEncoder(slot: slot.nested(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder {
        SlotEncoder(slot: slot.child("super"), codingPath: codingPath + [AnyKey(stringValue: "super")])
    }
    mutating func superEncoder(forKey key: K) -> any Encoder {
        SlotEncoder(slot: slot.child(key.stringValue), codingPath: codingPath + [key])
    }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]
    var count: Int {
        if case .array(let items) = slot.content { return items.count }
        return 0
    }
    private var next: [any CodingKey] { codingPath + [AnyKey(intValue: count)] }

    mutating func encodeNil() throws { slot.append(.value(.null)) }
    mutating func encode(_ value: String) throws { slot.append(.value(.string(value))) }
    mutating func encode(_ value: Int) throws { slot.append(.value(.int(value))) }
    mutating func encode(_ value: some Encodable) throws {
        let path = next
        slot.append(try member(value, path: path))
    }
    mutating func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type) -> KeyedEncodingContainer<N> {
        let path = next
        return SlotEncoder(slot: slot.append(), codingPath: path).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = next
        return SlotEncoder(slot: slot.append(), codingPath: path).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder {
        let path = next
        return SlotEncoder(slot: slot.append(), codingPath: path)
    }
}

private struct Single: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.content = .value(.null) }
    mutating func encode(_ value: String) throws { slot.content = .value(.string(value)) }
    mutating func encode(_ value: some Encodable) throws {
        if let v = try primitive(value, path: codingPath) {
            slot.content = .value(v)
        } else {
            try value.encode(to: SlotEncoder(slot: slot, codingPath: codingPath))
        }
    }
}

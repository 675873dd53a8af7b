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
}

/// A value being encoded: filled in once its container is known.
private final class Slot {
    enum Content {
        case empty
        case value(JSONValue)
        case object([(String, Slot)])
        case array([Slot])
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

    func child(_ key: String) -> Slot {
        let s = Slot()
        if case .object(var pairs) = content {
            // A key encoded again replaces the first (as Foundation's encoder does).
            content = .empty
            if let k = pairs.firstIndex(where: { $0.0 == key }) { pairs[k].1 = s } else { pairs.append((key, s)) }
            content = .object(pairs)
        }
        return s
    }

    /// The slot of `key` for a nested container: the one already there (a second container for a key adds to the
    /// first, as Foundation's encoder does), else a new one.
    func nested(_ key: String) -> Slot {
        if case .object(let pairs) = content, let found = pairs.first(where: { $0.0 == key }) { return found.1 }
        return child(key)
    }

    func append() -> Slot {
        let s = Slot()
        if case .array(var items) = content {
            content = .empty
            items.append(s)
            content = .array(items)
        }
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

/// Encodes one value into `slot`: primitives directly, anything else through its own `encode(to:)`.
private func put(_ value: some Encodable, into slot: Slot, path: [any CodingKey]) throws {
    switch value {
    // Amounts first: most of a report's values.
    case let v as Fixed: slot.content = .value(.string(v.description))
    case let v as String: slot.content = .value(.string(v))
    case let v as Bool: slot.content = .value(.bool(v))
    case let v as any BinaryInteger:
        guard let i = Int(exactly: v) else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(v) does not fit an Int"))
        }
        slot.content = .value(.int(i))
    case is Double, is Float:
        throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "floating point is not encoded; use Fixed"))
    default: try value.encode(to: SlotEncoder(slot: slot, codingPath: path))
    }
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

    mutating func encodeNil(forKey key: K) throws { slot.child(key.stringValue).content = .value(.null) }
    mutating func encode(_ value: some Encodable, forKey key: K) throws {
        try put(value, into: slot.child(key.stringValue), path: codingPath + [key])
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

    mutating func encodeNil() throws { slot.append().content = .value(.null) }
    mutating func encode(_ value: some Encodable) throws {
        let path = next
        try put(value, into: slot.append(), path: path)
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
    mutating func encode(_ value: some Encodable) throws { try put(value, into: slot, path: codingPath) }
}

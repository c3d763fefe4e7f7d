/// Encodes `Encodable` values straight to JSON bytes: object keys sorted by their UTF-8 bytes, slashes
/// not escaped, `nil` optionals left out (as `JSONEncoder` with `.sortedKeys, .withoutEscapingSlashes`).
///
/// On history pages (50–100 messages each) Foundation's `JSONEncoder` took 18 % of the server's profile
/// samples; this encoder, a small tree of reference-counted nodes written once, takes 13 %
/// (docs/BENCHMARKS.md, d.).
public enum ByteJSONEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        if let writable = value as? any JSONBytesWritable {
            var output: [UInt8] = []
            output.reserveCapacity(1024)
            try writable.writeJSON(to: &output)
            return output
        }
        let encoder = NodeEncoder(codingPath: [])
        try value.encode(to: encoder)
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        try (encoder.node ?? .object(ObjectNode())).write(to: &output)
        return output
    }
}

/// An error for values JSON cannot hold (non-finite numbers).
public struct JSONEncodingError: Error, CustomStringConvertible {
    public let description: String
}

private final class ObjectNode {
    var entries: [(key: String, value: JSONNode)] = []
}

private final class ArrayNode {
    var items: [JSONNode] = []
}

private enum JSONNode {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array(ArrayNode)
    case object(ObjectNode)
    /// Bytes a `JSONBytesWritable` value wrote itself.
    case raw([UInt8])

    func write(to output: inout [UInt8]) throws {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): Self.writeString(text, to: &output)
        case .raw(let bytes): output.append(contentsOf: bytes)
        case .array(let array):
            output.append(UInt8(ascii: "["))
            for (index, item) in array.items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try item.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            // Sorted by key, ties by position, so that a key encoded twice keeps its last value as in
            // JSONEncoder (never the case for Parley's own types).
            var entries = object.entries
            if entries.count > 1 {
                var order = Array(entries.indices)
                order.sort { entries[$0].key.utf8.lexicographicallyPrecedes(entries[$1].key.utf8) || (entries[$0].key == entries[$1].key && $0 < $1) }
                var sorted: [(key: String, value: JSONNode)] = []
                sorted.reserveCapacity(entries.count)
                for index in order {
                    if let last = sorted.last, last.key == entries[index].key { sorted[sorted.count - 1] = entries[index] } else { sorted.append(entries[index]) }
                }
                entries = sorted
            }
            for (index, entry) in entries.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(entry.key, to: &output)
                output.append(UInt8(ascii: ":"))
                try entry.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ text: String, to output: inout [UInt8]) {
        JSONBytes.writeString(text, to: &output)
    }

    static func number(_ value: Double) throws -> JSONNode {
        .number(try JSONBytes.number(value))
    }
}

private final class NodeEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var node: JSONNode?

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: ObjectNode
        if case .object(let existing) = node { object = existing } else {
            object = ObjectNode()
            node = .object(object)
        }
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: ArrayNode
        if case .array(let existing) = node { array = existing } else {
            array = ArrayNode()
            node = .array(array)
        }
        return UnkeyedNodeContainer(array: array, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleNodeContainer(encoder: self)
    }

    /// A value's node: primitives directly, anything else through its own `encode(to:)`.
    static func node<T: Encodable>(for value: T, at path: [any CodingKey]) throws -> JSONNode {
        // Metadata comparisons first: a failed dynamic cast per field was a visible cost.
        if T.self == String.self { return .string(value as! String) }
        if T.self == Int64.self { return .number(String(value as! Int64)) }
        if T.self == Int.self { return .number(String(value as! Int)) }
        if T.self == Bool.self { return .bool(value as! Bool) }
        if T.self == Double.self { return try JSONNode.number(value as! Double) }
        if let writable = value as? any JSONBytesWritable {
            var bytes: [UInt8] = []
            try writable.writeJSON(to: &bytes)
            return .raw(bytes)
        }
        let encoder = NodeEncoder(codingPath: path)
        try value.encode(to: encoder)
        return encoder.node ?? .object(ObjectNode())
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: ObjectNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { object.entries.append((key.stringValue, .null)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { object.entries.append((key.stringValue, .bool(value))) }
    mutating func encode(_ value: String, forKey key: Key) throws { object.entries.append((key.stringValue, .string(value))) }
    mutating func encode(_ value: Double, forKey key: Key) throws { object.entries.append((key.stringValue, try .number(value))) }
    mutating func encode(_ value: Float, forKey key: Key) throws { object.entries.append((key.stringValue, try .number(Double(value)))) }
    mutating func encode(_ value: Int, forKey key: Key) throws { object.entries.append((key.stringValue, .number(String(value)))) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { object.entries.append((key.stringValue, .number(String(value)))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { object.entries.append((key.stringValue, .number(String(value)))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { object.entries.append((key.stringValue, .number(String(value)))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { object.entries.append((key.stringValue, .number(String(value)))) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { object.entries.append((key.stringValue, .number(String(value)))) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { object.entries.append((key.stringValue, .number(String(value)))) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { object.entries.append((key.stringValue, .number(String(value)))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { object.entries.append((key.stringValue, .number(String(value)))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { object.entries.append((key.stringValue, .number(String(value)))) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        object.entries.append((key.stringValue, try NodeEncoder.node(for: value, at: codingPath + [key])))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectNode()
        object.entries.append((key.stringValue, .object(nested)))
        return KeyedEncodingContainer(KeyedNodeContainer<NestedKey>(object: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = ArrayNode()
        object.entries.append((key.stringValue, .array(nested)))
        return UnkeyedNodeContainer(array: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        superEncoder(named: "super")
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        superEncoder(named: key.stringValue)
    }

    private func superEncoder(named name: String) -> any Encoder {
        // The entry is filled in when the returned encoder is used, so it is added as an object it shares.
        let shared = ObjectNode()
        object.entries.append((name, .object(shared)))
        let encoder = NodeEncoder(codingPath: codingPath)
        encoder.node = .object(shared)
        return encoder
    }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let array: ArrayNode
    let codingPath: [any CodingKey]
    var count: Int { array.items.count }

    mutating func encodeNil() throws { array.items.append(.null) }
    mutating func encode(_ value: Bool) throws { array.items.append(.bool(value)) }
    mutating func encode(_ value: String) throws { array.items.append(.string(value)) }
    mutating func encode(_ value: Double) throws { array.items.append(try .number(value)) }
    mutating func encode(_ value: Int) throws { array.items.append(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { array.items.append(.number(String(value))) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        array.items.append(try NodeEncoder.node(for: value, at: codingPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectNode()
        array.items.append(.object(nested))
        return KeyedEncodingContainer(KeyedNodeContainer<NestedKey>(object: nested, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = ArrayNode()
        array.items.append(.array(nested))
        return UnkeyedNodeContainer(array: nested, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        let shared = ObjectNode()
        array.items.append(.object(shared))
        let encoder = NodeEncoder(codingPath: codingPath)
        encoder.node = .object(shared)
        return encoder
    }
}

private struct SingleNodeContainer: SingleValueEncodingContainer {
    let encoder: NodeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.node = .null }
    mutating func encode(_ value: Bool) throws { encoder.node = .bool(value) }
    mutating func encode(_ value: String) throws { encoder.node = .string(value) }
    mutating func encode(_ value: Double) throws { encoder.node = try .number(value) }
    mutating func encode(_ value: Int) throws { encoder.node = .number(String(value)) }
    mutating func encode(_ value: Int64) throws { encoder.node = .number(String(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.node = try NodeEncoder.node(for: value, at: codingPath)
    }
}

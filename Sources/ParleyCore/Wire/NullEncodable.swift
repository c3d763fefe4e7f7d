/// Encodes an optional as an explicit JSON `null` instead of omitting the key, as the API's `string|null`
/// fields require.
@propertyWrapper
public struct NullEncodable<Value: Encodable & Sendable>: Encodable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue)
        } else {
            try container.encodeNil()
        }
    }
}

extension NullEncodable: Equatable where Value: Equatable {}

import ParleyCore

/// Small builders for JSON Schema (OpenAPI 3.1 dialect) written as `JSONValue`.
enum Schema {
    static func string(format: String? = nil, minLength: Int? = nil, maxLength: Int? = nil, pattern: String? = nil, values: [String]? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "string"]
        if let format { schema["format"] = .string(format) }
        if let minLength { schema["minLength"] = .int(minLength) }
        if let maxLength { schema["maxLength"] = .int(maxLength) }
        if let pattern { schema["pattern"] = .string(pattern) }
        if let values { schema["enum"] = .array(values.map { .string($0) }) }
        return .object(schema)
    }

    static func integer(minimum: Int? = nil, maximum: Int? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "integer"]
        if let minimum { schema["minimum"] = .int(minimum) }
        if let maximum { schema["maximum"] = .int(maximum) }
        return .object(schema)
    }

    static func number(minimum: Double? = nil, maximum: Double? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "number"]
        if let minimum { schema["minimum"] = .double(minimum) }
        if let maximum { schema["maximum"] = .double(maximum) }
        return .object(schema)
    }

    static let boolean: JSONValue = ["type": "boolean"]
    static let dateTime = string(format: "date-time")
    static let uuid = string(format: "uuid")
    /// Any JSON value (message content is an object whose shape depends on the room's mode).
    static let anyValue: JSONValue = [:]

    static func array(_ items: JSONValue, maxItems: Int? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "array", "items": items]
        if let maxItems { schema["maxItems"] = .int(maxItems) }
        return .object(schema)
    }

    /// An object; `required` lists properties that must be present (all, when nil).
    static func object(_ properties: [String: JSONValue], required: [String]? = nil, additional: Bool = true) -> JSONValue {
        var schema: [String: JSONValue] = [
            "type": "object", "properties": .object(properties),
            "required": .array((required ?? properties.keys.sorted()).map { .string($0) }),
        ]
        if !additional { schema["additionalProperties"] = false }
        return .object(schema)
    }

    static func nullable(_ schema: JSONValue) -> JSONValue {
        ["anyOf": [schema, ["type": "null"]]]
    }

    static func ref(_ name: String) -> JSONValue {
        ["$ref": .string("#/components/schemas/\(name)")]
    }
}

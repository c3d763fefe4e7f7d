import Foundation
import NIOCore
import ParleyCore

/// A frame sent by a client: `{"event": "...", "data": {...}, "request_id": "..."}`.
struct ClientFrame {
    let event: String?
    let data: JSONValue?
    let requestID: JSONValue?

    /// Parses a text frame; nil unless it is a JSON object whose `event`, when present, is a string.
    init?(parsing text: ByteBuffer) {
        let parsed = text.withUnsafeReadableBytes { bytes in try? JSONParser.parse(bytes) }
        guard case .object(let members)? = parsed else { return nil }
        switch members["event"] {
        case .string(let name)?: event = name
        case nil, .null?: event = nil
        default: return nil
        }
        data = members["data"].flatMap { $0 == .null ? nil : $0 }
        requestID = members["request_id"].flatMap { $0 == .null ? nil : $0 }
    }

    /// The request id as text, when the client sent a string or a number.
    var requestIDText: String? {
        switch requestID {
        case .string(let text): return String(text.prefix(128))
        case .int(let number): return String(number)
        default: return nil
        }
    }

    /// A string field of `data`, nil when absent; a field of another type is a 422-style error.
    func string(_ field: String, required: Bool = true) throws(ParleyError) -> String? {
        switch data?.member(field) {
        case .string(let value)?: return value
        case nil, .null?:
            if required { throw ParleyError.validation(.validationRequiredField, field: field, "\(field) is required") }
            return nil
        default:
            throw ParleyError.validation(.validationInvalidFormat, field: field, "\(field) must be a string")
        }
    }

    func integer(_ field: String) throws(ParleyError) -> Int? {
        switch data?.member(field) {
        case nil, .null?: return nil
        case let value?:
            guard let number = value.intValue else {
                throw ParleyError.validation(.validationInvalidFormat, field: field, "\(field) must be a whole number")
            }
            return number
        }
    }

    func stringArray(_ field: String) throws(ParleyError) -> [String]? {
        switch data?.member(field) {
        case nil, .null?: return nil
        case .array(let items)?:
            var strings: [String] = []
            for item in items {
                guard let text = item.stringValue else {
                    throw ParleyError.validation(.validationInvalidFormat, field: field, "\(field) must be an array of strings")
                }
                strings.append(text)
            }
            return strings
        default:
            throw ParleyError.validation(.validationInvalidFormat, field: field, "\(field) must be an array of strings")
        }
    }
}

extension JSONValue {
    /// The member `name` of an object (nil when absent or not an object).
    func member(_ name: String) -> JSONValue? {
        if case .object(let object) = self { return object[name] }
        return nil
    }
}

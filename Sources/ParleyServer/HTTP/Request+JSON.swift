import Foundation
import Hummingbird
import NIOCore
import ParleyCore

extension Request {
    /// Decodes a JSON body into `T`, turning every failure into the API's error:
    /// 400 for a wrong content type or a body that is not RFC 8259 JSON (trailing commas, comments,
    /// duplicate keys...), 413 past `limit`, 422 naming the field for a value of the wrong type.
    ///
    /// The body is read by `JSONParser`, the parser of WebSocket frames, and decoded from its value, so
    /// REST and WebSocket accept exactly the same documents (API.md §15).
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int, allowEmpty: Bool = false) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw ParleyError(.resourceLimitExceeded, status: 413, "Request body exceeds \(limit) bytes", details: ["limit_bytes": .int(limit)])
        }
        if buffer.readableBytes == 0 {
            if allowEmpty { return try Self.decode(T.self, from: .object([:])) }
            throw ParleyError.malformedBody("Request body is empty; send a JSON object")
        }
        let contentType = headers[.contentType]?.lowercased() ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) else {
            throw ParleyError.malformedBody("Content-Type must be application/json")
        }
        let parsed: JSONValue
        do {
            parsed = try buffer.withUnsafeReadableBytes { bytes in try JSONParser.parse(bytes) }
        } catch let failure as JSONParser.Failure {
            throw ParleyError.malformedBody("Request body is not valid JSON: \(failure.description)")
        }
        guard case .object = parsed else { throw ParleyError.malformedBody("Request body must be a JSON object") }
        return try Self.decode(T.self, from: parsed)
    }

    private static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        do {
            return try JSONValueDecoder.decode(T.self, from: value)
        } catch let error as DecodingError {
            throw translate(error)
        }
    }

    private static func translate(_ error: DecodingError) -> ParleyError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty,
             .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return .malformedBody("Request body must be a JSON object")
        case .dataCorrupted(let context) where context.debugDescription == JSONValueDecoder.notWholeNumber:
            let field = path(context.codingPath)
            return .validation(.validationInvalidFormat, field: field, "\(field) must be a whole number")
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            let field = path(context.codingPath)
            return .validation(.validationInvalidFormat, field: field, "\(field) has the wrong type or format")
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .validation(.validationRequiredField, field: field, "\(field) is required")
        @unknown default:
            return .malformedBody("Request body could not be decoded")
        }
    }
}

/// Decodes a value that may be absent, `null`, or present, keeping the difference between absent and null
/// (a `null` clears a field in an update; an absent key leaves it alone).
enum Patch<Value: Decodable & Sendable>: Decodable, Sendable {
    case absent
    case null
    case value(Value)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else {
            self = .value(try container.decode(Value.self))
        }
    }

    /// `nil` when absent, `.some(nil)` when null, `.some(value)` when present.
    var update: Value?? {
        switch self {
        case .absent: return nil
        case .null: return .some(nil)
        case .value(let value): return .some(value)
        }
    }
}

extension KeyedDecodingContainer {
    func decode<Value>(_ type: Patch<Value>.Type, forKey key: Key) throws -> Patch<Value> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .null }
        return .value(try decode(Value.self, forKey: key))
    }
}

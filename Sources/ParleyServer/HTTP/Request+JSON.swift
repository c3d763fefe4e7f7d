import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat
import ParleyCore

extension Request {
    /// Decodes a JSON body into `T`, turning every failure into the API's error:
    /// 400 for a wrong content type or malformed JSON, 413 past `limit`, 422 naming the field for a
    /// value of the wrong type.
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int, allowEmpty: Bool = false) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw ParleyError(.resourceLimitExceeded, status: 413, "Request body exceeds \(limit) bytes", details: ["limit_bytes": .int(limit)])
        }
        if buffer.readableBytes == 0 {
            if allowEmpty { return try JSONDecoder().decode(T.self, from: Data("{}".utf8)) }
            throw ParleyError.malformedBody("Request body is empty; send a JSON object")
        }
        let contentType = headers[.contentType]?.lowercased() ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) else {
            throw ParleyError.malformedBody("Content-Type must be application/json")
        }
        let data = Data(buffer: buffer)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw Self.translate(error, body: data)
        }
    }

    private static func translate(_ error: DecodingError, body: Data) -> ParleyError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // Foundation reports a number that does not fit an integer field as invalid JSON at the root;
            // when the body does parse, name the first such number instead.
            if let value = try? JSONDecoder().decode(JSONValue.self, from: body), case .object = value {
                let field = firstFractionalNumber(in: value, path: "") ?? "body"
                return .validation(.validationInvalidFormat, field: field, "\(field) must be a whole number")
            }
            return .malformedBody("Request body is not valid JSON")
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return .malformedBody("Request body must be a JSON object")
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

/// The path of the first number in `value` that is not a whole number within Int's range.
private func firstFractionalNumber(in value: JSONValue, path: String) -> String? {
    switch value {
    case .double:
        return path
    case .object(let fields):
        for key in fields.keys.sorted() {
            if let found = firstFractionalNumber(in: fields[key]!, path: path.isEmpty ? key : path + "." + key) { return found }
        }
        return nil
    case .array(let items):
        for (index, item) in items.enumerated() {
            if let found = firstFractionalNumber(in: item, path: path + "[\(index)]") { return found }
        }
        return nil
    default:
        return nil
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

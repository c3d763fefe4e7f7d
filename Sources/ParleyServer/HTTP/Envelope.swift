import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat
import ParleyCore

/// The success envelope: `{"success": true, "data": {...}, "message": "..."}`, both always present
/// (API.md §15): `data` is an object, `{}` when there is nothing to return.
struct SuccessEnvelope<Payload: Encodable>: Encodable {
    let success = true
    let data: Payload
    let message: String
}

/// The error envelope: `{"success": false, "error": {"code", "message", "details"}}`.
struct ErrorEnvelope: Encodable {
    struct Body: Encodable {
        let code: String
        let message: String
        let details: [String: JSONValue]
    }

    let success = false
    let error: Body

    init(_ error: ParleyError) {
        self.error = Body(code: error.code.rawValue, message: error.message, details: error.details)
    }
}

/// An empty data object, for responses that carry only a message.
struct EmptyData: Encodable {}

/// JSON encoding and decoding shared by every route.
enum JSONCoding {
    /// Response bodies go through `ByteJSONEncoder`: what `JSONEncoder` with sorted keys and unescaped
    /// slashes writes, for about a quarter less CPU.
    static func encode<T: Encodable>(_ value: T) throws -> ByteBuffer {
        ByteBuffer(bytes: try ByteJSONEncoder.encode(value))
    }
}

extension Response {
    /// A success envelope around `data`, which must encode as a JSON object.
    static func envelope<T: Encodable>(_ data: T, status: HTTPResponse.Status = .ok, message: String) throws -> Response {
        let body = try JSONCoding.encode(SuccessEnvelope(data: data, message: message))
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }

    /// A message-only success envelope.
    static func message(_ message: String, status: HTTPResponse.Status = .ok) throws -> Response {
        try envelope(EmptyData(), status: status, message: message)
    }

    /// The error envelope for `error`, with its status.
    static func error(_ error: ParleyError) -> Response {
        let body = (try? JSONCoding.encode(ErrorEnvelope(error))) ?? ByteBuffer(string: #"{"success":false,"error":{"code":"INTERNAL_ERROR","message":"An unexpected error occurred","details":{}}}"#)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if error.status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        // The rest of an over-large body is not read: the connection closes after this response.
        if error.status == 413 { headers[.connection] = "close" }
        // Quotas decided in the domain (summaries) say when to retry in their details; the general limits
        // set the header from their decision afterwards, over this.
        if error.status == 429, case .int(let seconds)? = error.details["retry_after"] { headers[.retryAfter] = String(seconds) }
        return Response(status: .init(code: error.status), headers: headers, body: .init(byteBuffer: body))
    }
}

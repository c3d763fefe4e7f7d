/// The one error type of Parley: a code from the API, the HTTP status it maps to, a human message and details.
///
/// The HTTP layer turns it into the error envelope and the WebSocket gateway into an `error` event, each in
/// exactly one place. Anything else thrown is reported as `INTERNAL_ERROR` without its text.
public struct ParleyError: Error, Sendable, Equatable {
    public let code: ErrorCode
    /// HTTP status code; kept as a number so that the domain stays free of HTTP types.
    public let status: Int
    public let message: String
    public var details: [String: JSONValue]

    public init(_ code: ErrorCode, status: Int, _ message: String, details: [String: JSONValue] = [:]) {
        self.code = code
        self.status = status
        self.message = message
        self.details = details
    }
}

extension ParleyError: CustomStringConvertible {
    public var description: String { "\(code.rawValue) (\(status)): \(message)" }
}

// Named constructors keep status codes consistent across the code base.
extension ParleyError {
    public static func validation(
        _ code: ErrorCode = .validationInvalidValue, field: String, _ message: String, details: [String: JSONValue] = [:]
    ) -> ParleyError {
        var merged = details
        merged["field"] = .string(field)
        return ParleyError(code, status: 422, message, details: merged)
    }

    public static func malformedBody(_ message: String) -> ParleyError {
        ParleyError(.validationInvalidFormat, status: 400, message)
    }

    public static let authenticationRequired = ParleyError(.authTokenInvalid, status: 401, "Authentication required")
    public static let tokenInvalid = ParleyError(.authTokenInvalid, status: 401, "Invalid or malformed token")
    public static let tokenExpired = ParleyError(.authTokenExpired, status: 401, "Access token expired")
    public static let userInactive = ParleyError(.authUserInactive, status: 403, "User account deactivated")
    public static let invalidCredentials = ParleyError(.authInvalidCredentials, status: 401, "Invalid username or password")
    public static let refreshTokenInvalid = ParleyError(.authRefreshTokenInvalid, status: 401, "Invalid refresh token")

    public static func notFound(_ code: ErrorCode = .resourceNotFound, _ message: String) -> ParleyError {
        ParleyError(code, status: 404, message)
    }

    public static func forbidden(_ code: ErrorCode, _ message: String) -> ParleyError {
        ParleyError(code, status: 403, message)
    }

    public static func conflict(_ code: ErrorCode, _ message: String, details: [String: JSONValue] = [:]) -> ParleyError {
        ParleyError(code, status: 409, message, details: details)
    }

    public static func internalError(requestID: String?) -> ParleyError {
        var details: [String: JSONValue] = [:]
        if let requestID { details["request_id"] = .string(requestID) }
        return ParleyError(.internalError, status: 500, "An unexpected error occurred", details: details)
    }

    public static func unavailable(_ message: String) -> ParleyError {
        ParleyError(.serviceUnavailable, status: 503, message)
    }
}

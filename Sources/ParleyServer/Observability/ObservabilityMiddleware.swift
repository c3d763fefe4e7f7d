import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ParleyCore

extension HTTPField.Name {
    static let requestID = Self("X-Request-ID")!
    static let rateLimitLimit = Self("X-RateLimit-Limit")!
    static let rateLimitRemaining = Self("X-RateLimit-Remaining")!
    static let rateLimitReset = Self("X-RateLimit-Reset")!
}

/// The outermost layer: turns every error into the envelope (the one place where errors become responses),
/// adds `X-Request-ID` and the rate-limit headers, logs one structured line and records metrics.
struct ObservabilityMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext
    let metrics: ParleyMetrics
    let routes: RouteTable
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        if let incoming = request.headers[.requestID], Self.isAcceptableRequestID(incoming) {
            context.state.requestID = incoming
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = errorResponse(for: error, request: request, context: context)
        }
        let requestID = context.state.requestID
        response.headers[.requestID] = requestID
        if let decision = context.state.rateLimit {
            response.headers[.rateLimitLimit] = String(decision.limit)
            response.headers[.rateLimitRemaining] = String(decision.remaining)
            response.headers[.rateLimitReset] = String(decision.resetAt)
            if !decision.allowed { response.headers[.retryAfter] = String(decision.retryAfter) }
        }
        let duration = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        let status = response.status.code
        metrics.recordRequest(method: request.method.rawValue, route: route, status: status, duration: duration)
        // Only the path is logged: query strings may carry tokens (/ws?token=...).
        logger.log(
            level: status >= 500 ? .error : .info, "request",
            metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path), "route": .string(route),
                "status": .stringConvertible(status), "duration_ms": .string(Self.milliseconds(duration)),
                "request_id": .string(requestID),
            ]
        )
        return response
    }

    /// Maps anything thrown to the envelope. Unknown errors become 500 `INTERNAL_ERROR` carrying only the
    /// request id; their text goes to the log, never to the client.
    private func errorResponse(for error: any Error, request: Request, context: Context) -> Response {
        if let error = error as? ParleyError {
            var response = Response.error(error)
            // Every 429 says when to come back, also when a domain limit (the login backoff) refused it.
            if error.status == 429, let seconds = error.details["retry_after"]?.intValue {
                response.headers[.retryAfter] = String(seconds)
            }
            return response
        }
        if let error = error as? HTTPError {
            switch error.status {
            case .notFound:
                let allowed = routes.methods(matching: request.uri.path)
                if !allowed.isEmpty, !allowed.contains(request.method) {
                    var response = Response.error(ParleyError(
                        .methodNotAllowed, status: 405, "\(request.method.rawValue) is not allowed on this path",
                        details: ["allowed": .array(allowed.map { .string($0.rawValue) })]))
                    response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                    return response
                }
                return .error(.notFound(.resourceNotFound, "No route for \(request.method.rawValue) \(request.uri.path)"))
            case .contentTooLarge:
                return .error(ParleyError(.resourceLimitExceeded, status: 413, "Request body is too large"))
            case .badRequest:
                return .error(.malformedBody("The request could not be read"))
            default:
                if error.status.code < 500 {
                    return .error(ParleyError(.validationInvalidValue, status: error.status.code, error.status.reasonPhrase))
                }
            }
        }
        logger.error("unhandled error", metadata: [
            "request_id": .string(context.state.requestID), "path": .string(request.uri.path),
            "error": .string(String(reflecting: error)),
        ])
        return .error(.internalError(requestID: context.state.requestID))
    }

    private static func isAcceptableRequestID(_ value: String) -> Bool {
        (1...128).contains(value.utf8.count) && value.utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let micros = duration.nanoseconds / 1000
        return "\(micros / 1000).\(String(format: "%03d", Int(micros % 1000)))"
    }
}

import Hummingbird
import ParleyCore

/// Counts every request against a per-minute limit: per user when authenticated, per client IP on
/// `/auth/*` and for anonymous callers. Health and metrics probes count in their own, larger per-IP bucket so
/// that monitoring never starves users nor is refused itself.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext
    let store: any RateLimitStore
    let limitPerMinute: Int
    let metrics: ParleyMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let key: String
        var limit = limitPerMinute
        if path == "/health" || path == "/metrics" {
            key = "probe:" + context.clientIP
            limit = max(limitPerMinute * 10, 600)
        } else if path.hasPrefix("/auth/") {
            key = "ip:" + context.clientIP
        } else if case .success(let identity) = context.state.authentication {
            key = "user:" + identity.userID
        } else {
            key = "ip:" + context.clientIP
        }
        let decision = await store.hit(key: key, limit: limit, windowSeconds: 60, now: .now())
        context.state.rateLimit = decision
        guard decision.allowed else {
            metrics.recordRateLimitRefusal(scope: "http")
            throw ParleyError(
                .rateLimitExceeded, status: 429, "Too many requests; retry after \(decision.retryAfter) seconds",
                details: ["limit": .int(decision.limit), "retry_after": .int(Int(decision.retryAfter))]
            )
        }
        return try await next(request, context)
    }
}

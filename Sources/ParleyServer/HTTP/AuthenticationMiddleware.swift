import Hummingbird
import ParleyCore

/// Verifies a bearer token when one is sent and records the outcome in the request state. It never rejects:
/// protected routes call `requireIdentity()`, so public routes stay reachable with a stale token and the
/// rate limiter can key by user.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ParleyRequestContext
    let auth: AuthService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let header = request.headers[.authorization] {
            context.state.authentication = await Self.authenticate(header: header, using: auth)
        }
        return try await next(request, context)
    }

    static func authenticate(header: String, using auth: AuthService) async -> Result<Identity, ParleyError> {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return .failure(.tokenInvalid) }
        return await authenticate(token: String(parts[1]).trimmingWhitespace(), using: auth)
    }

    static func authenticate(token: String, using auth: AuthService) async -> Result<Identity, ParleyError> {
        do {
            return .success(try await auth.authenticate(token: token))
        } catch let error as ParleyError {
            return .failure(error)
        } catch {
            return .failure(.unavailable("Authentication is temporarily unavailable"))
        }
    }
}

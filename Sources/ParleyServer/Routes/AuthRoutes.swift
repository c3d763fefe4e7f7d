import HTTPTypes
import Hummingbird
import NIOCore
import ParleyCore

/// `/auth/*`: register, login, refresh, logout (seed "Authentication Endpoints", API.md §2), and the caller's
/// session list (docs/API.md "Sessions").
struct AuthRoutes {
    let auth: AuthService
    let jsonLimit: Int

    struct RegisterBody: Decodable {
        let username: String?
        let email: String?
        let password: String?
        let displayName: String?
        let publicKey: String?

        enum CodingKeys: String, CodingKey {
            case username, email, password
            case displayName = "display_name"
            case publicKey = "public_key"
        }
    }

    struct LoginBody: Decodable {
        let username: String?
        let email: String?
        let password: String?
    }

    struct RefreshBody: Decodable {
        let refreshToken: String?
        enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token" }
    }

    struct AuthPayload: Encodable {
        let user: ProfileView
        let accessToken: String
        let refreshToken: String
        let expiresIn: Int64
        let tokenType = "Bearer"

        enum CodingKeys: String, CodingKey {
            case user
            case accessToken = "access_token"
            case refreshToken = "refresh_token"
            case expiresIn = "expires_in"
            case tokenType = "token_type"
        }

        init(_ result: AuthResult) {
            self.user = ProfileView(result.user)
            self.accessToken = result.tokens.accessToken
            self.refreshToken = result.tokens.refreshToken
            self.expiresIn = result.tokens.expiresIn
        }
    }

    struct RefreshPayload: Encodable {
        let accessToken: String
        let expiresIn: Int64
        let refreshToken: String?
        let tokenType = "Bearer"

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case expiresIn = "expires_in"
            case refreshToken = "refresh_token"
            case tokenType = "token_type"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(accessToken, forKey: .accessToken)
            try container.encode(expiresIn, forKey: .expiresIn)
            try container.encode(tokenType, forKey: .tokenType)
            try container.encodeIfPresent(refreshToken, forKey: .refreshToken)
        }
    }

    struct SessionsPayload: Encodable {
        let sessions: [SessionView]
    }

    struct EndedPayload: Encodable {
        let revokedCount: Int
        enum CodingKeys: String, CodingKey { case revokedCount = "revoked_count" }
    }

    private static func client(_ request: Request, _ context: ParleyRequestContext) -> ClientInfo {
        ClientInfo(address: context.remoteAddress?.ipAddress, userAgent: request.headers[.userAgent])
    }

    func register(on routes: Routes) {
        routes.on(.post, "/auth/register") { request, context in
            let body = try await request.decodeJSON(RegisterBody.self, limit: jsonLimit)
            let result = try await auth.register(
                RegistrationInput(
                    username: body.username, email: body.email, password: body.password, displayName: body.displayName,
                    publicKey: body.publicKey),
                client: Self.client(request, context))
            return try .envelope(AuthPayload(result), status: .created, message: "Registration successful")
        }
        routes.on(.post, "/auth/login") { request, context in
            let body = try await request.decodeJSON(LoginBody.self, limit: jsonLimit)
            let result = try await auth.login(login: body.username ?? body.email, password: body.password, client: Self.client(request, context))
            return try .envelope(AuthPayload(result), message: "Login successful")
        }
        routes.on(.post, "/auth/refresh") { request, _ in
            let body = try await request.decodeJSON(RefreshBody.self, limit: jsonLimit)
            let result = try await auth.refresh(refreshToken: body.refreshToken)
            return try .envelope(
                RefreshPayload(accessToken: result.accessToken, expiresIn: result.expiresIn, refreshToken: result.refreshToken),
                message: "Token refreshed")
        }
        routes.on(.post, "/auth/logout") { _, context in
            try await auth.logout(try context.requireIdentity())
            return try .message("Logged out successfully")
        }
        routes.on(.get, "/auth/sessions") { _, context in
            let identity = try context.requireIdentity()
            let sessions = try await auth.activeSessions(of: identity)
            return try .envelope(SessionsPayload(sessions: sessions.map { SessionView($0, currentSessionID: identity.sessionID) }), message: "Sessions retrieved")
        }
        routes.on(.delete, "/auth/sessions/{session_id}") { _, context in
            let identity = try context.requireIdentity()
            try await auth.endSession(id: try IncomingIDs.session(context.path("session_id")), of: identity)
            return try .message("Session ended")
        }
        routes.on(.delete, "/auth/sessions") { request, context in
            let identity = try context.requireIdentity()
            // The scope is required so that a bare DELETE cannot be mistaken for "end all, this one too".
            guard let scope = request.uri.queryParameters.get("scope") else {
                throw ParleyError.validation(.validationRequiredField, field: "scope", "scope is required (scope=others)")
            }
            guard scope == "others" else { throw ParleyError.validation(field: "scope", "scope must be others") }
            let ended = try await auth.endOtherSessions(of: identity)
            return try .envelope(EndedPayload(revokedCount: ended), message: "Other sessions ended")
        }
    }
}

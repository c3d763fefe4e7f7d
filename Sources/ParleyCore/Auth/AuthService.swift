import Crypto

import Foundation

/// Registration, login, token refresh, logout and token verification (API.md §2).
public struct AuthService: Sendable {
    private let users: any UserStore
    private let sessions: any SessionStore
    private let signer: TokenSigner
    private let hasher: PasswordHasher
    private let settings: AuthSettings
    public let revocations: SessionRevocations
    private let loginBackoff: LoginBackoff

    public init(
        users: any UserStore, sessions: any SessionStore, signer: TokenSigner, hasher: PasswordHasher,
        settings: AuthSettings, revocations: SessionRevocations, loginBackoff: LoginBackoff = LoginBackoff()
    ) {
        self.users = users
        self.sessions = sessions
        self.signer = signer
        self.hasher = hasher
        self.settings = settings
        self.revocations = revocations
        self.loginBackoff = loginBackoff
    }

    public func register(_ input: RegistrationInput, client: ClientInfo = .unknown) async throws -> AuthResult {
        var validator = Validator()
        let username = validator.text(input.username, field: "username", required: true, length: AccountRules.usernameLength)
        if let username, !AccountRules.isValidUsername(username) {
            validator.fail("username", .validationInvalidFormat, "username may contain only letters, digits, '_', '.' and '-'")
        }
        let email = validator.text(input.email, field: "email", required: true, length: 3...AccountRules.emailMaximumLength)
        if let email, !AccountRules.isValidEmail(email) {
            validator.fail("email", .validationInvalidFormat, "email is not a valid address")
        }
        let password = validator.text(input.password, field: "password", required: true, length: AccountRules.passwordLength, trim: false)
        let displayName = validator.text(input.displayName, field: "display_name", required: true, length: AccountRules.displayNameLength)
        var publicKey: String?
        if let key = input.publicKey?.trimmingWhitespace(), !key.isEmpty {
            if !ControlCharacters.found(in: key, allowing: .tabsAndNewlines), PublicKeyValidator.isValidRSAPublicKey(key) {
                publicKey = key
            } else {
                validator.fail("public_key", .validationInvalidFormat, "public_key must be an RSA public key in PEM form (at least 2048 bits)")
            }
        }
        try validator.check()
        guard let username, let email, let password, let displayName else { throw ParleyError.internalError(requestID: nil) }

        // Hashed before the uniqueness checks so that a taken name or email costs the same bcrypt time as a
        // free one: the answer's timing must not be a cheaper oracle than a registration attempt.
        let passwordHash = try await hasher.hash(password)
        // Checked first for a clear answer; the unique indexes still decide races.
        if let existing = try await users.user(login: username), existing.username.lowercased() == username.lowercased() {
            throw Self.alreadyRegistered(field: "username")
        }
        if let existing = try await users.user(login: email), existing.email.lowercased() == email.lowercased() {
            throw Self.alreadyRegistered(field: "email")
        }

        let now = Timestamp.now()
        let user = User(
            id: Identifiers.uuid(), username: username, email: email, passwordHash: passwordHash,
            displayName: displayName, publicKey: publicKey, createdAt: now, updatedAt: now, lastLogin: now
        )
        do {
            try await users.createUser(user)
        } catch StoreError.duplicate(let field) {
            throw Self.alreadyRegistered(field: field)
        }
        let (session, tokens) = try await openSession(for: user, client: client, at: now)
        return AuthResult(user: user, session: session, tokens: tokens)
    }

    public func login(login: String?, password: String?, client: ClientInfo = .unknown) async throws -> AuthResult {
        var validator = Validator()
        let login = validator.text(login, field: "username", required: true, length: 1...AccountRules.emailMaximumLength)
        let password = validator.text(password, field: "password", required: true, length: 1...1024, trim: false)
        try validator.check()
        guard let login, let password else { throw ParleyError.invalidCredentials }

        let user = try await users.user(login: login)
        // Unknown logins are counted too (by their text), so that the backoff does not tell which exist.
        let account = user.map { "user:" + $0.id } ?? "login:" + login.lowercased()
        let address = client.address ?? "unknown"
        try await checkLoginBackoff(account: account, address: address, user: user)
        guard let user else {
            _ = try await hasher.verify(password, hash: try await DecoyHash.shared.value(using: hasher))
            loginBackoff.recordFailure(account: account, address: address, now: .now())
            throw ParleyError.invalidCredentials
        }
        guard try await hasher.verify(password, hash: user.passwordHash) else {
            loginBackoff.recordFailure(account: account, address: address, now: .now())
            throw ParleyError.invalidCredentials
        }
        loginBackoff.recordSuccess(account: account, address: address)
        guard user.isActive else { throw ParleyError.userInactive }
        let now = Timestamp.now()
        try await users.recordLogin(userID: user.id, at: now)
        var loggedIn = user
        loggedIn.lastLogin = now
        let (session, tokens) = try await openSession(for: loggedIn, client: client, at: now)
        return AuthResult(user: loggedIn, session: session, tokens: tokens)
    }

    /// Refuses an attempt held back by the login backoff before any bcrypt work. An address that opened a
    /// session for the account recently passes the per-account hold, so the owner is not locked out by
    /// failures from elsewhere.
    private func checkLoginBackoff(account: String, address: String, user: User?) async throws {
        let now = Timestamp.now()
        let retryAfter: Int64
        switch loginBackoff.check(account: account, address: address, now: now) {
        case .allowed:
            return
        case .refused(let wait):
            retryAfter = wait
        case .refusedUnlessKnown(let wait):
            // Asked for unknown logins too (matching nothing), so that a held answer takes as long either way.
            let known = try await sessions.hasOpenedSession(
                userID: user?.id ?? "", from: address, since: now.adding(seconds: -loginBackoff.settings.knownAddressAge))
            if known, user != nil { return }
            retryAfter = wait
        }
        throw ParleyError(
            .rateLimitExceeded, status: 429, "Too many failed logins for this account; retry after \(retryAfter) seconds",
            details: ["retry_after": .int(Int(retryAfter)), "scope": "login"])
    }

    /// Issues a new access token for a refresh token; with rotation on, also a new refresh token.
    ///
    /// Rotation is one conditional write, so of concurrent refreshes with one token exactly one succeeds and
    /// the others get 401. A token that was rotated away more than `refreshReuseGrace` seconds ago is taken
    /// as stolen (its legitimate holder already has the newer one): its whole session ends.
    public func refresh(refreshToken: String?) async throws -> RefreshResult {
        guard let refreshToken, !refreshToken.isEmpty, refreshToken.utf8.count <= 512 else {
            if refreshToken == nil {
                throw ParleyError.validation(.validationRequiredField, field: "refresh_token", "refresh_token is required")
            }
            throw ParleyError.refreshTokenInvalid
        }
        let now = Timestamp.now()
        let hash = Self.hashToken(refreshToken)
        guard let status = try await sessions.sessionStatus(refreshTokenHash: hash) else {
            try await endSessionIfReused(hash: hash, at: now)
            throw ParleyError.refreshTokenInvalid
        }
        guard status.session.revokedAt == nil, status.session.expiresAt > now else { throw ParleyError.refreshTokenInvalid }
        guard status.userIsActive else { throw ParleyError.userInactive }
        var rotated: String?
        if settings.rotateRefreshTokens {
            let token = Self.newRefreshToken()
            // Losing here means a concurrent refresh with the same token won: a retrying client, not a thief.
            guard try await sessions.rotateRefreshToken(sessionID: status.session.id, oldHash: hash, newHash: Self.hashToken(token), at: now)
            else { throw ParleyError.refreshTokenInvalid }
            rotated = token
        } else {
            try await sessions.touchSession(id: status.session.id, at: now)
        }
        let access = issueAccessToken(userID: status.session.userID, sessionID: status.session.id, at: now)
        return RefreshResult(accessToken: access, expiresIn: settings.accessTokenTTL, refreshToken: rotated)
    }

    /// Ends the session a rotated-away refresh token belonged to, unless the rotation is recent enough to be
    /// a race or a retry of the client that rotated it.
    private func endSessionIfReused(hash: String, at now: Timestamp) async throws {
        guard let rotated = try await sessions.rotatedRefreshToken(hash: hash),
            now.milliseconds - rotated.rotatedAt.milliseconds > settings.refreshReuseGrace * 1000
        else { return }
        if try await sessions.revokeSession(id: rotated.sessionID, at: now) {
            await revocations.notify(.sessions([rotated.sessionID]))
        }
    }

    /// Ends one session: its access and refresh tokens stop working at once and its sockets are closed.
    public func logout(_ identity: Identity) async throws {
        _ = try await sessions.revokeSession(id: identity.sessionID, at: .now())
        await revocations.notify(.sessions([identity.sessionID]))
    }

    /// The caller's active sessions (not ended, not expired), the 100 most recently used first: logins are
    /// only rate-limited, so the list is bounded here.
    public func activeSessions(of identity: Identity) async throws -> [Session] {
        try await sessions.activeSessions(userID: identity.userID, at: .now(), limit: 100)
    }

    /// Ends one of the caller's sessions (the current one too, like logout). Another user's session is
    /// answered like an unknown id, so ids cannot be probed.
    public func endSession(id sessionID: SessionID, of identity: Identity) async throws {
        guard try await sessions.revokeSession(id: sessionID.rawValue, userID: identity.userID, at: .now()) else {
            throw ParleyError.notFound(.resourceNotFound, "Session not found")
        }
        await revocations.notify(.sessions([sessionID.rawValue]))
    }

    /// Ends every session of the caller except the one making the request; returns how many ended.
    public func endOtherSessions(of identity: Identity) async throws -> Int {
        let ended = try await sessions.revokeSessions(userID: identity.userID, except: identity.sessionID, at: .now())
        if !ended.isEmpty { await revocations.notify(.sessions(ended)) }
        return ended.count
    }

    /// Verifies an access token and the session behind it.
    public func authenticate(token: String) async throws -> Identity {
        let now = Timestamp.now()
        let claims = try signer.verify(token, now: now)
        guard let status = try await sessions.sessionStatus(id: claims.sid), status.session.userID == claims.sub,
            status.session.revokedAt == nil
        else { throw ParleyError.tokenInvalid }
        guard status.userIsActive else { throw ParleyError.userInactive }
        return Identity(userID: claims.sub, sessionID: claims.sid)
    }

    /// Whether a session still stands (not revoked, its user active). A WebSocket asks again once it is
    /// registered: a revocation between the upgrade's token check and the registration reached no socket.
    public func sessionStands(_ identity: Identity) async -> Bool {
        guard let status = try? await sessions.sessionStatus(id: identity.sessionID) else { return false }
        return status.session.userID == identity.userID && status.session.revokedAt == nil && status.userIsActive
    }

    /// Deactivates or reactivates an account (operator command). A deactivated account's tokens are answered
    /// with 403 `AUTH_USER_INACTIVE` and its live connections close; reactivation lets its sessions work again.
    public func setActive(username: String, isActive: Bool) async throws -> User {
        guard let user = try await users.user(login: username) else {
            throw ParleyError.notFound(.authUserNotFound, "User account not found")
        }
        let now = Timestamp.now()
        _ = try await users.setActive(userID: user.id, isActive: isActive, at: now)
        if !isActive { await revocations.notify(.user(user.id)) }
        var updated = user
        updated.isActive = isActive
        return updated
    }

    private func openSession(for user: User, client: ClientInfo, at now: Timestamp) async throws -> (Session, TokenPair) {
        let refreshToken = Self.newRefreshToken()
        let session = Session(
            id: Identifiers.uuid(), userID: user.id, refreshTokenHash: Self.hashToken(refreshToken), createdAt: now,
            expiresAt: now.adding(seconds: settings.refreshTokenTTL), lastUsedAt: now,
            // Bounded: the header is the client's to choose and the list shows it back.
            userAgent: client.userAgent.map { String($0.prefix(Self.userAgentMaximumLength)) }, ipAddress: client.address
        )
        try await sessions.createSession(session)
        let access = issueAccessToken(userID: user.id, sessionID: session.id, at: now)
        return (session, TokenPair(accessToken: access, refreshToken: refreshToken, expiresIn: settings.accessTokenTTL))
    }

    private func issueAccessToken(userID: String, sessionID: String, at now: Timestamp) -> String {
        let issuedAt = now.milliseconds / 1000
        let claims = AccessTokenClaims(
            sub: userID, sid: sessionID, iat: issuedAt, exp: issuedAt + settings.accessTokenTTL,
            jti: Base64URL.encode(SecureRandom.bytes(12))
        )
        return signer.sign(claims)
    }

    /// One message for a taken username and a taken email; `details.field` (which the contract requires)
    /// names the field.
    private static func alreadyRegistered(field: String) -> ParleyError {
        ParleyError.conflict(
            .resourceAlreadyExists, "An account with this username or email already exists", details: ["field": .string(field)])
    }

    /// Characters of `User-Agent` kept with a session.
    public static let userAgentMaximumLength = 256

    /// 256 random bits, base64url.
    static func newRefreshToken() -> String { Base64URL.encode(SecureRandom.bytes(32)) }

    static func hashToken(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { byte in
            let hex = Array("0123456789abcdef")
            return String([hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
        }.joined()
    }
}

/// One decoy bcrypt hash per process, made on first use.
private actor DecoyHash {
    static let shared = DecoyHash()
    private var hash: String?

    func value(using hasher: PasswordHasher) async throws -> String {
        if let hash { return hash }
        let made = try await hasher.decoyHash()
        hash = made
        return made
    }
}

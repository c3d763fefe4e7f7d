/// Token lifetimes and hashing cost, from configuration.
public struct AuthSettings: Sendable {
    public var accessTokenTTL: Int64
    public var refreshTokenTTL: Int64
    /// When on, `POST /auth/refresh` also returns a new refresh token and the old one stops working.
    public var rotateRefreshTokens: Bool
    public var bcryptCost: UInt8
    /// Seconds after a rotation during which the rotated-away token is merely refused (a client retrying, or
    /// the loser of a race); presented later it is taken as stolen and its session ends.
    public var refreshReuseGrace: Int64

    public init(
        accessTokenTTL: Int64 = 1800, refreshTokenTTL: Int64 = 604_800, rotateRefreshTokens: Bool = true, bcryptCost: UInt8 = 10,
        refreshReuseGrace: Int64 = 10
    ) {
        self.accessTokenTTL = accessTokenTTL
        self.refreshTokenTTL = refreshTokenTTL
        self.rotateRefreshTokens = rotateRefreshTokens
        self.bcryptCost = bcryptCost
        self.refreshReuseGrace = refreshReuseGrace
    }
}

/// Tokens handed to a client after registration or login.
public struct TokenPair: Sendable, Equatable {
    public let accessToken: String
    public let refreshToken: String
    public let expiresIn: Int64
}

/// The result of a registration or login.
public struct AuthResult: Sendable {
    public let user: User
    public let session: Session
    public let tokens: TokenPair
}

/// The result of a refresh: a new access token and, with rotation on, a new refresh token.
public struct RefreshResult: Sendable, Equatable {
    public let accessToken: String
    public let expiresIn: Int64
    public let refreshToken: String?
}

/// The fields of a registration request, as received (validation happens in ``AuthService``).
public struct RegistrationInput: Sendable {
    public var username: String?
    public var email: String?
    public var password: String?
    public var displayName: String?
    public var publicKey: String?

    public init(username: String?, email: String?, password: String?, displayName: String?, publicKey: String? = nil) {
        self.username = username
        self.email = email
        self.password = password
        self.displayName = displayName
        self.publicKey = publicKey
    }
}

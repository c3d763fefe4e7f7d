/// A login session: one per login or registration. Its id is the `sid` claim of every access token it issues.
public struct Session: Sendable, Equatable {
    public var id: String
    public var userID: String
    /// SHA-256 (hex) of the refresh token; the token itself is never stored.
    public var refreshTokenHash: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var revokedAt: Timestamp?
    public var lastUsedAt: Timestamp

    public init(
        id: String, userID: String, refreshTokenHash: String, createdAt: Timestamp, expiresAt: Timestamp,
        revokedAt: Timestamp? = nil, lastUsedAt: Timestamp
    ) {
        self.id = id
        self.userID = userID
        self.refreshTokenHash = refreshTokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }
}

/// What a verified access token proves: which user, through which session.
public struct Identity: Sendable, Hashable {
    public let userID: String
    public let sessionID: String

    public init(userID: String, sessionID: String) {
        self.userID = userID
        self.sessionID = sessionID
    }
}

/// The state of a session as seen when a token is used: enough to refuse revoked sessions and inactive users.
public struct SessionStatus: Sendable, Equatable {
    public let session: Session
    public let userIsActive: Bool

    public init(session: Session, userIsActive: Bool) {
        self.session = session
        self.userIsActive = userIsActive
    }
}

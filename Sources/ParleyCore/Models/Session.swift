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
    /// The client's `User-Agent` and address when the session was opened (nil for sessions older than both).
    public var userAgent: String?
    public var ipAddress: String?

    public init(
        id: String, userID: String, refreshTokenHash: String, createdAt: Timestamp, expiresAt: Timestamp,
        revokedAt: Timestamp? = nil, lastUsedAt: Timestamp, userAgent: String? = nil, ipAddress: String? = nil
    ) {
        self.id = id
        self.userID = userID
        self.refreshTokenHash = refreshTokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
        self.userAgent = userAgent
        self.ipAddress = ipAddress
    }
}

/// Where a request came from, as far as the server can tell: recorded on new sessions and used to key the
/// login backoff.
public struct ClientInfo: Sendable, Equatable {
    public var address: String?
    public var userAgent: String?

    public init(address: String? = nil, userAgent: String? = nil) {
        self.address = address
        self.userAgent = userAgent
    }

    /// For callers that are not an HTTP client (the operator command line, tests of the service alone).
    public static let unknown = ClientInfo()
}

/// A refresh token that a session rotated away, and when.
public struct RotatedRefreshToken: Sendable, Equatable {
    public let sessionID: String
    public let rotatedAt: Timestamp

    public init(sessionID: String, rotatedAt: Timestamp) {
        self.sessionID = sessionID
        self.rotatedAt = rotatedAt
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

/// The caller's own profile (`GET /users/me`, registration and login responses).
public struct ProfileView: Encodable, Sendable, Equatable {
    public let id: String
    public let username: String
    public let email: String
    public let displayName: String
    @NullEncodable public var avatarURL: String?
    @NullEncodable public var publicKey: String?
    public let isVerified: Bool
    public let createdAt: Timestamp
    @NullEncodable public var lastLogin: Timestamp?

    enum CodingKeys: String, CodingKey {
        case id, username, email
        case displayName = "display_name"
        case avatarURL = "avatar_url"
        case publicKey = "public_key"
        case isVerified = "is_verified"
        case createdAt = "created_at"
        case lastLogin = "last_login"
    }

    public init(_ user: User) {
        self.id = user.id
        self.username = user.username
        self.email = user.email
        self.displayName = user.displayName
        self.avatarURL = user.avatarURL
        self.publicKey = user.publicKey
        self.isVerified = user.isVerified
        self.createdAt = user.createdAt
        self.lastLogin = user.lastLogin
    }
}

/// Another user as members see them (`user_joined`, member lists).
public struct PublicUserView: Codable, Sendable, Equatable {
    public let id: String
    public let username: String
    public let displayName: String
    public let avatarURL: String?

    enum CodingKeys: String, CodingKey {
        case id, username
        case displayName = "display_name"
        case avatarURL = "avatar_url"
    }

    public init(id: String, username: String, displayName: String, avatarURL: String?) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.avatarURL = avatarURL
    }

    public init(_ user: User) {
        self.init(id: user.id, username: user.username, displayName: user.displayName, avatarURL: user.avatarURL)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(username, forKey: .username)
        try container.encode(displayName, forKey: .displayName)
        try container.encode(avatarURL, forKey: .avatarURL)
    }
}

/// One of the caller's sessions in `GET /auth/sessions`; `current` marks the one the request came through.
public struct SessionView: Encodable, Sendable, Equatable {
    public let id: String
    public let createdAt: Timestamp
    public let lastUsedAt: Timestamp
    public let expiresAt: Timestamp
    @NullEncodable public var userAgent: String?
    @NullEncodable public var ipAddress: String?
    public let current: Bool

    enum CodingKeys: String, CodingKey {
        case id, current
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case expiresAt = "expires_at"
        case userAgent = "user_agent"
        case ipAddress = "ip_address"
    }

    public init(_ session: Session, currentSessionID: String) {
        self.id = session.id
        self.createdAt = session.createdAt
        self.lastUsedAt = session.lastUsedAt
        self.expiresAt = session.expiresAt
        self.userAgent = session.userAgent
        self.ipAddress = session.ipAddress
        self.current = session.id == currentSessionID
    }
}

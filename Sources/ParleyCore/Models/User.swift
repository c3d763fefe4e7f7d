/// A registered account. `passwordHash` never leaves the server.
public struct User: Sendable, Equatable {
    public var id: String
    public var username: String
    public var email: String
    public var passwordHash: String
    public var displayName: String
    public var avatarURL: String?
    public var avatarFileID: String?
    public var publicKey: String?
    public var isVerified: Bool
    public var isActive: Bool
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var lastLogin: Timestamp?

    public init(
        id: String, username: String, email: String, passwordHash: String, displayName: String,
        avatarURL: String? = nil, avatarFileID: String? = nil, publicKey: String? = nil, isVerified: Bool = false,
        isActive: Bool = true, createdAt: Timestamp, updatedAt: Timestamp, lastLogin: Timestamp? = nil
    ) {
        self.id = id
        self.username = username
        self.email = email
        self.passwordHash = passwordHash
        self.displayName = displayName
        self.avatarURL = avatarURL
        self.avatarFileID = avatarFileID
        self.publicKey = publicKey
        self.isVerified = isVerified
        self.isActive = isActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastLogin = lastLogin
    }
}

/// The fields of a profile update; `nil` leaves a field unchanged, `.some(nil)` clears a nullable one.
public struct ProfileChanges: Sendable, Equatable {
    public var displayName: String?
    public var avatarURL: String??
    public var publicKey: String??

    public init(displayName: String? = nil, avatarURL: String?? = nil, publicKey: String?? = nil) {
        self.displayName = displayName
        self.avatarURL = avatarURL
        self.publicKey = publicKey
    }

    public var isEmpty: Bool { displayName == nil && avatarURL == nil && publicKey == nil }
}

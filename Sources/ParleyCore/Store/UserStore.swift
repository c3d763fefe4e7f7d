/// Persistence of accounts.
public protocol UserStore: Sendable {
    /// Inserts a user; throws ``StoreError/duplicate(field:)`` naming `username` or `email` on a clash
    /// (both compared case-insensitively).
    func createUser(_ user: User) async throws
    func user(id: String) async throws -> User?
    /// Finds a user by username or email, case-insensitively.
    func user(login: String) async throws -> User?
    /// Applies profile changes and returns the updated user, or nil when the user does not exist.
    func updateProfile(userID: String, changes: ProfileChanges, at time: Timestamp) async throws -> User?
    func recordLogin(userID: String, at time: Timestamp) async throws
    func setActive(userID: String, isActive: Bool, at time: Timestamp) async throws -> Bool
    /// Public profiles for a set of ids (for member lists and message authors).
    func users(ids: [String]) async throws -> [User]
}

/// Persistence of login sessions.
public protocol SessionStore: Sendable {
    func createSession(_ session: Session) async throws
    func sessionStatus(id: String) async throws -> SessionStatus?
    func sessionStatus(refreshTokenHash: String) async throws -> SessionStatus?
    /// Replaces the refresh token hash (rotation) and extends nothing else.
    func rotateRefreshToken(sessionID: String, newHash: String, at time: Timestamp) async throws
    func touchSession(id: String, at time: Timestamp) async throws
    /// Marks the session revoked; returns false when it was already revoked or does not exist.
    func revokeSession(id: String, at time: Timestamp) async throws -> Bool
}

/// Errors a store reports in domain terms; anything else is an infrastructure failure.
public enum StoreError: Error, Sendable, Equatable {
    case duplicate(field: String)
    case notFound
}

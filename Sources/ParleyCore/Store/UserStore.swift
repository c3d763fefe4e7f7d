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

extension UserStore {
    /// The public profile of `userID`, for the actor of a system message or event; an account that is
    /// gone is `AUTH_USER_NOT_FOUND`.
    public func publicUser(_ userID: String) async throws -> PublicUserView {
        guard let user = try await user(id: userID) else { throw ParleyError.notFound(.authUserNotFound, "User account not found") }
        return PublicUserView(user)
    }
}

/// Persistence of login sessions.
public protocol SessionStore: Sendable {
    func createSession(_ session: Session) async throws
    func sessionStatus(id: String) async throws -> SessionStatus?
    func sessionStatus(refreshTokenHash: String) async throws -> SessionStatus?
    /// Replaces the refresh token hash (rotation) in one conditional write: only while the session's hash is
    /// still `oldHash` and the session is neither revoked nor expired at `time`. The old hash is remembered
    /// (``rotatedRefreshToken(hash:)``). Returns whether this call rotated; of concurrent calls with one
    /// `oldHash`, exactly one does.
    func rotateRefreshToken(sessionID: String, oldHash: String, newHash: String, at time: Timestamp) async throws -> Bool
    /// The session that once had the refresh token hash `hash` and rotated it away, if any.
    func rotatedRefreshToken(hash: String) async throws -> RotatedRefreshToken?
    func touchSession(id: String, at time: Timestamp) async throws
    /// Marks the session revoked; returns false when it was already revoked or does not exist.
    func revokeSession(id: String, at time: Timestamp) async throws -> Bool
    /// Marks the session revoked only when it belongs to `userID` and is still active (not revoked, not
    /// expired at `time`); returns whether it did.
    func revokeSession(id: String, userID: String, at time: Timestamp) async throws -> Bool
    /// Revokes every active session of `userID` except `keptSessionID`; returns the ids it revoked.
    func revokeSessions(userID: String, except keptSessionID: String, at time: Timestamp) async throws -> [String]
    /// The user's sessions that are neither revoked nor expired at `time`, most recently used first, at most `limit`.
    func activeSessions(userID: String, at time: Timestamp, limit: Int) async throws -> [Session]
    /// Whether `userID` opened a session (registration or login) from `address` after `since`.
    func hasOpenedSession(userID: String, from address: String, since: Timestamp) async throws -> Bool
}

/// Errors a store reports in domain terms; anything else is an infrastructure failure.
public enum StoreError: Error, Sendable, Equatable {
    case duplicate(field: String)
    case notFound
}

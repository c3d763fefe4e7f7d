import ParleyCore
import SQLKit

extension SQLStore: SessionStore {
    private static let sessionColumns = """
        s.id, s.user_id, s.refresh_token_hash, s.created_at, s.expires_at, s.revoked_at, s.last_used_at,
        s.user_agent, s.ip_address, u.is_active
        """

    /// Rotated-away refresh token hashes remembered per session.
    static let rotatedHashesKept = 32

    private static func decodeSession(_ row: any SQLRow) throws -> Session {
        Session(
            id: try row.string("id"), userID: try row.string("user_id"),
            refreshTokenHash: try row.string("refresh_token_hash"), createdAt: try row.timestamp("created_at"),
            expiresAt: try row.timestamp("expires_at"), revokedAt: try row.optionalTimestamp("revoked_at"),
            lastUsedAt: try row.timestamp("last_used_at"), userAgent: try row.optionalString("user_agent"),
            ipAddress: try row.optionalString("ip_address")
        )
    }

    private static func decodeStatus(_ row: any SQLRow) throws -> SessionStatus {
        SessionStatus(session: try decodeSession(row), userIsActive: try row.bool("is_active"))
    }

    public func createSession(_ session: Session) async throws {
        try await backend.transaction { database in
            try await database.raw("""
                INSERT INTO sessions (id, user_id, refresh_token_hash, created_at, expires_at, revoked_at, last_used_at,
                    user_agent, ip_address)
                VALUES (\(bind: session.id), \(bind: session.userID), \(bind: session.refreshTokenHash),
                    \(bind: session.createdAt.milliseconds), \(bind: session.expiresAt.milliseconds),
                    \(bind: session.revokedAt?.milliseconds), \(bind: session.lastUsedAt.milliseconds),
                    \(bind: session.userAgent), \(bind: session.ipAddress))
                """).run()
        }
    }

    public func sessionStatus(id: String) async throws -> SessionStatus? {
        try await backend.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.sessionColumns) FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.id = \(bind: id)
                """).first().map(Self.decodeStatus)
        }
    }

    public func sessionStatus(refreshTokenHash: String) async throws -> SessionStatus? {
        try await backend.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.sessionColumns) FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.refresh_token_hash = \(bind: refreshTokenHash)
                """).first().map(Self.decodeStatus)
        }
    }

    public func rotateRefreshToken(sessionID: String, oldHash: String, newHash: String, at time: Timestamp) async throws -> Bool {
        try await backend.transaction { database in
            // The hash condition makes the write itself decide a race: on PostgreSQL a concurrent writer waits
            // for the row lock and then re-checks the condition against the committed row, so it matches nothing.
            let rotated = try await database.raw("""
                UPDATE sessions SET refresh_token_hash = \(bind: newHash), last_used_at = \(bind: time.milliseconds)
                WHERE id = \(bind: sessionID) AND refresh_token_hash = \(bind: oldHash) AND revoked_at IS NULL
                    AND expires_at > \(bind: time.milliseconds)
                RETURNING id
                """).first() != nil
            guard rotated else { return false }
            try await database.raw("""
                INSERT INTO session_refresh_history (token_hash, session_id, rotated_at)
                VALUES (\(bind: oldHash), \(bind: sessionID), \(bind: time.milliseconds))
                """).run()
            // A client may refresh as often as the rate limit lets it: only the latest hashes are kept, so the
            // table does not grow with refreshes (older stolen tokens are then merely refused).
            try await database.raw("""
                DELETE FROM session_refresh_history
                WHERE session_id = \(bind: sessionID) AND rotated_at < (
                    SELECT rotated_at FROM session_refresh_history WHERE session_id = \(bind: sessionID)
                    ORDER BY rotated_at DESC LIMIT 1 OFFSET \(unsafeRaw: String(Self.rotatedHashesKept - 1)))
                """).run()
            return true
        }
    }

    public func rotatedRefreshToken(hash: String) async throws -> RotatedRefreshToken? {
        try await backend.read { database in
            try await database.raw("""
                SELECT session_id, rotated_at FROM session_refresh_history WHERE token_hash = \(bind: hash)
                """).first().map { row in
                RotatedRefreshToken(sessionID: try row.string("session_id"), rotatedAt: try row.timestamp("rotated_at"))
            }
        }
    }

    public func touchSession(id: String, at time: Timestamp) async throws {
        try await backend.transaction { database in
            try await database.raw("UPDATE sessions SET last_used_at = \(bind: time.milliseconds) WHERE id = \(bind: id)").run()
        }
    }

    public func revokeSession(id: String, at time: Timestamp) async throws -> Bool {
        try await backend.transaction { database in
            try await database.raw("""
                UPDATE sessions SET revoked_at = \(bind: time.milliseconds)
                WHERE id = \(bind: id) AND revoked_at IS NULL RETURNING id
                """).first() != nil
        }
    }

    public func revokeSession(id: String, userID: String, at time: Timestamp) async throws -> Bool {
        try await backend.transaction { database in
            try await database.raw("""
                UPDATE sessions SET revoked_at = \(bind: time.milliseconds)
                WHERE id = \(bind: id) AND user_id = \(bind: userID) AND revoked_at IS NULL
                    AND expires_at > \(bind: time.milliseconds)
                RETURNING id
                """).first() != nil
        }
    }

    public func revokeSessions(userID: String, except keptSessionID: String, at time: Timestamp) async throws -> [String] {
        try await backend.transaction { database in
            try await database.raw("""
                UPDATE sessions SET revoked_at = \(bind: time.milliseconds)
                WHERE user_id = \(bind: userID) AND id <> \(bind: keptSessionID) AND revoked_at IS NULL
                    AND expires_at > \(bind: time.milliseconds)
                RETURNING id
                """).all().map { try $0.string("id") }
        }
    }

    public func activeSessions(userID: String, at time: Timestamp, limit: Int) async throws -> [Session] {
        try await backend.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.sessionColumns) FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.user_id = \(bind: userID) AND s.revoked_at IS NULL AND s.expires_at > \(bind: time.milliseconds)
                ORDER BY s.last_used_at DESC, s.id LIMIT \(bind: limit)
                """).all().map(Self.decodeSession)
        }
    }

    public func hasOpenedSession(userID: String, from address: String, since: Timestamp) async throws -> Bool {
        try await backend.read { database in
            try await database.raw("""
                SELECT 1 AS found FROM sessions
                WHERE user_id = \(bind: userID) AND ip_address = \(bind: address) AND created_at > \(bind: since.milliseconds)
                LIMIT 1
                """).first() != nil
        }
    }
}

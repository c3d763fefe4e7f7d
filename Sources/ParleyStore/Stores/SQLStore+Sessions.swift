import ParleyCore
import SQLKit

extension SQLStore: SessionStore {
    private static let sessionColumns = """
        s.id, s.user_id, s.refresh_token_hash, s.created_at, s.expires_at, s.revoked_at, s.last_used_at, u.is_active
        """

    private static func decodeStatus(_ row: any SQLRow) throws -> SessionStatus {
        SessionStatus(
            session: Session(
                id: try row.string("id"), userID: try row.string("user_id"),
                refreshTokenHash: try row.string("refresh_token_hash"), createdAt: try row.timestamp("created_at"),
                expiresAt: try row.timestamp("expires_at"), revokedAt: try row.optionalTimestamp("revoked_at"),
                lastUsedAt: try row.timestamp("last_used_at")
            ),
            userIsActive: try row.bool("is_active")
        )
    }

    public func createSession(_ session: Session) async throws {
        try await backend.transaction { database in
            try await database.raw("""
                INSERT INTO sessions (id, user_id, refresh_token_hash, created_at, expires_at, revoked_at, last_used_at)
                VALUES (\(bind: session.id), \(bind: session.userID), \(bind: session.refreshTokenHash),
                    \(bind: session.createdAt.milliseconds), \(bind: session.expiresAt.milliseconds),
                    \(bind: session.revokedAt?.milliseconds), \(bind: session.lastUsedAt.milliseconds))
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

    public func rotateRefreshToken(sessionID: String, newHash: String, at time: Timestamp) async throws {
        try await backend.transaction { database in
            try await database.raw("""
                UPDATE sessions SET refresh_token_hash = \(bind: newHash), last_used_at = \(bind: time.milliseconds)
                WHERE id = \(bind: sessionID)
                """).run()
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
}

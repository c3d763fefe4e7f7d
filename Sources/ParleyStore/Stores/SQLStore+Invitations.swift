import ParleyCore
import SQLKit

extension SQLStore {
    public func createInvitation(_ invitation: Invitation) async throws {
        try await backend.transaction { database in
            try await database.raw("""
                INSERT INTO invitations (id, room_id, code, created_by, max_uses, current_uses, expires_at, created_at)
                VALUES (\(bind: invitation.id), \(bind: invitation.roomID), \(bind: invitation.code), \(bind: invitation.createdBy),
                    \(bind: invitation.maxUses), \(bind: invitation.currentUses), \(bind: invitation.expiresAt.milliseconds),
                    \(bind: invitation.createdAt.milliseconds))
                """).run()
        }
    }

    public func invitation(code: String) async throws -> Invitation? {
        try await backend.read { database in
            try await database.raw("""
                SELECT id, room_id, code, created_by, max_uses, current_uses, expires_at, created_at FROM invitations
                WHERE code = \(bind: code)
                """).first().map { row in
                Invitation(
                    id: try row.string("id"), roomID: try row.string("room_id"), code: try row.string("code"),
                    createdBy: try row.string("created_by"), maxUses: try row.int("max_uses"), currentUses: try row.int("current_uses"),
                    expiresAt: try row.timestamp("expires_at"), createdAt: try row.timestamp("created_at"))
            }
        }
    }
}

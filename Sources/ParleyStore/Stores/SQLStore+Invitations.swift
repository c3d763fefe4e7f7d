import ParleyCore
import SQLKit

extension SQLStore {
    public func createInvitation(_ invitation: Invitation, requirement: RoleRequirement) async throws -> Guarded<Void> {
        let engine = backend.engine
        return try await backend.transaction { database -> Guarded<Void> in
            // The room first, as departures do: one that removes the creator either commits before (and the
            // role read here sees it) or waits and then deletes this invitation with the creator's others.
            guard try await Self.lockRoom(invitation.roomID, in: database) != nil else { return .refused(actorRole: nil, targetRole: nil) }
            let actorRole = try await Self.role(of: requirement.actorID, in: invitation.roomID, engine: engine, in: database)
            guard requirement.permits(actorRole: actorRole) else { return .refused(actorRole: actorRole, targetRole: nil) }
            try await database.raw("""
                INSERT INTO invitations (id, room_id, code, created_by, max_uses, current_uses, expires_at, created_at)
                VALUES (\(bind: invitation.id), \(bind: invitation.roomID), \(bind: invitation.code), \(bind: invitation.createdBy),
                    \(bind: invitation.maxUses), \(bind: invitation.currentUses), \(bind: invitation.expiresAt.milliseconds),
                    \(bind: invitation.createdAt.milliseconds))
                """).run()
            return .done(())
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

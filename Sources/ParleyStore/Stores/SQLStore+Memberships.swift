import ParleyCore
import SQLKit

/// Leaves a transaction early with an outcome, rolling back what it did so far.
struct TransactionOutcome<Value: Sendable>: Error {
    let value: Value
}

extension SQLStore {
    static let membershipColumns = "m.room_id AS m_room_id, m.user_id AS m_user_id, m.role AS m_role, m.joined_at AS m_joined_at, m.last_read_seq AS m_last_read_seq, m.last_read_message_id AS m_last_read_message_id, m.last_read_at AS m_last_read_at"

    static func decodeMembership(_ row: any SQLRow, prefix: String = "m_") throws -> Membership {
        Membership(
            roomID: try row.string(prefix + "room_id"), userID: try row.string(prefix + "user_id"),
            role: RoomRole(rawValue: try row.string(prefix + "role")) ?? .member, joinedAt: try row.timestamp(prefix + "joined_at"),
            lastReadSeq: try row.int64(prefix + "last_read_seq"), lastReadMessageID: try row.optionalString(prefix + "last_read_message_id"),
            lastReadAt: try row.optionalTimestamp(prefix + "last_read_at"))
    }

    static func decodeMember(_ row: any SQLRow) throws -> MemberRecord {
        MemberRecord(
            membership: try decodeMembership(row),
            user: PublicUserView(
                id: try row.string("m_user_id"), username: try row.string("u_username"), displayName: try row.string("u_display_name"),
                avatarURL: try row.optionalString("u_avatar_url")))
    }

    static func insertMembership(_ membership: Membership, in database: any SQLDatabase) async throws {
        try await database.raw("""
            INSERT INTO memberships (room_id, user_id, role, joined_at, last_read_seq, last_read_message_id, last_read_at)
            VALUES (\(bind: membership.roomID), \(bind: membership.userID), \(bind: membership.role.rawValue),
                \(bind: membership.joinedAt.milliseconds), \(bind: membership.lastReadSeq), \(bind: membership.lastReadMessageID),
                \(bind: membership.lastReadAt?.milliseconds))
            """).run()
    }

    static func membership(roomID: String, userID: String, in database: any SQLDatabase) async throws -> Membership? {
        try await database.raw("""
            SELECT \(unsafeRaw: membershipColumns) FROM memberships m WHERE m.room_id = \(bind: roomID) AND m.user_id = \(bind: userID)
            """).first().map { try decodeMembership($0) }
    }

    /// The user's role in the room as this transaction sees it (nil: not a member), for a `RoleRequirement`.
    /// On PostgreSQL the row is share-locked, so it cannot be changed or deleted until the write commits; a
    /// change committed meanwhile is waited for and read (READ COMMITTED re-reads locked rows). Room writes
    /// lock the room first, which every role change and departure also does. SQLite has a single writer, so
    /// nothing changes between this read and the write.
    static func role(of userID: String, in roomID: String, engine: SQLEngine, in database: any SQLDatabase) async throws -> RoomRole? {
        let lock = engine == .postgres ? " FOR SHARE" : ""
        return try await database.raw("""
            SELECT role FROM memberships WHERE room_id = \(bind: roomID) AND user_id = \(bind: userID)\(unsafeRaw: lock)
            """).first().flatMap { RoomRole(rawValue: try $0.string("role")) }
    }

    static func member(roomID: String, userID: String, in database: any SQLDatabase) async throws -> MemberRecord? {
        try await database.raw("""
            SELECT \(unsafeRaw: membershipColumns), u.username AS u_username, u.display_name AS u_display_name, u.avatar_url AS u_avatar_url
            FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.room_id = \(bind: roomID) AND m.user_id = \(bind: userID)
            """).first().map(decodeMember)
    }
}

extension SQLStore {
    public func membership(roomID: String, userID: String) async throws -> Membership? {
        try await backend.read { database in try await Self.membership(roomID: roomID, userID: userID, in: database) }
    }

    public func members(roomID: String) async throws -> [MemberRecord] {
        try await backend.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.membershipColumns), u.username AS u_username, u.display_name AS u_display_name, u.avatar_url AS u_avatar_url
                FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.room_id = \(bind: roomID)
                ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END, m.joined_at, m.user_id
                """).all().map(Self.decodeMember)
        }
    }

    public func memberIDs(roomID: String) async throws -> [String] {
        try await backend.read { database in
            try await database.raw("SELECT user_id FROM memberships WHERE room_id = \(bind: roomID)").all().map { try $0.string("user_id") }
        }
    }

    public func roomPeers(of userID: String) async throws -> Set<String> {
        try await backend.read { database in
            Set(try await database.raw("""
                SELECT DISTINCT other.user_id FROM memberships mine
                JOIN memberships other ON other.room_id = mine.room_id
                WHERE mine.user_id = \(bind: userID) AND other.user_id <> \(bind: userID)
                """).all().map { try $0.string("user_id") })
        }
    }

    public func join(
        roomID: String, user: PublicUserView, invitation: (id: String, creator: RoleRequirement)?, at time: Timestamp,
        makeMessage: SystemMessageFactory
    ) async throws -> JoinOutcome {
        let engine = backend.engine
        // A unique violation means the same user joined concurrently; the retry then finds the membership.
        for attempt in 1...2 {
            do {
                return try await backend.transaction { database -> JoinOutcome in
                    if let existing = try await Self.membership(roomID: roomID, userID: user.id, in: database) {
                        guard let room = try await Self.lockRoom(roomID, in: database) else { return .roomNotFound }
                        return .alreadyMember(room, existing)
                    }
                    if let invitation {
                        guard let row = try await database.raw("""
                            SELECT expires_at, current_uses, max_uses FROM invitations WHERE id = \(bind: invitation.id) AND room_id = \(bind: roomID)
                            """).first()
                        else { return .invitationInvalid(reason: "not_found") }
                        if try row.int64("expires_at") <= time.milliseconds { return .invitationInvalid(reason: "expired") }
                        if try row.int("current_uses") >= row.int("max_uses") { return .invitationInvalid(reason: "exhausted") }
                    }
                    // Capacity first, then the invitation use: both conditional updates take row locks, so
                    // concurrent joins queue and re-check the condition on the latest row.
                    guard try await database.raw("""
                        UPDATE rooms SET member_count = member_count + 1
                        WHERE id = \(bind: roomID) AND member_count < max_members RETURNING id
                        """).first() != nil
                    else {
                        let exists = try await database.raw("SELECT id FROM rooms WHERE id = \(bind: roomID)").first() != nil
                        return exists ? .roomFull : .roomNotFound
                    }
                    if let invitation {
                        // With the room locked, like departures and role changes: an invitation whose creator
                        // left or lost the right to invite no longer admits anyone (rows kept from before
                        // departures deleted them, and demotions, which keep them).
                        let creatorRole = try await Self.role(of: invitation.creator.actorID, in: roomID, engine: engine, in: database)
                        guard invitation.creator.permits(actorRole: creatorRole) else {
                            throw TransactionOutcome(value: JoinOutcome.invitationInvalid(reason: "not_found"))
                        }
                        guard try await database.raw("""
                            UPDATE invitations SET current_uses = current_uses + 1
                            WHERE id = \(bind: invitation.id) AND current_uses < max_uses AND expires_at > \(bind: time.milliseconds)
                            RETURNING id
                            """).first() != nil
                        else { throw TransactionOutcome(value: JoinOutcome.invitationInvalid(reason: "exhausted")) }
                    }
                    let membership = Membership(roomID: roomID, userID: user.id, role: .member, joinedAt: time)
                    try await Self.insertMembership(membership, in: database)
                    let message = try await Self.insertMessage(try await makeMessage(.memberJoined(user)), in: database)
                    guard let room = try await Self.lockRoom(roomID, in: database) else { throw StoreError.notFound }
                    return .joined(room, membership, message)
                }
            } catch let outcome as TransactionOutcome<JoinOutcome> {
                return outcome.value
            } catch {
                if attempt == 1, backend.uniqueViolation(in: error) != nil { continue }
                throw error
            }
        }
        throw StoreError.notFound
    }

    public func depart(
        roomID: String, user: PublicUserView, remover: (user: PublicUserView, requirement: RoleRequirement)?, at time: Timestamp,
        makeMessage: SystemMessageFactory
    ) async throws -> Guarded<DepartureOutcome?> {
        let engine = backend.engine
        return try await backend.transaction { database -> Guarded<DepartureOutcome?> in
            guard let room = try await Self.lockRoom(roomID, in: database) else {
                return remover == nil ? .done(nil) : .refused(actorRole: nil, targetRole: nil)
            }
            let membership = try await Self.membership(roomID: roomID, userID: user.id, in: database)
            if let requirement = remover?.requirement {
                let removerRole = try await Self.role(of: requirement.actorID, in: roomID, engine: engine, in: database)
                // The remover's own standing first, so that someone who lost it learns nothing about the target.
                guard requirement.permits(actorRole: removerRole) else { return .refused(actorRole: removerRole, targetRole: membership?.role) }
                if let membership, !requirement.permits(actorRole: removerRole, targetRole: membership.role) {
                    return .refused(actorRole: removerRole, targetRole: membership.role)
                }
            }
            guard let membership else { return .done(nil) }
            try await database.raw("DELETE FROM memberships WHERE room_id = \(bind: roomID) AND user_id = \(bind: user.id)").run()
            // Invitations end with their creator's membership: a removed moderator's codes stop working.
            try await database.raw("DELETE FROM invitations WHERE room_id = \(bind: roomID) AND created_by = \(bind: user.id)").run()
            try await database.raw("UPDATE rooms SET member_count = member_count - 1, updated_at = \(bind: time.milliseconds) WHERE id = \(bind: roomID)").run()
            if room.memberCount <= 1 {
                let fileKeys = try await Self.deleteRoom(roomID, engine: engine, in: database)
                return .done(DepartureOutcome(room: nil, newOwner: nil, messages: [], deletedFileKeys: fileKeys))
            }
            var messages: [StoredMessage] = []
            let event: SystemEvent = remover.map { .memberRemoved(user, by: $0.user) } ?? .memberLeft(user)
            messages.append(try await Self.insertMessage(try await makeMessage(event), in: database))
            var newOwner: MemberRecord?
            var previousRole: RoomRole?
            if membership.role == .owner {
                // Longest-standing moderator, else longest-standing member.
                guard let successor = try await database.raw("""
                    SELECT user_id, role FROM memberships WHERE room_id = \(bind: roomID)
                    ORDER BY CASE role WHEN 'moderator' THEN 0 ELSE 1 END, joined_at, user_id LIMIT 1
                    """).first()
                else { throw StoreError.notFound }
                let successorID = try successor.string("user_id")
                previousRole = RoomRole(rawValue: try successor.string("role"))
                try await database.raw("UPDATE memberships SET role = 'owner' WHERE room_id = \(bind: roomID) AND user_id = \(bind: successorID)").run()
                try await database.raw("UPDATE rooms SET owner_id = \(bind: successorID) WHERE id = \(bind: roomID)").run()
                newOwner = try await Self.member(roomID: roomID, userID: successorID, in: database)
                if let newOwner {
                    messages.append(try await Self.insertMessage(try await makeMessage(.roleChanged(newOwner.user, role: .owner, by: user)), in: database))
                }
            }
            let after = try await Self.lockRoom(roomID, in: database)
            return .done(DepartureOutcome(room: after, newOwner: newOwner, newOwnerPreviousRole: previousRole, messages: messages))
        }
    }

    public func setRole(
        roomID: String, target: String, role: RoomRole, actor: PublicUserView, requirement: RoleRequirement, at time: Timestamp,
        makeMessage: SystemMessageFactory
    ) async throws -> Guarded<RoleChangeOutcome?> {
        let engine = backend.engine
        return try await backend.transaction { database -> Guarded<RoleChangeOutcome?> in
            guard let room = try await Self.lockRoom(roomID, in: database) else { return .refused(actorRole: nil, targetRole: nil) }
            // After the room lock, so a concurrent transfer of ownership or departure of the actor is seen.
            let actorRole = try await Self.role(of: requirement.actorID, in: roomID, engine: engine, in: database)
            guard requirement.permits(actorRole: actorRole) else { return .refused(actorRole: actorRole, targetRole: nil) }
            guard let member = try await Self.member(roomID: roomID, userID: target, in: database) else { return .done(nil) }
            let previous = member.membership.role
            if previous == role { return .done(RoleChangeOutcome(room: room, changes: [], messages: [])) }
            var changes: [(member: MemberRecord, previousRole: RoomRole)] = []
            if role == .owner {
                if let formerOwner = try await Self.member(roomID: roomID, userID: room.ownerID, in: database) {
                    try await database.raw("UPDATE memberships SET role = 'moderator' WHERE room_id = \(bind: roomID) AND user_id = \(bind: room.ownerID)").run()
                    var demoted = formerOwner
                    demoted.membership.role = .moderator
                    changes.append((demoted, .owner))
                }
                try await database.raw("UPDATE rooms SET owner_id = \(bind: target), updated_at = \(bind: time.milliseconds) WHERE id = \(bind: roomID)").run()
            }
            try await database.raw("UPDATE memberships SET role = \(bind: role.rawValue) WHERE room_id = \(bind: roomID) AND user_id = \(bind: target)").run()
            var promoted = member
            promoted.membership.role = role
            changes.insert((promoted, previous), at: 0)
            let message = try await Self.insertMessage(try await makeMessage(.roleChanged(member.user, role: role, by: actor)), in: database)
            guard let after = try await Self.lockRoom(roomID, in: database) else { throw StoreError.notFound }
            return .done(RoleChangeOutcome(room: after, changes: changes, messages: [message]))
        }
    }
}

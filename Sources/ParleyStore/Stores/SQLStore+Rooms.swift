import Foundation
import ParleyCore
import SQLKit

extension SQLStore {
    static func roomColumns(_ alias: String) -> String {
        ["id", "name", "description", "owner_id", "is_private", "max_members", "member_count", "encryption_enabled",
         "auto_summary_enabled", "summary_threshold", "last_seq", "last_message_at", "created_at", "updated_at"]
            .map { "\(alias).\($0) AS r_\($0)" }.joined(separator: ", ")
    }

    static func decodeRoom(_ row: any SQLRow) throws -> Room {
        Room(
            id: try row.string("r_id"), name: try row.string("r_name"), description: try row.optionalString("r_description"),
            ownerID: try row.string("r_owner_id"), isPrivate: try row.bool("r_is_private"), maxMembers: try row.int("r_max_members"),
            memberCount: try row.int("r_member_count"), encryptionEnabled: try row.bool("r_encryption_enabled"),
            autoSummaryEnabled: try row.bool("r_auto_summary_enabled"), summaryThreshold: try row.int("r_summary_threshold"),
            lastSeq: try row.int64("r_last_seq"), lastMessageAt: try row.optionalTimestamp("r_last_message_at"),
            createdAt: try row.timestamp("r_created_at"), updatedAt: try row.timestamp("r_updated_at"))
    }

    /// Reads the room inside a transaction after taking its row lock (an UPDATE that changes nothing is the
    /// one row lock both engines understand), so concurrent changes to the room queue behind this one.
    static func lockRoom(_ id: String, in database: any SQLDatabase) async throws -> Room? {
        guard try await database.raw("UPDATE rooms SET updated_at = updated_at WHERE id = \(bind: id) RETURNING id").first() != nil else {
            return nil
        }
        return try await database.raw("SELECT \(unsafeRaw: roomColumns("r")) FROM rooms r WHERE r.id = \(bind: id)").first().map(decodeRoom)
    }

    /// A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped.
    static func containsPattern(_ text: String) -> String {
        let escaped = text.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        return "%" + escaped + "%"
    }
}

extension SQLStore: RoomStore {
    public func createRoom(_ room: Room, owner: Membership, key: StoredRoomKey?) async throws {
        try await backend.transaction { database in
            try await database.raw("""
                INSERT INTO rooms (id, name, name_key, description, owner_id, is_private, max_members, member_count,
                    encryption_enabled, auto_summary_enabled, summary_threshold, last_seq, created_at, updated_at)
                VALUES (\(bind: room.id), \(bind: room.name), \(bind: room.name.lowercased()), \(bind: room.description),
                    \(bind: room.ownerID), \(bind: room.isPrivate.sqlFlag), \(bind: room.maxMembers), \(bind: room.memberCount),
                    \(bind: room.encryptionEnabled.sqlFlag), \(bind: room.autoSummaryEnabled.sqlFlag), \(bind: room.summaryThreshold),
                    0, \(bind: room.createdAt.milliseconds), \(bind: room.updatedAt.milliseconds))
                """).run()
            try await Self.insertMembership(owner, in: database)
            if let key { try await Self.insertRoomKey(key, in: database) }
        }
    }

    public func room(id: String) async throws -> Room? {
        try await backend.read { database in
            try await database.raw("SELECT \(unsafeRaw: Self.roomColumns("r")) FROM rooms r WHERE r.id = \(bind: id)").first().map(Self.decodeRoom)
        }
    }

    public func rooms(of userID: String, search: String?, page: PageRequest) async throws -> Page<RoomListing> {
        let filter: SQLQueryString = search.map { "AND r.name_key LIKE \(bind: Self.containsPattern($0)) ESCAPE '\\'" } ?? ""
        // One statement per page: the rooms, their newest visible message and the caller's unread count.
        // Unread counting stops at 1,000 so that a long-unread room costs no more than a short one.
        let rows = try await backend.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.roomColumns("r")),
                    m.room_id AS m_room_id, m.user_id AS m_user_id, m.role AS m_role, m.joined_at AS m_joined_at,
                    m.last_read_seq AS m_last_read_seq, m.last_read_message_id AS m_last_read_message_id, m.last_read_at AS m_last_read_at,
                    lm.id AS lm_id, lm.room_id AS lm_room_id, lm.seq AS lm_seq, lm.user_id AS lm_user_id, lm.message_type AS lm_message_type,
                    lm.content AS lm_content, lm.content_key_version AS lm_content_key_version, lm.reply_to AS lm_reply_to,
                    lm.client_id AS lm_client_id, lm.created_at AS lm_created_at, lm.edited_at AS lm_edited_at, lm.deleted_at AS lm_deleted_at,
                    lu.username AS lm_username,
                    (SELECT COUNT(*) FROM (
                        SELECT 1 FROM messages x
                        WHERE x.room_id = r.id AND x.seq > m.last_read_seq AND x.user_id <> m.user_id
                            AND x.deleted_at IS NULL AND x.message_type <> 'system'
                        LIMIT 1000) unread) AS unread_count,
                    COUNT(*) OVER () AS total_count
                FROM memberships m
                JOIN rooms r ON r.id = m.room_id
                LEFT JOIN messages lm ON lm.id = (
                    SELECT y.id FROM messages y WHERE y.room_id = r.id AND y.deleted_at IS NULL ORDER BY y.seq DESC LIMIT 1)
                LEFT JOIN users lu ON lu.id = lm.user_id
                WHERE m.user_id = \(bind: userID) \(filter)
                ORDER BY COALESCE(r.last_message_at, r.created_at) DESC, r.id
                LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)
                """).all()
        }
        let items = try rows.map { row -> RoomListing in
            let last: (StoredMessage, String)? = try row.optionalString("lm_id") == nil
                ? nil : (try Self.decodeMessage(row, prefix: "lm_"), try row.optionalString("lm_username") ?? "")
            return RoomListing(
                room: try Self.decodeRoom(row), membership: try Self.decodeMembership(row, prefix: "m_"),
                lastMessage: last, unreadCount: try row.int("unread_count"))
        }
        let total: Int
        if let first = rows.first {
            total = try first.int("total_count")
        } else {
            total = try await backend.read { database in
                try await database.raw("""
                    SELECT COUNT(*) AS total FROM memberships m JOIN rooms r ON r.id = m.room_id
                    WHERE m.user_id = \(bind: userID) \(filter)
                    """).first()?.int("total") ?? 0
            }
        }
        return Page(items: items, total: total, request: page)
    }

    public func discoverRooms(for userID: String, search: String?, page: PageRequest) async throws -> Page<(room: Room, isMember: Bool)> {
        let filter: SQLQueryString = search.map { "AND r.name_key LIKE \(bind: Self.containsPattern($0)) ESCAPE '\\'" } ?? ""
        let rows = try await backend.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.roomColumns("r")),
                    CASE WHEN m.user_id IS NULL THEN 0 ELSE 1 END AS is_member, COUNT(*) OVER () AS total_count
                FROM rooms r LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = \(bind: userID)
                WHERE r.is_private = 0 \(filter)
                ORDER BY r.member_count DESC, r.name_key, r.id
                LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)
                """).all()
        }
        let items = try rows.map { (room: try Self.decodeRoom($0), isMember: try $0.bool("is_member")) }
        let total: Int
        if let first = rows.first {
            total = try first.int("total_count")
        } else {
            total = try await backend.read { database in
                try await database.raw("SELECT COUNT(*) AS total FROM rooms r WHERE r.is_private = 0 \(filter)").first()?.int("total") ?? 0
            }
        }
        return Page(items: items, total: total, request: page)
    }

    public func updateRoom(
        id: String, changes: RoomChanges, requirement: RoleRequirement, at time: Timestamp, system: SystemEvent?,
        makeMessage: SystemMessageFactory
    ) async throws -> Guarded<(Room, StoredMessage?)?> {
        let engine = backend.engine
        return try await backend.transaction { database -> Guarded<(Room, StoredMessage?)?> in
            guard var room = try await Self.lockRoom(id, in: database) else { throw StoreError.notFound }
            let actorRole = try await Self.role(of: requirement.actorID, in: id, engine: engine, in: database)
            guard requirement.permits(actorRole: actorRole) else { return .refused(actorRole: actorRole, targetRole: nil) }
            if let maxMembers = changes.maxMembers, maxMembers < room.memberCount { return .done(nil) }
            if let name = changes.name { room.name = name }
            if let description = changes.description { room.description = description }
            if let maxMembers = changes.maxMembers { room.maxMembers = maxMembers }
            if let auto = changes.autoSummaryEnabled { room.autoSummaryEnabled = auto }
            if let threshold = changes.summaryThreshold { room.summaryThreshold = threshold }
            room.updatedAt = time
            try await database.raw("""
                UPDATE rooms SET name = \(bind: room.name), name_key = \(bind: room.name.lowercased()), description = \(bind: room.description),
                    max_members = \(bind: room.maxMembers), auto_summary_enabled = \(bind: room.autoSummaryEnabled.sqlFlag),
                    summary_threshold = \(bind: room.summaryThreshold), updated_at = \(bind: time.milliseconds)
                WHERE id = \(bind: id)
                """).run()
            var message: StoredMessage?
            if let system {
                message = try await Self.insertMessage(try await makeMessage(system), in: database)
                room.lastSeq = message!.seq
                room.lastMessageAt = message!.createdAt
            }
            return .done((room, message))
        }
    }

    public func deleteRoom(id: String, requirement: RoleRequirement) async throws -> Guarded<[String]> {
        let engine = backend.engine
        return try await backend.transaction { database -> Guarded<[String]> in
            guard try await Self.lockRoom(id, in: database) != nil else { return .refused(actorRole: nil, targetRole: nil) }
            let actorRole = try await Self.role(of: requirement.actorID, in: id, engine: engine, in: database)
            guard requirement.permits(actorRole: actorRole) else { return .refused(actorRole: actorRole, targetRole: nil) }
            return .done(try await Self.deleteRoom(id, engine: engine, in: database))
        }
    }

    /// Deletes a room (messages, memberships, invitations, keys, files and summaries cascade) and returns the
    /// storage keys of its files so that their bytes can be removed after commit.
    static func deleteRoom(_ id: String, engine: SQLEngine, in database: any SQLDatabase) async throws -> [String] {
        if engine == .postgres {
            // The room's row first: a `PostingWriter` transaction holding it back finishes before the postings
            // are removed, and later ones find the room gone and write nothing.
            try await database.raw("SELECT id FROM rooms WHERE id = \(bind: id) FOR UPDATE").run()
        }
        try await unindex(roomID: id, engine: engine, in: database)
        let keys = try await database.raw("SELECT storage_key FROM files WHERE room_id = \(bind: id)").all().map { try $0.string("storage_key") }
        try await database.raw("DELETE FROM rooms WHERE id = \(bind: id)").run()
        return keys
    }
}

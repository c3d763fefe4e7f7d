import Foundation
import ParleyCore
import SQLKit

extension SQLStore: MessageStore {
    public func roomAccess(roomID: String, userID: String) async throws -> (room: Room, membership: Membership?)? {
        try await backend.read { database in
            guard let row = try await database.raw("""
                SELECT \(unsafeRaw: Self.roomColumns("r")), \(unsafeRaw: Self.membershipColumns)
                FROM rooms r LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = \(bind: userID)
                WHERE r.id = \(bind: roomID)
                """).first()
            else { return nil }
            let membership = try row.optionalString("m_user_id") == nil ? nil : try Self.decodeMembership(row)
            return (try Self.decodeRoom(row), membership)
        }
    }

    public func sendAccess(roomID: String, userID: String) async throws -> (room: Room, membership: Membership?, author: User?)? {
        try await backend.read { database in
            guard let row = try await database.raw("""
                SELECT \(unsafeRaw: Self.roomColumns("r")), \(unsafeRaw: Self.membershipColumns), \(unsafeRaw: Self.authorColumns)
                FROM rooms r
                LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = \(bind: userID)
                LEFT JOIN users u ON u.id = \(bind: userID)
                WHERE r.id = \(bind: roomID)
                """).first()
            else { return nil }
            let membership = try row.optionalString("m_user_id") == nil ? nil : try Self.decodeMembership(row)
            let author = try row.optionalString("u_id") == nil ? nil : try Self.decodeUser(row, prefix: "u_")
            return (try Self.decodeRoom(row), membership, author)
        }
    }

    private static let authorColumns = userColumns("u", prefix: "u_")

    public func insert(_ batch: [NewMessage], idempotencyWindow: Int64) async throws -> (outcomes: [InsertOutcome], progress: [RoomProgress]) {
        let engine = backend.engine
        let result = try await backend.transaction { database in
            var outcomes = [InsertOutcome?](repeating: nil, count: batch.count)
            var progress: [RoomProgress] = []
            var rows: [StoredMessage] = []
            let indicesByRoom = Dictionary(grouping: batch.indices, by: { batch[$0].roomID })
            // Rooms in a fixed order, so that two writers locking several rooms never wait on each other in a cycle.
            for roomID in indicesByRoom.keys.sorted() {
                // Membership is decided here, in the transaction that stores: a sender removed after their
                // access was checked (or cached) is refused, not stored. System messages have no sender to check.
                let senders = Array(Set(indicesByRoom[roomID]!.filter { batch[$0].type != .system }.map { batch[$0].userID }))
                var members: Set<String> = []
                if !senders.isEmpty, engine == .postgres {
                    // The room row first (the lock the counter update below takes anyway): a departure holds it
                    // until it commits, so the membership read that follows sees the departure. Read first, a
                    // departure committing meanwhile went unseen and its member's messages were stored after it.
                    _ = try await database.raw("SELECT id FROM rooms WHERE id = \(bind: roomID) FOR NO KEY UPDATE").first()
                }
                if !senders.isEmpty {
                    members = Set(try await database.raw("""
                        SELECT user_id FROM memberships WHERE room_id = \(bind: roomID) AND user_id IN (\(binds: senders))
                        """).all().map { try $0.string("user_id") })
                }
                var indices: [Int] = []
                for index in indicesByRoom[roomID]! {
                    if batch[index].type == .system || members.contains(batch[index].userID) {
                        indices.append(index)
                    } else {
                        outcomes[index] = .notMember
                    }
                }
                guard !indices.isEmpty else { continue }
                var earlier: [String: StoredMessage] = [:]
                let keyed = indices.filter { batch[$0].clientID != nil }
                if !keyed.isEmpty {
                    let cutoff = (batch[indices[0]].createdAt.milliseconds) - idempotencyWindow
                    let userIDs = Array(Set(keyed.map { batch[$0].userID }))
                    let clientIDs = Array(Set(keyed.compactMap { batch[$0].clientID }))
                    // Only equalities, so the lookup stays on the (room_id, user_id, client_id) index: with a
                    // created_at range or ORDER BY seq, SQLite (no statistics) chose the room's created_at or
                    // seq index and read every recent message of the room per batch, so a busy room's inserts
                    // slowed down as it grew. Window, order and pairs that only cross-match are handled here.
                    let candidates = try await database.raw("""
                        SELECT \(unsafeRaw: Self.messageColumns) FROM messages
                        WHERE room_id = \(bind: roomID) AND user_id IN (\(binds: userIDs)) AND client_id IN (\(binds: clientIDs))
                        """).all().map { try Self.decodeMessage($0) }
                    for message in candidates.sorted(by: { $0.seq < $1.seq }) where message.createdAt.milliseconds >= cutoff {
                        let key = message.userID + "\u{0}" + (message.clientID ?? "")
                        if earlier[key] == nil { earlier[key] = message }
                    }
                }
                var fresh: [Int] = []
                var repeats: [(index: Int, key: String)] = []
                var seenInBatch: Set<String> = []
                for index in indices {
                    guard let clientID = batch[index].clientID else { fresh.append(index); continue }
                    let key = batch[index].userID + "\u{0}" + clientID
                    if let message = earlier[key] {
                        outcomes[index] = .duplicate(message)
                    } else if seenInBatch.contains(key) {
                        repeats.append((index, key))
                    } else {
                        seenInBatch.insert(key)
                        fresh.append(index)
                    }
                }
                guard !fresh.isEmpty else { continue }
                guard let counters = try await database.raw("""
                    UPDATE rooms SET last_seq = last_seq + \(bind: fresh.count) WHERE id = \(bind: roomID)
                    RETURNING last_seq, last_message_at, auto_summary_enabled, summary_threshold, summarized_seq
                    """).first()
                else {
                    for index in fresh + repeats.map(\.index) { outcomes[index] = .roomGone }
                    continue
                }
                let lastSeq = try counters.int64("last_seq")
                var clock = try counters.decode(column: "last_message_at", as: Int64?.self) ?? 0
                var seq = lastSeq - Int64(fresh.count)
                var storedByKey: [String: StoredMessage] = [:]
                for index in fresh {
                    seq += 1
                    var message = batch[index].stored(seq: seq)
                    // created_at follows seq, so that time filters map onto seq ranges exactly.
                    clock = max(clock, message.createdAt.milliseconds)
                    message.createdAt = Timestamp(milliseconds: clock)
                    outcomes[index] = .stored(message)
                    rows.append(message)
                    if let clientID = message.clientID { storedByKey[message.userID + "\u{0}" + clientID] = message }
                }
                for (index, key) in repeats { outcomes[index] = storedByKey[key].map(InsertOutcome.duplicate) ?? .roomGone }
                try await database.raw("UPDATE rooms SET last_message_at = \(bind: clock) WHERE id = \(bind: roomID)").run()
                progress.append(RoomProgress(
                    roomID: roomID, lastSeq: lastSeq, autoSummaryEnabled: try counters.bool("auto_summary_enabled"),
                    summaryThreshold: try counters.int("summary_threshold"), summarizedSeq: try counters.int64("summarized_seq")))
            }
            // Multi-row inserts, a bounded number of rows per statement: a writer's whole batch in one on
            // PostgreSQL (ten binds a row, 65,535 allowed), a hundred rows on SQLite.
            let rowsPerStatement = engine == .postgres ? 1_000 : 100
            var start = 0
            while start < rows.count {
                let chunk = rows[start..<min(start + rowsPerStatement, rows.count)]
                var query = SQLQueryString("""
                    INSERT INTO messages (id, room_id, seq, user_id, message_type, content, content_key_version, reply_to, client_id, created_at) VALUES
                    """)
                for (offset, message) in chunk.enumerated() {
                    if offset > 0 { query.appendLiteral(",") }
                    query.appendInterpolation(unsafeRaw: " (")
                    query.appendInterpolation(bind: message.id)
                    query.appendLiteral(", ")
                    query.appendInterpolation(bind: message.roomID)
                    query.appendLiteral(", ")
                    query.appendInterpolation(bind: message.seq)
                    query.appendLiteral(", ")
                    query.appendInterpolation(bind: message.userID)
                    query.appendLiteral(", ")
                    query.appendInterpolation(bind: message.type.rawValue)
                    query.appendLiteral(", ")
                    query.appendInterpolation(bind: message.content)
                    query.appendLiteral(", ")
                    query.appendInterpolation(bind: message.contentKeyVersion)
                    query.appendLiteral(", ")
                    query.appendInterpolation(bind: message.replyTo)
                    query.appendLiteral(", ")
                    query.appendInterpolation(bind: message.clientID)
                    query.appendLiteral(", ")
                    query.appendInterpolation(bind: message.createdAt.milliseconds)
                    query.appendLiteral(")")
                }
                try await database.raw(query).run()
                start += chunk.count
            }
            // Stored rows keep the batch's ids; look them up by id rather than searching the batch per row.
            let batchByID = Dictionary(batch.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let indexEntries = rows.compactMap { row in
                batchByID[row.id]?.searchTokens.map { SearchIndexEntry(messageID: row.id, roomID: row.roomID, seq: row.seq, tokens: $0) }
            }
            let postings = try await Self.index(indexEntries, engine: engine, in: database)
            for (index, message) in batch.enumerated() where !message.attachmentIDs.isEmpty {
                guard case .stored = outcomes[index] else { continue }
                try await database.raw("""
                    UPDATE files SET message_id = \(bind: message.id)
                    WHERE id IN (\(binds: message.attachmentIDs)) AND room_id = \(bind: message.roomID) AND message_id IS NULL
                    """).run()
            }
            return (outcomes: outcomes.map { $0 ?? .roomGone }, progress: progress, postings: postings)
        }
        // Handed over after commit, in commit order (batches are stored one at a time): one job per room
        // covering the seq range the batch took, so that each watermark moves even where nothing is indexed.
        if let postingWriter {
            var firstStored: [String: Int64] = [:]
            for case .stored(let message) in result.outcomes {
                firstStored[message.roomID] = min(firstStored[message.roomID] ?? message.seq, message.seq)
            }
            postingWriter.enqueue(result.progress.map { room in
                let after = (firstStored[room.roomID] ?? room.lastSeq + 1) - 1
                // Postings of this batch only: a room's seqs past `after` are all this batch's.
                let postings = result.postings[room.roomID] ?? ([], [])
                return PostingWriter.Job(roomID: room.roomID, after: after, through: room.lastSeq, terms: postings.terms, seqs: postings.seqs)
            })
        }
        return (result.outcomes, result.progress)
    }

    public func message(id: String, roomID: String) async throws -> StoredMessage? {
        try await backend.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.messageColumns) FROM messages WHERE id = \(bind: id) AND room_id = \(bind: roomID)
                """).first().map { try Self.decodeMessage($0) }
        }
    }

    public func messages(ids: [String], roomID: String) async throws -> [StoredMessage] {
        guard !ids.isEmpty else { return [] }
        // By id alone, room checked here: with `room_id = ?` in the query SQLite (no statistics) chose the
        // room index and read every message of the room to find a handful (most of a search's cost).
        return try await backend.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.messageColumns) FROM messages WHERE id IN (\(binds: ids))
                """).all().map { try Self.decodeMessage($0) }.filter { $0.roomID == roomID }
        }
    }

    public func messages(roomID: String, seqRange: ClosedRange<Int64>, descending: Bool) async throws -> [StoredMessage] {
        try await backend.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.messageColumns) FROM messages
                WHERE room_id = \(bind: roomID) AND seq >= \(bind: seqRange.lowerBound) AND seq <= \(bind: seqRange.upperBound)
                ORDER BY seq \(unsafeRaw: descending ? "DESC" : "ASC")
                """).all().map { try Self.decodeMessage($0) }
        }
    }

    public func messagesForDisplay(roomID: String, seqRange: ClosedRange<Int64>, descending: Bool) async throws -> MessagesForDisplay {
        try await backend.read { database in
            // Two index probes per row (reactions' primary key, files by message) spare two statements on
            // the pages where no message has reactions or files, which is most of them.
            let rows = try await database.raw("""
                SELECT \(unsafeRaw: Self.displayColumns),
                    CASE WHEN EXISTS (SELECT 1 FROM reactions r WHERE r.message_id = m.id) THEN 1 ELSE 0 END AS has_reactions,
                    CASE WHEN EXISTS (SELECT 1 FROM files f WHERE f.message_id = m.id) THEN 1 ELSE 0 END AS has_files
                FROM messages m LEFT JOIN users u ON u.id = m.user_id
                WHERE m.room_id = \(bind: roomID) AND m.seq >= \(bind: seqRange.lowerBound) AND m.seq <= \(bind: seqRange.upperBound)
                ORDER BY m.seq \(unsafeRaw: descending ? "DESC" : "ASC")
                """).all()
            var result = MessagesForDisplay(messages: [], authors: [:], reactions: [:], attachments: [:])
            result.messages.reserveCapacity(rows.count)
            var withReactions: [String] = []
            var withFiles: [String] = []
            for row in rows {
                let message = try Self.decodeMessage(row)
                result.messages.append(message)
                if result.authors[message.userID] == nil, let username = try row.optionalString("u_username") {
                    result.authors[message.userID] = PublicUserView(
                        id: message.userID, username: username, displayName: try row.string("u_display_name"),
                        avatarURL: try row.optionalString("u_avatar_url"))
                }
                if try row.int("has_reactions") != 0 { withReactions.append(message.id) }
                if try row.int("has_files") != 0 { withFiles.append(message.id) }
            }
            result.reactions = Dictionary(grouping: try await Self.reactions(messageIDs: withReactions, in: database), by: \.messageID)
                .mapValues { $0.map(\.view) }
            result.attachments = try await Self.attachments(of: withFiles, in: database)
            return result
        }
    }

    private static let displayColumns = messageColumns("m")
        + ", u.username AS u_username, u.display_name AS u_display_name, u.avatar_url AS u_avatar_url"

    public func seqRange(roomID: String, after: Timestamp?, before: Timestamp?) async throws -> ClosedRange<Int64>? {
        try await backend.read { database in
            // Two index probes on (room_id, created_at): created_at is non-decreasing in seq.
            var low: Int64 = 1
            if let after {
                guard let row = try await database.raw("""
                    SELECT seq FROM messages WHERE room_id = \(bind: roomID) AND created_at > \(bind: after.milliseconds)
                    ORDER BY created_at, seq LIMIT 1
                    """).first()
                else { return nil }
                low = try row.int64("seq")
            }
            var high: Int64
            if let before {
                guard let row = try await database.raw("""
                    SELECT seq FROM messages WHERE room_id = \(bind: roomID) AND created_at < \(bind: before.milliseconds)
                    ORDER BY created_at DESC, seq DESC LIMIT 1
                    """).first()
                else { return nil }
                high = try row.int64("seq")
            } else {
                guard let row = try await database.raw("SELECT last_seq FROM rooms WHERE id = \(bind: roomID)").first() else { return nil }
                high = try row.int64("last_seq")
            }
            return low <= high ? low...high : nil
        }
    }

    public func reactions(messageIDs: [String]) async throws -> [ReactionRecord] {
        guard !messageIDs.isEmpty else { return [] }
        return try await backend.read { database in try await Self.reactions(messageIDs: messageIDs, in: database) }
    }

    static func reactions(messageIDs: [String], in database: any SQLDatabase) async throws -> [ReactionRecord] {
        guard !messageIDs.isEmpty else { return [] }
        return try await database.raw("""
            SELECT r.message_id, r.user_id, u.username, r.emoji, r.created_at FROM reactions r JOIN users u ON u.id = r.user_id
            WHERE r.message_id IN (\(binds: messageIDs)) ORDER BY r.created_at, r.user_id, r.emoji
            """).all().map { row in
            ReactionRecord(messageID: try row.string("message_id"), view: ReactionView(
                userID: try row.string("user_id"), username: try row.string("username"), emoji: try row.string("emoji"),
                createdAt: try row.timestamp("created_at")))
        }
    }

    public func edit(
        messageID: String, roomID: String, content: String, keyVersion: Int?, searchTokens: SearchTokens?, requirement: RoleRequirement,
        at time: Timestamp
    ) async throws -> Guarded<StoredMessage?> {
        let engine = backend.engine
        // The message's postings are replaced below, so they must be written first.
        await postingWriter?.flush()
        return try await backend.transaction { database -> Guarded<StoredMessage?> in
            // The membership row, not the room's: locking the room would queue edits behind sends.
            let actorRole = try await Self.role(of: requirement.actorID, in: roomID, engine: engine, in: database)
            guard requirement.permits(actorRole: actorRole) else { return .refused(actorRole: actorRole, targetRole: nil) }
            guard let row = try await database.raw("""
                UPDATE messages SET content = \(bind: content), content_key_version = \(bind: keyVersion), edited_at = \(bind: time.milliseconds)
                WHERE id = \(bind: messageID) AND room_id = \(bind: roomID) AND deleted_at IS NULL
                RETURNING \(unsafeRaw: Self.messageColumns)
                """).first()
            else { return .done(nil) }
            let message = try Self.decodeMessage(row)
            try await Self.unindex(messageID: messageID, engine: engine, in: database)
            if let searchTokens {
                let postings = try await Self.index(
                    [SearchIndexEntry(messageID: messageID, roomID: roomID, seq: message.seq, tokens: searchTokens)], engine: engine, in: database)
                for (terms, seqs) in postings.values { try await Self.insertPostings(terms: terms, seqs: seqs, in: database) }
            }
            return .done(message)
        }
    }

    public func tombstone(
        messageID: String, roomID: String, requirement: RoleRequirement, at time: Timestamp
    ) async throws -> Guarded<(message: StoredMessage, fileKeys: [String])?> {
        let engine = backend.engine
        // The message's postings are removed below, so they must be written first.
        await postingWriter?.flush()
        return try await backend.transaction { database -> Guarded<(message: StoredMessage, fileKeys: [String])?> in
            let actorRole = try await Self.role(of: requirement.actorID, in: roomID, engine: engine, in: database)
            guard requirement.permits(actorRole: actorRole) else { return .refused(actorRole: actorRole, targetRole: nil) }
            guard let row = try await database.raw("""
                UPDATE messages SET content = NULL, content_key_version = NULL, deleted_at = \(bind: time.milliseconds)
                WHERE id = \(bind: messageID) AND room_id = \(bind: roomID) AND deleted_at IS NULL
                RETURNING \(unsafeRaw: Self.messageColumns)
                """).first()
            else { return .done(nil) }
            try await database.raw("DELETE FROM reactions WHERE message_id = \(bind: messageID)").run()
            try await Self.unindex(messageID: messageID, engine: engine, in: database)
            let keys = try await database.raw("SELECT storage_key FROM files WHERE message_id = \(bind: messageID)").all().map { try $0.string("storage_key") }
            try await database.raw("DELETE FROM files WHERE message_id = \(bind: messageID)").run()
            return .done((try Self.decodeMessage(row), keys))
        }
    }

    public func addReaction(
        messageID: String, roomID: String, emoji: String, requirement: RoleRequirement, at time: Timestamp
    ) async throws -> Guarded<Bool> {
        let engine = backend.engine
        return try await backend.transaction { database -> Guarded<Bool> in
            let actorRole = try await Self.role(of: requirement.actorID, in: roomID, engine: engine, in: database)
            guard requirement.permits(actorRole: actorRole) else { return .refused(actorRole: actorRole, targetRole: nil) }
            return .done(try await database.raw("""
                INSERT INTO reactions (message_id, user_id, emoji, created_at)
                VALUES (\(bind: messageID), \(bind: requirement.actorID), \(bind: emoji), \(bind: time.milliseconds))
                ON CONFLICT (message_id, user_id, emoji) DO NOTHING RETURNING message_id
                """).first() != nil)
        }
    }

    public func removeReaction(messageID: String, roomID: String, emoji: String, requirement: RoleRequirement) async throws -> Guarded<Bool> {
        let engine = backend.engine
        return try await backend.transaction { database -> Guarded<Bool> in
            let actorRole = try await Self.role(of: requirement.actorID, in: roomID, engine: engine, in: database)
            guard requirement.permits(actorRole: actorRole) else { return .refused(actorRole: actorRole, targetRole: nil) }
            return .done(try await database.raw("""
                DELETE FROM reactions WHERE message_id = \(bind: messageID) AND user_id = \(bind: requirement.actorID) AND emoji = \(bind: emoji)
                RETURNING message_id
                """).first() != nil)
        }
    }

    public func markRead(roomID: String, userID: String, seq: Int64, messageID: String, at time: Timestamp) async throws -> Bool {
        try await backend.transaction { database in
            try await database.raw("""
                UPDATE memberships SET last_read_seq = \(bind: seq), last_read_message_id = \(bind: messageID), last_read_at = \(bind: time.milliseconds)
                WHERE room_id = \(bind: roomID) AND user_id = \(bind: userID) AND last_read_seq < \(bind: seq)
                RETURNING room_id
                """).first() != nil
        }
    }
}

import ParleyCore
import SQLKit

extension SQLStore: SearchIndex {
    /// Index entries for stored messages (inside the caller's transaction).
    static func index(_ entries: [(messageID: String, tokens: SearchTokens)], engine: SQLEngine, in database: any SQLDatabase) async throws {
        let entries = entries.filter { !$0.tokens.terms.isEmpty }
        guard !entries.isEmpty else { return }
        var query: SQLQueryString
        switch engine {
        case .sqlite:
            // FTS5 rows share the messages' row ids, so deletions and joins need no extra mapping table.
            query = "INSERT INTO message_search (rowid, room, tokens) SELECT m.rowid, v.column2, v.column3 FROM (VALUES "
            for (offset, entry) in entries.enumerated() {
                if offset > 0 { query.appendLiteral(", ") }
                query.appendLiteral("(")
                query.appendInterpolation(bind: entry.messageID)
                query.appendLiteral(", ")
                query.appendInterpolation(bind: entry.tokens.room)
                query.appendLiteral(", ")
                query.appendInterpolation(bind: entry.tokens.terms.joined(separator: " "))
                query.appendLiteral(")")
            }
            query.appendLiteral(") AS v JOIN messages m ON m.id = v.column1")
        case .postgres:
            query = "INSERT INTO message_search (message_id, room_id, tokens) VALUES "
            for (offset, entry) in entries.enumerated() {
                if offset > 0 { query.appendLiteral(", ") }
                query.appendLiteral("(")
                query.appendInterpolation(bind: entry.messageID)
                query.appendLiteral(", (SELECT room_id FROM messages WHERE id = ")
                query.appendInterpolation(bind: entry.messageID)
                query.appendLiteral("), CAST(")
                query.appendInterpolation(bind: tsvectorLiteral(entry.tokens.terms))
                query.appendLiteral(" AS tsvector))")
            }
        }
        try await database.raw(query).run()
    }

    /// Removes a message's index entry.
    static func unindex(messageID: String, engine: SQLEngine, in database: any SQLDatabase) async throws {
        switch engine {
        case .sqlite:
            try await database.raw("DELETE FROM message_search WHERE rowid = (SELECT rowid FROM messages WHERE id = \(bind: messageID))").run()
        case .postgres:
            try await database.raw("DELETE FROM message_search WHERE message_id = \(bind: messageID)").run()
        }
    }

    /// Removes a room's index entries (PostgreSQL cascades; FTS5 tables have no foreign keys).
    static func unindex(roomID: String, engine: SQLEngine, in database: any SQLDatabase) async throws {
        if engine == .sqlite {
            try await database.raw("DELETE FROM message_search WHERE rowid IN (SELECT rowid FROM messages WHERE room_id = \(bind: roomID))").run()
        }
    }

    /// `tok:1 tok:2 …`: positions keep phrase adjacency. Cast, never parsed (`to_tsvector` would split hex
    /// tokens that look like numbers), like the query side.
    static func tsvectorLiteral(_ tokens: [String]) -> String {
        tokens.prefix(16_000).enumerated().map { "\($1):\($0 + 1)" }.joined(separator: " ")
    }

    public func search(roomID: String, query: HashedQuery, filters: SearchFilters, limit: Int, countLimit: Int) async throws -> (hits: [SearchHit], total: Int) {
        var conditions: SQLQueryString = "m.room_id = \(bind: roomID) AND m.deleted_at IS NULL"
        if let type = filters.messageType { conditions.appendInterpolation(unsafeRaw: " AND m.message_type = "); conditions.appendInterpolation(bind: type.rawValue) }
        if let user = filters.userID { conditions.appendInterpolation(unsafeRaw: " AND m.user_id = "); conditions.appendInterpolation(bind: user) }
        if let from = filters.from { conditions.appendInterpolation(unsafeRaw: " AND m.created_at >= "); conditions.appendInterpolation(bind: from.milliseconds) }
        if let to = filters.to { conditions.appendInterpolation(unsafeRaw: " AND m.created_at <= "); conditions.appendInterpolation(bind: to.milliseconds) }
        let engine = backend.engine
        let filter = conditions
        return try await backend.read { database in
            let hitsQuery: SQLQueryString
            let countQuery: SQLQueryString
            switch engine {
            case .sqlite:
                // bm25 is negative, better matches more so; the room column weighs nothing.
                hitsQuery = """
                    SELECT m.id AS id, -bm25(message_search, 0.0, 1.0) AS score FROM message_search
                    JOIN messages m ON m.rowid = message_search.rowid
                    WHERE message_search MATCH \(bind: query.fts5) AND \(filter)
                    ORDER BY score DESC, m.seq DESC LIMIT \(bind: limit)
                    """
                countQuery = """
                    SELECT COUNT(*) AS total FROM (SELECT 1 FROM message_search JOIN messages m ON m.rowid = message_search.rowid
                    WHERE message_search MATCH \(bind: query.fts5) AND \(filter) LIMIT \(bind: countLimit)) matches
                    """
            case .postgres:
                hitsQuery = """
                    SELECT m.id AS id, CAST(ts_rank_cd(s.tokens, q.query) AS DOUBLE PRECISION) AS score
                    FROM message_search s JOIN messages m ON m.id = s.message_id,
                        (SELECT CAST(\(bind: query.tsquery) AS tsquery) AS query) q
                    WHERE s.room_id = \(bind: roomID) AND s.tokens @@ q.query AND \(filter)
                    ORDER BY score DESC, m.seq DESC LIMIT \(bind: limit)
                    """
                countQuery = """
                    SELECT COUNT(*) AS total FROM (SELECT 1 FROM message_search s JOIN messages m ON m.id = s.message_id
                    WHERE s.room_id = \(bind: roomID) AND s.tokens @@ CAST(\(bind: query.tsquery) AS tsquery) AND \(filter)
                    LIMIT \(bind: countLimit)) matches
                    """
            }
            let hits = try await database.raw(hitsQuery).all().map { row in
                SearchHit(messageID: try row.string("id"), score: try row.double("score"))
            }
            let total = hits.count < limit ? hits.count : (try await database.raw(countQuery).first()?.int("total") ?? hits.count)
            return (hits, total)
        }
    }
}

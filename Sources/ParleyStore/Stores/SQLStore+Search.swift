import ParleyCore
import SQLKit

extension SQLStore: SearchIndex {
    /// Index entries for stored messages (inside the caller's transaction).
    static func index(_ entries: [(messageID: String, roomID: String, tokens: SearchTokens)], engine: SQLEngine, in database: any SQLDatabase) async throws {
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
                query.appendLiteral(", ")
                query.appendInterpolation(bind: entry.roomID)
                query.appendLiteral(", CAST(")
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

    public func search(
        roomID: String, query: HashedQuery, filters: SearchFilters, limit: Int, countLimit: Int, rankWindow: Int
    ) async throws -> (hits: [SearchHit], total: Int) {
        var conditions: SQLQueryString = "m.room_id = \(bind: roomID) AND m.deleted_at IS NULL"
        if let type = filters.messageType { conditions.appendInterpolation(unsafeRaw: " AND m.message_type = "); conditions.appendInterpolation(bind: type.rawValue) }
        if let user = filters.userID { conditions.appendInterpolation(unsafeRaw: " AND m.user_id = "); conditions.appendInterpolation(bind: user) }
        if let from = filters.from { conditions.appendInterpolation(unsafeRaw: " AND m.created_at >= "); conditions.appendInterpolation(bind: from.milliseconds) }
        if let to = filters.to { conditions.appendInterpolation(unsafeRaw: " AND m.created_at <= "); conditions.appendInterpolation(bind: to.milliseconds) }
        // Without filters the index alone answers: term tokens are keyed per room and deleted messages are
        // unindexed, so every match is a live message of the room, and only the hits returned are looked up
        // in `messages` (a lookup per match was most of a search's cost in a large room). Ranking scores
        // every candidate, so only the newest `rankWindow` matches are ranked. With filters every match is
        // joined to its message and ranked, because a window could hold none that pass them.
        let indexOnly = filters == SearchFilters()
        let engine = backend.engine
        if engine == .sqlite && indexOnly {
            return try await rankedInWindow(roomID: roomID, query: query, limit: limit, countLimit: countLimit, rankWindow: rankWindow)
        }
        let filter = conditions
        return try await backend.read { database in
            let hitsQuery: SQLQueryString
            let countQuery: SQLQueryString
            switch (engine, indexOnly) {
            case (.sqlite, false):
                // CROSS JOIN keeps the full-text match as the outer loop: left to itself, SQLite (no
                // statistics) planned the count by walking every message of the room and matching each
                // (5.7 s at 200,000 messages).
                hitsQuery = """
                    SELECT m.id AS id, -bm25(message_search, 0.0, 1.0) AS score FROM message_search
                    CROSS JOIN messages m ON m.rowid = message_search.rowid
                    WHERE message_search MATCH \(bind: query.fts5) AND \(filter)
                    ORDER BY score DESC, m.seq DESC LIMIT \(bind: limit)
                    """
                countQuery = """
                    SELECT COUNT(*) AS total FROM (SELECT 1 FROM message_search CROSS JOIN messages m ON m.rowid = message_search.rowid
                    WHERE message_search MATCH \(bind: query.fts5) AND \(filter) LIMIT \(bind: countLimit)) matches
                    """
            case (.postgres, true):
                // Message ids are UUIDv7, so their order is the order of sending.
                hitsQuery = """
                    SELECT m.id AS id, c.score AS score FROM (
                        SELECT message_id, CAST(ts_rank_cd(tokens, CAST(\(bind: query.tsquery) AS tsquery)) AS DOUBLE PRECISION) AS score
                        FROM (
                            SELECT s.message_id, s.tokens FROM message_search s
                            WHERE s.room_id = \(bind: roomID) AND s.tokens @@ CAST(\(bind: query.tsquery) AS tsquery)
                            ORDER BY s.message_id DESC LIMIT \(bind: rankWindow)
                        ) candidates
                        ORDER BY score DESC, message_id DESC LIMIT \(bind: limit)
                    ) c
                    JOIN messages m ON m.id = c.message_id
                    WHERE \(filter)
                    ORDER BY score DESC, m.seq DESC
                    """
                countQuery = """
                    SELECT COUNT(*) AS total FROM (
                        SELECT 1 FROM message_search s
                        WHERE s.room_id = \(bind: roomID) AND s.tokens @@ CAST(\(bind: query.tsquery) AS tsquery) LIMIT \(bind: countLimit)
                    ) matches
                    """
            case (.postgres, false), (.sqlite, true):
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
            // Fewer hits than asked for is the whole answer only when every match was a candidate.
            let complete = hits.count < limit && !indexOnly
            let total = complete ? hits.count : (try await database.raw(countQuery).first()?.int("total") ?? hits.count)
            return (hits, total)
        }
    }

    /// SQLite without filters: the newest `rankWindow` matches are scored by `WindowRanker` with document
    /// frequencies counted up to `countLimit`, instead of `bm25()`, whose frequency pass walks each term's
    /// whole posting list. Only the returned hits are looked up in `messages`.
    private func rankedInWindow(
        roomID: String, query: HashedQuery, limit: Int, countLimit: Int, rankWindow: Int
    ) async throws -> (hits: [SearchHit], total: Int) {
        try await backend.read { database in
            let candidates = try await database.raw("""
                SELECT rowid AS id, tokens FROM message_search WHERE message_search MATCH \(bind: query.fts5)
                ORDER BY rowid DESC LIMIT \(bind: rankWindow)
                """).all().map { row in
                WindowRanker.Candidate(id: try row.int64("id"), tokenList: try row.string("tokens"))
            }
            guard !candidates.isEmpty else { return ([], 0) }
            let complete = candidates.count < rankWindow
            func count(_ expression: String) async throws -> Int {
                try await database.raw("""
                    SELECT COUNT(*) AS total FROM (
                        SELECT 1 FROM message_search WHERE message_search MATCH \(bind: expression) LIMIT \(bind: countLimit)
                    ) matches
                    """).first()?.int("total") ?? 0
            }
            // With every match a candidate, frequencies come from the candidates themselves.
            var clauses: [(tokens: [UInt64], documentFrequency: Int)] = []
            for clause in query.required {
                let numbers = clause.compactMap(WindowRanker.number)
                guard numbers.count == clause.count else { continue }
                let frequency = complete
                    ? candidates.count { WindowRanker.occurrences(of: numbers, in: $0.tokens) > 0 }
                    : try await count(HashedQuery.fts5Clause(clause))
                clauses.append((numbers, frequency))
            }
            let total = complete ? candidates.count : try await count(query.fts5)
            let roomSize = try await database.raw("SELECT last_seq FROM rooms WHERE id = \(bind: roomID)").first()?.int("last_seq") ?? 0
            let best = WindowRanker(clauses: clauses, collectionSize: max(roomSize, total)).best(candidates, limit: limit)
            // By rowid alone (see `messages(ids:roomID:)`); room and deletion checked here.
            let rows = try await database.raw("""
                SELECT rowid AS rid, id, room_id, deleted_at FROM messages WHERE rowid IN (\(binds: best.map(\.id)))
                """).all()
            var idByRow: [Int64: String] = [:]
            for row in rows where try row.string("room_id") == roomID && row.decodeNil(column: "deleted_at") {
                idByRow[try row.int64("rid")] = try row.string("id")
            }
            let hits = best.compactMap { entry in idByRow[entry.id].map { SearchHit(messageID: $0, score: entry.score) } }
            return (hits, total)
        }
    }
}

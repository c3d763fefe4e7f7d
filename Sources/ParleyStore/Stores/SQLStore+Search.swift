import ParleyCore
import SQLKit

extension SQLStore: SearchIndex {
    /// Index entries for stored messages (inside the caller's transaction). On PostgreSQL this writes the
    /// tsvectors and returns the postings by room, for the caller to write (`insertPostings`) or hand to
    /// the `PostingWriter`; on SQLite the FTS5 rows are the whole index and nothing is returned.
    static func index(
        _ entries: [SearchIndexEntry], engine: SQLEngine, in database: any SQLDatabase
    ) async throws -> [String: (terms: [Int64], seqs: [Int64])] {
        let entries = entries.filter { !$0.tokens.terms.isEmpty }
        guard !entries.isEmpty else { return [:] }
        switch engine {
        case .sqlite:
            // FTS5 rows share the messages' row ids, so deletions and joins need no extra mapping table.
            var query: SQLQueryString = "INSERT INTO message_search (rowid, room, tokens) SELECT m.rowid, v.column2, v.column3 FROM (VALUES "
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
            try await database.raw(query).run()
            return [:]
        case .postgres:
            let kept = entries.map { PostingTerms.kept($0.tokens.terms.compactMap(WindowRanker.number)) }
            var query: SQLQueryString = "INSERT INTO message_search (message_id, room_id, seq, tokens) VALUES "
            for (offset, entry) in entries.enumerated() {
                if offset > 0 { query.appendLiteral(", ") }
                query.appendLiteral("(")
                query.appendInterpolation(bind: entry.messageID)
                query.appendLiteral(", ")
                query.appendInterpolation(bind: entry.roomID)
                query.appendLiteral(", ")
                query.appendInterpolation(bind: entry.seq)
                query.appendLiteral(", CAST(")
                query.appendInterpolation(bind: PostingTerms.tsvectorLiteral(kept[offset]))
                query.appendLiteral(" AS tsvector))")
            }
            try await database.raw(query).run()
            var postings: [String: (terms: [Int64], seqs: [Int64])] = [:]
            for (offset, entry) in entries.enumerated() {
                for term in PostingTerms.terms(kept[offset]) {
                    postings[entry.roomID, default: ([], [])].terms.append(Int64(bitPattern: term))
                    postings[entry.roomID, default: ([], [])].seqs.append(entry.seq)
                }
            }
            return postings
        }
    }

    /// Writes postings (PostgreSQL) as two array literals, however many there are: two binds, one short statement.
    static func insertPostings(terms: [Int64], seqs: [Int64], in database: any SQLDatabase) async throws {
        guard !terms.isEmpty else { return }
        try await database.raw("""
            INSERT INTO message_terms (term, seq)
            SELECT * FROM unnest(CAST(\(bind: arrayLiteral(terms)) AS BIGINT[]), CAST(\(bind: arrayLiteral(seqs)) AS BIGINT[]))
            """).run()
    }

    /// Removes a message's index entry.
    static func unindex(messageID: String, engine: SQLEngine, in database: any SQLDatabase) async throws {
        switch engine {
        case .sqlite:
            try await database.raw("DELETE FROM message_search WHERE rowid = (SELECT rowid FROM messages WHERE id = \(bind: messageID))").run()
        case .postgres:
            try await database.raw("""
                DELETE FROM message_terms p USING (\(PostingTerms.sqlPostings(where: "s.message_id = \(bind: messageID)"))) old
                WHERE p.term = old.term AND p.seq = old.seq
                """).run()
            try await database.raw("DELETE FROM message_search WHERE message_id = \(bind: messageID)").run()
        }
    }

    /// Removes a room's index entries (PostgreSQL's tsvectors cascade with the messages, its postings and
    /// FTS5 rows do not).
    static func unindex(roomID: String, engine: SQLEngine, in database: any SQLDatabase) async throws {
        switch engine {
        case .sqlite:
            try await database.raw("DELETE FROM message_search WHERE rowid IN (SELECT rowid FROM messages WHERE room_id = \(bind: roomID))").run()
        case .postgres:
            try await database.raw("""
                DELETE FROM message_terms p USING (\(PostingTerms.sqlPostings(where: "s.room_id = \(bind: roomID)"))) old
                WHERE p.term = old.term AND p.seq = old.seq
                """).run()
        }
    }

    /// `{1,-2,3}`: integers only, so nothing needs quoting.
    static func arrayLiteral(_ values: [Int64]) -> String {
        "{" + values.map(String.init).joined(separator: ",") + "}"
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
        switch (backend.engine, indexOnly) {
        case (.sqlite, true):
            return try await rankedInWindow(roomID: roomID, query: query, limit: limit, countLimit: countLimit, rankWindow: rankWindow)
        case (.postgres, true):
            return try await postgresRankedInWindow(roomID: roomID, query: query, limit: limit, countLimit: countLimit, rankWindow: rankWindow)
        case (.postgres, false):
            return try await postgresFilteredSearch(roomID: roomID, query: query, filter: conditions, limit: limit, countLimit: countLimit)
        case (.sqlite, false):
            break
        }
        let filter = conditions
        return try await backend.read { database in
            // CROSS JOIN keeps the full-text match as the outer loop: left to itself, SQLite (no statistics)
            // planned the count by walking every message of the room and matching each (5.7 s at 200,000
            // messages).
            let hits = try await database.raw("""
                SELECT m.id AS id, -bm25(message_search, 0.0, 1.0) AS score FROM message_search
                CROSS JOIN messages m ON m.rowid = message_search.rowid
                WHERE message_search MATCH \(bind: query.fts5) AND \(filter)
                ORDER BY score DESC, m.seq DESC LIMIT \(bind: limit)
                """).all().map { row in
                SearchHit(messageID: try row.string("id"), score: try row.double("score"))
            }
            // Fewer hits than asked for is the whole answer: every match was a candidate.
            if hits.count < limit { return (hits, hits.count) }
            let total = try await database.raw("""
                SELECT COUNT(*) AS total FROM (SELECT 1 FROM message_search CROSS JOIN messages m ON m.rowid = message_search.rowid
                WHERE message_search MATCH \(bind: query.fts5) AND \(filter) LIMIT \(bind: countLimit)) matches
                """).first()?.int("total") ?? hits.count
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

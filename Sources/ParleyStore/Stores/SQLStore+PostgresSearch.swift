import ParleyCore
import SQLKit

/// PostgreSQL search over `message_terms` (token, seq) posting lists and the messages' tsvectors.
///
/// Candidates are read newest first from the posting list of the query's rarest token; the other words
/// are index probes on the same B-tree, and only candidates that pass them are fetched from
/// `message_search` and checked against the whole query (phrases, exclusions). Counts come from the
/// B-tree alone wherever the query has no phrase.
extension SQLStore {
    /// The query's tokens as posting terms, and what a candidate must satisfy beyond them.
    struct PostingPlan {
        /// Each required clause's terms (one for a word, several for a phrase).
        let clauses: [[Int64]]
        /// Excluded single words, checked on the B-tree; excluded phrases are left to the tsvector check.
        let excludedWords: [Int64]
        /// Whether the tsvector check can reject what the postings let through (phrases).
        let hasPhrase: Bool
        let tsquery: String

        /// Nil when a token is not one of ours (nothing can match it).
        init?(_ query: HashedQuery) {
            var clauses: [[Int64]] = []
            for clause in query.required {
                let terms = clause.compactMap(WindowRanker.number).map { Int64(bitPattern: $0) }
                guard terms.count == clause.count else { return nil }
                clauses.append(terms)
            }
            self.clauses = clauses
            excludedWords = query.excluded.filter { $0.count == 1 }.compactMap { WindowRanker.number($0[0]) }.map { Int64(bitPattern: $0) }
            hasPhrase = query.required.contains { $0.count > 1 } || query.excluded.contains { $0.count > 1 }
            tsquery = query.tsquery
        }

        var terms: [Int64] { Array(Set(clauses.flatMap { $0 })).sorted() }
    }

    /// How many postings each term has, counted up to `limit` (index-only scans), in one round trip.
    func postingCounts(_ terms: [Int64], limit: Int, in database: any SQLDatabase) async throws -> [Int64: Int] {
        guard !terms.isEmpty else { return [:] }
        let rows = try await database.raw("""
            SELECT t.term AS term, (SELECT COUNT(*) FROM (SELECT 1 FROM message_terms p WHERE p.term = t.term LIMIT \(bind: limit)) c) AS n
            FROM unnest(CAST(\(bind: Self.arrayLiteral(terms)) AS BIGINT[])) AS t(term)
            """).all()
        var counts: [Int64: Int] = [:]
        for row in rows { counts[try row.int64("term")] = try row.int("n") }
        return counts
    }

    /// `FROM … WHERE …` of the matches of `plan` in a room, driven by the posting list of `driver` (or by
    /// the room's tsvectors when the query has no word), newest first by `order`.
    func postingMatches(
        roomID: String, plan: PostingPlan, driver: Int64?, recheck: Bool
    ) -> (from: SQLQueryString, order: String) {
        guard let driver else {
            return ("""
                FROM message_search s WHERE s.room_id = \(bind: roomID) AND s.tokens @@ CAST(\(bind: plan.tsquery) AS tsquery)
                """, "s.seq")
        }
        var query: SQLQueryString = "FROM message_terms p"
        if recheck { query += " JOIN message_search s ON s.room_id = \(bind: roomID) AND s.seq = p.seq" }
        query += " WHERE p.term = \(bind: driver)"
        for term in plan.terms where term != driver {
            query += " AND EXISTS (SELECT 1 FROM message_terms o WHERE o.term = \(bind: term) AND o.seq = p.seq)"
        }
        for term in plan.excludedWords {
            query += " AND NOT EXISTS (SELECT 1 FROM message_terms x WHERE x.term = \(bind: term) AND x.seq = p.seq)"
        }
        if recheck { query += " AND s.tokens @@ CAST(\(bind: plan.tsquery) AS tsquery)" }
        return (query, "p.seq")
    }

    /// Without filters: the newest `rankWindow` matches, scored by `WindowRanker` (the same BM25 as on
    /// SQLite) with document frequencies from the bounded posting counts.
    func postgresRankedInWindow(
        roomID: String, query: HashedQuery, limit: Int, countLimit: Int, rankWindow: Int
    ) async throws -> (hits: [SearchHit], total: Int) {
        guard let plan = PostingPlan(query) else { return ([], 0) }
        return try await backend.read { database in
            let counts = try await postingCounts(plan.terms, limit: countLimit, in: database)
            let driver = plan.terms.min { counts[$0, default: 0] < counts[$1, default: 0] }
            if let driver, counts[driver, default: 0] == 0 { return ([], 0) }
            let matches = postingMatches(roomID: roomID, plan: plan, driver: driver, recheck: true)
            let rows = try await database.raw("""
                SELECT s.seq AS seq, s.message_id AS id, CAST(s.tokens AS TEXT) AS tokens \(matches.from)
                ORDER BY \(unsafeRaw: matches.order) DESC LIMIT \(bind: rankWindow)
                """).all()
            var candidates: [WindowRanker.Candidate] = []
            var idBySeq: [Int64: String] = [:]
            for row in rows {
                let seq = try row.int64("seq")
                idBySeq[seq] = try row.string("id")
                candidates.append(WindowRanker.Candidate(id: seq, tokens: TSVectorText.tokens(try row.string("tokens"))))
            }
            guard !candidates.isEmpty else { return ([], 0) }
            let total: Int
            if candidates.count < rankWindow {
                total = candidates.count
            } else if plan.clauses.count == 1, plan.clauses[0].count == 1, query.excluded.isEmpty, let driver {
                total = counts[driver, default: 0]
            } else {
                let counted = postingMatches(roomID: roomID, plan: plan, driver: driver, recheck: plan.hasPhrase || driver == nil)
                total = try await database.raw("""
                    SELECT COUNT(*) AS total FROM (SELECT 1 \(counted.from) LIMIT \(bind: countLimit)) matches
                    """).first()?.int("total") ?? candidates.count
            }
            // A phrase's frequency is bounded by its rarest word's; that bound stands in for it.
            let clauses = plan.clauses.map { terms in
                (tokens: terms.map { UInt64(bitPattern: $0) }, documentFrequency: terms.map { counts[$0, default: 0] }.min() ?? 0)
            }
            let roomSize = try await database.raw("SELECT last_seq FROM rooms WHERE id = \(bind: roomID)").first()?.int("last_seq") ?? 0
            let best = WindowRanker(clauses: clauses, collectionSize: max(roomSize, total)).best(candidates, limit: limit)
            return (best.compactMap { entry in idBySeq[entry.id].map { SearchHit(messageID: $0, score: entry.score) } }, total)
        }
    }

    /// With filters: every match that passes them is joined to its message and ranked by `ts_rank_cd`.
    func postgresFilteredSearch(
        roomID: String, query: HashedQuery, filter: SQLQueryString, limit: Int, countLimit: Int
    ) async throws -> (hits: [SearchHit], total: Int) {
        guard let plan = PostingPlan(query) else { return ([], 0) }
        return try await backend.read { database in
            let counts = try await postingCounts(plan.terms, limit: countLimit, in: database)
            let driver = plan.terms.min { counts[$0, default: 0] < counts[$1, default: 0] }
            if let driver, counts[driver, default: 0] == 0 { return ([], 0) }
            let matches = postingMatches(roomID: roomID, plan: plan, driver: driver, recheck: true)
            let hits = try await database.raw("""
                SELECT s.message_id AS id, CAST(ts_rank_cd(s.tokens, CAST(\(bind: plan.tsquery) AS tsquery)) AS DOUBLE PRECISION) AS score
                \(matches.from) AND EXISTS (SELECT 1 FROM messages m WHERE m.id = s.message_id AND \(filter))
                ORDER BY score DESC, s.seq DESC LIMIT \(bind: limit)
                """).all().map { row in SearchHit(messageID: try row.string("id"), score: try row.double("score")) }
            if hits.count < limit { return (hits, hits.count) }
            let total = try await database.raw("""
                SELECT COUNT(*) AS total FROM (SELECT 1 \(matches.from)
                AND EXISTS (SELECT 1 FROM messages m WHERE m.id = s.message_id AND \(filter)) LIMIT \(bind: countLimit)) matches
                """).first()?.int("total") ?? hits.count
            return (hits, total)
        }
    }
}

import ParleyCore
import SQLKit

/// PostgreSQL search over `message_terms` posting lists (`PostingTerms`) and the messages' tsvectors.
///
/// Candidates are read newest first from the posting list of the query's rarest term, merged with the
/// other terms' lists on the same B-tree; only candidates that pass them are fetched from `message_search`
/// and checked against the whole query. A two-word phrase is one posting list (its bigram); longer phrases
/// are the bigrams of their neighbours, checked against the tsvector for order.
extension SQLStore {
    /// The query as posting terms, and what a candidate must satisfy beyond them.
    struct PostingPlan {
        /// Each required clause's word tokens (for ranking) and posting terms (for finding): a word is its
        /// token, a phrase the bigrams of its neighbouring words.
        let clauses: [(tokens: [UInt64], terms: [Int64])]
        /// Excluded words and two-word phrases, checked on the B-tree; longer excluded phrases are left to
        /// the tsvector check.
        let excludedTerms: [Int64]
        /// Whether postings can let through what the tsvector check would reject (phrases of three or more
        /// words, in or out).
        let needsRecheck: Bool
        let tsquery: String

        /// Nil when a token is not one of ours (nothing can match it).
        init?(_ query: HashedQuery) {
            func numbers(_ clause: [String]) -> [UInt64]? {
                let numbers = clause.compactMap(WindowRanker.number)
                return numbers.count == clause.count && !numbers.isEmpty ? numbers : nil
            }
            func terms(_ tokens: [UInt64]) -> [Int64] {
                guard tokens.count > 1 else { return tokens.map { Int64(bitPattern: $0) } }
                return zip(tokens, tokens.dropFirst()).map { Int64(bitPattern: PostingTerms.bigram($0, $1)) }
            }
            var clauses: [(tokens: [UInt64], terms: [Int64])] = []
            for clause in query.required {
                guard let tokens = numbers(clause) else { return nil }
                clauses.append((tokens, terms(tokens)))
            }
            self.clauses = clauses
            var excluded: [Int64] = []
            for clause in query.excluded where clause.count <= 2 {
                if let tokens = numbers(clause) { excluded += terms(tokens) }
            }
            excludedTerms = excluded
            needsRecheck = query.required.contains { $0.count > 2 } || query.excluded.contains { $0.count > 2 }
            tsquery = query.tsquery
        }

        var terms: [Int64] { Array(Set(clauses.flatMap(\.terms))).sorted() }

        /// A term both required and excluded: nothing can match.
        var contradicts: Bool { !Set(terms).isDisjoint(with: excludedTerms) }
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
        // The other words as joins on the same B-tree: under `newestFirstPlanning` they become merge joins
        // of posting lists read newest first, which stop as soon as the LIMIT is met.
        var query: SQLQueryString = "FROM message_terms p"
        query += Self.otherTermJoins(plan, driver: driver)
        if recheck { query += " JOIN message_search s ON s.room_id = \(bind: roomID) AND s.seq = p.seq" }
        query += " WHERE p.term = \(bind: driver)"
        query += Self.exclusionConditions(plan)
        if recheck { query += " AND s.tokens @@ CAST(\(bind: plan.tsquery) AS tsquery)" }
        return (query, "p.seq")
    }

    /// ` JOIN message_terms oN …` for every required term but `driver`, on the posting `p`.
    static func otherTermJoins(_ plan: PostingPlan, driver: Int64) -> SQLQueryString {
        var joins: SQLQueryString = ""
        for (offset, term) in plan.terms.filter({ $0 != driver }).enumerated() {
            let alias = "o\(offset)"
            joins += " JOIN message_terms \(unsafeRaw: alias) ON \(unsafeRaw: alias).term = \(bind: term) AND \(unsafeRaw: alias).seq = p.seq"
        }
        return joins
    }

    /// ` AND NOT EXISTS …` for every excluded term, on the posting `p`.
    static func exclusionConditions(_ plan: PostingPlan) -> SQLQueryString {
        var conditions: SQLQueryString = ""
        for term in plan.excludedTerms {
            conditions += " AND NOT EXISTS (SELECT 1 FROM message_terms x WHERE x.term = \(bind: term) AND x.seq = p.seq)"
        }
        return conditions
    }

    /// For the rest of the transaction, plans that read posting lists in order. PostgreSQL estimates the
    /// matches of several words as if the words were independent, far too few for common words that occur
    /// together, and then joined whole posting lists by hash and sorted them: 260 ms for three common words
    /// in a room of 1,000,000 messages, against 14 ms for merge joins of the lists read newest first. JIT
    /// compilation (triggered by those inflated costs) added 5-7 ms to queries that run in 20.
    static func newestFirstPlanning(_ database: any SQLDatabase) async throws {
        try await database.raw("""
            SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_sort', 'off', true),
                set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true)
            """).run()
    }

    /// Without filters: the newest `rankWindow` matches, scored by `WindowRanker` (the same BM25 as on
    /// SQLite) with document frequencies from the bounded posting counts.
    func postgresRankedInWindow(
        roomID: String, query: HashedQuery, limit: Int, countLimit: Int, rankWindow: Int
    ) async throws -> (hits: [SearchHit], total: Int) {
        // Every message acknowledged before the search is found: its postings are written first.
        await postingWriter?.flush()
        guard let plan = PostingPlan(query), !plan.contradicts else { return ([], 0) }
        // The planner orders the joins of posting lists itself, so candidates do not wait for the counts:
        // both run at once, on two connections.
        let terms = plan.terms
        async let countsResult = backend.read { database in
            try await self.postingCounts(terms, limit: countLimit, in: database)
        }
        var (candidates, idBySeq, roomSize) = try await backend.transaction { database in
            try await Self.newestFirstPlanning(database)
            var candidates: [WindowRanker.Candidate] = []
            var idBySeq: [Int64: String] = [:]
            if let first = terms.first {
                candidates = try await newestMatches(roomID: roomID, plan: plan, driver: first, window: rankWindow, in: database)
            } else {
                let matches = postingMatches(roomID: roomID, plan: plan, driver: nil, recheck: true)
                let rows = try await database.raw("""
                    SELECT s.seq AS seq, s.message_id AS id, CAST(s.tokens AS TEXT) AS tokens \(matches.from)
                    ORDER BY \(unsafeRaw: matches.order) DESC LIMIT \(bind: rankWindow)
                    """).all()
                for row in rows {
                    let seq = try row.int64("seq")
                    idBySeq[seq] = try row.string("id")
                    candidates.append(WindowRanker.Candidate(id: seq, tokens: TSVectorText.tokens(try row.string("tokens"))))
                }
            }
            let roomSize = try await database.raw("SELECT last_seq FROM rooms WHERE id = \(bind: roomID)").first()?.int("last_seq") ?? 0
            return (candidates, idBySeq, roomSize)
        }
        let counts = try await countsResult
        guard !candidates.isEmpty else { return ([], 0) }
        let total: Int
        if candidates.count < rankWindow {
            total = candidates.count
        } else if terms.count == 1, plan.excludedTerms.isEmpty, !plan.needsRecheck {
            // One word or one two-word phrase: its posting list is the answer, counted exactly.
            total = counts[terms[0], default: 0]
        } else {
            let rarest = terms.map { counts[$0, default: 0] }.min() ?? countLimit
            total = Self.estimatedTotal(
                found: candidates.count, oldestSeq: candidates.map(\.id).min() ?? 1, roomSize: roomSize, bound: min(countLimit, rarest))
        }
        // A clause's frequency: its own posting count for a word or two-word phrase, the rarest bigram's
        // (an upper bound) for a longer phrase.
        let clauses = plan.clauses.map { clause in
            (tokens: clause.tokens, documentFrequency: clause.terms.map { counts[$0, default: 0] }.min() ?? 0)
        }
        let best = WindowRanker(clauses: clauses, collectionSize: max(roomSize, total)).best(candidates, limit: limit)
        // Message ids for the hits only (unindexed on deletion, so every candidate is a live message).
        let missing = best.map(\.id).filter { idBySeq[$0] == nil }
        if !missing.isEmpty {
            let rows = try await backend.read { database in
                try await database.raw("SELECT seq, id FROM messages WHERE room_id = \(bind: roomID) AND seq IN (\(binds: missing))").all()
            }
            for row in rows { idBySeq[try row.int64("seq")] = try row.string("id") }
        }
        return (best.compactMap { entry in idBySeq[entry.id].map { SearchHit(messageID: $0, score: entry.score) } }, total)
    }

    /// The newest `window` matches of a query with words, as candidates numbered by seq.
    ///
    /// The posting lists alone pick the candidates, in a subquery whose LIMIT keeps PostgreSQL from
    /// planning around it (left free, it sometimes walked the room's tsvectors newest first and tested
    /// each, 230,000 of them for three common words); only then are candidates fetched and checked against
    /// the whole query. Postings are exact for words and two-word phrases, so the check rejects something
    /// only for longer phrases; the next batch then continues below the oldest candidate.
    func newestMatches(
        roomID: String, plan: PostingPlan, driver: Int64, window: Int, in database: any SQLDatabase
    ) async throws -> [WindowRanker.Candidate] {
        var found: [WindowRanker.Candidate] = []
        var below = Int64.max
        while found.count < window {
            let wanted = window - found.count
            var inner: SQLQueryString = "SELECT p.seq FROM message_terms p"
            inner += Self.otherTermJoins(plan, driver: driver)
            inner += " WHERE p.term = \(bind: driver) AND p.seq < \(bind: below)"
            inner += Self.exclusionConditions(plan)
            inner += " ORDER BY p.seq DESC LIMIT \(bind: wanted)"
            // One row for the batch, the candidates that pass as `seq tsvector` lines: thousands of rows
            // decoded one by one cost more than the query.
            guard let row = try await database.raw("""
                SELECT COUNT(*) AS n, MIN(c.seq) AS oldest,
                    string_agg(CASE WHEN s.tokens @@ CAST(\(bind: plan.tsquery) AS tsquery) THEN c.seq || ' ' || CAST(s.tokens AS TEXT) END, E'\\n') AS list
                FROM (\(inner)) c LEFT JOIN message_search s ON s.room_id = \(bind: roomID) AND s.seq = c.seq
                """).first()
            else { break }
            let examined = try row.int("n")
            if let list = try row.optionalString("list") { found += Self.candidates(fromLines: list) }
            guard examined == wanted, let oldest = try row.decode(column: "oldest", as: Int64?.self) else { break }
            below = oldest
        }
        return found
    }

    /// Candidates from `seq tsvector` lines.
    static func candidates(fromLines list: String) -> [WindowRanker.Candidate] {
        var list = list
        return list.withUTF8 { bytes in
            var candidates: [WindowRanker.Candidate] = []
            // A posting duplicated by a cross-room token collision would list its message twice.
            var seen: Set<Int64> = []
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                var seq: Int64 = 0
                var index = start
                while index < end, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                    seq = seq &* 10 &+ Int64(bytes[index] - UInt8(ascii: "0"))
                    index += 1
                }
                if index > start, seen.insert(seq).inserted {
                    let line = UnsafeBufferPointer(rebasing: bytes[index..<end])
                    candidates.append(WindowRanker.Candidate(id: seq, tokens: TSVectorText.tokens(line)))
                }
                start = end + 1
            }
            return candidates
        }
    }

    /// Matches of several terms beyond the window, estimated instead of counted: the window's matches,
    /// spread as densely over the whole room as over the newest messages they came from. Counting them
    /// exactly meant merging posting lists of common words up to 10,000 matches (40–400 ms in a room of
    /// 1,000,000 messages). Never below what was found, never above `bound` (the count limit, or the
    /// rarest term's own count).
    static func estimatedTotal(found: Int, oldestSeq: Int64, roomSize: Int, bound: Int) -> Int {
        let span = max(Int64(roomSize) - oldestSeq + 1, 1)
        let estimate = Double(found) * Double(max(roomSize, 1)) / Double(span)
        return max(found, min(bound, Int(estimate.rounded())))
    }

    /// With filters: every match that passes them is joined to its message and ranked by `ts_rank_cd`.
    func postgresFilteredSearch(
        roomID: String, query: HashedQuery, filter: SQLQueryString, limit: Int, countLimit: Int
    ) async throws -> (hits: [SearchHit], total: Int) {
        // Every message acknowledged before the search is found: its postings are written first.
        await postingWriter?.flush()
        guard let plan = PostingPlan(query), !plan.contradicts else { return ([], 0) }
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

extension Migration {
    /// PostgreSQL search by posting lists: `message_terms` holds one (term, seq) row per distinct token of a
    /// message and per distinct pair of adjacent tokens (`PostingTerms`), and its B-tree gives a term's
    /// matches newest first and counts them from the index alone.
    /// The GIN index it replaces returned matches in no order, so ranking the newest matches of a word in
    /// 1 % of a large room read every match (docs/BENCHMARKS.md, search). `message_search` keeps each
    /// message's tsvector, now found by (room, seq), to check phrases and exclusions and to rank.
    /// SQLite (FTS5) is unchanged.
    static let searchPostings = Migration(version: 3, name: "search postings") { engine in
        guard engine == .postgres else { return [] }
        return [
            "ALTER TABLE message_search ADD COLUMN seq BIGINT",
            "UPDATE message_search s SET seq = m.seq FROM messages m WHERE m.id = s.message_id",
            "ALTER TABLE message_search ALTER COLUMN seq SET NOT NULL",
            "CREATE UNIQUE INDEX message_search_room_seq_idx ON message_search (room_id, seq)",
            "DROP INDEX message_search_room_idx",
            "DROP INDEX message_search_tokens_idx",
            // Tokens are 64-bit keyed hashes stored as signed integers (the bits of the 16 hex digits). They
            // are keyed per room, so the term alone selects the room; the rare cross-room collision gives
            // two equal rows (the index is not unique: a unique one made every insert pay for ON CONFLICT,
            // 60 % more per row), and every candidate is checked against its own room's tsvector.
            "CREATE TABLE message_terms (term BIGINT NOT NULL, seq BIGINT NOT NULL)",
            """
            INSERT INTO message_terms (term, seq) SELECT term, seq FROM (\(PostingTerms.sqlPostings(whereText: "TRUE"))) postings
            """,
            // Built after the rows are in: one sort instead of a descent per row.
            "CREATE INDEX message_terms_term_seq_idx ON message_terms (term, seq)",
        ]
    }
}

extension Migration {
    /// The full-text index of server-readable messages. It holds keyed hashes of normalised terms, never the
    /// words themselves (docs/ARCHITECTURE.md, "Search"): FTS5 on SQLite (row ids shared with `messages`),
    /// a GIN-indexed tsvector on PostgreSQL.
    static let searchIndex = Migration(version: 2, name: "search index") { engine in
        switch engine {
        case .sqlite:
            return ["CREATE VIRTUAL TABLE message_search USING fts5(room, tokens, tokenize = 'ascii', detail = full)"]
        case .postgres:
            return [
                """
                CREATE TABLE message_search (
                    message_id TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
                    room_id TEXT NOT NULL,
                    tokens TSVECTOR NOT NULL
                )
                """,
                "CREATE INDEX message_search_tokens_idx ON message_search USING GIN (tokens)",
                "CREATE INDEX message_search_room_idx ON message_search (room_id)",
            ]
        }
    }
}

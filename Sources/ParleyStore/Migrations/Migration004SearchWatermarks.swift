extension Migration {
    /// PostgreSQL posting lists are written after their messages commit (`PostingWriter`); a room's
    /// watermark is the `seq` through which its postings are written, so that a restart after a crash
    /// rebuilds exactly the postings it lost. Every room starts fully indexed (migration 3 wrote its
    /// postings in the same transaction as its messages). SQLite indexes in the message transaction.
    static let searchWatermarks = Migration(version: 4, name: "search watermarks") { engine in
        guard engine == .postgres else { return [] }
        return [
            """
            CREATE TABLE search_watermarks (
                room_id TEXT PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE,
                seq BIGINT NOT NULL
            )
            """,
            "INSERT INTO search_watermarks (room_id, seq) SELECT id, last_seq FROM rooms",
        ]
    }
}

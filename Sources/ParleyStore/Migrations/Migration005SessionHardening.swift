extension Migration {
    /// Refresh tokens a session rotated away, so that a stolen, already rotated token can be recognised when
    /// it comes back (and the session ended); and the client address and user agent a session was opened
    /// from, for the caller's session list and the login backoff's "address that logged in before".
    static let sessionHardening = Migration(version: 5, name: "session hardening") { _ in
        [
            """
            CREATE TABLE session_refresh_history (
                token_hash TEXT PRIMARY KEY,
                session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                rotated_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX session_refresh_history_session_idx ON session_refresh_history (session_id, rotated_at)",
            "ALTER TABLE sessions ADD COLUMN user_agent TEXT",
            "ALTER TABLE sessions ADD COLUMN ip_address TEXT",
            "CREATE INDEX sessions_user_ip_idx ON sessions (user_id, ip_address)",
        ]
    }
}

extension Migration {
    /// The schema for the whole API: accounts, sessions, rooms, memberships, invitations, messages with a
    /// per-room `seq`, reactions, read positions, files and summaries. Times are epoch milliseconds and flags
    /// are 0/1 integers so that both engines store, compare and sort them alike.
    static let initialSchema = Migration(version: 1, name: "initial schema") { _ in
        [
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                username TEXT NOT NULL,
                username_key TEXT NOT NULL,
                email TEXT NOT NULL,
                email_key TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                display_name TEXT NOT NULL,
                avatar_url TEXT,
                avatar_file_id TEXT,
                public_key TEXT,
                is_verified BIGINT NOT NULL DEFAULT 0,
                is_active BIGINT NOT NULL DEFAULT 1,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                last_login BIGINT
            )
            """,
            "CREATE UNIQUE INDEX users_username_key_idx ON users (username_key)",
            "CREATE UNIQUE INDEX users_email_key_idx ON users (email_key)",
            """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                refresh_token_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                revoked_at BIGINT,
                last_used_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX sessions_refresh_token_idx ON sessions (refresh_token_hash)",
            "CREATE INDEX sessions_user_idx ON sessions (user_id)",
            """
            CREATE TABLE rooms (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                description TEXT,
                owner_id TEXT NOT NULL REFERENCES users (id),
                is_private BIGINT NOT NULL,
                max_members BIGINT NOT NULL,
                member_count BIGINT NOT NULL DEFAULT 0,
                encryption_enabled BIGINT NOT NULL,
                auto_summary_enabled BIGINT NOT NULL,
                summary_threshold BIGINT NOT NULL,
                last_seq BIGINT NOT NULL DEFAULT 0,
                last_message_at BIGINT,
                summarized_seq BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX rooms_discover_idx ON rooms (is_private, name_key)",
            """
            CREATE TABLE room_keys (
                room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
                version BIGINT NOT NULL,
                wrapped_key TEXT NOT NULL,
                master_key_id TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (room_id, version)
            )
            """,
            """
            CREATE TABLE memberships (
                room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
                user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                role TEXT NOT NULL,
                joined_at BIGINT NOT NULL,
                last_read_seq BIGINT NOT NULL DEFAULT 0,
                last_read_message_id TEXT,
                last_read_at BIGINT,
                PRIMARY KEY (room_id, user_id)
            )
            """,
            "CREATE INDEX memberships_user_idx ON memberships (user_id, room_id)",
            """
            CREATE TABLE invitations (
                id TEXT PRIMARY KEY,
                room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
                code TEXT NOT NULL,
                created_by TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                max_uses BIGINT NOT NULL,
                current_uses BIGINT NOT NULL DEFAULT 0,
                expires_at BIGINT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX invitations_code_idx ON invitations (code)",
            "CREATE INDEX invitations_room_idx ON invitations (room_id)",
            """
            CREATE TABLE messages (
                id TEXT PRIMARY KEY,
                room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
                seq BIGINT NOT NULL,
                user_id TEXT NOT NULL REFERENCES users (id),
                message_type TEXT NOT NULL,
                content TEXT,
                content_key_version BIGINT,
                reply_to TEXT,
                client_id TEXT,
                created_at BIGINT NOT NULL,
                edited_at BIGINT,
                deleted_at BIGINT
            )
            """,
            "CREATE UNIQUE INDEX messages_room_seq_idx ON messages (room_id, seq)",
            "CREATE INDEX messages_room_created_idx ON messages (room_id, created_at)",
            "CREATE INDEX messages_client_idx ON messages (room_id, user_id, client_id)",
            """
            CREATE TABLE reactions (
                message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
                user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                emoji TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (message_id, user_id, emoji)
            )
            """,
            """
            CREATE TABLE files (
                id TEXT PRIMARY KEY,
                room_id TEXT REFERENCES rooms (id) ON DELETE CASCADE,
                uploader_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                message_id TEXT REFERENCES messages (id) ON DELETE SET NULL,
                kind TEXT NOT NULL,
                filename TEXT NOT NULL,
                file_type TEXT NOT NULL,
                file_size BIGINT NOT NULL,
                storage_key TEXT NOT NULL,
                key_version BIGINT,
                wrapped_key TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX files_room_idx ON files (room_id)",
            "CREATE INDEX files_message_idx ON files (message_id)",
            "CREATE INDEX files_uploader_idx ON files (uploader_id, created_at)",
            """
            CREATE TABLE summaries (
                id TEXT PRIMARY KEY,
                room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
                summary_type TEXT NOT NULL,
                payload TEXT NOT NULL,
                key_version BIGINT,
                message_count BIGINT NOT NULL,
                start_date BIGINT NOT NULL,
                end_date BIGINT NOT NULL,
                participants TEXT NOT NULL,
                sentiment_score DOUBLE PRECISION NOT NULL,
                language TEXT NOT NULL,
                provider TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX summaries_room_idx ON summaries (room_id, created_at)",
        ]
    }
}

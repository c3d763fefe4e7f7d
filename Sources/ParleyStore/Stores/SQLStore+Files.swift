import ParleyCore
import SQLKit

extension SQLStore: FileStore {
    static let fileColumns = """
        id, room_id, uploader_id, message_id, kind, filename, file_type, file_size, storage_key, key_version, wrapped_key, created_at
        """

    static func decodeFile(_ row: any SQLRow) throws -> StoredFile {
        StoredFile(
            id: try row.string("id"), roomID: try row.optionalString("room_id"), uploaderID: try row.string("uploader_id"),
            messageID: try row.optionalString("message_id"), kind: FileKind(rawValue: try row.string("kind")) ?? .attachment,
            filename: try row.string("filename"), fileType: try row.string("file_type"), fileSize: try row.int("file_size"),
            storageKey: try row.string("storage_key"), keyVersion: try row.optionalInt("key_version"),
            wrappedKey: try row.string("wrapped_key"), createdAt: try row.timestamp("created_at"))
    }

    static func insertFile(_ file: StoredFile, in database: any SQLDatabase) async throws {
        try await database.raw("""
            INSERT INTO files (id, room_id, uploader_id, message_id, kind, filename, file_type, file_size, storage_key, key_version, wrapped_key, created_at)
            VALUES (\(bind: file.id), \(bind: file.roomID), \(bind: file.uploaderID), \(bind: file.messageID), \(bind: file.kind.rawValue),
                \(bind: file.filename), \(bind: file.fileType), \(bind: file.fileSize), \(bind: file.storageKey), \(bind: file.keyVersion),
                \(bind: file.wrappedKey), \(bind: file.createdAt.milliseconds))
            """).run()
    }

    public func insertFile(_ file: StoredFile) async throws {
        try await backend.transaction { database in
            if let roomID = file.roomID {
                // Locks the room so that a concurrent deletion either precedes (and we refuse) or follows (and cascades).
                guard try await Self.lockRoom(roomID, in: database) != nil else { throw StoreError.notFound }
            }
            try await Self.insertFile(file, in: database)
        }
    }

    public func file(id: String) async throws -> StoredFile? {
        try await backend.read { database in
            try await database.raw("SELECT \(unsafeRaw: Self.fileColumns) FROM files WHERE id = \(bind: id)").first().map(Self.decodeFile)
        }
    }

    public func replaceAvatar(_ file: StoredFile, publicURL: String, userID: String) async throws -> String? {
        try await backend.transaction { database -> String? in
            let previous = try await Self.detachAvatar(userID: userID, in: database)
            try await Self.insertFile(file, in: database)
            try await database.raw("""
                UPDATE users SET avatar_url = \(bind: publicURL), avatar_file_id = \(bind: file.id), updated_at = \(bind: file.createdAt.milliseconds)
                WHERE id = \(bind: userID)
                """).run()
            return previous
        }
    }

    public func detachAvatar(userID: String) async throws -> String? {
        try await backend.transaction { database in try await Self.detachAvatar(userID: userID, in: database) }
    }

    public func deleteUnattachedFiles(createdBefore cutoff: Timestamp, limit: Int) async throws -> [String] {
        guard limit > 0 else { return [] }
        return try await backend.transaction { database in
            // The conditions are repeated outside the sub-select so that they hold for each row when it is
            // deleted: on PostgreSQL a row a message attached after the sub-select read it is re-checked
            // and kept (SQLite has a single writer, so nothing changes in between). The avatar check is a
            // second guard beside `kind`.
            try await database.raw("""
                DELETE FROM files
                WHERE id IN (
                        SELECT id FROM files
                        WHERE kind = 'attachment' AND message_id IS NULL AND created_at < \(bind: cutoff.milliseconds)
                        ORDER BY created_at, id LIMIT \(bind: limit))
                    AND kind = 'attachment' AND message_id IS NULL AND created_at < \(bind: cutoff.milliseconds)
                    AND NOT EXISTS (SELECT 1 FROM users WHERE users.avatar_file_id = files.id)
                RETURNING storage_key
                """).all().map { try $0.string("storage_key") }
        }
    }

    private static func detachAvatar(userID: String, in database: any SQLDatabase) async throws -> String? {
        guard let fileID = try await database.raw("SELECT avatar_file_id FROM users WHERE id = \(bind: userID)").first()?.optionalString("avatar_file_id"),
            let key = try await database.raw("SELECT storage_key FROM files WHERE id = \(bind: fileID)").first()?.string("storage_key")
        else { return nil }
        try await database.raw("DELETE FROM files WHERE id = \(bind: fileID)").run()
        try await database.raw("UPDATE users SET avatar_file_id = NULL WHERE id = \(bind: userID)").run()
        return key
    }
}

import ParleyCore
import SQLKit

extension SQLStore: RoomKeyStore {
    public func roomKeys(roomID: String) async throws -> [StoredRoomKey] {
        try await backend.read { database in
            try await database.raw("""
                SELECT room_id, version, wrapped_key, master_key_id, created_at FROM room_keys
                WHERE room_id = \(bind: roomID) ORDER BY version
                """).all().map(Self.decodeRoomKey)
        }
    }

    public func insertRoomKey(_ key: StoredRoomKey) async throws -> StoredRoomKey {
        try await backend.transaction { database in
            try await Self.insertRoomKey(key, in: database)
            return try await database.raw("""
                SELECT room_id, version, wrapped_key, master_key_id, created_at FROM room_keys
                WHERE room_id = \(bind: key.roomID) AND version = \(bind: key.version)
                """).first().map(Self.decodeRoomKey) ?? key
        }
    }

    public func masterKeyIDs() async throws -> Set<String> {
        try await backend.read { database in
            Set(try await database.raw("SELECT DISTINCT master_key_id FROM room_keys").all().map { try $0.string("master_key_id") })
        }
    }

    public func rewrapAll(
        roomKey transform: @Sendable (StoredRoomKey) throws -> StoredRoomKey,
        fileKey: @Sendable (_ fileID: String, _ roomID: String?, _ wrapped: String) throws -> String
    ) async throws -> (rooms: Int, files: Int) {
        try await backend.transaction { database in
            let keys = try await database.raw("SELECT room_id, version, wrapped_key, master_key_id, created_at FROM room_keys")
                .all().map(Self.decodeRoomKey)
            for key in keys {
                let rewrapped = try transform(key)
                try await database.raw("""
                    UPDATE room_keys SET wrapped_key = \(bind: rewrapped.wrappedKey), master_key_id = \(bind: rewrapped.masterKeyID)
                    WHERE room_id = \(bind: key.roomID) AND version = \(bind: key.version)
                    """).run()
            }
            let files = try await database.raw("SELECT id, room_id, wrapped_key FROM files WHERE key_version IS NULL").all()
            for row in files {
                let id = try row.string("id")
                let wrapped = try fileKey(id, try row.optionalString("room_id"), try row.string("wrapped_key"))
                try await database.raw("UPDATE files SET wrapped_key = \(bind: wrapped) WHERE id = \(bind: id)").run()
            }
            return (keys.count, files.count)
        }
    }

    static func insertRoomKey(_ key: StoredRoomKey, in database: any SQLDatabase) async throws {
        try await database.raw("""
            INSERT INTO room_keys (room_id, version, wrapped_key, master_key_id, created_at)
            VALUES (\(bind: key.roomID), \(bind: key.version), \(bind: key.wrappedKey), \(bind: key.masterKeyID), \(bind: key.createdAt.milliseconds))
            ON CONFLICT (room_id, version) DO NOTHING
            """).run()
    }

    static func decodeRoomKey(_ row: any SQLRow) throws -> StoredRoomKey {
        StoredRoomKey(
            roomID: try row.string("room_id"), version: try row.int("version"), wrappedKey: try row.string("wrapped_key"),
            masterKeyID: try row.string("master_key_id"), createdAt: try row.timestamp("created_at"))
    }
}

import Foundation
import ParleyCore
import SQLKit

extension SQLStore {
    static let messageColumns = """
        id, room_id, seq, user_id, message_type, content, content_key_version, reply_to, client_id, created_at, \
        edited_at, deleted_at
        """

    /// `messageColumns` of table alias `alias`, under their own names.
    static func messageColumns(_ alias: String) -> String {
        messageColumns.split(separator: ",").map { "\(alias).\($0.trimmingCharacters(in: .whitespacesAndNewlines))" }.joined(separator: ", ")
    }

    static func decodeMessage(_ row: any SQLRow, prefix: String = "") throws -> StoredMessage {
        StoredMessage(
            id: try row.string(prefix + "id"), roomID: try row.string(prefix + "room_id"), seq: try row.int64(prefix + "seq"),
            userID: try row.string(prefix + "user_id"),
            type: MessageType(rawValue: try row.string(prefix + "message_type")) ?? .text,
            content: try row.optionalString(prefix + "content"), contentKeyVersion: try row.optionalInt(prefix + "content_key_version"),
            replyTo: try row.optionalString(prefix + "reply_to"), clientID: try row.optionalString(prefix + "client_id"),
            createdAt: try row.timestamp(prefix + "created_at"), editedAt: try row.optionalTimestamp(prefix + "edited_at"),
            deletedAt: try row.optionalTimestamp(prefix + "deleted_at"))
    }

    /// Allocates the room's next `seq` (locking the room row until commit, so that sequence numbers are
    /// gap-free and commit in order) and inserts the message. Must run inside a transaction.
    static func insertMessage(_ message: NewMessage, in database: any SQLDatabase) async throws -> StoredMessage {
        let now = message.createdAt.milliseconds
        guard let row = try await database.raw("""
            UPDATE rooms SET last_seq = last_seq + 1,
                last_message_at = CASE WHEN last_message_at IS NOT NULL AND last_message_at > \(bind: now) THEN last_message_at ELSE \(bind: now) END
            WHERE id = \(bind: message.roomID) RETURNING last_seq, last_message_at
            """).first()
        else { throw StoreError.notFound }
        let seq = try row.int64("last_seq")
        // created_at never goes backwards within a room, so that time filters map onto seq ranges.
        var stored = message.stored(seq: seq)
        stored.createdAt = Timestamp(milliseconds: try row.int64("last_message_at"))
        try await database.raw("""
            INSERT INTO messages (id, room_id, seq, user_id, message_type, content, content_key_version, reply_to, client_id, created_at)
            VALUES (\(bind: message.id), \(bind: message.roomID), \(bind: seq), \(bind: message.userID), \(bind: message.type.rawValue),
                \(bind: message.content), \(bind: message.contentKeyVersion), \(bind: message.replyTo), \(bind: message.clientID),
                \(bind: stored.createdAt.milliseconds))
            """).run()
        return stored
    }
}

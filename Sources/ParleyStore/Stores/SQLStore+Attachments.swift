import ParleyCore
import SQLKit

extension SQLStore: AttachmentSource {
    public func claimable(_ fileIDs: [String], roomID: String, uploaderID: String) async throws -> [AttachableFile] {
        guard !fileIDs.isEmpty else { return [] }
        let rows = try await backend.read { database in
            try await database.raw("""
                SELECT id, filename, file_type, file_size FROM files
                WHERE id IN (\(binds: fileIDs)) AND room_id = \(bind: roomID) AND uploader_id = \(bind: uploaderID)
                    AND kind = 'attachment' AND message_id IS NULL
                """).all()
        }
        let found = Dictionary(try rows.map { row in
            let id = try row.string("id")
            return (id, AttachableFile(id: id, view: AttachmentView(
                id: id, filename: try row.string("filename"), fileType: try row.string("file_type"), fileSize: try row.int("file_size"),
                encryptedURL: "/files/\(id)")))
        }, uniquingKeysWith: { a, _ in a })
        let missing = fileIDs.filter { found[$0] == nil }
        guard missing.isEmpty else {
            throw MessageRules.unclaimableAttachments(missing)
        }
        return fileIDs.compactMap { found[$0] }
    }

    public func attachments(of messageIDs: [String]) async throws -> [String: [AttachmentView]] {
        guard !messageIDs.isEmpty else { return [:] }
        return try await backend.read { database in try await Self.attachments(of: messageIDs, in: database) }
    }

    static func attachments(of messageIDs: [String], in database: any SQLDatabase) async throws -> [String: [AttachmentView]] {
        guard !messageIDs.isEmpty else { return [:] }
        let rows = try await database.raw("""
            SELECT id, message_id, filename, file_type, file_size FROM files
            WHERE message_id IN (\(binds: messageIDs)) ORDER BY created_at, id
            """).all()
        var result: [String: [AttachmentView]] = [:]
        for row in rows {
            let id = try row.string("id")
            result[try row.string("message_id"), default: []].append(AttachmentView(
                id: id, filename: try row.string("filename"), fileType: try row.string("file_type"), fileSize: try row.int("file_size"),
                encryptedURL: "/files/\(id)"))
        }
        return result
    }
}

import Crypto
import Foundation
import Logging

/// A finished upload, as `POST /upload/file` returns it.
public struct FileView: Encodable, Sendable, Equatable {
    public let id: String
    public let chatroomID: String?
    public let filename: String
    public let fileType: String
    public let fileSize: Int
    public let encryptedURL: String
    @NullEncodable public var thumbnailURL: String?
    public let uploadDate: Timestamp

    enum CodingKeys: String, CodingKey {
        case id
        case chatroomID = "chatroom_id"
        case filename
        case fileType = "file_type"
        case fileSize = "file_size"
        case encryptedURL = "encrypted_url"
        case thumbnailURL = "thumbnail_url"
        case uploadDate = "upload_date"
    }

    public init(_ file: StoredFile) {
        id = file.id
        chatroomID = file.roomID
        filename = file.filename
        fileType = file.fileType
        fileSize = file.fileSize
        encryptedURL = "/files/\(file.id)"
        thumbnailURL = nil
        uploadDate = file.createdAt
    }
}

/// A file opened for download.
public struct OpenedFile {
    public let file: StoredFile
    public let reader: BlobReader
}

/// Uploads, downloads and avatars (API.md §9): type by bytes, encryption at rest, members-only access.
public struct FileService: Sendable {
    public static let maximumFileBytes = 10 * 1024 * 1024
    public static let maximumAvatarBytes = 5 * 1024 * 1024

    let files: any FileStore
    let messages: any MessageStore
    let blobs: any BlobStore
    let keyRing: KeyRing
    let publicBaseURL: String
    /// Told about avatar changes, so that new messages carry the new profile.
    let sendAccess: SendAccessCache?
    /// Seconds an uploaded attachment may wait for a message before ``expireUnattached(now:batchSize:while:)``
    /// deletes it.
    public let unattachedLifetime: Int64
    let logger: Logger

    public init(
        files: any FileStore, messages: any MessageStore, blobs: any BlobStore, keyRing: KeyRing, publicBaseURL: String,
        sendAccess: SendAccessCache? = nil, unattachedLifetime: Int64 = 86_400, logger: Logger
    ) {
        self.sendAccess = sendAccess
        self.unattachedLifetime = unattachedLifetime
        self.files = files
        self.messages = messages
        self.blobs = blobs
        self.keyRing = keyRing
        self.publicBaseURL = publicBaseURL
        self.logger = logger
    }

    /// A sink for an upload's bytes, limited to `maximumBytes`.
    public func makeSink(maximumBytes: Int) throws -> UploadSink {
        try UploadSink(blobs: blobs, maximumBytes: maximumBytes)
    }

    /// Finishes an attachment upload: checks membership and type, wraps the file key, stores the record.
    /// The sink is committed or discarded whatever happens.
    public func finishUpload(_ sink: UploadSink, roomID: RoomID, filename: String?, claimedType: String?, by identity: Identity) async throws -> FileView {
        var committed = false
        defer { if !committed { sink.discard() } }
        guard let (room, membership) = try await messages.roomAccess(roomID: roomID.rawValue, userID: identity.userID) else {
            throw ParleyError.notFound(.chatroomNotFound, "Chatroom not found")
        }
        try RoomPolicy.authorize(.send, role: membership?.role, in: room)
        try sink.finish()
        guard sink.size > 0 else { throw ParleyError.validation(field: "file", "file is empty") }
        let name = FilenameSanitizer.sanitize(filename)
        let fileType: String
        if room.encryptionEnabled {
            // Files of end-to-end rooms are ciphertext the server cannot inspect.
            fileType = "application/octet-stream"
        } else {
            fileType = try Self.acceptedType(sink, filename: name, claimedType: claimedType, allowed: DetectedFileType.allCases).rawValue
        }
        var record = StoredFile(
            id: sink.fileID, roomID: room.id, uploaderID: identity.userID, kind: .attachment, filename: name, fileType: fileType,
            fileSize: sink.size, storageKey: Self.storageKey(for: sink.fileID), keyVersion: nil, wrappedKey: "", createdAt: .now())
        if room.encryptionEnabled {
            record.wrappedKey = try keyRing.sealWithMaster(sink.keyBytes, context: Self.keyContext(record))
        } else {
            let (wrapped, version) = try await keyRing.seal(sink.keyBytes, roomID: room.id, context: Self.keyContext(record))
            record.wrappedKey = wrapped
            record.keyVersion = version
        }
        try sink.commit(as: record.storageKey)
        committed = true
        do {
            try await files.insertFile(record)
        } catch {
            await blobs.delete(keys: [record.storageKey])
            if case StoreError.notFound = error { throw ParleyError.notFound(.chatroomNotFound, "Chatroom not found") }
            throw error
        }
        return FileView(record)
    }

    /// Finishes an avatar upload: JPEG, PNG or GIF by bytes; the previous avatar is removed.
    public func finishAvatar(_ sink: UploadSink, filename: String?, claimedType: String?, by identity: Identity) async throws -> String {
        var committed = false
        defer { if !committed { sink.discard() } }
        try sink.finish()
        guard sink.size > 0 else { throw ParleyError.validation(field: "file", "file is empty") }
        let name = FilenameSanitizer.sanitize(filename)
        let type = try Self.acceptedType(sink, filename: name, claimedType: claimedType, allowed: [.jpeg, .png, .gif])
        var record = StoredFile(
            id: sink.fileID, roomID: nil, uploaderID: identity.userID, kind: .avatar, filename: name, fileType: type.rawValue,
            fileSize: sink.size, storageKey: Self.storageKey(for: sink.fileID), keyVersion: nil, wrappedKey: "", createdAt: .now())
        record.wrappedKey = try keyRing.sealWithMaster(sink.keyBytes, context: Self.keyContext(record))
        try sink.commit(as: record.storageKey)
        committed = true
        let url = "\(publicBaseURL)/avatars/\(record.id)"
        let replaced: String?
        do {
            replaced = try await files.replaceAvatar(record, publicURL: url, userID: identity.userID)
        } catch {
            await blobs.delete(keys: [record.storageKey])
            throw error
        }
        sendAccess?.forget(user: identity.userID)
        if let replaced { await blobs.delete(keys: [replaced]) }
        return url
    }

    /// Removes an uploaded avatar the user replaced with an external URL.
    public func forgetAvatar(of userID: String) async throws {
        if let key = try await files.detachAvatar(userID: userID) { await blobs.delete(keys: [key]) }
    }

    /// Deletes attachments older than ``unattachedLifetime`` that no message holds, rows then blobs, in
    /// batches of `batchSize` until none is left or `shouldContinue` returns false. Avatars are never
    /// deleted here. Returns how many files were deleted.
    public func expireUnattached(now: Timestamp = .now(), batchSize: Int = 256, while shouldContinue: () -> Bool = { true }) async throws -> Int {
        let cutoff = now.adding(seconds: -unattachedLifetime)
        var deleted = 0
        while true {
            let keys = try await files.deleteUnattachedFiles(createdBefore: cutoff, limit: batchSize)
            // Only the blobs of rows the statement deleted: a file attached meanwhile keeps both. A crash
            // between the two leaves an orphaned blob, never a row without its blob.
            await blobs.delete(keys: keys)
            deleted += keys.count
            guard keys.count == batchSize, shouldContinue() else { break }
        }
        if deleted > 0 { logger.info("Expired unattached uploads", metadata: ["count": .stringConvertible(deleted)]) }
        return deleted
    }

    /// Opens an attachment for a member of its room.
    public func openAttachment(_ fileID: FileID, for identity: Identity) async throws -> OpenedFile {
        guard let file = try await files.file(id: fileID.rawValue), file.kind == .attachment, let roomID = file.roomID else {
            throw ParleyError.notFound(.fileNotFound, "File not found")
        }
        guard let (room, membership) = try await messages.roomAccess(roomID: roomID, userID: identity.userID) else {
            throw ParleyError.notFound(.fileNotFound, "File not found")
        }
        try RoomPolicy.authorize(.view, role: membership?.role, in: room)
        return try await open(file)
    }

    /// Opens an avatar (public).
    public func openAvatar(_ fileID: FileID) async throws -> OpenedFile {
        guard let file = try await files.file(id: fileID.rawValue), file.kind == .avatar else {
            throw ParleyError.notFound(.fileNotFound, "File not found")
        }
        return try await open(file)
    }

    private func open(_ file: StoredFile) async throws -> OpenedFile {
        let keyBytes: [UInt8]
        if let version = file.keyVersion, let roomID = file.roomID {
            keyBytes = try await keyRing.open(file.wrappedKey, version: version, roomID: roomID, context: Self.keyContext(file))
        } else {
            keyBytes = try keyRing.openWithMaster(file.wrappedKey, context: Self.keyContext(file))
        }
        let source = try blobs.open(key: file.storageKey)
        return OpenedFile(file: file, reader: try BlobReader(source: source, key: SymmetricKey(data: keyBytes), fileID: file.id, size: file.fileSize))
    }

    static func acceptedType(_ sink: UploadSink, filename: String, claimedType: String?, allowed: [DetectedFileType]) throws -> DetectedFileType {
        let detected = FileTypeDetector.detect(prefix: sink.leadingBytes) ?? (sink.isText ? .text : nil)
        guard let detected, allowed.contains(detected) else {
            throw ParleyError(.fileTypeNotAllowed, status: 422, "This kind of file is not accepted here",
                              details: ["allowed": .array(allowed.map { .string($0.rawValue) })])
        }
        guard FileTypeDetector.name(extension: FilenameSanitizer.fileExtension(filename), agreesWith: detected),
            FileTypeDetector.claim(claimedType, agreesWith: detected)
        else {
            throw ParleyError(.fileTypeNotAllowed, status: 422, "The file's contents do not match its name or declared type",
                              details: ["detected": .string(detected.rawValue)])
        }
        return detected
    }

    static func storageKey(for fileID: String) -> String { fileID.replacingOccurrences(of: "-", with: "") }

    static func keyContext(_ file: StoredFile) -> String { keyContext(fileID: file.id, roomID: file.roomID) }

    /// The associated data a file's wrapped key is sealed with.
    public static func keyContext(fileID: String, roomID: String?) -> String { "parley/file-key/\(roomID ?? "avatar")/\(fileID)" }
}

/// What a stored file is for.
public enum FileKind: String, Sendable {
    case attachment
    case avatar
}

/// A stored file's record; its bytes live in the blob store under `storageKey`.
public struct StoredFile: Sendable, Equatable {
    public var id: String
    public var roomID: String?
    public var uploaderID: String
    public var messageID: String?
    public var kind: FileKind
    public var filename: String
    public var fileType: String
    public var fileSize: Int
    public var storageKey: String
    /// The room key version that wraps the file's data key; nil when the master key wraps it.
    public var keyVersion: Int?
    public var wrappedKey: String
    public var createdAt: Timestamp

    public init(
        id: String, roomID: String?, uploaderID: String, messageID: String? = nil, kind: FileKind, filename: String, fileType: String,
        fileSize: Int, storageKey: String, keyVersion: Int?, wrappedKey: String, createdAt: Timestamp
    ) {
        self.id = id
        self.roomID = roomID
        self.uploaderID = uploaderID
        self.messageID = messageID
        self.kind = kind
        self.filename = filename
        self.fileType = fileType
        self.fileSize = fileSize
        self.storageKey = storageKey
        self.keyVersion = keyVersion
        self.wrappedKey = wrappedKey
        self.createdAt = createdAt
    }
}

/// Persistence of file records.
public protocol FileStore: Sendable {
    /// Inserts an attachment; throws ``StoreError/notFound`` when its room no longer exists.
    func insertFile(_ file: StoredFile) async throws
    func file(id: String) async throws -> StoredFile?
    /// Stores an avatar and makes it the user's; returns the storage key of the avatar it replaced.
    func replaceAvatar(_ file: StoredFile, publicURL: String, userID: String) async throws -> String?
    /// Forgets the user's uploaded avatar (after they set an external URL); returns its storage key.
    func detachAvatar(userID: String) async throws -> String?
    /// Deletes up to `limit` of the oldest attachments created before `cutoff` that no message holds, in one
    /// conditional statement: a file a message attaches meanwhile keeps its row. Never deletes an avatar.
    /// Returns the storage keys of the rows it deleted, and only those.
    func deleteUnattachedFiles(createdBefore cutoff: Timestamp, limit: Int) async throws -> [String]
}

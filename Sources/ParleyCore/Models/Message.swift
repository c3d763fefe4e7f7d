/// The kind of a message (seed: `text|image|file|system`).
public enum MessageType: String, Sendable, Codable, CaseIterable {
    case text
    case image
    case file
    case system
}

/// A message as stored. `content` is the stored form: the end-to-end triple as JSON in encrypted rooms, a
/// sealed box in server-readable rooms (with `contentKeyVersion`), nil once deleted.
public struct StoredMessage: Sendable, Equatable {
    public var id: String
    public var roomID: String
    public var seq: Int64
    public var userID: String
    public var type: MessageType
    public var content: String?
    public var contentKeyVersion: Int?
    public var replyTo: String?
    public var clientID: String?
    public var createdAt: Timestamp
    public var editedAt: Timestamp?
    public var deletedAt: Timestamp?

    public init(
        id: String, roomID: String, seq: Int64, userID: String, type: MessageType, content: String?,
        contentKeyVersion: Int?, replyTo: String?, clientID: String?, createdAt: Timestamp, editedAt: Timestamp? = nil,
        deletedAt: Timestamp? = nil
    ) {
        self.id = id
        self.roomID = roomID
        self.seq = seq
        self.userID = userID
        self.type = type
        self.content = content
        self.contentKeyVersion = contentKeyVersion
        self.replyTo = replyTo
        self.clientID = clientID
        self.createdAt = createdAt
        self.editedAt = editedAt
        self.deletedAt = deletedAt
    }
}

/// A message about to be stored; the store assigns `seq` in the same transaction.
public struct NewMessage: Sendable, Equatable {
    public var id: String
    public var roomID: String
    public var userID: String
    public var type: MessageType
    public var content: String
    public var contentKeyVersion: Int?
    public var replyTo: String?
    public var clientID: String?
    public var createdAt: Timestamp
    /// Uploaded files linked to the message in the same transaction that stores it.
    public var attachmentIDs: [String]
    /// Search index entries (server-readable rooms): keyed hashes of the text's terms, in order.
    public var searchTokens: SearchTokens?

    public init(
        id: String, roomID: String, userID: String, type: MessageType, content: String, contentKeyVersion: Int?,
        replyTo: String? = nil, clientID: String? = nil, createdAt: Timestamp, attachmentIDs: [String] = []
    ) {
        self.attachmentIDs = attachmentIDs
        self.id = id
        self.roomID = roomID
        self.userID = userID
        self.type = type
        self.content = content
        self.contentKeyVersion = contentKeyVersion
        self.replyTo = replyTo
        self.clientID = clientID
        self.createdAt = createdAt
    }

    /// The stored message once `seq` is known.
    public func stored(seq: Int64) -> StoredMessage {
        StoredMessage(
            id: id, roomID: roomID, seq: seq, userID: userID, type: type, content: content,
            contentKeyVersion: contentKeyVersion, replyTo: replyTo, clientID: clientID, createdAt: createdAt)
    }
}

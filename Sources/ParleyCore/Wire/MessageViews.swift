/// A reaction as history shows it.
public struct ReactionView: Codable, Sendable, Equatable {
    public let userID: String
    public let username: String
    public let emoji: String
    public let createdAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case username, emoji
        case createdAt = "created_at"
    }

    public init(userID: String, username: String, emoji: String, createdAt: Timestamp) {
        self.userID = userID
        self.username = username
        self.emoji = emoji
        self.createdAt = createdAt
    }
}

/// A file attached to a message (seed `attachments[]`).
public struct AttachmentView: Encodable, Sendable, Equatable {
    public let id: String
    public let filename: String
    public let fileType: String
    public let fileSize: Int
    public let encryptedURL: String
    @NullEncodable public var thumbnailURL: String?

    enum CodingKeys: String, CodingKey {
        case id, filename
        case fileType = "file_type"
        case fileSize = "file_size"
        case encryptedURL = "encrypted_url"
        case thumbnailURL = "thumbnail_url"
    }

    public init(id: String, filename: String, fileType: String, fileSize: Int, encryptedURL: String, thumbnailURL: String? = nil) {
        self.id = id
        self.filename = filename
        self.fileType = fileType
        self.fileSize = fileSize
        self.encryptedURL = encryptedURL
        self.thumbnailURL = thumbnailURL
    }
}

/// A message as history, search and `message_received` show it.
public struct MessageView: Encodable, Sendable, Equatable {
    public let id: String
    public let chatroomID: String
    public let seq: Int64
    public let userID: String
    public let username: String
    public let displayName: String
    @NullEncodable public var avatarURL: String?
    /// The content object of the room's mode; null once the message is deleted.
    @NullEncodable public var content: JSONValue?
    public let messageType: MessageType
    @NullEncodable public var replyTo: String?
    @NullEncodable public var clientID: String?
    public let attachments: [AttachmentView]
    public let reactions: [ReactionView]
    @NullEncodable public var editedAt: Timestamp?
    @NullEncodable public var deletedAt: Timestamp?
    public let createdAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id
        case chatroomID = "chatroom_id"
        case seq
        case userID = "user_id"
        case username
        case displayName = "display_name"
        case avatarURL = "avatar_url"
        case content
        case messageType = "message_type"
        case replyTo = "reply_to"
        case clientID = "client_id"
        case attachments, reactions
        case editedAt = "edited_at"
        case deletedAt = "deleted_at"
        case createdAt = "created_at"
    }

    public init(
        message: StoredMessage, author: PublicUserView, content: JSONValue?, attachments: [AttachmentView], reactions: [ReactionView]
    ) {
        id = message.id
        chatroomID = message.roomID
        seq = message.seq
        userID = message.userID
        username = author.username
        displayName = author.displayName
        avatarURL = author.avatarURL
        self.content = content
        messageType = message.type
        replyTo = message.replyTo
        clientID = message.clientID
        self.attachments = attachments
        self.reactions = reactions
        editedAt = message.editedAt
        deletedAt = message.deletedAt
        createdAt = message.createdAt
    }
}

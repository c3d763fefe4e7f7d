/// `data` of `message_received`, `message_edited`: `{"message": {...}}`.
public struct MessagePayload: Encodable, Sendable {
    public let message: MessageView
    public init(message: MessageView) { self.message = message }
}

/// `data` of `user_joined`.
public struct UserJoinedPayload: Encodable, Sendable {
    public let chatroomID: String
    public let user: PublicUserView
    enum CodingKeys: String, CodingKey {
        case chatroomID = "chatroom_id"
        case user
    }
}

/// `data` of `user_left`; `removed_by` is present when a moderator or the owner removed the user.
public struct UserLeftPayload: Encodable, Sendable {
    public let chatroomID: String
    public let userID: String
    public let removedBy: String?
    enum CodingKeys: String, CodingKey {
        case chatroomID = "chatroom_id"
        case userID = "user_id"
        case removedBy = "removed_by"
    }
}

/// `data` of `member_updated`.
public struct MemberUpdatedPayload: Encodable, Sendable {
    public let chatroomID: String
    public let userID: String
    public let role: RoomRole
    public let previousRole: RoomRole
    public let updatedBy: String
    enum CodingKeys: String, CodingKey {
        case chatroomID = "chatroom_id"
        case userID = "user_id"
        case role
        case previousRole = "previous_role"
        case updatedBy = "updated_by"
    }
}

/// `data` of `chatroom_updated`.
public struct ChatroomUpdatedPayload: Encodable, Sendable {
    public let chatroom: RoomView
    public let updatedBy: String
    enum CodingKeys: String, CodingKey {
        case chatroom
        case updatedBy = "updated_by"
    }
}

/// `data` of `chatroom_deleted`.
public struct ChatroomDeletedPayload: Encodable, Sendable {
    public let chatroomID: String
    public let deletedBy: String?
    enum CodingKeys: String, CodingKey {
        case chatroomID = "chatroom_id"
        case deletedBy = "deleted_by"
    }
}

/// `data` of `message_deleted`.
public struct MessageDeletedPayload: Encodable, Sendable {
    public let chatroomID: String
    public let messageID: String
    public let seq: Int64
    public let deletedAt: Timestamp
    public let deletedBy: String
    enum CodingKeys: String, CodingKey {
        case chatroomID = "chatroom_id"
        case messageID = "message_id"
        case seq
        case deletedAt = "deleted_at"
        case deletedBy = "deleted_by"
    }
}

/// `data` of `reaction_added`.
public struct ReactionAddedPayload: Encodable, Sendable {
    public let chatroomID: String
    public let messageID: String
    public let reaction: ReactionView
    enum CodingKeys: String, CodingKey {
        case chatroomID = "chatroom_id"
        case messageID = "message_id"
        case reaction
    }
}

/// `data` of `reaction_removed`.
public struct ReactionRemovedPayload: Encodable, Sendable {
    public let chatroomID: String
    public let messageID: String
    public let userID: String
    public let emoji: String
    enum CodingKeys: String, CodingKey {
        case chatroomID = "chatroom_id"
        case messageID = "message_id"
        case userID = "user_id"
        case emoji
    }
}

/// `data` of `read_receipt`.
public struct ReadReceiptPayload: Encodable, Sendable, Equatable {
    public let chatroomID: String
    public let userID: String
    public let messageID: String
    public let seq: Int64
    public let readAt: Timestamp
    enum CodingKeys: String, CodingKey {
        case chatroomID = "chatroom_id"
        case userID = "user_id"
        case messageID = "message_id"
        case seq
        case readAt = "read_at"
    }
}

/// `data` of `typing_indicator`.
public struct TypingPayload: Encodable, Sendable {
    public let chatroomID: String
    public let userID: String
    public let username: String
    public let isTyping: Bool
    enum CodingKeys: String, CodingKey {
        case chatroomID = "chatroom_id"
        case userID = "user_id"
        case username
        case isTyping = "is_typing"
    }
    public init(chatroomID: String, userID: String, username: String, isTyping: Bool) {
        self.chatroomID = chatroomID
        self.userID = userID
        self.username = username
        self.isTyping = isTyping
    }
}

/// `data` of `user_online` and `user_offline`.
public struct PresencePayload: Encodable, Sendable {
    public let userID: String
    public let username: String
    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case username
    }
    public init(userID: String, username: String) {
        self.userID = userID
        self.username = username
    }
}

/// `data` of `chatroom_joined`.
public struct ChatroomJoinedPayload: Encodable, Sendable {
    public let chatroomID: String
    public let lastSeq: Int64
    public let role: RoomRole
    public let afterSeq: Int64?
    enum CodingKeys: String, CodingKey {
        case chatroomID = "chatroom_id"
        case lastSeq = "last_seq"
        case role
        case afterSeq = "after_seq"
    }
    public init(chatroomID: String, lastSeq: Int64, role: RoomRole, afterSeq: Int64?) {
        self.chatroomID = chatroomID
        self.lastSeq = lastSeq
        self.role = role
        self.afterSeq = afterSeq
    }
}

/// `data` of an `error` event.
public struct ErrorEventPayload: Encodable, Sendable {
    public let code: String
    public let message: String
    public let details: [String: JSONValue]

    public init(_ error: ParleyError) {
        code = error.code.rawValue
        message = error.message
        details = error.details
    }
}

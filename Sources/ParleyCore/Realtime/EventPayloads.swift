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

/// A room as `GET/POST/PUT /chatrooms/{id}` return it.
public struct RoomView: Encodable, Sendable, Equatable {
    public let id: String
    public let name: String
    @NullEncodable public var description: String?
    public let ownerID: String
    public let isPrivate: Bool
    public let maxMembers: Int
    public let memberCount: Int
    public let encryptionEnabled: Bool
    public let autoSummaryEnabled: Bool
    public let summaryThreshold: Int
    public let lastSeq: Int64
    public let createdAt: Timestamp
    public let updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, name, description
        case ownerID = "owner_id"
        case isPrivate = "is_private"
        case maxMembers = "max_members"
        case memberCount = "member_count"
        case encryptionEnabled = "encryption_enabled"
        case autoSummaryEnabled = "auto_summary_enabled"
        case summaryThreshold = "summary_threshold"
        case lastSeq = "last_seq"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(_ room: Room) {
        id = room.id
        name = room.name
        description = room.description
        ownerID = room.ownerID
        isPrivate = room.isPrivate
        maxMembers = room.maxMembers
        memberCount = room.memberCount
        encryptionEnabled = room.encryptionEnabled
        autoSummaryEnabled = room.autoSummaryEnabled
        summaryThreshold = room.summaryThreshold
        lastSeq = room.lastSeq
        createdAt = room.createdAt
        updatedAt = room.updatedAt
    }
}

/// A member in `GET /chatrooms/{id}`.
public struct MemberView: Encodable, Sendable, Equatable {
    public let userID: String
    public let username: String
    public let displayName: String
    @NullEncodable public var avatarURL: String?
    public let role: RoomRole
    public let joinedAt: Timestamp
    @NullEncodable public var lastReadAt: Timestamp?
    public let lastReadSeq: Int64
    public let isOnline: Bool

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case username
        case displayName = "display_name"
        case avatarURL = "avatar_url"
        case role
        case joinedAt = "joined_at"
        case lastReadAt = "last_read_at"
        case lastReadSeq = "last_read_seq"
        case isOnline = "is_online"
    }

    public init(_ record: MemberRecord, isOnline: Bool) {
        userID = record.user.id
        username = record.user.username
        displayName = record.user.displayName
        avatarURL = record.user.avatarURL
        role = record.membership.role
        joinedAt = record.membership.joinedAt
        lastReadAt = record.membership.lastReadAt
        lastReadSeq = record.membership.lastReadSeq
        self.isOnline = isOnline
    }
}

/// The newest message of a room in listings.
public struct LastMessageView: Encodable, Sendable, Equatable {
    public let id: String
    public let seq: Int64
    public let content: JSONValue
    public let messageType: MessageType
    public let userID: String
    public let username: String
    public let createdAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, seq, content
        case messageType = "message_type"
        case userID = "user_id"
        case username
        case createdAt = "created_at"
    }

    public init(id: String, seq: Int64, content: JSONValue, messageType: MessageType, userID: String, username: String, createdAt: Timestamp) {
        self.id = id
        self.seq = seq
        self.content = content
        self.messageType = messageType
        self.userID = userID
        self.username = username
        self.createdAt = createdAt
    }
}

/// One room of `GET /chatrooms`.
public struct RoomListItemView: Encodable, Sendable {
    public let id: String
    public let name: String
    @NullEncodable public var description: String?
    public let isPrivate: Bool
    public let encryptionEnabled: Bool
    public let memberCount: Int
    @NullEncodable public var lastMessage: LastMessageView?
    public let unreadCount: Int
    public let role: RoomRole
    public let joinedAt: Timestamp
    public let lastSeq: Int64

    enum CodingKeys: String, CodingKey {
        case id, name, description
        case isPrivate = "is_private"
        case encryptionEnabled = "encryption_enabled"
        case memberCount = "member_count"
        case lastMessage = "last_message"
        case unreadCount = "unread_count"
        case role
        case joinedAt = "joined_at"
        case lastSeq = "last_seq"
    }

    public init(room: Room, membership: Membership, lastMessage: LastMessageView?, unreadCount: Int) {
        id = room.id
        name = room.name
        description = room.description
        isPrivate = room.isPrivate
        encryptionEnabled = room.encryptionEnabled
        memberCount = room.memberCount
        self.lastMessage = lastMessage
        self.unreadCount = unreadCount
        role = membership.role
        joinedAt = membership.joinedAt
        lastSeq = room.lastSeq
    }
}

/// One public room of `GET /chatrooms/discover`.
public struct DiscoverItemView: Encodable, Sendable {
    public let id: String
    public let name: String
    @NullEncodable public var description: String?
    public let memberCount: Int
    public let maxMembers: Int
    public let encryptionEnabled: Bool
    public let isMember: Bool
    public let createdAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, name, description
        case memberCount = "member_count"
        case maxMembers = "max_members"
        case encryptionEnabled = "encryption_enabled"
        case isMember = "is_member"
        case createdAt = "created_at"
    }

    public init(room: Room, isMember: Bool) {
        id = room.id
        name = room.name
        description = room.description
        memberCount = room.memberCount
        maxMembers = room.maxMembers
        encryptionEnabled = room.encryptionEnabled
        self.isMember = isMember
        createdAt = room.createdAt
    }
}

/// An invitation as `POST /chatrooms/{id}/invite` returns it.
public struct InvitationView: Encodable, Sendable {
    public let id: String
    public let chatroomID: String
    public let inviteCode: String
    public let inviteURL: String
    public let maxUses: Int
    public let currentUses: Int
    public let expiresAt: Timestamp
    public let createdAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id
        case chatroomID = "chatroom_id"
        case inviteCode = "invite_code"
        case inviteURL = "invite_url"
        case maxUses = "max_uses"
        case currentUses = "current_uses"
        case expiresAt = "expires_at"
        case createdAt = "created_at"
    }

    public init(_ invitation: Invitation, url: String) {
        id = invitation.id
        chatroomID = invitation.roomID
        inviteCode = invitation.code
        inviteURL = url
        maxUses = invitation.maxUses
        currentUses = invitation.currentUses
        expiresAt = invitation.expiresAt
        createdAt = invitation.createdAt
    }
}

/// The room a join returns (seed: `POST /chatrooms/join/{code}`).
public struct JoinedRoomView: Encodable, Sendable {
    public let id: String
    public let name: String
    @NullEncodable public var description: String?
    public let memberCount: Int
    public let role: RoomRole
    public let isPrivate: Bool
    public let encryptionEnabled: Bool
    public let lastSeq: Int64

    enum CodingKeys: String, CodingKey {
        case id, name, description
        case memberCount = "member_count"
        case role
        case isPrivate = "is_private"
        case encryptionEnabled = "encryption_enabled"
        case lastSeq = "last_seq"
    }

    public init(room: Room, role: RoomRole) {
        id = room.id
        name = room.name
        description = room.description
        memberCount = room.memberCount
        self.role = role
        isPrivate = room.isPrivate
        encryptionEnabled = room.encryptionEnabled
        lastSeq = room.lastSeq
    }
}

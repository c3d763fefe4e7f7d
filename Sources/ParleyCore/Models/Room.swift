/// A member's role in a room (API.md §3).
public enum RoomRole: String, Sendable, Codable, CaseIterable {
    case owner
    case moderator
    case member
}

/// A chatroom.
public struct Room: Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String?
    public var ownerID: String
    public var isPrivate: Bool
    public var maxMembers: Int
    public var memberCount: Int
    /// true: end-to-end encrypted, the server never reads content. false: server-readable, encrypted at rest.
    public var encryptionEnabled: Bool
    public var autoSummaryEnabled: Bool
    public var summaryThreshold: Int
    /// The highest message sequence number allocated in this room.
    public var lastSeq: Int64
    public var lastMessageAt: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: String, name: String, description: String?, ownerID: String, isPrivate: Bool, maxMembers: Int,
        memberCount: Int, encryptionEnabled: Bool, autoSummaryEnabled: Bool, summaryThreshold: Int,
        lastSeq: Int64 = 0, lastMessageAt: Timestamp? = nil, createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.ownerID = ownerID
        self.isPrivate = isPrivate
        self.maxMembers = maxMembers
        self.memberCount = memberCount
        self.encryptionEnabled = encryptionEnabled
        self.autoSummaryEnabled = autoSummaryEnabled
        self.summaryThreshold = summaryThreshold
        self.lastSeq = lastSeq
        self.lastMessageAt = lastMessageAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A user's membership of a room, with their read position.
public struct Membership: Sendable, Equatable {
    public var roomID: String
    public var userID: String
    public var role: RoomRole
    public var joinedAt: Timestamp
    public var lastReadSeq: Int64
    public var lastReadMessageID: String?
    public var lastReadAt: Timestamp?

    public init(
        roomID: String, userID: String, role: RoomRole, joinedAt: Timestamp, lastReadSeq: Int64 = 0,
        lastReadMessageID: String? = nil, lastReadAt: Timestamp? = nil
    ) {
        self.roomID = roomID
        self.userID = userID
        self.role = role
        self.joinedAt = joinedAt
        self.lastReadSeq = lastReadSeq
        self.lastReadMessageID = lastReadMessageID
        self.lastReadAt = lastReadAt
    }
}

/// A member together with the profile fields member lists show.
public struct MemberRecord: Sendable, Equatable {
    public var membership: Membership
    public var user: PublicUserView

    public init(membership: Membership, user: PublicUserView) {
        self.membership = membership
        self.user = user
    }
}

/// An invitation code for a room.
public struct Invitation: Sendable, Equatable {
    public var id: String
    public var roomID: String
    public var code: String
    public var createdBy: String
    public var maxUses: Int
    public var currentUses: Int
    public var expiresAt: Timestamp
    public var createdAt: Timestamp

    public init(id: String, roomID: String, code: String, createdBy: String, maxUses: Int, currentUses: Int = 0, expiresAt: Timestamp, createdAt: Timestamp) {
        self.id = id
        self.roomID = roomID
        self.code = code
        self.createdBy = createdBy
        self.maxUses = maxUses
        self.currentUses = currentUses
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }
}

/// Settings changes to a room (`PUT /chatrooms/{id}`, before and after validation); nil leaves a field
/// unchanged, `.some(nil)` clears the description.
public struct RoomChanges: Sendable, Equatable {
    public var name: String?
    public var description: String??
    public var maxMembers: Int?
    public var autoSummaryEnabled: Bool?
    public var summaryThreshold: Int?

    public init(name: String? = nil, description: String?? = nil, maxMembers: Int? = nil, autoSummaryEnabled: Bool? = nil, summaryThreshold: Int? = nil) {
        self.name = name
        self.description = description
        self.maxMembers = maxMembers
        self.autoSummaryEnabled = autoSummaryEnabled
        self.summaryThreshold = summaryThreshold
    }

    public var isEmpty: Bool {
        name == nil && description == nil && maxMembers == nil && autoSummaryEnabled == nil && summaryThreshold == nil
    }
}

/// A page request, validated (`page` >= 1, `limit` within the endpoint's bounds).
public struct PageRequest: Sendable, Equatable {
    public let page: Int
    public let limit: Int

    public init(page: Int, limit: Int) {
        self.page = page
        self.limit = limit
    }

    public var offset: Int { (page - 1) * limit }
}

/// One page of results with the total count.
public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    public let total: Int
    public let request: PageRequest

    public init(items: [Item], total: Int, request: PageRequest) {
        self.items = items
        self.total = total
        self.request = request
    }

    public var pages: Int { total == 0 ? 0 : (total + request.limit - 1) / request.limit }
    public var hasMore: Bool { request.offset + items.count < total }
}

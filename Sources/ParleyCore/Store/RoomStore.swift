/// Builds a system message inside a store transaction (its content sealed for the room's mode).
public typealias SystemMessageFactory = @Sendable (SystemEvent) async throws -> NewMessage

/// A room of the caller's list, with what the list shows beside it.
public struct RoomListing: Sendable {
    public let room: Room
    public let membership: Membership
    /// The newest non-deleted message, still in stored form, with its author's username.
    public let lastMessage: (message: StoredMessage, username: String)?
    public let unreadCount: Int

    public init(room: Room, membership: Membership, lastMessage: (message: StoredMessage, username: String)?, unreadCount: Int) {
        self.room = room
        self.membership = membership
        self.lastMessage = lastMessage
        self.unreadCount = unreadCount
    }
}

/// What a join did.
public enum JoinOutcome: Sendable {
    case joined(Room, Membership, StoredMessage)
    /// Already a member: nothing changed and no invitation use was spent.
    case alreadyMember(Room, Membership)
    case roomFull
    case invitationInvalid(reason: String)
    case roomNotFound
}

/// What a departure (leave or removal) did.
public struct DepartureOutcome: Sendable {
    /// The room after the departure; nil when it was deleted because nobody was left.
    public let room: Room?
    /// The member who became owner, when the owner left, and the role they had before.
    public let newOwner: MemberRecord?
    public let newOwnerPreviousRole: RoomRole?
    /// System messages recorded, in order.
    public let messages: [StoredMessage]
    /// Storage keys of the files of a room deleted because its last member left.
    public let deletedFileKeys: [String]

    public init(room: Room?, newOwner: MemberRecord?, newOwnerPreviousRole: RoomRole? = nil, messages: [StoredMessage], deletedFileKeys: [String] = []) {
        self.room = room
        self.newOwner = newOwner
        self.newOwnerPreviousRole = newOwnerPreviousRole
        self.messages = messages
        self.deletedFileKeys = deletedFileKeys
    }
}

/// What a role change did: every membership whose role changed, and the system messages.
public struct RoleChangeOutcome: Sendable {
    public let room: Room
    public let changes: [(member: MemberRecord, previousRole: RoomRole)]
    public let messages: [StoredMessage]

    public init(room: Room, changes: [(member: MemberRecord, previousRole: RoomRole)], messages: [StoredMessage]) {
        self.room = room
        self.changes = changes
        self.messages = messages
    }
}

/// Persistence of rooms, memberships and invitations. Each mutating call is one transaction, so that
/// capacity, invitation uses and ownership stay consistent under concurrent requests.
public protocol RoomStore: Sendable {
    /// Inserts the room, the owner's membership and, for server-readable rooms, its first data key.
    func createRoom(_ room: Room, owner: Membership, key: StoredRoomKey?) async throws
    func room(id: String) async throws -> Room?
    func membership(roomID: String, userID: String) async throws -> Membership?
    func members(roomID: String) async throws -> [MemberRecord]
    func memberIDs(roomID: String) async throws -> [String]
    /// Users who share at least one room with `userID` (presence audience).
    func roomPeers(of userID: String) async throws -> Set<String>
    func rooms(of userID: String, search: String?, page: PageRequest) async throws -> Page<RoomListing>
    func discoverRooms(for userID: String, search: String?, page: PageRequest) async throws -> Page<(room: Room, isMember: Bool)>
    /// Applies changes; returns nil when `maxMembers` would fall below the member count.
    func updateRoom(id: String, changes: RoomChanges, at time: Timestamp, system: SystemEvent?, makeMessage: SystemMessageFactory) async throws -> (Room, StoredMessage?)?
    /// Deletes the room and everything that belongs to it; returns the storage keys of its files.
    func deleteRoom(id: String) async throws -> [String]
    func createInvitation(_ invitation: Invitation) async throws
    func invitation(code: String) async throws -> Invitation?
    /// Joins a room, through an invitation when `invitationID` is given (which must then be valid, unexpired
    /// and not used up), else directly (public rooms). Capacity and uses are checked in the transaction.
    func join(roomID: String, user: PublicUserView, invitationID: String?, at time: Timestamp, makeMessage: SystemMessageFactory) async throws -> JoinOutcome
    /// Removes a member (leave, or removal by `remover`); passes ownership on and deletes an empty room.
    func depart(roomID: String, user: PublicUserView, remover: PublicUserView?, at time: Timestamp, makeMessage: SystemMessageFactory) async throws -> DepartureOutcome?
    /// Sets a member's role; `.owner` transfers ownership (the previous owner becomes a moderator).
    func setRole(roomID: String, target: String, role: RoomRole, actor: PublicUserView, at time: Timestamp, makeMessage: SystemMessageFactory) async throws -> RoleChangeOutcome?
}

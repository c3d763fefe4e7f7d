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
/// capacity, invitation uses and ownership stay consistent under concurrent requests. Calls that take a
/// `RoleRequirement` read the actor's role inside that transaction, after locking the room, and change
/// nothing when it does not permit the write.
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
    /// Applies changes; `.done(nil)` when `maxMembers` would fall below the member count.
    func updateRoom(
        id: String, changes: RoomChanges, requirement: RoleRequirement, at time: Timestamp, system: SystemEvent?,
        makeMessage: SystemMessageFactory
    ) async throws -> Guarded<(Room, StoredMessage?)?>
    /// Deletes the room and everything that belongs to it; returns the storage keys of its files. A room
    /// already gone is refused as if the actor were not a member.
    func deleteRoom(id: String, requirement: RoleRequirement) async throws -> Guarded<[String]>
    /// Stores an invitation made by `requirement.actorID` (its `createdBy`).
    func createInvitation(_ invitation: Invitation, requirement: RoleRequirement) async throws -> Guarded<Void>
    func invitation(code: String) async throws -> Invitation?
    /// Joins a room, through an invitation when `invitation` is given, else directly (public rooms). The
    /// invitation must be valid, unexpired and not used up, and its creator must still meet the requirement
    /// (`actorID` the creator: an invitation is only as good as its creator's right to make it now).
    /// Capacity, uses and the creator's role are checked in the transaction.
    func join(
        roomID: String, user: PublicUserView, invitation: (id: String, creator: RoleRequirement)?, at time: Timestamp,
        makeMessage: SystemMessageFactory
    ) async throws -> JoinOutcome
    /// Removes a member (leave, or removal by `remover`, who must meet `requirement` for the member's role as
    /// read in the transaction); passes ownership on, deletes the invitations the member created, and deletes
    /// an empty room. `.done(nil)` when `user` is not a member.
    func depart(
        roomID: String, user: PublicUserView, remover: (user: PublicUserView, requirement: RoleRequirement)?, at time: Timestamp,
        makeMessage: SystemMessageFactory
    ) async throws -> Guarded<DepartureOutcome?>
    /// Sets a member's role; `.owner` transfers ownership (the previous owner becomes a moderator).
    /// `.done(nil)` when `target` is not a member.
    func setRole(
        roomID: String, target: String, role: RoomRole, actor: PublicUserView, requirement: RoleRequirement, at time: Timestamp,
        makeMessage: SystemMessageFactory
    ) async throws -> Guarded<RoleChangeOutcome?>
}

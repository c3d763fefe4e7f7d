import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import SQLKit
import Testing

@testable import ParleyServer

/// The real store, with a hook that runs just before each guarded write: it changes roles in the database
/// after the service has checked them and before the store writes, which is the race the store's in-transaction
/// check closes. Everything else is passed straight through.
struct RacingStore: RoomStore, MessageStore {
    let base: SQLStore
    let beforeWrite: @Sendable () async throws -> Void

    // MARK: Guarded writes: the hook, then the real store.

    func updateRoom(
        id: String, changes: RoomChanges, requirement: RoleRequirement, at time: Timestamp, system: SystemEvent?, makeMessage: SystemMessageFactory
    ) async throws -> Guarded<(Room, StoredMessage?)?> {
        try await beforeWrite()
        return try await base.updateRoom(id: id, changes: changes, requirement: requirement, at: time, system: system, makeMessage: makeMessage)
    }

    func deleteRoom(id: String, requirement: RoleRequirement) async throws -> Guarded<[String]> {
        try await beforeWrite()
        return try await base.deleteRoom(id: id, requirement: requirement)
    }

    func createInvitation(_ invitation: Invitation, requirement: RoleRequirement) async throws -> Guarded<Void> {
        try await beforeWrite()
        return try await base.createInvitation(invitation, requirement: requirement)
    }

    func depart(
        roomID: String, user: PublicUserView, remover: (user: PublicUserView, requirement: RoleRequirement)?, at time: Timestamp,
        makeMessage: SystemMessageFactory
    ) async throws -> Guarded<DepartureOutcome?> {
        try await beforeWrite()
        return try await base.depart(roomID: roomID, user: user, remover: remover, at: time, makeMessage: makeMessage)
    }

    func setRole(
        roomID: String, target: String, role: RoomRole, actor: PublicUserView, requirement: RoleRequirement, at time: Timestamp,
        makeMessage: SystemMessageFactory
    ) async throws -> Guarded<RoleChangeOutcome?> {
        try await beforeWrite()
        return try await base.setRole(roomID: roomID, target: target, role: role, actor: actor, requirement: requirement, at: time, makeMessage: makeMessage)
    }

    func edit(
        messageID: String, roomID: String, content: String, keyVersion: Int?, searchTokens: SearchTokens?, requirement: RoleRequirement,
        at time: Timestamp
    ) async throws -> Guarded<StoredMessage?> {
        try await beforeWrite()
        return try await base.edit(
            messageID: messageID, roomID: roomID, content: content, keyVersion: keyVersion, searchTokens: searchTokens, requirement: requirement, at: time)
    }

    func tombstone(
        messageID: String, roomID: String, requirement: RoleRequirement, at time: Timestamp
    ) async throws -> Guarded<(message: StoredMessage, fileKeys: [String])?> {
        try await beforeWrite()
        return try await base.tombstone(messageID: messageID, roomID: roomID, requirement: requirement, at: time)
    }

    func addReaction(messageID: String, roomID: String, emoji: String, requirement: RoleRequirement, at time: Timestamp) async throws -> Guarded<Bool> {
        try await beforeWrite()
        return try await base.addReaction(messageID: messageID, roomID: roomID, emoji: emoji, requirement: requirement, at: time)
    }

    func removeReaction(messageID: String, roomID: String, emoji: String, requirement: RoleRequirement) async throws -> Guarded<Bool> {
        try await beforeWrite()
        return try await base.removeReaction(messageID: messageID, roomID: roomID, emoji: emoji, requirement: requirement)
    }

    // MARK: Passed through.

    func createRoom(_ room: Room, owner: Membership, key: StoredRoomKey?) async throws { try await base.createRoom(room, owner: owner, key: key) }
    func room(id: String) async throws -> Room? { try await base.room(id: id) }
    func membership(roomID: String, userID: String) async throws -> Membership? { try await base.membership(roomID: roomID, userID: userID) }
    func members(roomID: String) async throws -> [MemberRecord] { try await base.members(roomID: roomID) }
    func memberIDs(roomID: String) async throws -> [String] { try await base.memberIDs(roomID: roomID) }
    func roomPeers(of userID: String) async throws -> Set<String> { try await base.roomPeers(of: userID) }
    func rooms(of userID: String, search: String?, page: PageRequest) async throws -> Page<RoomListing> {
        try await base.rooms(of: userID, search: search, page: page)
    }
    func discoverRooms(for userID: String, search: String?, page: PageRequest) async throws -> Page<(room: Room, isMember: Bool)> {
        try await base.discoverRooms(for: userID, search: search, page: page)
    }
    func invitation(code: String) async throws -> Invitation? { try await base.invitation(code: code) }
    func join(
        roomID: String, user: PublicUserView, invitation: (id: String, creator: RoleRequirement)?, at time: Timestamp, makeMessage: SystemMessageFactory
    ) async throws -> JoinOutcome {
        try await base.join(roomID: roomID, user: user, invitation: invitation, at: time, makeMessage: makeMessage)
    }
    func roomAccess(roomID: String, userID: String) async throws -> (room: Room, membership: Membership?)? {
        try await base.roomAccess(roomID: roomID, userID: userID)
    }
    func sendAccess(roomID: String, userID: String) async throws -> (room: Room, membership: Membership?, author: User?)? {
        try await base.sendAccess(roomID: roomID, userID: userID)
    }
    func insert(_ batch: [NewMessage], idempotencyWindow: Int64) async throws -> (outcomes: [InsertOutcome], progress: [RoomProgress]) {
        try await base.insert(batch, idempotencyWindow: idempotencyWindow)
    }
    func message(id: String, roomID: String) async throws -> StoredMessage? { try await base.message(id: id, roomID: roomID) }
    func messages(ids: [String], roomID: String) async throws -> [StoredMessage] { try await base.messages(ids: ids, roomID: roomID) }
    func messages(roomID: String, seqRange: ClosedRange<Int64>, descending: Bool) async throws -> [StoredMessage] {
        try await base.messages(roomID: roomID, seqRange: seqRange, descending: descending)
    }
    func messagesForDisplay(roomID: String, seqRange: ClosedRange<Int64>, descending: Bool) async throws -> MessagesForDisplay {
        try await base.messagesForDisplay(roomID: roomID, seqRange: seqRange, descending: descending)
    }
    func seqRange(roomID: String, after: Timestamp?, before: Timestamp?) async throws -> ClosedRange<Int64>? {
        try await base.seqRange(roomID: roomID, after: after, before: before)
    }
    func reactions(messageIDs: [String]) async throws -> [ReactionRecord] { try await base.reactions(messageIDs: messageIDs) }
    func markRead(roomID: String, userID: String, seq: Int64, messageID: String, at time: Timestamp) async throws -> Bool {
        try await base.markRead(roomID: roomID, userID: userID, seq: seq, messageID: messageID, at: time)
    }
}

extension TestServer {
    /// A room service like the server's, over `RacingStore` with `hook` run before each guarded write.
    func racingRooms(_ hook: @escaping @Sendable () async throws -> Void) -> RoomService {
        let app = server
        return RoomService(
            rooms: RacingStore(base: app.store, beforeWrite: hook), users: app.store, keyRing: app.keyRing, broker: app.broker,
            presence: app.presence, blobs: app.blobs, publicBaseURL: app.configuration.publicBaseURL, logger: testLogger())
    }

    /// A message service like the server's, over `RacingStore` with `hook` run before each guarded write.
    func racingMessages(_ hook: @escaping @Sendable () async throws -> Void) -> MessageService {
        let app = server
        return MessageService(
            store: RacingStore(base: app.store, beforeWrite: hook), users: app.store, writer: app.writer, keyRing: app.keyRing,
            broker: app.broker, blobs: app.blobs, attachments: app.store, logger: testLogger())
    }

    /// Changes a role behind the services' back, as a concurrent request committing first would.
    func changeRole(of user: TestUser, to role: RoomRole, in room: String) async throws {
        try await server.store.backend.transaction { database in
            try await database.raw("UPDATE memberships SET role = \(bind: role.rawValue) WHERE room_id = \(bind: room) AND user_id = \(bind: user.id)").run()
        }
    }

    /// Ends a membership behind the services' back, through the store's own departure.
    func removeDirectly(_ user: TestUser, from room: String) async throws {
        let profile = PublicUserView(id: user.id, username: user.username, displayName: user.username, avatarURL: nil)
        _ = try await server.store.depart(roomID: room, user: profile, remover: nil, at: .now()) { event in
            NewMessage(id: Identifiers.uuidV7(), roomID: room, userID: event.actor.id, type: .system, content: "{}", contentKeyVersion: nil, createdAt: .now())
        }
    }

    func role(of user: TestUser, in room: String) async throws -> String? {
        try await server.store.membership(roomID: room, userID: user.id)?.role.rawValue
    }

    func count(_ sql: String, _ bind: String) async throws -> Int {
        try await server.store.backend.read { database in
            try await database.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: sql) = \(bind: bind)").first()?.decode(column: "n", as: Int.self) ?? -1
        }
    }
}

/// Expects `body` to throw a `ParleyError` with `status` and `code`.
func expectRefused(_ status: Int, _ code: ErrorCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async {
    let error = await #expect(throws: ParleyError.self, sourceLocation: sourceLocation) { try await body() }
    #expect(error?.status == status && error?.code == code, "got \(String(describing: error))", sourceLocation: sourceLocation)
}

@Suite("Authorization is checked again in the transaction that writes")
struct AuthorizationRaceTests {
    @Test("a moderator demoted while removing a member is refused and the member stays", arguments: TestEngine.available)
    func removalByDemotedModerator(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let moderator = try await server.register("moderator")
            let member = try await server.register("member")
            let room = try await server.createRoom(owner)
            try await server.addMember(moderator, to: room, by: owner)
            try await server.addMember(member, to: room, by: owner)
            try await server.setRole(moderator, "moderator", in: room, by: owner)
            let messagesBefore = try await server.count("messages WHERE room_id", room)

            let rooms = server.racingRooms { try await server.changeRole(of: moderator, to: .member, in: room) }
            await expectRefused(403, .resourceAccessDenied) {
                try await rooms.removeMember(UserID(trusted: member.id), from: RoomID(trusted: room), by: Identity(userID: moderator.id, sessionID: "s"))
            }
            #expect(try await server.role(of: member, in: room) == "member")
            #expect(try await server.count("messages WHERE room_id", room) == messagesBefore)
        }
    }

    @Test("a moderator removing a member who was just made moderator is refused", arguments: TestEngine.available)
    func removalOfPromotedTarget(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let moderator = try await server.register("moderator")
            let member = try await server.register("member")
            let room = try await server.createRoom(owner)
            try await server.addMember(moderator, to: room, by: owner)
            try await server.addMember(member, to: room, by: owner)
            try await server.setRole(moderator, "moderator", in: room, by: owner)

            let rooms = server.racingRooms { try await server.changeRole(of: member, to: .moderator, in: room) }
            await expectRefused(403, .resourceAccessDenied) {
                try await rooms.removeMember(UserID(trusted: member.id), from: RoomID(trusted: room), by: Identity(userID: moderator.id, sessionID: "s"))
            }
            #expect(try await server.role(of: member, in: room) == "moderator")
        }
    }

    @Test("an owner who handed over ownership meanwhile can no longer change roles", arguments: TestEngine.available)
    func roleChangeAfterTransfer(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let heir = try await server.register("heir")
            let member = try await server.register("member")
            let room = try await server.createRoom(owner)
            try await server.addMember(heir, to: room, by: owner)
            try await server.addMember(member, to: room, by: owner)

            // A concurrent request transfers ownership to the heir (owner becomes moderator) first.
            let rooms = server.racingRooms { try await server.setRole(heir, "owner", in: room, by: owner) }
            await expectRefused(403, .resourceAccessDenied) {
                _ = try await rooms.setRole(of: UserID(trusted: member.id), in: RoomID(trusted: room), to: "owner", by: Identity(userID: owner.id, sessionID: "s"))
            }
            #expect(try await server.role(of: member, in: room) == "member")
            #expect(try await server.role(of: heir, in: room) == "owner")
            #expect(try await server.server.store.room(id: room)?.ownerID == heir.id)
        }
    }

    @Test("a moderator demoted while changing settings is refused and nothing changes", arguments: TestEngine.available)
    func settingsByDemotedModerator(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let moderator = try await server.register("moderator")
            let room = try await server.createRoom(owner, name: "Before")
            try await server.addMember(moderator, to: room, by: owner)
            try await server.setRole(moderator, "moderator", in: room, by: owner)
            let messagesBefore = try await server.count("messages WHERE room_id", room)

            let rooms = server.racingRooms { try await server.changeRole(of: moderator, to: .member, in: room) }
            await expectRefused(403, .resourceAccessDenied) {
                _ = try await rooms.update(RoomID(trusted: room), with: RoomChanges(name: "After"), by: Identity(userID: moderator.id, sessionID: "s"))
            }
            #expect(try await server.server.store.room(id: room)?.name == "Before")
            #expect(try await server.count("messages WHERE room_id", room) == messagesBefore)
        }
    }

    @Test("an owner who lost ownership meanwhile cannot delete the room", arguments: TestEngine.available)
    func deletionByFormerOwner(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let heir = try await server.register("heir")
            let room = try await server.createRoom(owner)
            try await server.addMember(heir, to: room, by: owner)

            let rooms = server.racingRooms { try await server.setRole(heir, "owner", in: room, by: owner) }
            await expectRefused(403, .chatroomOwnerRequired) {
                try await rooms.delete(RoomID(trusted: room), by: Identity(userID: owner.id, sessionID: "s"))
            }
            #expect(try await server.server.store.room(id: room) != nil)
            #expect(try await server.count("memberships WHERE room_id", room) == 2)
        }
    }

    @Test("a moderator removed while inviting to a private room gets no invitation", arguments: TestEngine.available)
    func inviteByRemovedModerator(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let moderator = try await server.register("moderator")
            let room = try await server.createRoom(owner, isPrivate: true)
            try await server.addMember(moderator, to: room, by: owner)
            try await server.setRole(moderator, "moderator", in: room, by: owner)
            let invitationsBefore = try await server.count("invitations WHERE room_id", room)

            let rooms = server.racingRooms { try await server.removeDirectly(moderator, from: room) }
            await expectRefused(403, .chatroomAccessDenied) {
                _ = try await rooms.invite(to: RoomID(trusted: room), maxUses: 5, expiresInHours: 1, by: Identity(userID: moderator.id, sessionID: "s"))
            }
            // And demoted rather than removed: members may not invite to a private room.
            try await server.addMember(moderator, to: room, by: owner)
            try await server.setRole(moderator, "moderator", in: room, by: owner)
            let demoting = server.racingRooms { try await server.changeRole(of: moderator, to: .member, in: room) }
            await expectRefused(403, .resourceAccessDenied) {
                _ = try await demoting.invite(to: RoomID(trusted: room), maxUses: 5, expiresInHours: 1, by: Identity(userID: moderator.id, sessionID: "s"))
            }
            // Only the owner's two invitations for re-adding the moderator were made.
            #expect(try await server.count("invitations WHERE room_id", room) == invitationsBefore + 1)
        }
    }

    @Test("invitations end with their creator's membership or right to invite", arguments: TestEngine.available)
    func invitationsOfDepartedCreators(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let moderator = try await server.register("moderator")
            let guest = try await server.register("guest")
            let room = try await server.createRoom(owner, isPrivate: true)
            try await server.addMember(moderator, to: room, by: owner)
            try await server.setRole(moderator, "moderator", in: room, by: owner)
            let kept = try await server.inviteCode(room, by: owner, maxUses: 5)
            let removedCode = try await server.inviteCode(room, by: moderator, maxUses: 5)
            #expect(try await server.count("invitations WHERE created_by", moderator.id) == 1)

            // Removal deletes the moderator's invitations in the same transaction; the owner's stay.
            let removal = try await server.request(.DELETE, "/chatrooms/\(room)/members/\(moderator.id)", token: owner.accessToken)
            #expect(removal.status == 200 || removal.status == 204)
            #expect(try await server.count("invitations WHERE created_by", moderator.id) == 0)
            let refused = try await server.request(.POST, "/chatrooms/join/\(removedCode)", token: guest.accessToken)
            #expect(refused.status == 400 && refused.json["error"]["details"]["reason"].stringValue == "not_found")

            // A row left from before departures deleted them (creator no longer a member) admits nobody.
            let now = Timestamp.now()
            try await server.server.store.backend.transaction { database in
                try await database.raw("""
                    INSERT INTO invitations (id, room_id, code, created_by, max_uses, current_uses, expires_at, created_at)
                    VALUES (\(bind: Identifiers.uuid()), \(bind: room), 'orphan-code-1', \(bind: moderator.id), 5, 0,
                        \(bind: now.adding(seconds: 3600).milliseconds), \(bind: now.milliseconds))
                    """).run()
            }
            let orphan = try await server.request(.POST, "/chatrooms/join/orphan-code-1", token: guest.accessToken)
            #expect(orphan.status == 400 && orphan.json["error"]["details"]["reason"].stringValue == "not_found")

            // A moderator demoted to member of a private room: their codes stop admitting, and start again if promoted.
            try await server.addMember(moderator, to: room, by: owner)
            try await server.setRole(moderator, "moderator", in: room, by: owner)
            let demotedCode = try await server.inviteCode(room, by: moderator, maxUses: 5)
            try await server.setRole(moderator, "member", in: room, by: owner)
            let demoted = try await server.request(.POST, "/chatrooms/join/\(demotedCode)", token: guest.accessToken)
            #expect(demoted.status == 400 && demoted.json["error"]["details"]["reason"].stringValue == "not_found")
            #expect(try await server.role(of: guest, in: room) == nil)

            let joined = try await server.request(.POST, "/chatrooms/join/\(kept)", token: guest.accessToken)
            #expect(joined.status == 200)
        }
    }

    @Test("a moderator demoted while deleting someone's message is refused and the message stays", arguments: TestEngine.available)
    func deleteByDemotedModerator(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let moderator = try await server.register("moderator")
            let author = try await server.register("author")
            let room = try await server.createRoom(owner)
            try await server.addMember(moderator, to: room, by: owner)
            try await server.addMember(author, to: room, by: owner)
            try await server.setRole(moderator, "moderator", in: room, by: owner)
            let message = try await server.post(sealedContent("keep"), to: room, by: author)
            let id = try #require(message["id"].stringValue)

            let messages = server.racingMessages { try await server.changeRole(of: moderator, to: .member, in: room) }
            await expectRefused(403, .messageDeleteDenied) {
                _ = try await messages.delete(MessageID(trusted: id), in: RoomID(trusted: room), by: Identity(userID: moderator.id, sessionID: "s"))
            }
            let stored = try #require(try await server.server.store.message(id: id, roomID: room))
            #expect(stored.deletedAt == nil && stored.content != nil)
        }
    }

    @Test("a member removed while editing or reacting is refused and nothing changes", arguments: TestEngine.available)
    func editAndReactByRemovedMember(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let author = try await server.register("author")
            let room = try await server.createRoom(owner)
            try await server.addMember(author, to: room, by: owner)
            let message = try await server.post(sealedContent("original"), to: room, by: author)
            let id = try #require(message["id"].stringValue)
            let original = try #require(try await server.server.store.message(id: id, roomID: room))

            let removing = server.racingMessages { try await server.removeDirectly(author, from: room) }
            await expectRefused(403, .chatroomAccessDenied) {
                _ = try await removing.edit(MessageID(trusted: id), in: RoomID(trusted: room), content: sealedContent("changed"), by: Identity(userID: author.id, sessionID: "s"))
            }
            let afterEdit = try #require(try await server.server.store.message(id: id, roomID: room))
            #expect(afterEdit.content == original.content && afterEdit.editedAt == nil)

            try await server.addMember(author, to: room, by: owner)
            await expectRefused(403, .chatroomAccessDenied) {
                _ = try await removing.react(to: MessageID(trusted: id), in: RoomID(trusted: room), emoji: "👍", by: Identity(userID: author.id, sessionID: "s"))
            }
            #expect(try await server.count("reactions WHERE message_id", id) == 0)

            // Own deletion needs membership too.
            try await server.addMember(author, to: room, by: owner)
            await expectRefused(403, .chatroomAccessDenied) {
                _ = try await removing.delete(MessageID(trusted: id), in: RoomID(trusted: room), by: Identity(userID: author.id, sessionID: "s"))
            }
            #expect(try await server.server.store.message(id: id, roomID: room)?.deletedAt == nil)
        }
    }
}

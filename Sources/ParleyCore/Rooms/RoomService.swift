import Foundation
import Logging

/// Input of `POST /chatrooms`, as received.
public struct RoomCreation: Sendable {
    public var name: String?
    public var description: String?
    public var isPrivate: Bool?
    public var maxMembers: Int?
    public var encryptionEnabled: Bool?
    public var autoSummaryEnabled: Bool?
    public var summaryThreshold: Int?

    public init(name: String?, description: String? = nil, isPrivate: Bool? = nil, maxMembers: Int? = nil, encryptionEnabled: Bool? = nil, autoSummaryEnabled: Bool? = nil, summaryThreshold: Int? = nil) {
        self.name = name
        self.description = description
        self.isPrivate = isPrivate
        self.maxMembers = maxMembers
        self.encryptionEnabled = encryptionEnabled
        self.autoSummaryEnabled = autoSummaryEnabled
        self.summaryThreshold = summaryThreshold
    }
}

/// A room with its members, as `GET /chatrooms/{id}` shows it.
public struct RoomDetails: Sendable {
    public let room: Room
    public let members: [MemberView]
    public let role: RoomRole
}

/// Chatrooms, membership, roles and invitations (seed "Chatroom Management Endpoints", API.md §3).
public struct RoomService: Sendable {
    let rooms: any RoomStore
    let users: any UserStore
    let keyRing: KeyRing
    let codec: MessageContentCodec
    let broker: any Broker
    let presence: any PresenceReader
    let blobs: any BlobStore
    let publicBaseURL: String
    let logger: Logger

    public init(
        rooms: any RoomStore, users: any UserStore, keyRing: KeyRing, broker: any Broker, presence: any PresenceReader,
        blobs: any BlobStore, publicBaseURL: String, logger: Logger
    ) {
        self.rooms = rooms
        self.users = users
        self.keyRing = keyRing
        self.codec = MessageContentCodec(keyRing: keyRing)
        self.broker = broker
        self.presence = presence
        self.blobs = blobs
        self.publicBaseURL = publicBaseURL
        self.logger = logger
    }

    // MARK: Rooms

    public func create(_ input: RoomCreation, by identity: Identity) async throws -> Room {
        var validator = Validator()
        let name = validator.text(input.name, field: "name", required: true, length: RoomRules.nameLength)
        let description = validator.text(
            input.description, field: "description", required: false, length: 0...RoomRules.descriptionMaximum, controls: .tabsAndNewlines)
        let maxMembers = validator.integer(input.maxMembers, field: "max_members", range: RoomRules.maxMembersRange)
        let threshold = validator.integer(input.summaryThreshold, field: "summary_threshold", range: RoomRules.summaryThresholdRange)
        try validator.check()
        guard let name else { throw ParleyError.internalError(requestID: nil) }
        let now = Timestamp.now()
        let room = Room(
            id: Identifiers.uuid(), name: name, description: description.flatMap { $0.isEmpty ? nil : $0 },
            ownerID: identity.userID, isPrivate: input.isPrivate ?? false,
            maxMembers: maxMembers ?? RoomRules.defaultMaxMembers, memberCount: 1,
            encryptionEnabled: input.encryptionEnabled ?? true, autoSummaryEnabled: input.autoSummaryEnabled ?? true,
            summaryThreshold: threshold ?? RoomRules.defaultSummaryThreshold, createdAt: now, updatedAt: now)
        let owner = Membership(roomID: room.id, userID: identity.userID, role: .owner, joinedAt: now)
        let key = room.encryptionEnabled ? nil : try keyRing.prepareKey(roomID: room.id, version: 1)
        try await rooms.createRoom(room, owner: owner, key: key?.stored)
        if let key { keyRing.remember(key) }
        return room
    }

    public func list(for identity: Identity, search: String?, page: PageRequest) async throws -> Page<RoomListItemView> {
        let listing = try await rooms.rooms(of: identity.userID, search: try Self.searchTerm(search), page: page)
        var items: [RoomListItemView] = []
        items.reserveCapacity(listing.items.count)
        for entry in listing.items {
            var last: LastMessageView?
            if let (message, username) = entry.lastMessage {
                last = LastMessageView(
                    id: message.id, seq: message.seq, content: try await codec.content(of: message) ?? .null, messageType: message.type,
                    userID: message.userID, username: username, createdAt: message.createdAt)
            }
            items.append(RoomListItemView(room: entry.room, membership: entry.membership, lastMessage: last, unreadCount: entry.unreadCount))
        }
        return Page(items: items, total: listing.total, request: page)
    }

    public func discover(for identity: Identity, search: String?, page: PageRequest) async throws -> Page<DiscoverItemView> {
        let found = try await rooms.discoverRooms(for: identity.userID, search: try Self.searchTerm(search), page: page)
        return Page(items: found.items.map { DiscoverItemView(room: $0.room, isMember: $0.isMember) }, total: found.total, request: page)
    }

    public func details(of roomID: RoomID, for identity: Identity) async throws -> RoomDetails {
        let (room, membership) = try await access(roomID, identity, .view)
        let records = try await rooms.members(roomID: room.id)
        let online = presence.onlineUsers(among: records.map(\.user.id))
        return RoomDetails(room: room, members: records.map { MemberView($0, isOnline: online.contains($0.user.id)) }, role: membership.role)
    }

    public func update(_ roomID: RoomID, with input: RoomChanges, by identity: Identity) async throws -> Room {
        let (room, _) = try await access(roomID, identity, .updateSettings)
        var validator = Validator()
        var changes = RoomChanges()
        if let name = input.name { changes.name = validator.text(name, field: "name", required: true, length: RoomRules.nameLength) }
        if let description = input.description {
            let text = validator.text(
                description ?? "", field: "description", required: false, length: 0...RoomRules.descriptionMaximum, controls: .tabsAndNewlines)
            changes.description = .some(text.flatMap { $0.isEmpty ? nil : $0 })
        }
        changes.maxMembers = validator.integer(input.maxMembers, field: "max_members", range: RoomRules.maxMembersRange)
        changes.summaryThreshold = validator.integer(input.summaryThreshold, field: "summary_threshold", range: RoomRules.summaryThresholdRange)
        changes.autoSummaryEnabled = input.autoSummaryEnabled
        try validator.check()
        if changes.isEmpty { return room }
        let actor = try await users.publicUser(identity.userID)
        var fields: [String] = []
        if changes.name != nil && changes.name != room.name { fields.append("name") }
        if changes.description != nil && changes.description! != room.description { fields.append("description") }
        if changes.maxMembers != nil && changes.maxMembers != room.maxMembers { fields.append("max_members") }
        if changes.autoSummaryEnabled != nil && changes.autoSummaryEnabled != room.autoSummaryEnabled { fields.append("auto_summary_enabled") }
        if changes.summaryThreshold != nil && changes.summaryThreshold != room.summaryThreshold { fields.append("summary_threshold") }
        let event: SystemEvent? = fields.isEmpty ? nil : .settingsChanged(by: actor, fields: fields, newName: fields.contains("name") ? changes.name : nil)
        try await warmKey(for: room)
        let result = try await rooms.updateRoom(
            id: room.id, changes: changes, requirement: RoomPolicy.requirement(.updateSettings, actorID: identity.userID, in: room),
            at: .now(), system: event, makeMessage: systemMessageFactory(for: room))
        guard let (updated, message) = try RoomPolicy.granted(result, .updateSettings, in: room) else {
            throw ParleyError.validation(field: "max_members", "max_members cannot be lower than the current member count (\(room.memberCount))")
        }
        if !fields.isEmpty {
            publish(.chatroomUpdated, ChatroomUpdatedPayload(chatroom: RoomView(updated), updatedBy: identity.userID), to: .room(room.id))
        }
        if let message, let event { publishSystemMessage(message, event: event) }
        return updated
    }

    public func delete(_ roomID: RoomID, by identity: Identity) async throws {
        let (room, _) = try await access(roomID, identity, .deleteRoom)
        let memberIDs = try await rooms.memberIDs(roomID: room.id)
        let fileKeys = try RoomPolicy.granted(
            try await rooms.deleteRoom(id: room.id, requirement: RoomPolicy.requirement(.deleteRoom, actorID: identity.userID, in: room)),
            .deleteRoom, in: room)
        keyRing.forget(roomID: room.id)
        await blobs.delete(keys: fileKeys)
        publish(.chatroomDeleted, ChatroomDeletedPayload(chatroomID: room.id, deletedBy: identity.userID),
                to: .users(Set(memberIDs)), effects: [.dropRoom(roomID: room.id)])
    }

    // MARK: Helpers shared by the room extensions

    /// Loads the room and the caller's membership and applies the policy; 404 for a room that does not exist.
    func access(_ roomID: RoomID, _ identity: Identity, _ action: RoomAction) async throws -> (Room, Membership) {
        guard let room = try await rooms.room(id: roomID.rawValue) else {
            throw ParleyError.notFound(.chatroomNotFound, "Chatroom not found")
        }
        let membership = try await rooms.membership(roomID: room.id, userID: identity.userID)
        try RoomPolicy.authorize(action, role: membership?.role, in: room)
        guard let membership else { throw ParleyError.forbidden(.chatroomAccessDenied, "You are not a member of this chatroom") }
        return (room, membership)
    }

    /// Builds system messages for `room`, sealed for its mode. The room's key is loaded before the store's
    /// transaction opens, so sealing inside it never touches the database.
    func systemMessageFactory(for room: Room) -> SystemMessageFactory {
        let codec = self.codec
        return { event in
            let id = Identifiers.uuidV7()
            let (content, version) = try await codec.store(event.content, messageID: id, in: room)
            return NewMessage(id: id, roomID: room.id, userID: event.actor.id, type: .system, content: content, contentKeyVersion: version, createdAt: .now())
        }
    }

    /// Makes sure a server-readable room's key is in memory before a transaction that seals with it.
    func warmKey(for room: Room) async throws {
        if !room.encryptionEnabled { _ = try await keyRing.currentKey(roomID: room.id) }
    }

    func publishSystemMessage(_ message: StoredMessage, event: SystemEvent) {
        let view = MessageView(message: message, author: event.actor, content: event.content, attachments: [], reactions: [])
        publish(.messageReceived, MessagePayload(message: view), to: .room(message.roomID), seq: message.seq)
    }

    func publish<Payload: Encodable>(_ name: ServerEvent, _ payload: Payload, to audience: Audience, seq: Int64? = nil, effects: [HubEffect] = []) {
        do {
            broker.publish(try OutboundEvent.make(name, payload, to: audience, seq: seq, effects: effects))
        } catch {
            logger.error("Could not encode event", metadata: ["event": .string(name.rawValue), "error": .string("\(error)")])
        }
    }

    static func searchTerm(_ search: String?) throws(ParleyError) -> String? {
        guard let trimmed = search?.trimmingWhitespace(), !trimmed.isEmpty else { return nil }
        try ControlCharacters.check(trimmed, field: "search")
        return String(trimmed.prefix(100))
    }
}

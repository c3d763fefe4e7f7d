import Foundation
import Logging
import NIOCore

/// The fields of `send_message` (WebSocket) and `POST /chatrooms/{id}/messages` (REST): the room id parsed
/// where the request entered, the rest as received (`reply_to` and `attachments` are parsed where they are
/// checked, among the other fields, so that their errors keep their order).
public struct SendInput: Sendable {
    public var roomID: RoomID?
    public var content: JSONValue?
    public var messageType: String?
    public var replyTo: String?
    public var clientID: String?
    public var attachments: [String]?

    public init(roomID: RoomID?, content: JSONValue?, messageType: String? = nil, replyTo: String? = nil, clientID: String? = nil, attachments: [String]? = nil) {
        self.roomID = roomID
        self.content = content
        self.messageType = messageType
        self.replyTo = replyTo
        self.clientID = clientID
        self.attachments = attachments
    }
}

/// Which WebSocket connection sent a message, so that its acknowledgement carries its `request_id`.
public struct SendOrigin: Sendable {
    public let connectionID: String
    public let requestID: String?

    public init(connectionID: String, requestID: String?) {
        self.connectionID = connectionID
        self.requestID = requestID
    }
}

/// A sent message; `duplicate` when the `client_id` had been seen and nothing new was stored.
public struct SendResult: Sendable {
    public let message: MessageView
    public let duplicate: Bool
}

/// A history request, validated.
public struct HistoryQuery: Sendable {
    public var page: PageRequest
    public var before: Timestamp?
    public var after: Timestamp?
    public var afterSeq: Int64?

    public init(page: PageRequest, before: Timestamp? = nil, after: Timestamp? = nil, afterSeq: Int64? = nil) {
        self.page = page
        self.before = before
        self.after = after
        self.afterSeq = afterSeq
    }
}

/// A validated, sealed message ready to be stored.
public struct PreparedSend: Sendable {
    let message: NewMessage
    let author: PublicUserView
    let content: JSONValue
    let attachments: [AttachmentView]
    let onStored: MessageWriter.StoredHandler
}

/// A page of history.
public struct HistoryPage: Sendable {
    public let messages: [MessageView]
    public let page: Int
    public let limit: Int
    public let total: Int
    public let hasMore: Bool
}

/// Sending, reading, editing, deleting and reacting to messages: one path for REST and WebSocket
/// (API.md §4, §5).
public struct MessageService: Sendable {
    let store: any MessageStore
    let users: any UserStore
    let writer: MessageWriter
    let codec: MessageContentCodec
    let broker: any Broker
    let blobs: any BlobStore
    let attachments: any AttachmentSource
    let accessCache: SendAccessCache
    let logger: Logger

    public init(
        store: any MessageStore, users: any UserStore, writer: MessageWriter, keyRing: KeyRing, broker: any Broker,
        blobs: any BlobStore, attachments: any AttachmentSource, accessCache: SendAccessCache = SendAccessCache(), logger: Logger
    ) {
        self.accessCache = accessCache
        self.store = store
        self.users = users
        self.writer = writer
        self.codec = MessageContentCodec(keyRing: keyRing)
        self.broker = broker
        self.blobs = blobs
        self.attachments = attachments
        self.logger = logger
    }

    // MARK: Sending

    public func send(_ input: SendInput, by identity: Identity, origin: SendOrigin? = nil, acceptedAt: UInt64 = 0) async throws -> SendResult {
        let prepared = try await prepareSend(input, by: identity, origin: origin, acceptedAt: acceptedAt)
        return try await finish(prepared, outcome: try await writer.write(prepared.message, onStored: prepared.onStored))
    }

    /// Validates and seals a message without storing it (the first half of a send).
    public func prepareSend(_ input: SendInput, by identity: Identity, origin: SendOrigin? = nil, acceptedAt: UInt64 = 0) async throws -> PreparedSend {
        guard let roomID = input.roomID else {
            throw ParleyError.validation(.validationRequiredField, field: "chatroom_id", "chatroom_id is required")
        }
        let (room, author) = try await sendAccess(roomID, identity)
        let type = try MessageRules.clientType(input.messageType)
        let fileIDs = try attachmentIDs(input.attachments)
        let content = try MessageRules.content(input.content, for: room, allowEmptyText: !fileIDs.isEmpty)
        var clientID: String?
        if let given = input.clientID?.trimmingWhitespace(), !given.isEmpty {
            guard given.count <= MessageRules.clientIDMaximum else {
                throw ParleyError.validation(.validationLengthExceeded, field: "client_id", "client_id must be at most \(MessageRules.clientIDMaximum) characters")
            }
            try ControlCharacters.check(given, field: "client_id")
            clientID = given
        }
        var replyTo: String?
        if let given = input.replyTo, !given.isEmpty {
            guard let parsed = MessageID(parsing: given), try await store.message(id: parsed.rawValue, roomID: room.id) != nil else {
                throw ParleyError.validation(field: "reply_to", "reply_to must name a message of this chatroom")
            }
            replyTo = parsed.rawValue
        }
        let files = try await attachments.claimable(fileIDs.map(\.rawValue), roomID: room.id, uploaderID: identity.userID)
        let id = Identifiers.uuidV7()
        let (stored, keyVersion) = try await codec.store(content, messageID: id, in: room)
        var message = NewMessage(
            id: id, roomID: room.id, userID: identity.userID, type: type, content: stored, contentKeyVersion: keyVersion,
            replyTo: replyTo, clientID: clientID, createdAt: .now(), attachmentIDs: files.map(\.id))
        message.searchTokens = try await searchTokens(for: content, in: room)
        let attachmentViews = files.map(\.view)
        let broker = self.broker
        let logger = self.logger
        let onStored: MessageWriter.StoredHandler = { stored in
            // Runs right after commit, in seq order: this is where the message is published.
            let view = MessageView(message: stored, author: author, content: content, attachments: attachmentViews, reactions: [])
            do {
                let frames = try EventFrame.encodePair(.messageReceived, MessagePayload(message: view), requestID: origin?.requestID)
                broker.publish(OutboundEvent(
                    audience: .room(stored.roomID), name: .messageReceived, frame: frames.plain,
                    seq: stored.seq, acceptedAt: acceptedAt, origin: origin.map { ($0.connectionID, frames.answer) }))
            } catch {
                logger.error("Could not encode message_received", metadata: ["error": "\(error)"])
            }
        }
        return PreparedSend(message: message, author: author, content: content, attachments: attachmentViews, onStored: onStored)
    }

    /// Queues a prepared message without waiting (the second half of a send, for pipelined senders);
    /// sends from one caller keep their order. `completion` gets the stored or earlier message.
    public func submit(_ prepared: PreparedSend, completion: @escaping @Sendable (Result<SendResult, any Error>) -> Void) {
        writer.submit(prepared.message, onStored: prepared.onStored) { result in
            switch result {
            case .failure(let error): completion(.failure(error))
            case .success(.stored(let stored)):
                completion(.success(SendResult(
                    message: MessageView(message: stored, author: prepared.author, content: prepared.content, attachments: prepared.attachments, reactions: []),
                    duplicate: false)))
            case .success(let outcome):
                Task {
                    do {
                        completion(.success(try await self.finish(prepared, outcome: outcome)))
                    } catch {
                        completion(.failure(error))
                    }
                }
            }
        }
    }

    private func finish(_ prepared: PreparedSend, outcome: InsertOutcome) async throws -> SendResult {
        switch outcome {
        case .stored(let stored):
            return SendResult(
                message: MessageView(message: stored, author: prepared.author, content: prepared.content, attachments: prepared.attachments, reactions: []),
                duplicate: false)
        case .duplicate(let earlier):
            return SendResult(message: try await render([earlier]).first!, duplicate: true)
        case .roomGone:
            accessCache.forget(room: prepared.message.roomID)
            throw ParleyError.notFound(.chatroomNotFound, "Chatroom not found")
        case .notMember:
            accessCache.forget(room: prepared.message.roomID, user: prepared.message.userID)
            throw ParleyError.forbidden(.chatroomAccessDenied, "You are not a member of this chatroom")
        }
    }

    // MARK: Reading

    public func history(of roomID: RoomID, query: HistoryQuery, for identity: Identity) async throws -> HistoryPage {
        let (room, _) = try await access(roomID, identity, .view)
        let limit = Int64(query.page.limit)
        let page = Int64(query.page.page)
        // Without time filters the range is 1...last_seq, already read with the room.
        let unfiltered: ClosedRange<Int64>? = room.lastSeq >= 1 ? 1...room.lastSeq : nil
        let filtered = query.after != nil || query.before != nil
        guard var range = filtered ? try await store.seqRange(roomID: room.id, after: query.after, before: query.before) : unfiltered else {
            return HistoryPage(messages: [], page: query.page.page, limit: query.page.limit, total: 0, hasMore: false)
        }
        if let afterSeq = query.afterSeq {
            guard afterSeq < range.upperBound else {
                return HistoryPage(messages: [], page: query.page.page, limit: query.page.limit, total: 0, hasMore: false)
            }
            range = max(range.lowerBound, afterSeq + 1)...range.upperBound
        }
        let total = Int(range.upperBound - range.lowerBound + 1)
        // seq is gap-free, so a page is a seq window: constant cost however deep the page.
        let window: ClosedRange<Int64>?
        let hasMore: Bool
        if query.afterSeq != nil {
            let low = range.lowerBound + (page - 1) * limit
            window = low <= range.upperBound ? low...min(range.upperBound, low + limit - 1) : nil
            hasMore = (window?.upperBound ?? range.upperBound) < range.upperBound
        } else {
            let high = range.upperBound - (page - 1) * limit
            window = high >= range.lowerBound ? max(range.lowerBound, high - limit + 1)...high : nil
            hasMore = (window?.lowerBound ?? range.lowerBound) > range.lowerBound
        }
        guard let window else {
            return HistoryPage(messages: [], page: query.page.page, limit: query.page.limit, total: total, hasMore: false)
        }
        let messages = try await store.messagesForDisplay(roomID: room.id, seqRange: window, descending: query.afterSeq == nil)
        return HistoryPage(messages: try await render(messages), page: query.page.page, limit: query.page.limit, total: total, hasMore: hasMore)
    }

    /// Messages after `afterSeq`, oldest first, for catching up a subscription (access already checked).
    public func catchUp(roomID: String, afterSeq: Int64, through lastSeq: Int64) async throws -> [MessageView] {
        guard afterSeq < lastSeq else { return [] }
        return try await render(try await store.messagesForDisplay(roomID: roomID, seqRange: (afterSeq + 1)...lastSeq, descending: false))
    }

    /// Stored messages as the API shows them: authors, decrypted content, reactions and attachments.
    public func render(_ messages: [StoredMessage]) async throws -> [MessageView] {
        guard !messages.isEmpty else { return [] }
        let authors = Dictionary(try await users.users(ids: messages.map(\.userID)).map { ($0.id, PublicUserView($0)) }, uniquingKeysWith: { a, _ in a })
        let ids = messages.map(\.id)
        let reactions = Dictionary(grouping: try await store.reactions(messageIDs: ids), by: \.messageID).mapValues { $0.map(\.view) }
        let files = try await attachments.attachments(of: ids)
        return try await render(MessagesForDisplay(messages: messages, authors: authors, reactions: reactions, attachments: files))
    }

    /// Messages read with their authors, reactions and attachments, as the API shows them.
    public func render(_ display: MessagesForDisplay) async throws -> [MessageView] {
        var views: [MessageView] = []
        views.reserveCapacity(display.messages.count)
        for message in display.messages {
            let author = display.authors[message.userID]
                ?? PublicUserView(id: message.userID, username: "deleted", displayName: "Deleted user", avatarURL: nil)
            views.append(MessageView(
                message: message, author: author, content: try await codec.content(of: message),
                attachments: display.attachments[message.id] ?? [], reactions: display.reactions[message.id] ?? []))
        }
        return views
    }

    // MARK: Editing, deleting, reacting, reading

    public func edit(_ messageID: MessageID, in roomID: RoomID, content input: JSONValue?, by identity: Identity) async throws -> MessageView {
        let (room, _) = try await access(roomID, identity, .editOwnMessage)
        let message = try await existing(messageID, in: room)
        guard message.userID == identity.userID, message.type != .system, message.deletedAt == nil else {
            throw ParleyError.forbidden(.messageEditDenied, message.deletedAt != nil ? "A deleted message cannot be edited" : "You can edit only your own messages")
        }
        let hasFiles = !(try await attachments.attachments(of: [message.id])[message.id] ?? []).isEmpty
        let content = try MessageRules.content(input, for: room, allowEmptyText: hasFiles)
        let (stored, version) = try await codec.store(content, messageID: message.id, in: room)
        let tokens = try await searchTokens(for: content, in: room)
        let result = try await store.edit(
            messageID: message.id, roomID: room.id, content: stored, keyVersion: version, searchTokens: tokens,
            requirement: RoomPolicy.requirement(.editOwnMessage, actorID: identity.userID, in: room), at: .now())
        guard let edited = try RoomPolicy.granted(result, .editOwnMessage, in: room) else {
            throw ParleyError.notFound(.messageNotFound, "Message not found")
        }
        let view = try await render([edited])[0]
        publish(.messageEdited, MessagePayload(message: view), to: .room(room.id))
        return view
    }

    public func delete(_ messageID: MessageID, in roomID: RoomID, by identity: Identity) async throws -> MessageView {
        let (room, membership) = try await access(roomID, identity, .view)
        let message = try await existing(messageID, in: room)
        guard message.deletedAt == nil else { throw ParleyError.notFound(.messageNotFound, "Message not found or already deleted") }
        let action: RoomAction = message.userID == identity.userID && message.type != .system ? .deleteOwnMessage : .deleteOthersMessage
        try RoomPolicy.authorize(action, role: membership.role, in: room)
        // Checked again where the message is deleted: a moderator demoted since the check above is refused.
        let result = try await store.tombstone(
            messageID: message.id, roomID: room.id, requirement: RoomPolicy.requirement(action, actorID: identity.userID, in: room), at: .now())
        guard let (tombstone, fileKeys) = try RoomPolicy.granted(result, action, in: room) else {
            throw ParleyError.notFound(.messageNotFound, "Message not found or already deleted")
        }
        await blobs.delete(keys: fileKeys)
        publish(.messageDeleted, MessageDeletedPayload(
            chatroomID: room.id, messageID: tombstone.id, seq: tombstone.seq, deletedAt: tombstone.deletedAt ?? .now(),
            deletedBy: identity.userID), to: .room(room.id))
        return try await render([tombstone])[0]
    }

    /// Adds a reaction; returns it and whether it is new (a repeat changes nothing).
    public func react(to messageID: MessageID, in roomID: RoomID, emoji rawEmoji: String?, by identity: Identity) async throws -> (ReactionView, Bool) {
        let emoji = try MessageRules.emoji(rawEmoji)
        let (room, _) = try await access(roomID, identity, .react)
        let message = try await existing(messageID, in: room)
        guard message.deletedAt == nil else { throw ParleyError.notFound(.messageNotFound, "Message not found or deleted") }
        let now = Timestamp.now()
        let added = try RoomPolicy.granted(
            try await store.addReaction(
                messageID: message.id, roomID: room.id, emoji: emoji,
                requirement: RoomPolicy.requirement(.react, actorID: identity.userID, in: room), at: now),
            .react, in: room)
        let user = try await users.publicUser(identity.userID)
        var reaction = ReactionView(userID: user.id, username: user.username, emoji: emoji, createdAt: now)
        if added {
            publish(.reactionAdded, ReactionAddedPayload(chatroomID: room.id, messageID: message.id, reaction: reaction), to: .room(room.id))
        } else if let existing = try await store.reactions(messageIDs: [message.id]).first(where: { $0.view.userID == user.id && $0.view.emoji == emoji }) {
            reaction = existing.view
        }
        return (reaction, added)
    }

    /// Removes the caller's reaction; returns what the room is told (`reaction_removed`).
    @discardableResult
    public func unreact(to messageID: MessageID, in roomID: RoomID, emoji rawEmoji: String?, by identity: Identity) async throws -> ReactionRemovedPayload {
        let emoji = try MessageRules.emoji(rawEmoji)
        let (room, _) = try await access(roomID, identity, .react)
        let message = try await existing(messageID, in: room)
        let removed = try RoomPolicy.granted(
            try await store.removeReaction(
                messageID: message.id, roomID: room.id, emoji: emoji, requirement: RoomPolicy.requirement(.react, actorID: identity.userID, in: room)),
            .react, in: room)
        guard removed else {
            throw ParleyError.notFound(.resourceNotFound, "You have not reacted with \(emoji)")
        }
        let payload = ReactionRemovedPayload(chatroomID: room.id, messageID: message.id, userID: identity.userID, emoji: emoji)
        publish(.reactionRemoved, payload, to: .room(room.id))
        return payload
    }

    /// Moves the caller's read position to a message; returns the receipt when it moved forward.
    @discardableResult
    public func markRead(_ messageID: MessageID, in roomID: RoomID, by identity: Identity) async throws -> ReadReceiptPayload? {
        let (room, _) = try await access(roomID, identity, .markRead)
        let message = try await existing(messageID, in: room)
        let now = Timestamp.now()
        guard try await store.markRead(roomID: room.id, userID: identity.userID, seq: message.seq, messageID: message.id, at: now) else { return nil }
        let receipt = ReadReceiptPayload(chatroomID: room.id, userID: identity.userID, messageID: message.id, seq: message.seq, readAt: now)
        publish(.readReceipt, receipt, to: .room(room.id))
        return receipt
    }

    // MARK: Helpers

    /// What the search index stores for a server-readable message; nil in end-to-end rooms.
    private func searchTokens(for content: JSONValue, in room: Room) async throws -> SearchTokens? {
        guard !room.encryptionEnabled, case .object(let fields) = content, let text = fields["text"]?.stringValue else { return nil }
        return try await codec.keyRing.searchHasher(roomID: room.id).tokens(for: text)
    }

    /// `access(_:_:.send)` and the author's public profile from one read, or from `accessCache` (the
    /// membership it vouched for is checked again when the message is stored).
    private func sendAccess(_ roomID: RoomID, _ identity: Identity) async throws -> (Room, PublicUserView) {
        let id = roomID.rawValue
        if let cached = accessCache.lookup(room: id, user: identity.userID) { return cached }
        guard let (room, membership, author) = try await store.sendAccess(roomID: id, userID: identity.userID) else {
            throw ParleyError.notFound(.chatroomNotFound, "Chatroom not found")
        }
        try RoomPolicy.authorize(.send, role: membership?.role, in: room)
        guard membership != nil else { throw ParleyError.forbidden(.chatroomAccessDenied, "You are not a member of this chatroom") }
        guard let author else { throw ParleyError.notFound(.authUserNotFound, "User account not found") }
        let profile = PublicUserView(author)
        accessCache.remember(room, author: profile, user: identity.userID)
        return (room, profile)
    }

    func access(_ roomID: RoomID, _ identity: Identity, _ action: RoomAction) async throws -> (Room, Membership) {
        guard let (room, membership) = try await store.roomAccess(roomID: roomID.rawValue, userID: identity.userID) else {
            throw ParleyError.notFound(.chatroomNotFound, "Chatroom not found")
        }
        try RoomPolicy.authorize(action, role: membership?.role, in: room)
        guard let membership else { throw ParleyError.forbidden(.chatroomAccessDenied, "You are not a member of this chatroom") }
        return (room, membership)
    }

    private func existing(_ messageID: MessageID, in room: Room) async throws -> StoredMessage {
        guard let message = try await store.message(id: messageID.rawValue, roomID: room.id) else {
            throw ParleyError.notFound(.messageNotFound, "Message not found")
        }
        return message
    }

    /// The attachments' ids, parsed and without repeats; ids that are not UUIDs name no file and are refused
    /// as unknown files are.
    private func attachmentIDs(_ ids: [String]?) throws(ParleyError) -> [FileID] {
        guard let ids, !ids.isEmpty else { return [] }
        guard ids.count <= MessageRules.attachmentsMaximum else {
            throw ParleyError.validation(.validationLengthExceeded, field: "attachments", "at most \(MessageRules.attachmentsMaximum) attachments per message")
        }
        var seen: [FileID] = []
        var invalid: [String] = []
        for text in ids {
            try ControlCharacters.check(text, field: "attachments")
            guard let id = FileID(parsing: text) else {
                invalid.append(text)
                continue
            }
            if !seen.contains(id) { seen.append(id) }
        }
        guard invalid.isEmpty else { throw MessageRules.unclaimableAttachments(invalid) }
        return seen
    }

    func publish<Payload: Encodable>(_ name: ServerEvent, _ payload: Payload, to audience: Audience) {
        do {
            broker.publish(try OutboundEvent.make(name, payload, to: audience))
        } catch {
            logger.error("Could not encode event", metadata: ["event": .string(name.rawValue), "error": .string("\(error)")])
        }
    }
}

import Logging
import NIOCore

/// What a subscription may begin with: the room as read after the join was announced to the hub, and the
/// subscriber's role in it.
public struct SubscriptionGrant: Sendable {
    public let room: Room
    public let role: RoomRole
}

/// A page of replayed messages, oldest first, each encoded once as its `message_received` frame.
public struct CatchUpPage: Sendable {
    public let events: [(seq: Int64, frame: ByteBuffer)]
    /// True when the page was full, so more history may follow it.
    public let mayContinue: Bool
}

/// The domain side of the WebSocket protocol (API.md §6): who may subscribe and what they missed, typing,
/// read positions, presence, sends from a connection and the messages a delivery gap lacks.
///
/// The gateway keeps sockets, frames and timers and asks this service every question whose answer depends
/// on the rooms: the same access rules as REST (`MessageService.access`), read through the store protocols.
public struct RealtimeService: Sendable {
    /// Messages per catch-up page; each page waits for the socket to drain before the next is read.
    public static let catchUpPageSize: Int64 = 500

    let messages: MessageService
    let broker: any Broker
    let typing: TypingTracker
    public let presence: PresenceTracker
    let logger: Logger

    public init(messages: MessageService, broker: any Broker, presence: PresenceTracker, typingExpiry: Duration, logger: Logger) {
        self.messages = messages
        self.broker = broker
        self.presence = presence
        self.logger = logger
        self.typing = TypingTracker(expiry: typingExpiry) { roomID, user, username, isTyping in
            // The typist's own connections do not hear themselves.
            if let event = try? OutboundEvent.make(
                .typingIndicator, TypingPayload(chatroomID: roomID, userID: user.userID, username: username, isTyping: isTyping),
                to: .room(roomID)).excluding(user.userID)
            { broker.publish(event) }
        }
    }

    // MARK: Subscribing

    /// Decides `join_chatroom`: members only. Call after announcing the join to the hub, so that a removal
    /// committed after this read still cancels the join.
    public func authorizeSubscription(to roomID: RoomID, by identity: Identity) async throws -> SubscriptionGrant {
        let (room, membership) = try await messages.access(roomID, identity, .view)
        return SubscriptionGrant(room: room, role: membership.role)
    }

    /// The `chatroom_joined` answer to a granted subscription.
    public func joinedFrame(_ grant: SubscriptionGrant, afterSeq: Int64?, requestID: String?) throws -> ByteBuffer {
        try EventFrame.encode(
            .chatroomJoined, ChatroomJoinedPayload(chatroomID: grant.room.id, lastSeq: grant.room.lastSeq, role: grant.role, afterSeq: afterSeq),
            requestID: requestID)
    }

    /// The next page of messages after `cursor` for a subscription catching up (access already granted).
    public func catchUpPage(roomID: String, after cursor: Int64) async throws -> CatchUpPage {
        let views = try await messages.catchUp(roomID: roomID, afterSeq: cursor, through: cursor + Self.catchUpPageSize)
        let events = try views.map { (seq: $0.seq, frame: try EventFrame.encode(.messageReceived, MessagePayload(message: $0))) }
        return CatchUpPage(events: events, mayContinue: Int64(events.count) == Self.catchUpPageSize)
    }

    /// The messages of `range`, read back for the hub when they did not arrive by themselves; empty when they
    /// cannot be read (the hub then skips the gap rather than stall the room).
    public func missedEvents(roomID: String, range: ClosedRange<Int64>) async -> [OutboundEvent] {
        let views: [MessageView]
        do {
            views = try await messages.catchUp(roomID: roomID, afterSeq: range.lowerBound - 1, through: range.upperBound)
        } catch {
            logger.warning("Could not read missed messages", metadata: ["room": .string(roomID), "error": .string(String(reflecting: error))])
            return []
        }
        return views.compactMap { view in
            (try? EventFrame.encode(.messageReceived, MessagePayload(message: view))).map {
                OutboundEvent(audience: .room(roomID), name: .messageReceived, frame: $0, seq: view.seq)
            }
        }
    }

    // MARK: Typing, reading, presence

    /// `typing_start` / `typing_stop`. A subscription already proved membership; otherwise it is read.
    public func setTyping(_ isTyping: Bool, in roomID: RoomID, by identity: Identity, username: String, subscribed: Bool) async throws {
        if !subscribed { _ = try await messages.access(roomID, identity, .send) }
        if isTyping {
            typing.start(roomID: roomID.rawValue, user: identity, username: username)
        } else {
            typing.stop(roomID: roomID.rawValue, user: identity, username: username)
        }
    }

    /// `message_read`: moves the member's read position forward and tells the room.
    public func markRead(_ messageID: MessageID, in roomID: RoomID, by identity: Identity) async throws {
        _ = try await messages.markRead(messageID, in: roomID, by: identity)
    }

    /// A connection of the user opened.
    public func connected(_ identity: Identity, username: String) {
        presence.connected(identity.userID, username: username)
    }

    /// A connection of the user closed (or began closing).
    public func disconnected(_ identity: Identity, username: String) {
        presence.disconnected(identity.userID, username: username)
    }
}

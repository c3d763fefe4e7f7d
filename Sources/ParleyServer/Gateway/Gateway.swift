import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOWebSocket
import ParleyCore
import Prometheus
import ParleyStore

/// The WebSocket gateway: authenticates upgrades, enforces the connection limit, and turns client events
/// into service calls, answering with server events (API.md §6).
final class Gateway: Sendable {
    let hub: Hub
    let presence: PresenceTracker
    private let auth: AuthService
    private let messages: MessageService
    private let store: SQLStore
    private let broker: any Broker
    private let typing: TypingTracker
    private let limits: ClientEventLimits
    let settings: ConnectionSettings
    let keepers: LoopKeepers
    private let connectionLimit: Int
    let metrics: ParleyMetrics
    private let logger: Logger

    init(
        auth: AuthService, messages: MessageService, store: SQLStore, broker: any Broker, presence: PresenceTracker,
        configuration: ParleyConfiguration, metrics: ParleyMetrics, logger: Logger
    ) {
        self.presence = presence
        self.auth = auth
        self.messages = messages
        self.store = store
        self.broker = broker
        self.metrics = metrics
        self.logger = logger
        self.connectionLimit = configuration.wsConnectionsPerUser
        self.limits = ClientEventLimits(.init(
            events: (configuration.wsEventsPerSecond, configuration.wsEventBurst),
            sends: (configuration.wsSendsPerSecond, configuration.wsSendBurst)))
        self.settings = ConnectionSettings(
            outboundQueueLimit: configuration.wsOutboundQueueLimit, outboundQueueBytes: configuration.wsOutboundQueueBytes,
            pingInterval: .milliseconds(Int64(configuration.wsPingInterval * 1000)),
            pingTimeout: .milliseconds(Int64(configuration.wsPingTimeout * 1000)),
            closeGrace: .seconds(10), slowCloseGrace: .seconds(60), maxMessageBytes: 256 * 1024, inboundHighWater: 256,
            inboundHighWaterBytes: 1 << 20)
        // Each loop looks at its connections once a second, or more often when pings are more frequent.
        self.keepers = LoopKeepers(tick: min(.seconds(1), .nanoseconds(max(settings.pingInterval.nanoseconds / 2, 10_000_000))))
        let messages = self.messages
        self.hub = Hub(metrics: metrics, logger: logger) { roomID, range in
            let views = (try? await messages.catchUp(roomID: roomID, afterSeq: range.lowerBound - 1, through: range.upperBound)) ?? []
            return views.compactMap { view in
                (try? EventFrame.encode("message_received", MessagePayload(message: view))).map {
                    OutboundEvent(audience: .room(roomID), name: "message_received", frame: $0, seq: view.seq)
                }
            }
        }
        self.typing = TypingTracker(expiry: .milliseconds(Int64(configuration.typingExpiry * 1000))) { roomID, user, username, isTyping in
            if let event = try? OutboundEvent.make(
                "typing_indicator", TypingPayload(chatroomID: roomID, userID: user.userID, username: username, isTyping: isTyping),
                to: .room(roomID)).excluding(user.userID)
            { broker.publish(event) }
        }
        let hub = self.hub
        broker.attach { event in hub.receive(event) }
        auth.revocations.addListener { revocation in
            let doomed: [WebSocketConnection]
            switch revocation {
            case .sessions(let ids): doomed = hub.connections { ids.contains($0.identity.sessionID) }
            case .user(let id): doomed = hub.connections { $0.identity.userID == id }
            }
            for connection in doomed { connection.close(code: .policyViolation, reason: "session ended") }
        }
    }

    // MARK: Upgrade

    /// The identity behind an upgrade request's token (query `token`, `Sec-WebSocket-Protocol: bearer.<token>`
    /// or an `Authorization` header), or the error that refuses it.
    func authenticate(uri: String, headers: HTTPHeaders) async -> (Result<Identity, ParleyError>, subprotocol: String?) {
        var token: String?
        var subprotocol: String?
        if let query = URLComponents(string: uri)?.queryItems?.first(where: { $0.name == "token" })?.value, !query.isEmpty {
            token = query
        }
        for value in headers["Sec-WebSocket-Protocol"].flatMap({ $0.split(separator: ",") }) {
            let item = value.trimmingCharacters(in: .whitespaces)
            if item.hasPrefix("bearer.") {
                subprotocol = item
                if token == nil { token = String(item.dropFirst("bearer.".count)) }
            }
        }
        if token == nil, let header = headers.first(name: "Authorization") {
            return (await AuthenticationMiddleware.authenticate(header: header, using: auth), subprotocol)
        }
        guard let token else { return (.failure(.authenticationRequired), subprotocol) }
        return (await AuthenticationMiddleware.authenticate(token: token, using: auth), subprotocol)
    }

    /// Decides an upgrade request: `GET /ws` with a valid token of an existing user, or the error that refuses it.
    func authorizeUpgrade(_ head: HTTPRequestHead, users: any UserStore) async -> Result<(identity: Identity, username: String, subprotocol: String?), ParleyError> {
        guard head.method == .GET, head.uri.split(separator: "?", maxSplits: 1).first == "/ws" else {
            return .failure(.malformedBody("WebSocket upgrades are served on GET /ws only"))
        }
        let (result, subprotocol) = await authenticate(uri: head.uri, headers: head.headers)
        switch result {
        case .failure(let error):
            return .failure(error)
        case .success(let identity):
            guard let user = try? await users.user(id: identity.userID) else { return .failure(.tokenInvalid) }
            return .success((identity, user.username, subprotocol))
        }
    }

    /// The handler of a connection being upgraded, with the socket's buffer marks set for WebSocket traffic.
    func makeConnection(on channel: any Channel, identity: Identity, username: String, logger: Logger) throws -> WebSocketConnection {
        let connection = WebSocketConnection(
            identity: identity, username: username, eventLoop: channel.eventLoop, keeper: keepers.keeper(for: channel.eventLoop),
            settings: settings, metrics: metrics, logger: logger)
        try channel.syncOptions?.setOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 64 * 1024, high: 256 * 1024))
        return connection
    }

    /// A new upgraded connection: registers it (or refuses the one over the limit) and serves it.
    func serve(_ connection: WebSocketConnection) {
        guard hub.register(connection, limit: connectionLimit) else {
            let error = ParleyError(.connectionLimitExceeded, status: 429, "At most \(connectionLimit) WebSocket connections per user",
                                    details: ["limit": .int(connectionLimit)])
            if let frame = try? EventFrame.encode("error", ErrorEventPayload(error)) { connection.send(frame) }
            connection.close(code: .policyViolation, reason: "connection limit exceeded")
            return
        }
        metrics.webSocketConnections.increment()
        presence.connected(connection.identity.userID, username: connection.username)
        logger.debug("WebSocket connected", metadata: ["connection": .string(connection.id), "user_id": .string(connection.identity.userID)])
        Task {
            // Registered first, checked second: a revocation either finds the socket in the hub or is seen here.
            guard await self.auth.sessionStands(connection.identity) else {
                connection.close(code: .policyViolation, reason: "session ended")
                return
            }
            for await text in connection.inbound {
                let bytes = text.readableBytes
                await self.handle(text, from: connection)
                connection.inboundConsumed(bytes: bytes)
            }
        }
        connection.retired.whenComplete { _ in
            self.hub.unregister(connection)
            self.metrics.webSocketConnections.decrement()
            self.presence.disconnected(connection.identity.userID, username: connection.username)
            self.logger.debug("WebSocket closed", metadata: ["connection": .string(connection.id)])
        }
    }

    /// Closes every connection (server shutdown).
    func closeAll() {
        for connection in hub.connections(where: { _ in true }) {
            connection.close(code: .goingAway, reason: "server shutting down")
        }
    }

    // MARK: Client events

    private func handle(_ text: ByteBuffer, from connection: WebSocketConnection) async {
        let acceptedAt = DispatchTime.now().uptimeNanoseconds
        guard let frame = ClientFrame(parsing: text) else {
            reply(error: .malformedBody("Frames must be JSON objects: {\"event\": ..., \"data\": {...}}"), requestID: nil, to: connection)
            return
        }
        let requestID = frame.requestIDText
        let userID = connection.identity.userID
        do {
            do {
                try limits.admitFrame(from: userID)
            } catch {
                metrics.webSocketRateLimited.increment()
                throw error
            }
            switch frame.event {
            case "join_chatroom":
                try admit(.join, connection)
                try await join(frame, connection, requestID: requestID)
            case "leave_chatroom":
                let roomID = try roomID(frame)
                hub.unsubscribe(connection, from: roomID.rawValue)
            case "send_message":
                try admit(.send, connection)
                try await send(frame, connection, requestID: requestID, acceptedAt: acceptedAt)
            case "typing_start", "typing_stop":
                try admit(.typing, connection)
                try await typing(frame, connection)
            case "message_read":
                try admit(.read, connection)
                try await markRead(frame, connection)
            case nil:
                throw ParleyError.validation(.validationRequiredField, field: "event", "event is required")
            case let other?:
                throw ParleyError.validation(field: "event", "Unknown event '\(String(other.prefix(64)))'",
                                             details: ["known": ["join_chatroom", "leave_chatroom", "send_message", "typing_start", "typing_stop", "message_read"]])
            }
        } catch let error as ParleyError {
            reply(error: error, requestID: requestID, to: connection)
        } catch {
            logger.error("WebSocket event failed", metadata: ["event": .string(frame.event ?? ""), "error": .string(String(reflecting: error))])
            reply(error: .internalError(requestID: requestID), requestID: requestID, to: connection)
        }
    }

    private func admit(_ action: ClientAction, _ connection: WebSocketConnection) throws {
        do {
            try limits.admit(action, by: connection.identity.userID)
        } catch {
            metrics.webSocketRateLimited.increment()
            throw error
        }
    }

    /// Subscribes with catch-up. The subscription is announced to the hub before access is read, so a
    /// removal committed meanwhile cancels it; the replay goes in pages, each after the previous one has
    /// drained from the socket, so one join costs what its reader can take, and one at a time per room.
    private func join(_ frame: ClientFrame, _ connection: WebSocketConnection, requestID: String?) async throws {
        let roomID = try roomID(frame).rawValue
        let afterSeq = try frame.integer("after_seq").map(Int64.init)
        if let afterSeq, afterSeq < 0 { throw ParleyError.validation(field: "after_seq", "after_seq must be 0 or more") }
        let ticket = hub.prepareJoin(connection, roomID: roomID)
        let room: Room
        let membership: Membership?
        do {
            guard let access = try await store.roomAccess(roomID: roomID, userID: connection.identity.userID) else {
                throw ParleyError.notFound(.chatroomNotFound, "Chatroom not found")
            }
            (room, membership) = access
            try RoomPolicy.authorize(.view, role: membership?.role, in: room)
            try hub.beginSubscription(connection, ticket: ticket, lastSeq: room.lastSeq, afterSeq: afterSeq)
        } catch let refusal as Hub.JoinRefusal {
            hub.abandonJoin(ticket)
            switch refusal {
            case .removed:
                throw ParleyError(.chatroomAccessDenied, status: 403, "You are no longer a member of this chatroom")
            case .catchUpInProgress:
                metrics.webSocketRateLimited.increment()
                throw ParleyError(.rateLimitExceeded, status: 429, "This connection is still catching up on this chatroom; wait for it to finish",
                                  details: ["scope": "join_chatroom"])
            }
        } catch {
            hub.abandonJoin(ticket)
            throw error
        }
        connection.send(try EventFrame.encode(
            "chatroom_joined", ChatroomJoinedPayload(chatroomID: room.id, lastSeq: room.lastSeq, role: membership?.role ?? .member, afterSeq: afterSeq),
            requestID: requestID))
        do {
            if var cursor = afterSeq {
                // Replay in pages until the stored history is exhausted; live events wait meanwhile.
                while true {
                    let page = try await messages.catchUp(roomID: room.id, afterSeq: cursor, through: cursor + 500)
                    let frames = try page.map { (seq: $0.seq, frame: try EventFrame.encode("message_received", MessagePayload(message: $0))) }
                    // The subscription ended meanwhile (left, removed, closed): nothing more to replay.
                    guard hub.deliverCatchUp(connection, roomID: room.id, events: frames) else { return }
                    guard let last = page.last, page.count == 500 else { break }
                    cursor = last.seq
                    guard await connection.drained() else {
                        hub.abortCatchUp(connection, roomID: room.id)
                        return
                    }
                }
            }
        } catch {
            hub.abortCatchUp(connection, roomID: room.id)
            throw error
        }
        hub.finishCatchUp(connection, roomID: room.id)
    }

    private func send(_ frame: ClientFrame, _ connection: WebSocketConnection, requestID: String?, acceptedAt: UInt64) async throws {
        let content = frame.data?.member("content")
        // The frame's fields are read in the order their errors have always come: every field's form first,
        // then whether the room exists.
        let roomText = try frame.string("chatroom_id") ?? ""
        let messageType = try frame.string("message_type", required: false)
        let replyTo = try frame.string("reply_to", required: false)
        let clientID = try frame.string("client_id", required: false)
        let attachments = try frame.stringArray("attachments")
        let input = SendInput(
            roomID: try IncomingIDs.room(roomText), content: content, messageType: messageType, replyTo: replyTo, clientID: clientID,
            attachments: attachments)
        // Validated in turn, then queued without waiting for the commit: a connection's sends are stored in
        // the order they arrived and many of them share one commit.
        let prepared = try await messages.prepareSend(
            input, by: connection.identity, origin: SendOrigin(connectionID: connection.id, requestID: requestID), acceptedAt: acceptedAt)
        if let roomID = input.roomID { typing.stop(roomID: roomID.rawValue, user: connection.identity, username: connection.username) }
        let logger = self.logger
        messages.submit(prepared) { result in
            switch result {
            case .success(let sent) where sent.duplicate:
                // Nothing was broadcast for a repeat: acknowledge it to the sender alone.
                if let frame = try? EventFrame.encode("message_received", MessagePayload(message: sent.message), requestID: requestID) {
                    connection.send(frame)
                }
            case .success:
                break
            case .failure(let error as ParleyError):
                if let frame = try? EventFrame.encode("error", ErrorEventPayload(error), requestID: requestID) { connection.send(frame) }
            case .failure(let error):
                logger.error("Storing a message failed", metadata: ["error": .string(String(reflecting: error))])
                if let frame = try? EventFrame.encode("error", ErrorEventPayload(.internalError(requestID: requestID)), requestID: requestID) {
                    connection.send(frame)
                }
            }
        }
    }

    private func typing(_ frame: ClientFrame, _ connection: WebSocketConnection) async throws {
        let roomID = try roomID(frame).rawValue
        if !hub.isSubscribed(connection, to: roomID) {
            guard let (room, membership) = try await store.roomAccess(roomID: roomID, userID: connection.identity.userID) else {
                throw ParleyError.notFound(.chatroomNotFound, "Chatroom not found")
            }
            try RoomPolicy.authorize(.send, role: membership?.role, in: room)
        }
        if frame.event == "typing_start" {
            typing.start(roomID: roomID, user: connection.identity, username: connection.username)
        } else {
            typing.stop(roomID: roomID, user: connection.identity, username: connection.username)
        }
    }

    private func markRead(_ frame: ClientFrame, _ connection: WebSocketConnection) async throws {
        let messageText = try frame.string("message_id") ?? ""
        let roomText = try frame.string("chatroom_id") ?? ""
        guard !messageText.isEmpty else {
            throw ParleyError.validation(.validationRequiredField, field: "message_id", "message_id is required")
        }
        let roomID = try IncomingIDs.room(roomText)
        try await messages.markRead(try IncomingIDs.message(messageText), in: roomID, by: connection.identity)
    }

    private func roomID(_ frame: ClientFrame) throws -> RoomID {
        guard let text = try frame.string("chatroom_id") else { throw ParleyError.validation(.validationRequiredField, field: "chatroom_id", "chatroom_id is required") }
        return try IncomingIDs.room(text)
    }

    private func reply(error: ParleyError, requestID: String?, to connection: WebSocketConnection) {
        if let frame = try? EventFrame.encode("error", ErrorEventPayload(error), requestID: requestID) { connection.send(frame) }
    }
}

extension OutboundEvent {
    /// The same event, not delivered to `userID`'s own connections.
    func excluding(_ userID: String) -> OutboundEvent {
        OutboundEvent(audience: audience, name: name, frame: frame, seq: seq, acceptedAt: acceptedAt, effects: effects, origin: origin, excludedUserID: userID)
    }
}

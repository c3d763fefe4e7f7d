import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOWebSocket
import ParleyCore
import Prometheus

/// The WebSocket gateway: authenticates upgrades, enforces the connection limit, and turns client events
/// into `RealtimeService` calls, answering with server events (API.md §6). It keeps sockets, frames and
/// timers; every decision about rooms is the service's.
final class Gateway: Sendable {
    let hub: Hub
    private let auth: AuthService
    private let realtime: RealtimeService
    private let limits: ClientEventLimits
    let settings: ConnectionSettings
    let keepers: LoopKeepers
    private let connectionLimit: Int
    let metrics: ParleyMetrics
    private let logger: Logger

    init(
        auth: AuthService, realtime: RealtimeService, broker: any Broker, configuration: ParleyConfiguration, metrics: ParleyMetrics,
        logger: Logger
    ) {
        self.auth = auth
        self.realtime = realtime
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
        self.hub = Hub(metrics: metrics, logger: logger) { roomID, range in
            await realtime.missedEvents(roomID: roomID, range: range)
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
            if let frame = try? EventFrame.encode(.error, ErrorEventPayload(error)) { connection.send(frame) }
            connection.close(code: .policyViolation, reason: "connection limit exceeded")
            return
        }
        metrics.webSocketConnections.increment()
        realtime.connected(connection.identity, username: connection.username)
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
            self.realtime.disconnected(connection.identity, username: connection.username)
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
        let roomID = try roomID(frame)
        let afterSeq = try frame.integer("after_seq").map(Int64.init)
        if let afterSeq, afterSeq < 0 { throw ParleyError.validation(field: "after_seq", "after_seq must be 0 or more") }
        let ticket = hub.prepareJoin(connection, roomID: roomID.rawValue)
        let grant: SubscriptionGrant
        do {
            grant = try await realtime.authorizeSubscription(to: roomID, by: connection.identity)
            try hub.beginSubscription(connection, ticket: ticket, lastSeq: grant.room.lastSeq, afterSeq: afterSeq)
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
        let room = grant.room
        connection.send(try realtime.joinedFrame(grant, afterSeq: afterSeq, requestID: requestID))
        do {
            if var cursor = afterSeq {
                // Replay in pages until the stored history is exhausted; live events wait meanwhile.
                while true {
                    let page = try await realtime.catchUpPage(roomID: room.id, after: cursor)
                    // The subscription ended meanwhile (left, removed, closed): nothing more to replay.
                    guard hub.deliverCatchUp(connection, roomID: room.id, events: page.events) else { return }
                    guard let last = page.events.last, page.mayContinue else { break }
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
        // Awaited in turn, so this connection's sends are queued in the order they arrived; their answers come
        // through the hub.
        await realtime.send(
            input, by: connection.identity, username: connection.username,
            origin: SendOrigin(connectionID: connection.id, requestID: requestID), acceptedAt: acceptedAt)
    }

    private func typing(_ frame: ClientFrame, _ connection: WebSocketConnection) async throws {
        let roomID = try roomID(frame)
        try await realtime.setTyping(
            frame.event == "typing_start", in: roomID, by: connection.identity, username: connection.username,
            subscribed: hub.isSubscribed(connection, to: roomID.rawValue))
    }

    private func markRead(_ frame: ClientFrame, _ connection: WebSocketConnection) async throws {
        let messageText = try frame.string("message_id") ?? ""
        let roomText = try frame.string("chatroom_id") ?? ""
        guard !messageText.isEmpty else {
            throw ParleyError.validation(.validationRequiredField, field: "message_id", "message_id is required")
        }
        let roomID = try IncomingIDs.room(roomText)
        try await realtime.markRead(try IncomingIDs.message(messageText), in: roomID, by: connection.identity)
    }

    private func roomID(_ frame: ClientFrame) throws -> RoomID {
        guard let text = try frame.string("chatroom_id") else { throw ParleyError.validation(.validationRequiredField, field: "chatroom_id", "chatroom_id is required") }
        return try IncomingIDs.room(text)
    }

    private func reply(error: ParleyError, requestID: String?, to connection: WebSocketConnection) {
        if let frame = try? EventFrame.encode(.error, ErrorEventPayload(error), requestID: requestID) { connection.send(frame) }
    }
}

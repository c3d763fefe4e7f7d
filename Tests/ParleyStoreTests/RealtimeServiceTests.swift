import Foundation
import NIOCore
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Synchronization
import Testing

/// `RealtimeService` against a real store, without a server: the decisions the gateway delegates (who may
/// subscribe, what a catch-up or a gap reads, typing, presence, read positions, the answers to a send),
/// observed as the events it publishes on a real broker.
@Suite("Realtime service on a real store")
struct RealtimeServiceTests {
    /// Every event published on the broker, in order.
    final class Published: Sendable {
        private let events = Mutex<[OutboundEvent]>([])

        func record(_ event: OutboundEvent) { events.withLock { $0.append(event) } }
        var all: [OutboundEvent] { events.withLock { $0 } }

        /// The first event matching `predicate`, waiting up to 30 seconds for it (a loaded machine with a shared PostgreSQL is slow).
        func first(where predicate: (OutboundEvent) -> Bool) async throws -> OutboundEvent? {
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                if let event = all.first(where: predicate) { return event }
                try await Task.sleep(for: .milliseconds(5))
            }
            return nil
        }
    }

    /// The services as the server wires them, on one store; alice owns a server-readable room bob has joined.
    struct Rig {
        let store: SQLStore
        let published = Published()
        let messages: MessageService
        /// Runs while the rig is in use, as the server's lifecycle runs it.
        let writer: MessageWriter
        let rooms: RoomService
        let realtime: RealtimeService
        let alice: Identity
        let bob: Identity
        let carol: Identity
        let room: Room

        init(store: SQLStore, directory: String) async throws {
            self.store = store
            let logger = testLogger()
            let broker = InProcessBroker()
            let published = self.published
            broker.attach { published.record($0) }
            let keyRing = KeyRing(masterKey: (0..<32).map { _ in UInt8.random(in: 0...255) }, store: store)
            let blobs = try FileBlobStore(root: directory + "/files")
            let presence = PresenceTracker(grace: .milliseconds(100), peers: store, broker: broker)
            rooms = RoomService(
                rooms: store, users: store, keyRing: keyRing, broker: broker, presence: presence, blobs: blobs,
                publicBaseURL: "http://localhost", logger: logger)
            let writer = MessageWriter(store: store, logger: logger)
            self.writer = writer
            messages = MessageService(
                store: store, users: store, writer: writer, keyRing: keyRing, broker: broker,
                blobs: blobs, attachments: store, logger: logger)
            realtime = RealtimeService(messages: messages, broker: broker, presence: presence, typingExpiry: .milliseconds(150), logger: logger)
            var identities: [Identity] = []
            for name in ["alice", "bob", "carol"] {
                let user = makeUser(name)
                try await store.createUser(user)
                identities.append(Identity(userID: user.id, sessionID: Identifiers.uuid()))
            }
            alice = identities[0]
            bob = identities[1]
            carol = identities[2]
            let created = try await rooms.create(RoomCreation(name: "General", encryptionEnabled: false), by: alice)
            _ = try await rooms.joinPublic(RoomID(trusted: created.id), by: bob)
            room = try #require(try await store.room(id: created.id))
        }

        func say(_ text: String, by identity: Identity) async throws -> MessageView {
            try await messages.send(SendInput(roomID: RoomID(trusted: room.id), content: .object(["text": .string(text)])), by: identity).message
        }
    }

    private func withRig(_ engine: TestEngine, _ body: (Rig) async throws -> Void) async throws {
        try await withStore(engine) { store, database in
            let rig = try await Rig(store: store, directory: database.directory)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await rig.writer.run() }
                // Also when body throws: run() returns once the writer has finished.
                defer { rig.writer.finish() }
                try await body(rig)
            }
        }
    }

    private func code(_ frame: ByteBuffer) -> String? {
        let text = String(buffer: frame)
        guard let range = text.range(of: "\"code\":\"") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test("members are granted a subscription with the room's latest seq; others are refused", arguments: TestEngine.available)
    func subscriptionAccess(engine: TestEngine) async throws {
        try await withRig(engine) { rig in
            _ = try await rig.say("one", by: rig.alice)
            let last = try await rig.say("two", by: rig.bob)
            let grant = try await rig.realtime.authorizeSubscription(to: try #require(RoomID(parsing: rig.room.id.uppercased())), by: rig.bob)
            #expect(grant.room.id == rig.room.id && grant.room.lastSeq == last.seq && grant.role == .member)
            #expect(try await rig.realtime.authorizeSubscription(to: RoomID(trusted: rig.room.id), by: rig.alice).role == .owner)
            let joined = String(buffer: try rig.realtime.joinedFrame(grant, afterSeq: 1, requestID: "r1"))
            #expect(joined.hasPrefix("{\"event\":\"chatroom_joined\"") && joined.contains("\"last_seq\":\(last.seq)") && joined.hasSuffix("\"request_id\":\"r1\"}"))
            await #expect(throws: ParleyError.forbidden(.chatroomAccessDenied, "You are not a member of this chatroom")) {
                try await rig.realtime.authorizeSubscription(to: RoomID(trusted: rig.room.id), by: rig.carol)
            }
            await #expect(throws: ParleyError.notFound(.chatroomNotFound, "Chatroom not found")) {
                try await rig.realtime.authorizeSubscription(to: RoomID.random(), by: rig.alice)
            }
        }
    }

    @Test("catch-up pages and gap reads come from the store, oldest first, as message_received frames", arguments: TestEngine.available)
    func catchUpAndGaps(engine: TestEngine) async throws {
        try await withRig(engine) { rig in
            var sent: [MessageView] = []
            for text in ["a", "b", "c"] { sent.append(try await rig.say(text, by: rig.alice)) }
            let page = try await rig.realtime.catchUpPage(roomID: rig.room.id, after: sent[0].seq)
            #expect(page.events.map(\.seq) == [sent[1].seq, sent[2].seq])
            #expect(!page.mayContinue)
            #expect(page.events.allSatisfy { String(buffer: $0.frame).hasPrefix("{\"event\":\"message_received\",\"data\":{\"message\":") })
            #expect(String(buffer: page.events[1].frame).contains("\"text\":\"c\""))
            #expect(try await rig.realtime.catchUpPage(roomID: rig.room.id, after: sent[2].seq).events.isEmpty)
            let missed = await rig.realtime.missedEvents(roomID: rig.room.id, range: sent[1].seq...sent[2].seq)
            #expect(missed.map(\.seq) == [sent[1].seq, sent[2].seq])
            #expect(missed.allSatisfy { $0.audience == .room(rig.room.id) && $0.name == .messageReceived })
            // Past the end there is nothing to read; the hub then skips the gap.
            #expect(await rig.realtime.missedEvents(roomID: rig.room.id, range: (sent[2].seq + 1)...(sent[2].seq + 5)).isEmpty)
        }
    }

    @Test("typing is announced to the room but not the typist, expires by itself, and needs membership", arguments: TestEngine.available)
    func typing(engine: TestEngine) async throws {
        try await withRig(engine) { rig in
            try await rig.realtime.setTyping(true, in: RoomID(trusted: rig.room.id), by: rig.bob, username: "bob", subscribed: false)
            let started = try #require(try await rig.published.first { $0.name == .typingIndicator })
            #expect(started.audience == .room(rig.room.id) && started.excludedUserID == rig.bob.userID)
            #expect(String(buffer: started.frame).contains("\"is_typing\":true"))
            // A repeat while typing announces nothing; the state then expires by itself.
            try await rig.realtime.setTyping(true, in: RoomID(trusted: rig.room.id), by: rig.bob, username: "bob", subscribed: true)
            let stopped = try #require(try await rig.published.first {
                $0.name == .typingIndicator && String(buffer: $0.frame).contains("\"is_typing\":false")
            })
            #expect(stopped.excludedUserID == rig.bob.userID)
            #expect(rig.published.all.filter { $0.name == .typingIndicator }.count == 2)
            await #expect(throws: ParleyError.forbidden(.chatroomAccessDenied, "You are not a member of this chatroom")) {
                try await rig.realtime.setTyping(true, in: RoomID(trusted: rig.room.id), by: rig.carol, username: "carol", subscribed: false)
            }
            #expect(rig.published.all.filter { $0.name == .typingIndicator }.count == 2)
        }
    }

    @Test("a send's acknowledgement, repeat and refusal all travel the broker to the sending connection", arguments: TestEngine.available)
    func sendAnswers(engine: TestEngine) async throws {
        try await withRig(engine) { rig in
            let origin = SendOrigin(connectionID: "connection-1", requestID: "q1")
            let input = SendInput(roomID: RoomID(trusted: rig.room.id), content: .object(["text": .string("hello")]), clientID: "c-1")
            await rig.realtime.send(input, by: rig.bob, username: "bob", origin: origin, acceptedAt: 0)
            let stored = try #require(try await rig.published.first { $0.name == .messageReceived && $0.origin != nil })
            #expect(stored.audience == .room(rig.room.id) && stored.origin?.connectionID == "connection-1")
            #expect(String(buffer: try #require(stored.origin?.frame)).hasSuffix("\"request_id\":\"q1\"}"))
            #expect(!String(buffer: stored.frame).contains("request_id"))

            // The same client_id again: nothing new is stored, the sender alone hears of the earlier message.
            await rig.realtime.send(input, by: rig.bob, username: "bob", origin: SendOrigin(connectionID: "connection-1", requestID: "q2"), acceptedAt: 0)
            let repeated = try #require(try await rig.published.first { $0.audience == .connection("connection-1") })
            #expect(repeated.name == .messageReceived && repeated.seq == nil)
            let repeatedText = String(buffer: repeated.frame)
            #expect(repeatedText.contains("\"seq\":\(try #require(stored.seq))") && repeatedText.hasSuffix("\"request_id\":\"q2\"}"))
            #expect(try await rig.store.room(id: rig.room.id)?.lastSeq == stored.seq)

            // Refusals, before and after validation, take the same route.
            await rig.realtime.send(
                SendInput(roomID: RoomID(trusted: rig.room.id), content: .object(["text": .string("no")])), by: rig.carol, username: "carol",
                origin: SendOrigin(connectionID: "connection-2", requestID: nil), acceptedAt: 0)
            let refused = try #require(try await rig.published.first { $0.audience == .connection("connection-2") })
            #expect(refused.name == .error && code(refused.frame) == "CHATROOM_ACCESS_DENIED")
            await rig.realtime.send(
                SendInput(roomID: nil, content: nil), by: rig.bob, username: "bob",
                origin: SendOrigin(connectionID: "connection-3", requestID: "q3"), acceptedAt: 0)
            let invalid = try #require(try await rig.published.first { $0.audience == .connection("connection-3") })
            #expect(invalid.name == .error && code(invalid.frame) == "VALIDATION_REQUIRED_FIELD")
            #expect(String(buffer: invalid.frame).hasSuffix("\"request_id\":\"q3\"}"))
            #expect(try await rig.store.room(id: rig.room.id)?.lastSeq == stored.seq)
        }
    }

    @Test("a send ends the sender's typing state", arguments: TestEngine.available)
    func sendStopsTyping(engine: TestEngine) async throws {
        try await withRig(engine) { rig in
            try await rig.realtime.setTyping(true, in: RoomID(trusted: rig.room.id), by: rig.bob, username: "bob", subscribed: true)
            await rig.realtime.send(
                SendInput(roomID: RoomID(parsing: rig.room.id.uppercased()), content: .object(["text": .string("done")])), by: rig.bob, username: "bob",
                origin: SendOrigin(connectionID: "c", requestID: nil), acceptedAt: 0)
            let stopped = try #require(try await rig.published.first {
                $0.name == .typingIndicator && String(buffer: $0.frame).contains("\"is_typing\":false")
            })
            #expect(stopped.audience == .room(rig.room.id))
        }
    }

    @Test("a read position moves forward only and is announced to the room", arguments: TestEngine.available)
    func readPositions(engine: TestEngine) async throws {
        try await withRig(engine) { rig in
            let first = try await rig.say("first", by: rig.alice)
            let second = try await rig.say("second", by: rig.alice)
            try await rig.realtime.markRead(MessageID(trusted: second.id), in: RoomID(trusted: rig.room.id), by: rig.bob)
            let receipt = try #require(try await rig.published.first { $0.name == .readReceipt })
            #expect(receipt.audience == .room(rig.room.id) && String(buffer: receipt.frame).contains("\"seq\":\(second.seq)"))
            try await rig.realtime.markRead(MessageID(trusted: first.id), in: RoomID(trusted: rig.room.id), by: rig.bob)
            #expect(rig.published.all.filter { $0.name == .readReceipt }.count == 1)
            await #expect(throws: ParleyError.self) { try await rig.realtime.markRead(MessageID(trusted: second.id), in: RoomID(trusted: rig.room.id), by: rig.carol) }
        }
    }

    @Test("presence is announced to those who share a room, and a reconnect within the grace announces nothing", arguments: TestEngine.available)
    func presence(engine: TestEngine) async throws {
        try await withRig(engine) { rig in
            rig.realtime.connected(rig.bob, username: "bob")
            let online = try #require(try await rig.published.first { $0.name == .userOnline })
            guard case .users(let audience) = online.audience else { throw TestFailure("user_online went to \(online.audience)") }
            #expect(audience.contains(rig.alice.userID) && !audience.contains(rig.carol.userID))
            #expect(rig.realtime.presence.onlineUsers(among: [rig.bob.userID, rig.carol.userID]) == [rig.bob.userID])
            // Closing and reopening within the grace period: still online, nothing announced.
            rig.realtime.disconnected(rig.bob, username: "bob")
            rig.realtime.connected(rig.bob, username: "bob")
            try await Task.sleep(for: .milliseconds(250))
            #expect(rig.published.all.filter { $0.name == .userOffline || $0.name == .userOnline }.count == 1)
            rig.realtime.disconnected(rig.bob, username: "bob")
            let offline = try #require(try await rig.published.first { $0.name == .userOffline })
            #expect(offline.audience == online.audience)
            #expect(rig.realtime.presence.onlineUsers(among: [rig.bob.userID]).isEmpty)
            // Someone who shares no room is announced to nobody.
            rig.realtime.connected(rig.carol, username: "carol")
            try await Task.sleep(for: .milliseconds(100))
            #expect(rig.published.all.filter { $0.name == .userOnline }.count == 1)
        }
    }
}

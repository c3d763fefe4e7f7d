import Logging
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Synchronization
import Testing

/// The message writer against a real store: batching, a failed batch, order, and finishing.
@Suite("Message writer")
struct MessageWriterTests {
    /// What the writer reported: stored messages in `onStored` order, answers by message id, batches.
    final class Observed: Sendable {
        private struct State {
            var published: [StoredMessage] = []
            var answers: [String: Result<InsertOutcome, any Error>] = [:]
            var batchSizes: [Int] = []
        }
        private let state = Mutex(State())

        func published(_ message: StoredMessage) { state.withLock { $0.published.append(message) } }
        func answer(_ id: String, _ result: Result<InsertOutcome, any Error>) { state.withLock { $0.answers[id] = result } }
        func batch(_ size: Int) { state.withLock { $0.batchSizes.append(size) } }

        var publishedMessages: [StoredMessage] { state.withLock { $0.published } }
        var answers: [String: Result<InsertOutcome, any Error>] { state.withLock { $0.answers } }
        var batchSizes: [Int] { state.withLock { $0.batchSizes } }
    }

    /// A room with one member; returns the room and member ids.
    private func room(in store: SQLStore) async throws -> (room: String, member: String) {
        let alice = makeUser("alice")
        try await store.createUser(alice)
        let now = Timestamp.now()
        let room = Room(
            id: Identifiers.uuid(), name: "writer", description: nil, ownerID: alice.id, isPrivate: false, maxMembers: 10,
            memberCount: 1, encryptionEnabled: false, autoSummaryEnabled: false, summaryThreshold: 100, createdAt: now, updatedAt: now)
        try await store.createRoom(room, owner: Membership(roomID: room.id, userID: alice.id, role: .owner, joinedAt: now), key: nil)
        return (room.id, alice.id)
    }

    private func message(_ room: String, _ author: String, id: String = Identifiers.uuidV7()) -> NewMessage {
        NewMessage(id: id, roomID: room, userID: author, type: .text, content: "{\"text\":\"hi\"}", contentKeyVersion: nil, createdAt: .now())
    }

    /// A writer whose batches `observed` counts.
    private func writer(_ store: SQLStore, maximumBatch: Int, _ observed: Observed) -> MessageWriter {
        let writer = MessageWriter(store: store, maximumBatch: maximumBatch, logger: testLogger())
        writer.onProgress { _, stored in observed.batch(stored) }
        return writer
    }

    private func submit(_ message: NewMessage, to writer: MessageWriter, _ observed: Observed) {
        writer.submit(message, onStored: { observed.published($0) }, completion: { observed.answer(message.id, $0) })
    }

    @Test("queued messages are stored in batches of at most the maximum, in order, with gap-free seq", arguments: TestEngine.available)
    func batchesInOrder(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let (roomID, member) = try await room(in: store)
            let observed = Observed()
            let writer = writer(store, maximumBatch: 64, observed)
            let messages = (0..<300).map { _ in message(roomID, member) }
            // Queued before the writer runs: it must gather them into full batches.
            for message in messages { submit(message, to: writer, observed) }
            writer.finish()
            await writer.run()

            #expect(observed.batchSizes == [64, 64, 64, 64, 44])
            let answers = observed.answers
            let seqs = try messages.map { message -> Int64 in
                guard case .success(.stored(let stored)) = answers[message.id] else { throw TestFailure("\(message.id) was not stored") }
                return stored.seq
            }
            #expect(seqs == Array(1...300))
            // Published in seq order, each before its sender was answered.
            #expect(observed.publishedMessages.map(\.id) == messages.map(\.id))
            let stored = try await store.messages(roomID: roomID, seqRange: 1...1000, descending: false)
            #expect(stored.map(\.id) == messages.map(\.id))
        }
    }

    @Test("a failed batch is retried message by message: only the bad message fails and order holds", arguments: TestEngine.available)
    func failedBatchRetried(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let (roomID, member) = try await room(in: store)
            let earlier = message(roomID, member)
            _ = try await store.insert([earlier], idempotencyWindow: MessageWriter.idempotencyWindow)

            let observed = Observed()
            let writer = writer(store, maximumBatch: 512, observed)
            let before = (0..<5).map { _ in message(roomID, member) }
            // Reuses a stored message's id: the primary key refuses it, and with it the whole first transaction.
            let bad = message(roomID, member, id: earlier.id)
            let after = (0..<5).map { _ in message(roomID, member) }
            for message in before + [bad] + after { submit(message, to: writer, observed) }
            writer.finish()
            await writer.run()

            let answers = observed.answers
            guard case .failure = answers[bad.id] else {
                Issue.record("the message reusing an id was not refused: \(String(describing: answers[bad.id]))")
                return
            }
            let seqs = try (before + after).map { message -> Int64 in
                guard case .success(.stored(let stored)) = answers[message.id] else { throw TestFailure("\(message.id) was not stored") }
                return stored.seq
            }
            // The earlier message has seq 1; the failed one took none.
            #expect(seqs == Array(2...11))
            // The batch of eleven failed once, then ten were stored one per transaction.
            #expect(observed.batchSizes == Array(repeating: 1, count: 10))
            let stored = try await store.messages(roomID: roomID, seqRange: 1...100, descending: false)
            #expect(stored.map(\.id) == [earlier.id] + (before + after).map(\.id))
        }
    }

    @Test("after finish every queued message is answered and later ones are refused as unavailable", arguments: TestEngine.available)
    func finishAnswersEveryone(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let (roomID, member) = try await room(in: store)
            let observed = Observed()
            let writer = writer(store, maximumBatch: 16, observed)
            let running = Task { await writer.run() }
            let queued = (0..<100).map { _ in message(roomID, member) }
            for message in queued { submit(message, to: writer, observed) }
            writer.finish()
            let late = message(roomID, member)
            submit(late, to: writer, observed)
            // Refused at once, before the writer has returned.
            guard case .failure(let error as ParleyError) = observed.answers[late.id] else {
                Issue.record("a send after finish was not refused at once")
                return
            }
            #expect(error.code == .serviceUnavailable)
            await running.value

            let answers = observed.answers
            for message in queued {
                guard case .success(.stored) = answers[message.id] else {
                    Issue.record("queued message \(message.id) was not stored: \(String(describing: answers[message.id]))")
                    continue
                }
            }
            let stored = try await store.messages(roomID: roomID, seqRange: 1...1000, descending: false)
            #expect(stored.map(\.id) == queued.map(\.id))
        }
    }
}

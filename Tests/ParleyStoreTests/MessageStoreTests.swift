import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@Suite("Store conformance: message inserts")
struct MessageStoreTests {
    private static let day: Int64 = 24 * 3600 * 1000

    @Test("a batch numbers each room's messages in batch order, from where the room left off", arguments: TestEngine.available)
    func seqPerRoom(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let author = try await storedUsers(store, ["author"])[0]
            let first = try await makeRoom(store, owner: author)
            let second = try await makeRoom(store, owner: author)
            let batch = (0..<6).map { textMessage(author, $0.isMultiple(of: 2) ? first : second, "m\($0)") }
            let (outcomes, progress) = try await store.insert(batch, idempotencyWindow: Self.day)
            let stored = try outcomes.map { outcome -> StoredMessage in
                guard case .stored(let message) = outcome else { throw TestFailure("\(outcome)") }
                return message
            }
            #expect(stored.map(\.seq) == [1, 1, 2, 2, 3, 3])
            #expect(stored.map(\.id) == batch.map(\.id) && stored.map(\.content) == batch.map(\.content))
            #expect(Set(progress.map(\.roomID)) == [first.id, second.id] && progress.allSatisfy { $0.lastSeq == 3 })
            let more = try await store.insert([textMessage(author, first, "later")], idempotencyWindow: Self.day)
            guard case .stored(let later) = more.outcomes[0] else { Issue.record("\(more.outcomes)"); return }
            #expect(later.seq == 4)
            let read = try await store.messages(roomID: first.id, seqRange: 1...4, descending: false)
            #expect(read.map(\.content) == ["m0", "m2", "m4", "later"])
            #expect(try await store.room(id: first.id)?.lastSeq == 4)
        }
    }

    @Test("a client_id repeated by the same sender resolves to the first message, in one batch or later; another sender's is new", arguments: TestEngine.available)
    func idempotency(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let users = try await storedUsers(store, ["alice", "bob"])
            let room = try await makeRoom(store, owner: users[0])
            _ = try await store.join(roomID: room.id, user: PublicUserView(users[1]), invitation: nil, at: .now(), makeMessage: plainSystemMessages(roomID: room.id))
            let original = textMessage(users[0], room, "once", clientID: "c-1")
            let (outcomes, _) = try await store.insert(
                [original, textMessage(users[0], room, "again", clientID: "c-1"), textMessage(users[1], room, "bob's", clientID: "c-1")],
                idempotencyWindow: Self.day)
            guard case .stored(let stored) = outcomes[0], case .duplicate(let repeated) = outcomes[1], case .stored(let bobs) = outcomes[2] else {
                Issue.record("\(outcomes)"); return
            }
            #expect(repeated == stored && stored.content == "once")
            #expect(bobs.seq == stored.seq + 1)
            let later = try await store.insert([textMessage(users[0], room, "retry", clientID: "c-1")], idempotencyWindow: Self.day)
            #expect(later.outcomes == [.duplicate(stored)])
            // Outside the window the same client_id is a new message.
            let afterWindow = try await store.insert(
                [textMessage(users[0], room, "next day", clientID: "c-1", at: stored.createdAt.adding(seconds: 24 * 3600 + 1))],
                idempotencyWindow: Self.day)
            guard case .stored(let fresh) = afterWindow.outcomes[0] else { Issue.record("\(afterWindow.outcomes)"); return }
            #expect(fresh.id != stored.id && fresh.seq == bobs.seq + 1)
        }
    }

    @Test("a non-member's message is refused, and a system message for a room that is gone is roomGone, without using a seq", arguments: TestEngine.available)
    func refusals(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let users = try await storedUsers(store, ["member", "outsider"])
            let room = try await makeRoom(store, owner: users[0])
            let missingRoom = Identifiers.uuid()
            let (outcomes, _) = try await store.insert(
                [textMessage(users[1], room, "let me in"), textMessage(users[0], room, "hello"),
                 NewMessage(id: Identifiers.uuidV7(), roomID: missingRoom, userID: users[0].id, type: .text, content: "void", contentKeyVersion: nil, createdAt: .now()),
                 NewMessage(id: Identifiers.uuidV7(), roomID: missingRoom, userID: users[0].id, type: .system, content: "void", contentKeyVersion: nil, createdAt: .now())],
                idempotencyWindow: Self.day)
            // Membership is checked first, so a user's message to a missing room is a non-member's.
            #expect(outcomes[0] == .notMember && outcomes[2] == .notMember && outcomes[3] == .roomGone, "\(outcomes)")
            guard case .stored(let hello) = outcomes[1] else { Issue.record("\(outcomes)"); return }
            #expect(hello.seq == 1)
            #expect(try await store.messages(roomID: room.id, seqRange: 1...10, descending: false).map(\.content) == ["hello"])
        }
    }

    @Test("created_at never goes backwards within a room, even when a later message carries an earlier clock", arguments: TestEngine.available)
    func monotonicTime(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let author = try await storedUsers(store, ["author"])[0]
            let room = try await makeRoom(store, owner: author)
            let now = Timestamp.now()
            _ = try await store.insert([textMessage(author, room, "first", at: now)], idempotencyWindow: Self.day)
            let (outcomes, _) = try await store.insert([textMessage(author, room, "skewed", at: now.adding(seconds: -5))], idempotencyWindow: Self.day)
            guard case .stored(let skewed) = outcomes[0] else { Issue.record("\(outcomes)"); return }
            #expect(skewed.createdAt >= now && skewed.seq == 2)
        }
    }
}

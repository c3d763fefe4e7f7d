import ParleyCore
@testable import ParleyStore
import ParleyTestSupport
import Testing

@Suite("Search index store")
struct SearchIndexStoreTests {
    // Tokens as the index holds them: 16 hex digits.
    static let t = "00000000000000aa"
    static let odd = "00000000000000bb"
    static let filler = ["00000000000000cc", "00000000000000dd"]

    /// A room with `count` messages by two authors; message `i` holds the token "t" (and "odd" when i is
    /// odd). Returns the room id, the message ids in sending order and the second author's id.
    private func fill(_ store: SQLStore, count: Int) async throws -> (room: String, ids: [String], bob: String) {
        let alice = makeUser("alice")
        let bob = makeUser("bob")
        try await store.createUser(alice)
        try await store.createUser(bob)
        let now = Timestamp.now()
        let room = Room(
            id: Identifiers.uuid(), name: "search", description: nil, ownerID: alice.id, isPrivate: false, maxMembers: 10,
            memberCount: 1, encryptionEnabled: false, autoSummaryEnabled: false, summaryThreshold: 100, createdAt: now, updatedAt: now)
        try await store.createRoom(room, owner: Membership(roomID: room.id, userID: alice.id, role: .owner, joinedAt: now), key: nil)
        // Bob writes too, and the store stores members' messages only.
        try await store.backend.transaction { db in
            try await db.raw("""
                INSERT INTO memberships (room_id, user_id, role, joined_at) VALUES (\(bind: room.id), \(bind: bob.id), 'member', \(bind: now.milliseconds))
                """).run()
        }
        var ids: [String] = []
        var batch: [NewMessage] = []
        for index in 0..<count {
            let author = index.isMultiple(of: 3) ? bob.id : alice.id
            let sentAt = Timestamp(milliseconds: now.milliseconds + Int64(index))
            var message = NewMessage(
                id: Identifiers.uuidV7(at: sentAt), roomID: room.id, userID: author, type: .text, content: "{}", contentKeyVersion: nil,
                createdAt: sentAt)
            // Older messages repeat the token, so they would rank first if they were candidates.
            let repeats = index < count / 2 ? 3 : 1
            message.searchTokens = SearchTokens(
                room: "rroom", terms: Array(repeating: Self.t, count: repeats) + (index % 2 == 1 ? [Self.odd] : []) + Self.filler)
            ids.append(message.id)
            batch.append(message)
        }
        _ = try await store.insert(batch, idempotencyWindow: 86_400_000)
        return (room.id, ids, bob.id)
    }

    private func query(_ terms: String...) -> HashedQuery {
        HashedQuery(room: "rroom", required: terms.map { [$0] }, excluded: [])
    }

    @Test("without filters only the newest matches are ranked; with filters every match is", arguments: TestEngine.available)
    func rankWindow(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let (room, ids, bob) = try await fill(store, count: 40)
            let windowed = try await store.search(roomID: room, query: query(Self.t), filters: SearchFilters(), limit: 100, countLimit: 1000, rankWindow: 10)
            // Ranked among the newest ten only, though all forty match and are counted.
            #expect(Set(windowed.hits.map(\.messageID)) == Set(ids.suffix(10)))
            #expect(windowed.total == 40)
            let unbounded = try await store.search(roomID: room, query: query(Self.t), filters: SearchFilters(), limit: 5, countLimit: 1000, rankWindow: 1000)
            // With every match a candidate, the older messages (the token three times) rank first.
            #expect(unbounded.hits.allSatisfy { ids.prefix(20).contains($0.messageID) })
            let filtered = try await store.search(
                roomID: room, query: query(Self.t), filters: SearchFilters(userID: bob), limit: 100, countLimit: 1000, rankWindow: 10)
            #expect(filtered.hits.count == 14)
            #expect(filtered.total == 14)
            let both = try await store.search(roomID: room, query: query(Self.t, Self.odd), filters: SearchFilters(), limit: 100, countLimit: 1000, rankWindow: 10)
            #expect(Set(both.hits.map(\.messageID)) == Set(ids.enumerated().filter { $0.offset % 2 == 1 }.map(\.element).suffix(10)))
            #expect(both.total == 20)
        }
    }

    @Test("a query of exclusions alone subtracts from the whole room", arguments: TestEngine.available)
    func exclusionsOnly(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let (room, ids, _) = try await fill(store, count: 10)
            let result = try await store.search(
                roomID: room, query: HashedQuery(room: "rroom", required: [], excluded: [[Self.odd]]), filters: SearchFilters(), limit: 100,
                countLimit: 1000, rankWindow: 1000)
            #expect(Set(result.hits.map(\.messageID)) == Set(ids.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)))
        }
    }

    @Test("phrases and exclusions hold when the window is full and the count must check them", arguments: TestEngine.available)
    func phrasesAndExclusionsInWindow(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let (room, ids, _) = try await fill(store, count: 40)
            let odds = ids.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            let evens = ids.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            // "t odd" is a phrase in every odd message; "odd t" in none.
            let phrase = try await store.search(
                roomID: room, query: HashedQuery(room: "rroom", required: [[Self.t, Self.odd]], excluded: []), filters: SearchFilters(),
                limit: 100, countLimit: 1000, rankWindow: 5)
            #expect(Set(phrase.hits.map(\.messageID)) == Set(odds.suffix(5)))
            #expect(phrase.total == 20)
            let reversed = try await store.search(
                roomID: room, query: HashedQuery(room: "rroom", required: [[Self.odd, Self.t]], excluded: []), filters: SearchFilters(),
                limit: 100, countLimit: 1000, rankWindow: 5)
            #expect(reversed.hits.isEmpty && reversed.total == 0)
            let excluding = try await store.search(
                roomID: room, query: HashedQuery(room: "rroom", required: [[Self.t]], excluded: [[Self.odd]]), filters: SearchFilters(),
                limit: 100, countLimit: 1000, rankWindow: 5)
            #expect(Set(excluding.hits.map(\.messageID)) == Set(evens.suffix(5)))
            #expect(excluding.total == 20)
            let excludingPhrase = try await store.search(
                roomID: room, query: HashedQuery(room: "rroom", required: [[Self.t]], excluded: [[Self.t, Self.odd]]), filters: SearchFilters(),
                limit: 100, countLimit: 1000, rankWindow: 5)
            #expect(Set(excludingPhrase.hits.map(\.messageID)) == Set(evens.suffix(5)))
            #expect(excludingPhrase.total == 20)
            // The count stops at its bound.
            let bounded = try await store.search(roomID: room, query: query(Self.t), filters: SearchFilters(), limit: 5, countLimit: 25, rankWindow: 5)
            #expect(bounded.total == 25)
            let unknown = try await store.search(roomID: room, query: query("00000000000000ee", Self.t), filters: SearchFilters(), limit: 5, countLimit: 25, rankWindow: 5)
            #expect(unknown.hits.isEmpty && unknown.total == 0)
        }
    }

    @Test("edits, deletions and room deletion leave nothing behind in counts or the index", arguments: TestEngine.available)
    func removalsReachCounts(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let (room, ids, _) = try await fill(store, count: 40)
            func total(_ token: String) async throws -> Int {
                try await store.search(roomID: room, query: query(token), filters: SearchFilters(), limit: 5, countLimit: 1000, rankWindow: 5).total
            }
            // The owner acts; the requirement is checked in each write's transaction.
            let owner = try #require(try await store.room(id: room)).ownerID
            let asOwner = RoleRequirement(actorID: owner, grants: [.owner: Set(RoomRole.allCases)])
            _ = try await store.tombstone(messageID: ids[1], roomID: room, requirement: asOwner, at: .now())
            #expect(try await total(Self.t) == 39)
            #expect(try await total(Self.odd) == 19)
            // An edit replaces the message's tokens: it loses "t" and "odd" and gains a new word.
            let fresh = "00000000000000ee"
            _ = try await store.edit(
                messageID: ids[3], roomID: room, content: "{}", keyVersion: nil, searchTokens: SearchTokens(room: "rroom", terms: [fresh]),
                requirement: asOwner, at: .now())
            #expect(try await total(Self.t) == 38)
            #expect(try await total(Self.odd) == 18)
            #expect(try await total(fresh) == 1)
            let found = try await store.search(roomID: room, query: query(fresh), filters: SearchFilters(), limit: 5, countLimit: 1000, rankWindow: 5)
            #expect(found.hits.map(\.messageID) == [ids[3]])
            _ = try await store.deleteRoom(id: room, requirement: asOwner)
            if engine == .postgres {
                let left = try await store.backend.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM message_terms").first()?.decode(column: "n", as: Int.self)
                }
                #expect(left == 0)
            }
        }
    }

    @Test("PostgreSQL: postings rebuilt from the stored vectors are exactly the postings written")
    func postingsAgree() async throws {
        guard TestEngine.available.contains(.postgres) else { return }
        try await withStore(.postgres) { store, _ in
            let (room, ids, _) = try await fill(store, count: 12)
            // Phrases of several words and repeated words, so that bigrams and gaps are exercised.
            let words = ["00000000000000a1", "00000000000000a2", "00000000000000a3"]
            let owner = try #require(try await store.room(id: room)).ownerID
            _ = try await store.edit(
                messageID: ids[0], roomID: room, content: "{}", keyVersion: nil,
                searchTokens: SearchTokens(room: "rroom", terms: words + words + [Self.t]),
                requirement: RoleRequirement(actorID: owner, grants: [.owner: Set(RoomRole.allCases)]), at: .now())
            let difference = try await store.backend.read { db in
                try await db.raw("""
                    SELECT COUNT(*) AS n FROM (
                        (SELECT term, seq FROM message_terms EXCEPT SELECT term, seq FROM (\(PostingTerms.sqlPostings(where: "TRUE"))) a)
                        UNION ALL
                        (SELECT term, seq FROM (\(PostingTerms.sqlPostings(where: "TRUE"))) b EXCEPT SELECT term, seq FROM message_terms)
                    ) d
                    """).first()?.decode(column: "n", as: Int.self)
            }
            #expect(difference == 0)
            let written = try await store.backend.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM message_terms").first()?.decode(column: "n", as: Int.self)
            }
            #expect((written ?? 0) > 12 * 3)
            // A newer message holds both bigrams of the phrase but not the phrase: a candidate the check
            // rejects, after which the search goes on to older postings even with a window of one.
            _ = try await store.edit(
                messageID: ids[5], roomID: room, content: "{}", keyVersion: nil,
                searchTokens: SearchTokens(room: "rroom", terms: [words[0], words[1], Self.t, words[1], words[2]]),
                requirement: RoleRequirement(actorID: owner, grants: [.owner: Set(RoomRole.allCases)]), at: .now())
            for window in [1, 100] {
                let phrase = try await store.search(
                    roomID: room, query: HashedQuery(room: "rroom", required: [words], excluded: []), filters: SearchFilters(),
                    limit: 10, countLimit: 100, rankWindow: window)
                #expect(phrase.hits.map(\.messageID) == [ids[0]])
                #expect(phrase.total == 1)
            }
            // A cross-room token collision leaves two equal postings: the message is still listed once.
            try await store.backend.transaction { db in
                try await db.raw("""
                    INSERT INTO message_terms (term, seq) SELECT term, seq FROM message_terms WHERE seq = (SELECT MAX(seq) FROM message_terms)
                    """).run()
            }
            for window in [3, 100] {
                let hits = try await store.search(
                    roomID: room, query: query(Self.t), filters: SearchFilters(), limit: 100, countLimit: 100, rankWindow: window).hits
                #expect(Set(hits.map(\.messageID)).count == hits.count && hits.count == min(window, 12))
            }
        }
    }
}

import Foundation
import Logging
import ParleyCore
import ParleyStore
import ParleyTestSupport

/// Opens a migrated store on a throwaway database, runs `body` while the store's background work (PostgreSQL's
/// postings writer) runs, and cleans up.
func withStore<T: Sendable>(_ engine: TestEngine, _ body: (SQLStore, TestDatabase) async throws -> T) async throws -> T {
    let database = try await TestDatabase.make(engine)
    let store: SQLStore
    do {
        store = try await SQLStore.open(database.location, logger: testLogger())
    } catch {
        await database.destroy()
        throw error
    }
    do {
        let result = try await whileRunning(store) { try await body(store, database) }
        await store.shutdown()
        await database.destroy()
        return result
    } catch {
        await store.shutdown()
        await database.destroy()
        throw error
    }
}

/// Runs `body` while the store's background work runs, then lets that work finish what it was handed.
func whileRunning<T: Sendable>(_ store: SQLStore, _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await store.runBackgroundWork() }
        // Also when body throws: the group waits for its child, which returns only once finished.
        defer { store.finishBackgroundWork() }
        return try await body()
    }
}

/// A user row with unique names.
func makeUser(_ name: String = "user", at time: Timestamp = .now()) -> User {
    let suffix = UUID().uuidString.prefix(8).lowercased()
    return User(
        id: Identifiers.uuid(), username: "\(name)_\(suffix)", email: "\(name)_\(suffix)@example.com", passwordHash: "$2b$04$hash",
        displayName: name.capitalized, createdAt: time, updatedAt: time
    )
}

/// Creates `owner` and a public, encrypted room they own (encrypted, so no room key is needed), with
/// `maxMembers` seats.
func makeRoom(_ store: SQLStore, owner: User, maxMembers: Int = 50, at time: Timestamp = .now()) async throws -> Room {
    let room = Room(
        id: Identifiers.uuid(), name: "room \(UUID().uuidString.prefix(6))", description: nil, ownerID: owner.id, isPrivate: false,
        maxMembers: maxMembers, memberCount: 1, encryptionEnabled: true, autoSummaryEnabled: false, summaryThreshold: 100,
        createdAt: time, updatedAt: time)
    try await store.createRoom(room, owner: Membership(roomID: room.id, userID: owner.id, role: .owner, joinedAt: time), key: nil)
    return room
}

/// Users stored in the database, one per name.
func storedUsers(_ store: SQLStore, _ names: [String]) async throws -> [User] {
    var users: [User] = []
    for name in names {
        let user = makeUser(name)
        try await store.createUser(user)
        users.append(user)
    }
    return users
}

/// System messages as the services make them, with the event's text as plain content (the store does not
/// look inside it).
func plainSystemMessages(roomID: String) -> SystemMessageFactory {
    { event in
        NewMessage(
            id: Identifiers.uuidV7(), roomID: roomID, userID: event.actor.id, type: .system, content: "\(event)",
            contentKeyVersion: nil, createdAt: .now())
    }
}

/// A text message from `user` to `room`.
func textMessage(_ user: User, _ room: Room, _ text: String, clientID: String? = nil, at time: Timestamp = .now()) -> NewMessage {
    NewMessage(id: Identifiers.uuidV7(at: time), roomID: room.id, userID: user.id, type: .text, content: text, contentKeyVersion: nil, clientID: clientID, createdAt: time)
}

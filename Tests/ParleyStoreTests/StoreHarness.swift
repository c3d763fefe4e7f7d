import Foundation
import Logging
import ParleyCore
import ParleyStore
import ParleyTestSupport

/// Opens a migrated store on a throwaway database, runs `body`, and cleans up.
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
        let result = try await body(store, database)
        await store.shutdown()
        await database.destroy()
        return result
    } catch {
        await store.shutdown()
        await database.destroy()
        throw error
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

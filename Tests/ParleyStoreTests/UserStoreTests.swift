import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@Suite("Store conformance: users and sessions")
struct UserStoreTests {
    @Test("users round-trip and are found by id, username or email in any case", arguments: TestEngine.available)
    func roundTrip(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            var user = makeUser("Mixed")
            user.publicKey = "KEY"
            user.lastLogin = Timestamp(milliseconds: 1_700_000_000_123)
            try await store.createUser(user)
            #expect(try await store.user(id: user.id) == user)
            #expect(try await store.user(login: user.username.uppercased()) == user)
            #expect(try await store.user(login: user.email.uppercased()) == user)
            #expect(try await store.user(login: "missing") == nil)
            #expect(try await store.user(id: Identifiers.uuid()) == nil)
            let other = makeUser("other")
            try await store.createUser(other)
            #expect(Set(try await store.users(ids: [user.id, other.id, user.id]).map(\.id)) == [user.id, other.id])
            #expect(try await store.users(ids: []).isEmpty)
        }
    }

    @Test("duplicates are reported by field, case-insensitively", arguments: TestEngine.available)
    func duplicates(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let user = makeUser("dup")
            try await store.createUser(user)
            var sameName = makeUser("x")
            sameName.username = user.username.uppercased()
            await #expect(throws: StoreError.duplicate(field: "username")) { try await store.createUser(sameName) }
            var sameEmail = makeUser("y")
            sameEmail.email = user.email.uppercased()
            await #expect(throws: StoreError.duplicate(field: "email")) { try await store.createUser(sameEmail) }
        }
    }

    @Test("profile updates change only what they name", arguments: TestEngine.available)
    func profileUpdates(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let user = makeUser("profile")
            try await store.createUser(user)
            let later = user.createdAt.adding(seconds: 5)
            let updated = try #require(try await store.updateProfile(userID: user.id, changes: ProfileChanges(displayName: "New", publicKey: .some("PEM")), at: later))
            #expect(updated.displayName == "New" && updated.publicKey == "PEM" && updated.updatedAt == later)
            let cleared = try #require(try await store.updateProfile(userID: user.id, changes: ProfileChanges(publicKey: .some(nil)), at: later))
            #expect(cleared.publicKey == nil && cleared.displayName == "New")
            #expect(try await store.user(id: user.id) == cleared)
            #expect(try await store.updateProfile(userID: Identifiers.uuid(), changes: ProfileChanges(displayName: "x"), at: later) == nil)
            try await store.recordLogin(userID: user.id, at: later)
            #expect(try await store.user(id: user.id)?.lastLogin == later)
            #expect(try await store.setActive(userID: user.id, isActive: false, at: later))
            #expect(try await store.user(id: user.id)?.isActive == false)
        }
    }

    @Test("sessions: lookup by id and refresh hash, rotation, revocation once", arguments: TestEngine.available)
    func sessions(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let user = makeUser("session")
            try await store.createUser(user)
            let now = Timestamp.now()
            let session = Session(id: Identifiers.uuid(), userID: user.id, refreshTokenHash: "hash-1", createdAt: now, expiresAt: now.adding(seconds: 60), lastUsedAt: now)
            try await store.createSession(session)
            #expect(try await store.sessionStatus(id: session.id) == SessionStatus(session: session, userIsActive: true))
            #expect(try await store.sessionStatus(refreshTokenHash: "hash-1")?.session.id == session.id)
            #expect(try await store.rotateRefreshToken(sessionID: session.id, oldHash: "hash-1", newHash: "hash-2", at: now))
            #expect(try await store.sessionStatus(refreshTokenHash: "hash-1") == nil)
            #expect(try await store.sessionStatus(refreshTokenHash: "hash-2")?.session.id == session.id)
            #expect(try await store.rotatedRefreshToken(hash: "hash-1") == RotatedRefreshToken(sessionID: session.id, rotatedAt: now))
            #expect(try await store.rotatedRefreshToken(hash: "hash-2") == nil)
            // The condition decides: a second rotation from the old hash changes nothing.
            #expect(try await store.rotateRefreshToken(sessionID: session.id, oldHash: "hash-1", newHash: "hash-3", at: now) == false)
            #expect(try await store.sessionStatus(refreshTokenHash: "hash-2")?.session.id == session.id)
            // Only the latest rotated hashes are remembered, however often a client refreshes.
            var current = "hash-2"
            for index in 1...40 {
                let next = "hash-r\(index)"
                #expect(try await store.rotateRefreshToken(sessionID: session.id, oldHash: current, newHash: next, at: now.adding(milliseconds: Int64(index))))
                current = next
            }
            #expect(try await store.rotatedRefreshToken(hash: "hash-1") == nil)
            #expect(try await store.rotatedRefreshToken(hash: "hash-r39")?.sessionID == session.id)
            #expect(try await store.rotatedRefreshToken(hash: "hash-r8")?.sessionID == session.id)
            #expect(try await store.rotatedRefreshToken(hash: "hash-r7") == nil)
            #expect(try await store.revokeSession(id: session.id, at: now))
            #expect(try await store.revokeSession(id: session.id, at: now) == false)
            #expect(try await store.sessionStatus(id: session.id)?.session.revokedAt == now)
            _ = try await store.setActive(userID: user.id, isActive: false, at: now)
            #expect(try await store.sessionStatus(id: session.id)?.userIsActive == false)
        }
    }
}

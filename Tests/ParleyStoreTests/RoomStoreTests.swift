import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@Suite("Store conformance: rooms and memberships")
struct RoomStoreTests {
    @Test("a room is created with its owner's membership and read back as written", arguments: TestEngine.available)
    func createAndRead(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let owner = try await storedUsers(store, ["owner"])[0]
            let room = try await makeRoom(store, owner: owner, maxMembers: 7)
            #expect(try await store.room(id: room.id) == room)
            #expect(try await store.membership(roomID: room.id, userID: owner.id)?.role == .owner)
            #expect(try await store.memberIDs(roomID: room.id) == [owner.id])
            #expect(try await store.members(roomID: room.id).map(\.user.id) == [owner.id])
            #expect(try await store.room(id: Identifiers.uuid()) == nil)
        }
    }

    @Test("joins stop exactly at the seat limit when many arrive at once, and each join records one system message", arguments: TestEngine.available)
    func seatLimit(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let owner = try await storedUsers(store, ["owner"])[0]
            let room = try await makeRoom(store, owner: owner, maxMembers: 4)
            let joiners = try await storedUsers(store, (0..<12).map { "joiner\($0)" })
            let outcomes = try await withThrowingTaskGroup(of: JoinOutcome.self) { group in
                for user in joiners {
                    group.addTask {
                        try await store.join(
                            roomID: room.id, user: PublicUserView(user), invitation: nil, at: .now(), makeMessage: plainSystemMessages(roomID: room.id))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var joined = 0, full = 0
            for outcome in outcomes {
                switch outcome {
                case .joined: joined += 1
                case .roomFull: full += 1
                default: Issue.record("unexpected \(outcome)")
                }
            }
            #expect(joined == 3 && full == 9)
            let stored = try #require(try await store.room(id: room.id))
            #expect(stored.memberCount == 4 && stored.lastSeq == 3)
            #expect(try await store.memberIDs(roomID: room.id).count == 4)
            // Every seq from 1 to the last is one join message, with no gap or repeat.
            let messages = try await store.messages(roomID: room.id, seqRange: 1...10, descending: false)
            #expect(messages.map(\.seq) == [1, 2, 3] && messages.allSatisfy { $0.type == .system })
        }
    }

    @Test("joining again is alreadyMember and changes nothing", arguments: TestEngine.available)
    func joinTwice(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let users = try await storedUsers(store, ["owner", "guest"])
            let room = try await makeRoom(store, owner: users[0])
            let first = try await store.join(roomID: room.id, user: PublicUserView(users[1]), invitation: nil, at: .now(), makeMessage: plainSystemMessages(roomID: room.id))
            guard case .joined(_, let membership, _) = first else { Issue.record("\(first)"); return }
            #expect(membership.role == .member)
            let second = try await store.join(roomID: room.id, user: PublicUserView(users[1]), invitation: nil, at: .now(), makeMessage: plainSystemMessages(roomID: room.id))
            guard case .alreadyMember = second else { Issue.record("\(second)"); return }
            let stored = try #require(try await store.room(id: room.id))
            #expect(stored.memberCount == 2 && stored.lastSeq == 1)
            let gone = try await store.join(roomID: Identifiers.uuid(), user: PublicUserView(users[1]), invitation: nil, at: .now(), makeMessage: plainSystemMessages(roomID: room.id))
            guard case .roomNotFound = gone else { Issue.record("\(gone)"); return }
        }
    }

    @Test("an owner who leaves passes ownership to the earliest moderator, else the earliest member; the last to leave deletes the room", arguments: TestEngine.available)
    func leaveTransfersOwnership(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let users = try await storedUsers(store, ["owner", "early", "moderator", "late"])
            let (owner, early, moderator, late) = (users[0], users[1], users[2], users[3])
            let room = try await makeRoom(store, owner: owner)
            let start = Timestamp.now()
            for (offset, user) in [early, moderator, late].enumerated() {
                _ = try await store.join(
                    roomID: room.id, user: PublicUserView(user), invitation: nil, at: start.adding(seconds: Int64(offset)),
                    makeMessage: plainSystemMessages(roomID: room.id))
            }
            let promote = try await store.setRole(
                roomID: room.id, target: moderator.id, role: .moderator, actor: PublicUserView(owner),
                requirement: RoleRequirement(actorID: owner.id, grants: [.owner: Set(RoomRole.allCases)]), at: .now(),
                makeMessage: plainSystemMessages(roomID: room.id))
            guard case .done(.some) = promote else { Issue.record("\(promote)"); return }

            // The moderator joined after `early`, but a moderator comes before any member.
            let ownerLeft = try await store.depart(roomID: room.id, user: PublicUserView(owner), remover: nil, at: .now(), makeMessage: plainSystemMessages(roomID: room.id))
            guard case .done(let outcome?) = ownerLeft else { Issue.record("\(ownerLeft)"); return }
            #expect(outcome.newOwner?.user.id == moderator.id && outcome.newOwnerPreviousRole == .moderator)
            #expect(outcome.room?.ownerID == moderator.id && outcome.room?.memberCount == 3)
            #expect(outcome.messages.count == 2)
            #expect(try await store.membership(roomID: room.id, userID: moderator.id)?.role == .owner)
            #expect(try await store.membership(roomID: room.id, userID: owner.id) == nil)

            // With no moderator left, the earliest member is next.
            let moderatorLeft = try await store.depart(roomID: room.id, user: PublicUserView(moderator), remover: nil, at: .now(), makeMessage: plainSystemMessages(roomID: room.id))
            guard case .done(let next?) = moderatorLeft else { Issue.record("\(moderatorLeft)"); return }
            #expect(next.newOwner?.user.id == early.id && next.newOwnerPreviousRole == .member)

            // Someone who is not a member leaves nothing behind.
            let stranger = try await store.depart(roomID: room.id, user: PublicUserView(owner), remover: nil, at: .now(), makeMessage: plainSystemMessages(roomID: room.id))
            guard case .done(nil) = stranger else { Issue.record("\(stranger)"); return }

            for user in [late, early] {
                _ = try await store.depart(roomID: room.id, user: PublicUserView(user), remover: nil, at: .now(), makeMessage: plainSystemMessages(roomID: room.id))
            }
            #expect(try await store.room(id: room.id) == nil)
            #expect(try await store.messages(roomID: room.id, seqRange: 1...100, descending: false).isEmpty)
        }
    }
}

import Foundation
import ParleyCore
import ParleyTestSupport
import SQLKit
import Testing

@testable import ParleyServer

/// A send racing its sender's removal on PostgreSQL, where the insert and the departure are concurrent
/// transactions (SQLite has one writer, so they cannot interleave).
@Suite("Sending while being removed")
struct SendRemovalRaceTests {
    @Test("a message whose sender's removal commits while it is being stored is refused, not stored after the removal",
          arguments: TestEngine.available.filter { $0 == .postgres })
    func sendDuringRemoval(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let bob = try await server.register("bob")
            let room = try await server.createRoom(alice, encrypted: false)
            try await server.addMember(bob, to: room, by: alice)
            // Bob's access is now checked (and cached) as a member's.
            try await server.post(["text": "before"], to: room, by: bob)
            let backend = server.server.store.backend
            let (locked, lockedSignal) = AsyncStream<Void>.makeStream()
            let (release, releaseSignal) = AsyncStream<Void>.makeStream()
            // A removal as the store does it: the room row first, then the membership; held open until told.
            let removal = Task {
                try await backend.transaction { database in
                    try await database.raw("UPDATE rooms SET updated_at = updated_at WHERE id = \(bind: room)").run()
                    try await database.raw("DELETE FROM memberships WHERE room_id = \(bind: room) AND user_id = \(bind: bob.id)").run()
                    lockedSignal.yield()
                    for await _ in release { break }
                }
            }
            for await _ in locked { break }
            let send = Task {
                try await server.request(.POST, "/chatrooms/\(room)/messages", json: ["content": ["text": "during"]], token: bob.accessToken)
            }
            // Wait until the message's transaction waits on the room row the removal holds.
            var waiting = 0
            for _ in 0..<1000 where waiting == 0 {
                waiting = try await backend.read { database in
                    try await database.raw("""
                        SELECT count(*) AS n FROM pg_stat_activity
                        WHERE wait_event_type = 'Lock' AND datname = current_database()
                        """).first()?.decode(column: "n", as: Int.self) ?? 0
                }
                if waiting == 0 { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(waiting == 1)
            releaseSignal.yield()
            try await removal.value
            let response = try await send.value
            #expect(response.status == 403)
            #expect(response.errorCode == "CHATROOM_ACCESS_DENIED")
            let history = try await server.request(.GET, "/chatrooms/\(room)/messages?limit=100", token: alice.accessToken)
            let texts = history.data["messages"].arrayValue.compactMap { $0["content"]["text"].stringValue }
            #expect(texts.contains("before"))
            #expect(!texts.contains("during"))
        }
    }
}

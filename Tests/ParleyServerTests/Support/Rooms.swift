import Foundation
import ParleyCore
import ParleyTestSupport
import SQLKit

@testable import ParleyServer

extension TestServer {
    /// Creates a room owned by `owner` and returns its id.
    func createRoom(
        _ owner: TestUser, name: String = "Room", isPrivate: Bool = false, encrypted: Bool = true, maxMembers: Int? = nil
    ) async throws -> String {
        var body: [String: JSONValue] = ["name": .string(name), "is_private": .bool(isPrivate), "encryption_enabled": .bool(encrypted)]
        if let maxMembers { body["max_members"] = .int(maxMembers) }
        let response = try await request(.POST, "/chatrooms", json: .object(body), token: owner.accessToken)
        guard response.status == 201, let id = response.data["chatroom"]["id"].stringValue else {
            throw TestFailure("room creation failed: \(response.status) \(response.text)")
        }
        return id
    }

    /// Creates an invitation and returns its code.
    func inviteCode(_ room: String, by user: TestUser, maxUses: Int = 1, hours: Int = 24) async throws -> String {
        let response = try await request(.POST, "/chatrooms/\(room)/invite", json: ["max_uses": .int(maxUses), "expires_in_hours": .int(hours)], token: user.accessToken)
        guard response.status == 201, let code = response.data["invitation"]["invite_code"].stringValue else {
            throw TestFailure("invite failed: \(response.status) \(response.text)")
        }
        return code
    }

    /// Brings `user` into `room` through a fresh invitation from `inviter`.
    func addMember(_ user: TestUser, to room: String, by inviter: TestUser) async throws {
        let code = try await inviteCode(room, by: inviter)
        let response = try await request(.POST, "/chatrooms/join/\(code)", token: user.accessToken)
        guard response.status == 200 else { throw TestFailure("join failed: \(response.status) \(response.text)") }
    }

    func setRole(_ user: TestUser, _ role: String, in room: String, by owner: TestUser) async throws {
        let response = try await request(.PUT, "/chatrooms/\(room)/members/\(user.id)", json: ["role": .string(role)], token: owner.accessToken)
        guard response.status == 200 else { throw TestFailure("role change failed: \(response.status) \(response.text)") }
    }

    /// Rows of the messages table for a room, straight from the database.
    func storedMessages(_ room: String) async throws -> [(seq: Int, type: String, userID: String, content: String?)] {
        try await server.store.backend.read { database in
            try await database.raw("SELECT seq, message_type, user_id, content FROM messages WHERE room_id = \(bind: room) ORDER BY seq")
                .all().map { row in
                    (try row.decode(column: "seq", as: Int.self), try row.decode(column: "message_type", as: String.self),
                     try row.decode(column: "user_id", as: String.self), try row.decode(column: "content", as: String?.self))
                }
        }
    }
}

extension TestServer {
    /// How many rows each table still holds for a room.
    func rowCounts(room: String) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in ["rooms", "memberships", "invitations", "messages", "room_keys", "files", "summaries"] {
            let column = table == "rooms" ? "id" : "room_id"
            counts[table] = try await server.store.backend.read { database in
                try await database.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table) WHERE \(unsafeRaw: column) = \(bind: room)")
                    .first()?.decode(column: "n", as: Int.self) ?? -1
            }
        }
        return counts
    }
}

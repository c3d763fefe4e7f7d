import Foundation
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("Chatrooms: create, read, update, delete")
struct RoomTests {
    @Test("create applies the defaults and returns the room", arguments: TestEngine.available)
    func create(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let response = try await server.request(.POST, "/chatrooms", json: ["name": "  General  ", "description": "Talk"], token: owner.accessToken)
            #expect(response.status == 201)
            let room = response.data["chatroom"]
            #expect(room["name"].stringValue == "General")
            #expect(room["description"].stringValue == "Talk")
            #expect(room["owner_id"].stringValue == owner.id)
            #expect(room["is_private"].boolValue == false)
            #expect(room["max_members"].intValue == 100)
            #expect(room["member_count"].intValue == 1)
            #expect(room["encryption_enabled"].boolValue == true)
            #expect(room["auto_summary_enabled"].boolValue == true)
            #expect(room["summary_threshold"].intValue == 50)
            #expect(Identifiers.isUUID(room["id"].stringValue ?? ""))
            #expect(room["created_at"].stringValue.flatMap(Timestamp.init(rfc3339:)) != nil)

            let custom = try await server.request(.POST, "/chatrooms", json: [
                "name": "Ops", "is_private": true, "max_members": 2, "encryption_enabled": false, "auto_summary_enabled": false, "summary_threshold": 10,
            ], token: owner.accessToken)
            #expect(custom.status == 201)
            #expect(custom.data["chatroom"]["is_private"].boolValue == true)
            #expect(custom.data["chatroom"]["max_members"].intValue == 2)
            #expect(custom.data["chatroom"]["encryption_enabled"].boolValue == false)
            #expect(custom.data["chatroom"]["summary_threshold"].intValue == 10)
        }
    }

    @Test("create validates every field", arguments: TestEngine.available)
    func createValidation(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let cases: [([String: JSONValue], String, String)] = [
                ([:], "name", "VALIDATION_REQUIRED_FIELD"),
                (["name": "   "], "name", "VALIDATION_REQUIRED_FIELD"),
                (["name": .string(String(repeating: "n", count: 101))], "name", "VALIDATION_LENGTH_EXCEEDED"),
                (["name": "ok", "description": .string(String(repeating: "d", count: 501))], "description", "VALIDATION_LENGTH_EXCEEDED"),
                (["name": "ok", "max_members": 1], "max_members", "VALIDATION_INVALID_VALUE"),
                (["name": "ok", "max_members": 10_001], "max_members", "VALIDATION_INVALID_VALUE"),
                (["name": "ok", "summary_threshold": 9], "summary_threshold", "VALIDATION_INVALID_VALUE"),
                (["name": "ok", "summary_threshold": 1001], "summary_threshold", "VALIDATION_INVALID_VALUE"),
                (["name": "ok", "is_private": "yes"], "is_private", "VALIDATION_INVALID_FORMAT"),
                (["name": "ok", "max_members": .double(2.5)], "max_members", "VALIDATION_INVALID_FORMAT"),
            ]
            for (body, field, code) in cases {
                let response = try await server.request(.POST, "/chatrooms", json: .object(body), token: owner.accessToken)
                #expect(response.status == 422, "\(body)")
                #expect(response.errorCode == code, "\(body): \(response.text)")
                #expect(response.json["error"]["details"]["field"].stringValue == field)
            }
            let list = try await server.request(.GET, "/chatrooms", token: owner.accessToken)
            #expect(list.data["pagination"]["total"].intValue == 0)
            #expect(try await server.request(.POST, "/chatrooms", json: ["name": "x"]).status == 401)
        }
    }

    @Test("GET a room: details, members and the caller's role; 403 for outsiders, 404 for unknown ids", arguments: TestEngine.available)
    func details(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let member = try await server.register("member")
            let outsider = try await server.register("outsider")
            let room = try await server.createRoom(owner, name: "Details")
            try await server.addMember(member, to: room, by: owner)

            let response = try await server.request(.GET, "/chatrooms/\(room)", token: member.accessToken)
            #expect(response.status == 200)
            #expect(response.data["chatroom"]["member_count"].intValue == 2)
            #expect(response.data["chatroom"]["updated_at"].stringValue != nil)
            #expect(response.data["user_role"].stringValue == "member")
            let members = response.data["members"].arrayValue
            #expect(members.count == 2)
            #expect(members[0]["user_id"].stringValue == owner.id && members[0]["role"].stringValue == "owner")
            #expect(members[1]["username"].stringValue == member.username && members[1]["role"].stringValue == "member")
            #expect(members.allSatisfy { $0["is_online"].boolValue == false && $0["joined_at"].stringValue != nil })
            #expect(members[1]["last_read_at"].isNull)

            let denied = try await server.request(.GET, "/chatrooms/\(room)", token: outsider.accessToken)
            #expect(denied.status == 403)
            #expect(denied.errorCode == "CHATROOM_ACCESS_DENIED")
            for missing in [Identifiers.uuid(), "not-a-uuid", "g" + room.dropFirst()] {
                let response = try await server.request(.GET, "/chatrooms/\(missing)", token: owner.accessToken)
                #expect(response.status == 404)
                #expect(response.errorCode == "CHATROOM_NOT_FOUND")
            }
            // An upper-case id names the same room.
            #expect(try await server.request(.GET, "/chatrooms/\(room.uppercased())", token: owner.accessToken).status == 200)
        }
    }

    @Test("PUT settings: owner and moderators only; validation; system message recorded", arguments: TestEngine.available)
    func update(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let moderator = try await server.register("moderator")
            let member = try await server.register("member")
            let outsider = try await server.register("outsider")
            let room = try await server.createRoom(owner, name: "Before")
            try await server.addMember(moderator, to: room, by: owner)
            try await server.addMember(member, to: room, by: owner)
            try await server.setRole(moderator, "moderator", in: room, by: owner)

            let renamed = try await server.request(.PUT, "/chatrooms/\(room)", json: ["name": "After", "description": "d", "summary_threshold": 20], token: moderator.accessToken)
            #expect(renamed.status == 200)
            #expect(renamed.data["chatroom"]["name"].stringValue == "After")
            #expect(renamed.data["chatroom"]["summary_threshold"].intValue == 20)
            let cleared = try await server.request(.PUT, "/chatrooms/\(room)", json: ["description": nil, "auto_summary_enabled": false], token: owner.accessToken)
            #expect(cleared.data["chatroom"]["description"].isNull)
            #expect(cleared.data["chatroom"]["auto_summary_enabled"].boolValue == false)

            let byMember = try await server.request(.PUT, "/chatrooms/\(room)", json: ["name": "x"], token: member.accessToken)
            #expect(byMember.status == 403 && byMember.errorCode == "RESOURCE_ACCESS_DENIED")
            let byOutsider = try await server.request(.PUT, "/chatrooms/\(room)", json: ["name": "x"], token: outsider.accessToken)
            #expect(byOutsider.status == 403 && byOutsider.errorCode == "CHATROOM_ACCESS_DENIED")
            let tooSmall = try await server.request(.PUT, "/chatrooms/\(room)", json: ["max_members": 2], token: owner.accessToken)
            #expect(tooSmall.status == 422 && tooSmall.json["error"]["details"]["field"].stringValue == "max_members")
            let mode = try await server.request(.PUT, "/chatrooms/\(room)", json: ["encryption_enabled": false], token: owner.accessToken)
            #expect(mode.status == 422 && mode.json["error"]["details"]["field"].stringValue == "encryption_enabled")
            let emptyName = try await server.request(.PUT, "/chatrooms/\(room)", json: ["name": ""], token: owner.accessToken)
            #expect(emptyName.status == 422)
            #expect(try await server.request(.PUT, "/chatrooms/\(Identifiers.uuid())", json: ["name": "x"], token: owner.accessToken).status == 404)

            let after = try await server.request(.GET, "/chatrooms/\(room)", token: owner.accessToken)
            #expect(after.data["chatroom"]["name"].stringValue == "After")
            #expect(after.data["chatroom"]["max_members"].intValue == 100)
            let settings = try await server.storedMessages(room).filter { $0.content?.contains("settings_changed") == true }
            #expect(settings.count == 2)
        }
    }

    @Test("DELETE: owner only; everything of the room goes", arguments: TestEngine.available)
    func delete(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let moderator = try await server.register("moderator")
            let member = try await server.register("member")
            let outsider = try await server.register("outsider")
            let room = try await server.createRoom(owner, encrypted: false)
            try await server.addMember(moderator, to: room, by: owner)
            try await server.addMember(member, to: room, by: owner)
            try await server.setRole(moderator, "moderator", in: room, by: owner)
            _ = try await server.inviteCode(room, by: owner, maxUses: 5)

            for (user, code) in [(moderator, "CHATROOM_OWNER_REQUIRED"), (member, "CHATROOM_OWNER_REQUIRED"), (outsider, "CHATROOM_ACCESS_DENIED")] {
                let response = try await server.request(.DELETE, "/chatrooms/\(room)", token: user.accessToken)
                #expect(response.status == 403 && response.errorCode == code)
            }
            let deleted = try await server.request(.DELETE, "/chatrooms/\(room)", token: owner.accessToken)
            #expect(deleted.status == 200)
            #expect(try await server.request(.GET, "/chatrooms/\(room)", token: owner.accessToken).status == 404)
            #expect(try await server.request(.DELETE, "/chatrooms/\(room)", token: owner.accessToken).status == 404)
            let leftovers = try await server.rowCounts(room: room)
            #expect(leftovers.values.allSatisfy { $0 == 0 }, "\(leftovers)")
        }
    }
}

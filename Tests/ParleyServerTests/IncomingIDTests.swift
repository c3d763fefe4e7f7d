import Foundation
import ParleyCore
import ParleyTestSupport
import Testing

@Suite("Ids parsed where they enter")
struct IncomingIDTests {
    @Test("upper-case message, member and session ids name the same resources", arguments: TestEngine.available)
    func upperCaseIDs(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let member = try await server.register("member")
            let room = try await server.createRoom(owner)
            try await server.addMember(member, to: room, by: owner)
            let message = try await server.post(sealedContent("m"), to: room, by: owner)
            let id = try #require(message["id"].stringValue)

            let reacted = try await server.request(
                .POST, "/chatrooms/\(room.uppercased())/messages/\(id.uppercased())/reactions", json: ["emoji": "👍"], token: member.accessToken)
            #expect(reacted.status == 201)
            // Echoed in canonical form, as stored.
            #expect(reacted.data["message_id"].stringValue == id)

            let removed = try await server.request(.DELETE, "/chatrooms/\(room)/members/\(member.id.uppercased())", token: owner.accessToken)
            #expect(removed.status == 200)
            #expect(removed.data["user_id"].stringValue == member.id)
            #expect(removed.data["chatroom_id"].stringValue == room)

            let sessions = try await server.request(.GET, "/auth/sessions", token: owner.accessToken)
            let session = try #require(sessions.data["sessions"].arrayValue.first?["id"].stringValue)
            let ended = try await server.request(.DELETE, "/auth/sessions/\(session.uppercased())", token: owner.accessToken)
            #expect(ended.status == 200)
        }
    }

    @Test("an id that is not a UUID is the resource's 404 and changes nothing", arguments: TestEngine.available)
    func invalidIDs(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let member = try await server.register("member")
            let room = try await server.createRoom(owner)
            try await server.addMember(member, to: room, by: owner)
            let before = try await server.rowCounts(room: room)
            let bad = ["not-a-uuid", String(repeating: "a", count: 300), "\(room)x", "%F0%9F%91%8D"]
            for text in bad {
                let edit = try await server.request(.PUT, "/chatrooms/\(room)/messages/\(text)", json: ["content": sealedContent()], token: owner.accessToken)
                #expect(edit.status == 404 && edit.errorCode == "MESSAGE_NOT_FOUND", "\(text.prefix(20))")
                let react = try await server.request(.POST, "/chatrooms/\(room)/messages/\(text)/reactions", json: ["emoji": "👍"], token: owner.accessToken)
                #expect(react.status == 404 && react.errorCode == "MESSAGE_NOT_FOUND")
                let remove = try await server.request(.DELETE, "/chatrooms/\(room)/members/\(text)", token: owner.accessToken)
                #expect(remove.status == 404 && remove.errorCode == "RESOURCE_NOT_FOUND")
                let role = try await server.request(.PUT, "/chatrooms/\(room)/members/\(text)", json: ["role": "moderator"], token: owner.accessToken)
                #expect(role.status == 404 && role.errorCode == "RESOURCE_NOT_FOUND")
                let file = try await server.request(.GET, "/files/\(text)", token: owner.accessToken)
                #expect(file.status == 404 && file.errorCode == "FILE_NOT_FOUND")
                let avatar = try await server.request(.GET, "/avatars/\(text)")
                #expect(avatar.status == 404 && avatar.errorCode == "FILE_NOT_FOUND")
                let session = try await server.request(.DELETE, "/auth/sessions/\(text)", token: owner.accessToken)
                #expect(session.status == 404 && session.errorCode == "RESOURCE_NOT_FOUND")
                let summary = try await server.request(.GET, "/chatrooms/\(text)/summary", token: owner.accessToken)
                #expect(summary.status == 404 && summary.errorCode == "CHATROOM_NOT_FOUND")
            }
            // Authentication still comes first.
            #expect(try await server.request(.DELETE, "/chatrooms/not-a-uuid/messages/not-a-uuid").status == 401)
            #expect(try await server.rowCounts(room: room) == before)
        }
    }

    @Test("frames: room and message ids in any case, and invalid ones answered with the resource's error", arguments: TestEngine.available)
    func frames(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let room = try await server.createRoom(owner)
            let socket = try await TestSocket.connect(server, token: owner.accessToken)
            try await socket.join(room.uppercased())
            socket.send("send_message", ["chatroom_id": .string(room.uppercased()), "content": sealedContent("up")], requestID: "s1")
            let sent = try await socket.next("message_received")
            #expect(sent["data"]["message"]["chatroom_id"].stringValue == room)
            let id = try #require(sent["data"]["message"]["id"].stringValue)

            socket.send("message_read", ["chatroom_id": .string(room), "message_id": .string(id.uppercased())])
            let receipt = try await socket.next("read_receipt")
            #expect(receipt["data"]["message_id"].stringValue == id)

            socket.send("message_read", ["chatroom_id": .string(room), "message_id": "not-a-uuid"])
            let badMessage = try await socket.next("error")
            #expect(badMessage["data"]["code"].stringValue == "MESSAGE_NOT_FOUND")
            socket.send("message_read", ["chatroom_id": .string(room), "message_id": ""])
            #expect(try await socket.next("error")["data"]["code"].stringValue == "VALIDATION_REQUIRED_FIELD")
            socket.send("send_message", ["chatroom_id": "not-a-uuid", "content": sealedContent()])
            #expect(try await socket.next("error")["data"]["code"].stringValue == "CHATROOM_NOT_FOUND")
            socket.send("send_message", ["chatroom_id": .string(room), "content": sealedContent(), "attachments": ["not-a-uuid"]])
            let attachments = try await socket.next("error")
            #expect(attachments["data"]["code"].stringValue == "VALIDATION_INVALID_VALUE")
            #expect(attachments["data"]["details"]["invalid"].arrayValue.first?.stringValue == "not-a-uuid")
            socket.send("send_message", ["chatroom_id": .string(room), "content": sealedContent(), "reply_to": "not-a-uuid"])
            #expect(try await socket.next("error")["data"]["code"].stringValue == "VALIDATION_INVALID_VALUE")
            await socket.close()
        }
    }
}

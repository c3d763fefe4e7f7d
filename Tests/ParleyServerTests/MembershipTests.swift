import Foundation
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("Chatrooms: invitations, joining, leaving, roles")
struct MembershipTests {
    @Test("invitations: who may create them, their fields and their bounds", arguments: TestEngine.available)
    func invitations(engine: TestEngine) async throws {
        try await TestServer.with(engine, configure: { $0.publicURL = "https://chat.example.com/" }) { server in
            let owner = try await server.register("owner")
            let member = try await server.register("member")
            let outsider = try await server.register("outsider")
            let privateRoom = try await server.createRoom(owner, isPrivate: true)
            let publicRoom = try await server.createRoom(owner)
            try await server.addMember(member, to: privateRoom, by: owner)
            try await server.addMember(member, to: publicRoom, by: owner)

            let created = try await server.request(.POST, "/chatrooms/\(privateRoom)/invite", token: owner.accessToken)
            #expect(created.status == 201)
            let invitation = created.data["invitation"]
            let code = try #require(invitation["invite_code"].stringValue)
            #expect(code.count >= 11)
            #expect(invitation["invite_url"].stringValue == "https://chat.example.com/chatrooms/join/\(code)")
            #expect(invitation["max_uses"].intValue == 1 && invitation["current_uses"].intValue == 0)
            let expires = try #require(invitation["expires_at"].stringValue.flatMap(Timestamp.init(rfc3339:)))
            let createdAt = try #require(invitation["created_at"].stringValue.flatMap(Timestamp.init(rfc3339:)))
            #expect(expires.milliseconds - createdAt.milliseconds == 24 * 3_600_000)
            #expect(Identifiers.isUUID(invitation["id"].stringValue ?? ""))

            let byMemberPrivate = try await server.request(.POST, "/chatrooms/\(privateRoom)/invite", token: member.accessToken)
            #expect(byMemberPrivate.status == 403 && byMemberPrivate.errorCode == "RESOURCE_ACCESS_DENIED")
            let byMemberPublic = try await server.request(.POST, "/chatrooms/\(publicRoom)/invite", json: ["max_uses": 3, "expires_in_hours": 720], token: member.accessToken)
            #expect(byMemberPublic.status == 201 && byMemberPublic.data["invitation"]["max_uses"].intValue == 3)
            let byOutsider = try await server.request(.POST, "/chatrooms/\(publicRoom)/invite", token: outsider.accessToken)
            #expect(byOutsider.status == 403 && byOutsider.errorCode == "CHATROOM_ACCESS_DENIED")
            for (body, field) in [(["max_uses": 0] as JSONValue, "max_uses"), (["expires_in_hours": 0], "expires_in_hours"), (["expires_in_hours": 721], "expires_in_hours")] {
                let response = try await server.request(.POST, "/chatrooms/\(publicRoom)/invite", json: body, token: owner.accessToken)
                #expect(response.status == 422 && response.json["error"]["details"]["field"].stringValue == field)
            }
            #expect(try await server.request(.POST, "/chatrooms/\(Identifiers.uuid())/invite", token: owner.accessToken).status == 404)
        }
    }

    @Test("joining with a code: success, the three reasons, rejoin, full", arguments: TestEngine.available)
    func joinWithCode(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let alice = try await server.register("alice")
            let bob = try await server.register("bob")
            let room = try await server.createRoom(owner, isPrivate: true, maxMembers: 3)

            let code = try await server.inviteCode(room, by: owner, maxUses: 1)
            // The owner is a member already: 200, and the single use is not spent.
            let ownerJoin = try await server.request(.POST, "/chatrooms/join/\(code)", token: owner.accessToken)
            #expect(ownerJoin.status == 200 && ownerJoin.data["chatroom"]["role"].stringValue == "owner")
            let joined = try await server.request(.POST, "/chatrooms/join/\(code)", token: alice.accessToken)
            #expect(joined.status == 200)
            #expect(joined.data["chatroom"] ["id"].stringValue == room)
            #expect(joined.data["chatroom"]["role"].stringValue == "member")
            #expect(joined.data["chatroom"]["member_count"].intValue == 2)
            let again = try await server.request(.POST, "/chatrooms/join/\(code)", token: alice.accessToken)
            #expect(again.status == 200)
            let exhausted = try await server.request(.POST, "/chatrooms/join/\(code)", token: bob.accessToken)
            #expect(exhausted.status == 400 && exhausted.errorCode == "CHATROOM_INVITE_INVALID")
            #expect(exhausted.json["error"]["details"]["reason"].stringValue == "exhausted")

            let unknown = try await server.request(.POST, "/chatrooms/join/nope-nope-nope", token: bob.accessToken)
            #expect(unknown.status == 400 && unknown.json["error"]["details"]["reason"].stringValue == "not_found")

            let past = Timestamp.now().adding(seconds: -60)
            _ = try await server.server.store.createInvitation(Invitation(
                id: Identifiers.uuid(), roomID: room, code: "expired-code-1", createdBy: owner.id, maxUses: 5,
                expiresAt: past, createdAt: past.adding(seconds: -3600)), requirement: RoleRequirement(actorID: owner.id, grants: [.owner: Set(RoomRole.allCases)]))
            let expired = try await server.request(.POST, "/chatrooms/join/expired-code-1", token: bob.accessToken)
            #expect(expired.status == 400 && expired.json["error"]["details"]["reason"].stringValue == "expired")

            let roomy = try await server.inviteCode(room, by: owner, maxUses: 10)
            #expect(try await server.request(.POST, "/chatrooms/join/\(roomy)", token: bob.accessToken).status == 200)
            let carol = try await server.register("carol")
            let full = try await server.request(.POST, "/chatrooms/join/\(roomy)", token: carol.accessToken)
            #expect(full.status == 409 && full.errorCode == "CHATROOM_FULL")
            let details = try await server.request(.GET, "/chatrooms/\(room)", token: owner.accessToken)
            #expect(details.data["chatroom"]["member_count"].intValue == 3)
            #expect(details.data["members"].arrayValue.count == 3)
        }
    }

    @Test("public rooms are joined directly; private ones only by invitation", arguments: TestEngine.available)
    func joinPublic(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let guest = try await server.register("guest")
            let late = try await server.register("late")
            let open = try await server.createRoom(owner, maxMembers: 2)
            let closed = try await server.createRoom(owner, isPrivate: true)

            let joined = try await server.request(.POST, "/chatrooms/\(open)/join", token: guest.accessToken)
            #expect(joined.status == 200 && joined.data["chatroom"]["member_count"].intValue == 2)
            #expect(try await server.request(.POST, "/chatrooms/\(open)/join", token: guest.accessToken).status == 200)
            let full = try await server.request(.POST, "/chatrooms/\(open)/join", token: late.accessToken)
            #expect(full.status == 409 && full.errorCode == "CHATROOM_FULL")
            let refused = try await server.request(.POST, "/chatrooms/\(closed)/join", token: guest.accessToken)
            #expect(refused.status == 403 && refused.errorCode == "CHATROOM_ACCESS_DENIED")
            let missing = try await server.request(.POST, "/chatrooms/\(Identifiers.uuid())/join", token: guest.accessToken)
            #expect(missing.status == 404 && missing.errorCode == "CHATROOM_NOT_FOUND")
        }
    }

    @Test("leaving passes ownership to the longest-standing moderator, else member; the last one out deletes the room", arguments: TestEngine.available)
    func leaving(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let early = try await server.register("early")
            let moderator = try await server.register("moderator")
            let outsider = try await server.register("outsider")
            let room = try await server.createRoom(owner)
            try await server.addMember(early, to: room, by: owner)
            try await server.addMember(moderator, to: room, by: owner)
            try await server.setRole(moderator, "moderator", in: room, by: owner)

            let notMember = try await server.request(.POST, "/chatrooms/\(room)/leave", token: outsider.accessToken)
            #expect(notMember.status == 403 && notMember.errorCode == "CHATROOM_ACCESS_DENIED")

            let left = try await server.request(.POST, "/chatrooms/\(room)/leave", token: owner.accessToken)
            #expect(left.status == 200)
            #expect(left.data["new_owner_id"].stringValue == moderator.id)
            #expect(left.data["room_deleted"].boolValue == false)
            var details = try await server.request(.GET, "/chatrooms/\(room)", token: moderator.accessToken)
            #expect(details.data["chatroom"]["owner_id"].stringValue == moderator.id)
            #expect(details.data["user_role"].stringValue == "owner")
            #expect(details.data["chatroom"]["member_count"].intValue == 2)
            #expect(try await server.request(.GET, "/chatrooms/\(room)", token: owner.accessToken).status == 403)

            // No moderator left: the longest-standing member inherits.
            #expect(try await server.request(.POST, "/chatrooms/\(room)/leave", token: moderator.accessToken).data["new_owner_id"].stringValue == early.id)
            details = try await server.request(.GET, "/chatrooms/\(room)", token: early.accessToken)
            #expect(details.data["user_role"].stringValue == "owner")

            let last = try await server.request(.POST, "/chatrooms/\(room)/leave", token: early.accessToken)
            #expect(last.data["room_deleted"].boolValue == true)
            #expect(try await server.request(.GET, "/chatrooms/\(room)", token: early.accessToken).status == 404)
            #expect(try await server.rowCounts(room: room).values.allSatisfy { $0 == 0 })
        }
    }

    @Test("roles: the owner promotes, demotes and transfers; nobody else may", arguments: TestEngine.available)
    func roles(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let alice = try await server.register("alice")
            let bob = try await server.register("bob")
            let outsider = try await server.register("outsider")
            let room = try await server.createRoom(owner)
            try await server.addMember(alice, to: room, by: owner)
            try await server.addMember(bob, to: room, by: owner)

            let promoted = try await server.request(.PUT, "/chatrooms/\(room)/members/\(alice.id)", json: ["role": "moderator"], token: owner.accessToken)
            #expect(promoted.status == 200 && promoted.data["member"]["role"].stringValue == "moderator")
            let byModerator = try await server.request(.PUT, "/chatrooms/\(room)/members/\(bob.id)", json: ["role": "moderator"], token: alice.accessToken)
            #expect(byModerator.status == 403 && byModerator.errorCode == "RESOURCE_ACCESS_DENIED")
            let byMember = try await server.request(.PUT, "/chatrooms/\(room)/members/\(alice.id)", json: ["role": "member"], token: bob.accessToken)
            #expect(byMember.status == 403 && byMember.errorCode == "RESOURCE_ACCESS_DENIED")
            let byOutsider = try await server.request(.PUT, "/chatrooms/\(room)/members/\(alice.id)", json: ["role": "member"], token: outsider.accessToken)
            #expect(byOutsider.status == 403 && byOutsider.errorCode == "CHATROOM_ACCESS_DENIED")

            for (body, code) in [(["role": "admin"] as JSONValue, "VALIDATION_INVALID_VALUE"), ([:], "VALIDATION_REQUIRED_FIELD"), (["role": 3], "VALIDATION_INVALID_FORMAT")] {
                let response = try await server.request(.PUT, "/chatrooms/\(room)/members/\(bob.id)", json: body, token: owner.accessToken)
                #expect(response.status == 422 && response.errorCode == code)
            }
            let notMember = try await server.request(.PUT, "/chatrooms/\(room)/members/\(outsider.id)", json: ["role": "moderator"], token: owner.accessToken)
            #expect(notMember.status == 404 && notMember.errorCode == "RESOURCE_NOT_FOUND")
            let selfChange = try await server.request(.PUT, "/chatrooms/\(room)/members/\(owner.id)", json: ["role": "member"], token: owner.accessToken)
            #expect(selfChange.status == 422)

            let transfer = try await server.request(.PUT, "/chatrooms/\(room)/members/\(bob.id)", json: ["role": "owner"], token: owner.accessToken)
            #expect(transfer.status == 200 && transfer.data["member"]["role"].stringValue == "owner")
            let details = try await server.request(.GET, "/chatrooms/\(room)", token: owner.accessToken)
            #expect(details.data["chatroom"]["owner_id"].stringValue == bob.id)
            #expect(details.data["user_role"].stringValue == "moderator")
            #expect(details.data["members"].arrayValue.filter { $0["role"].stringValue == "owner" }.count == 1)
            // The former owner is now a moderator and can no longer change roles.
            let former = try await server.request(.PUT, "/chatrooms/\(room)/members/\(alice.id)", json: ["role": "member"], token: owner.accessToken)
            #expect(former.status == 403)
            let demoted = try await server.request(.PUT, "/chatrooms/\(room)/members/\(alice.id)", json: ["role": "member"], token: bob.accessToken)
            #expect(demoted.data["member"]["role"].stringValue == "member")
            let roleMessages = try await server.storedMessages(room).filter { $0.content?.contains("role_changed") == true }
            #expect(roleMessages.count == 3)
        }
    }

    @Test("removal: owner removes anyone, moderators remove members only", arguments: TestEngine.available)
    func removal(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let moderator = try await server.register("moderator")
            let other = try await server.register("othermod")
            let member = try await server.register("member")
            let outsider = try await server.register("outsider")
            let room = try await server.createRoom(owner)
            for user in [moderator, other, member] { try await server.addMember(user, to: room, by: owner) }
            try await server.setRole(moderator, "moderator", in: room, by: owner)
            try await server.setRole(other, "moderator", in: room, by: owner)

            let modOnMod = try await server.request(.DELETE, "/chatrooms/\(room)/members/\(other.id)", token: moderator.accessToken)
            #expect(modOnMod.status == 403 && modOnMod.errorCode == "RESOURCE_ACCESS_DENIED")
            let memberOnMember = try await server.request(.DELETE, "/chatrooms/\(room)/members/\(moderator.id)", token: member.accessToken)
            #expect(memberOnMember.status == 403 && memberOnMember.errorCode == "RESOURCE_ACCESS_DENIED")
            let outsiderTry = try await server.request(.DELETE, "/chatrooms/\(room)/members/\(member.id)", token: outsider.accessToken)
            #expect(outsiderTry.status == 403 && outsiderTry.errorCode == "CHATROOM_ACCESS_DENIED")
            let missing = try await server.request(.DELETE, "/chatrooms/\(room)/members/\(outsider.id)", token: owner.accessToken)
            #expect(missing.status == 404 && missing.errorCode == "RESOURCE_NOT_FOUND")
            let selfRemoval = try await server.request(.DELETE, "/chatrooms/\(room)/members/\(owner.id)", token: owner.accessToken)
            #expect(selfRemoval.status == 422)

            #expect(try await server.request(.DELETE, "/chatrooms/\(room)/members/\(member.id)", token: moderator.accessToken).status == 200)
            #expect(try await server.request(.DELETE, "/chatrooms/\(room)/members/\(other.id)", token: owner.accessToken).status == 200)
            let removedView = try await server.request(.GET, "/chatrooms/\(room)", token: member.accessToken)
            #expect(removedView.status == 403)
            let details = try await server.request(.GET, "/chatrooms/\(room)", token: owner.accessToken)
            #expect(details.data["chatroom"]["member_count"].intValue == 2)
        }
    }

    @Test("membership changes record gap-free system messages; server-readable rooms keep them encrypted", arguments: TestEngine.available)
    func systemMessages(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner", displayName: "Olivia Owner")
            let member = try await server.register("member", displayName: "Mallory Member")
            for encrypted in [true, false] {
                let room = try await server.createRoom(owner, name: "Mode \(encrypted)", encrypted: encrypted)
                try await server.addMember(member, to: room, by: owner)
                try await server.setRole(member, "moderator", in: room, by: owner)
                _ = try await server.request(.PUT, "/chatrooms/\(room)", json: ["name": "Renamed"], token: owner.accessToken)
                _ = try await server.request(.POST, "/chatrooms/\(room)/leave", token: member.accessToken)
                let rows = try await server.storedMessages(room)
                #expect(rows.map(\.seq) == [1, 2, 3, 4])
                #expect(rows.allSatisfy { $0.type == "system" })
                #expect(rows.map(\.userID) == [member.id, owner.id, owner.id, member.id])
                let plaintextVisible = rows.contains { $0.content?.contains("Mallory") == true }
                #expect(plaintextVisible == encrypted, "encrypted=\(encrypted)")
                let list = try await server.request(.GET, "/chatrooms?search=Renamed", token: owner.accessToken)
                let last = list.data["chatrooms"].arrayValue.first { $0["id"].stringValue == room }?["last_message"]
                #expect(last?["content"]["text"].stringValue == "Mallory Member left")
                _ = try await server.request(.DELETE, "/chatrooms/\(room)", token: owner.accessToken)
            }
        }
    }

    @Test("a removed member's next message is refused, and a new display name shows on the next message", arguments: TestEngine.available)
    func sendAccessDoesNotOutliveMembership(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let alice = try await server.register("alice")
            let room = try await server.createRoom(owner, encrypted: false)
            try await server.addMember(alice, to: room, by: owner)
            // A first message, so that the server has granted (and may remember) alice's access.
            try await server.post(["text": "before"], to: room, by: alice)
            let renamed = try await server.request(.PUT, "/users/me", json: ["display_name": "Alice Renamed"], token: alice.accessToken)
            #expect(renamed.status == 200)
            let second = try await server.post(["text": "renamed"], to: room, by: alice)
            #expect(second["display_name"].stringValue == "Alice Renamed")

            let removed = try await server.request(.DELETE, "/chatrooms/\(room)/members/\(alice.id)", token: owner.accessToken)
            #expect(removed.status == 200)
            let refused = try await server.request(.POST, "/chatrooms/\(room)/messages", json: ["content": ["text": "after"]], token: alice.accessToken)
            #expect(refused.status == 403 && refused.errorCode == "CHATROOM_ACCESS_DENIED")
            let socket = try await TestSocket.connect(server, token: alice.accessToken)
            socket.send("send_message", ["chatroom_id": .string(room), "content": ["text": "after, live"]], requestID: "r1")
            let answer = try await socket.next()
            #expect(answer["event"].stringValue == "error" && answer["data"]["code"].stringValue == "CHATROOM_ACCESS_DENIED")
            let texts = try await server.storedMessages(room).filter { $0.type == "text" }.count
            #expect(texts == 2)
        }
    }
}

@Suite("Chatrooms: capacity under concurrent joins")
struct ConcurrentJoinTests {
    @Test("max_members holds when many join at once", arguments: TestEngine.available)
    func capacity(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let room = try await server.createRoom(owner, isPrivate: true, maxMembers: 5)
            let code = try await server.inviteCode(room, by: owner, maxUses: 1000)
            var users: [TestUser] = []
            for index in 0..<24 { users.append(try await server.register("j\(index)")) }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for user in users {
                    group.addTask { try await server.request(.POST, "/chatrooms/join/\(code)", token: user.accessToken).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 4)
            #expect(statuses.filter { $0 == 409 }.count == 20)
            let details = try await server.request(.GET, "/chatrooms/\(room)", token: owner.accessToken)
            #expect(details.data["chatroom"]["member_count"].intValue == 5)
            #expect(details.data["members"].arrayValue.count == 5)
            #expect(try await server.storedMessages(room).map(\.seq) == [1, 2, 3, 4])
        }
    }

    @Test("max_uses holds when many join at once", arguments: TestEngine.available)
    func uses(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let room = try await server.createRoom(owner, isPrivate: true)
            let code = try await server.inviteCode(room, by: owner, maxUses: 3)
            var users: [TestUser] = []
            for index in 0..<16 { users.append(try await server.register("u\(index)")) }
            let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for user in users {
                    group.addTask { try await server.request(.POST, "/chatrooms/join/\(code)", token: user.accessToken) }
                }
                return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
            }
            #expect(responses.filter { $0.status == 200 }.count == 3)
            let refused = responses.filter { $0.status == 400 }
            #expect(refused.count == 13, "\(responses.map { "\($0.status) \($0.text)" })")
            #expect(refused.allSatisfy { $0.json["error"]["details"]["reason"].stringValue == "exhausted" })
            let details = try await server.request(.GET, "/chatrooms/\(room)", token: owner.accessToken)
            #expect(details.data["chatroom"]["member_count"].intValue == 4)
        }
    }
}

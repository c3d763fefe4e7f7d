import Foundation
import ParleyCore
import ParleyTestSupport
import SQLKit
import Testing

@testable import ParleyServer

@Suite("Messages over REST: history, edits, deletions, reactions, encryption at rest")
struct MessageRestTests {
    @Test("history: newest first, pages, before/after, after_seq oldest first, bounds", arguments: TestEngine.available)
    func history(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let outsider = try await server.register("outsider")
            let room = try await server.createRoom(alice, encrypted: false)
            var sent: [JSONValue] = []
            for number in 1...25 { sent.append(try await server.post(["text": .string("n\(number)")], to: room, by: alice)) }

            let first = try await server.request(.GET, "/chatrooms/\(room)/messages?limit=10", token: alice.accessToken)
            #expect(first.status == 200)
            #expect(first.data["messages"].arrayValue.compactMap { $0["content"]["text"].stringValue } == (16...25).reversed().map { "n\($0)" })
            #expect(first.data["pagination"] == ["page": 1, "limit": 10, "total": 25, "has_more": true])
            let last = try await server.request(.GET, "/chatrooms/\(room)/messages?limit=10&page=3", token: alice.accessToken)
            #expect(last.data["messages"].arrayValue.compactMap { $0["content"]["text"].stringValue } == (1...5).reversed().map { "n\($0)" })
            #expect(last.data["pagination"]["has_more"].boolValue == false)
            let beyond = try await server.request(.GET, "/chatrooms/\(room)/messages?limit=10&page=4", token: alice.accessToken)
            #expect(beyond.data["messages"].arrayValue.isEmpty)
            let defaults = try await server.request(.GET, "/chatrooms/\(room)/messages", token: alice.accessToken)
            #expect(defaults.data["pagination"]["limit"].intValue == 50 && defaults.data["messages"].arrayValue.count == 25)

            let resume = try await server.request(.GET, "/chatrooms/\(room)/messages?after_seq=20&limit=3", token: alice.accessToken)
            #expect(resume.data["messages"].arrayValue.compactMap { $0["seq"].intValue } == [21, 22, 23])
            #expect(resume.data["pagination"]["total"].intValue == 5 && resume.data["pagination"]["has_more"].boolValue == true)
            let caughtUp = try await server.request(.GET, "/chatrooms/\(room)/messages?after_seq=25", token: alice.accessToken)
            #expect(caughtUp.data["messages"].arrayValue.isEmpty)

            let cut = try #require(sent[9]["created_at"].stringValue)
            let before = try await server.request(.GET, "/chatrooms/\(room)/messages?before=\(cut)", token: alice.accessToken)
            #expect(before.data["messages"].arrayValue.allSatisfy { ($0["created_at"].stringValue ?? "") < cut })
            let after = try await server.request(.GET, "/chatrooms/\(room)/messages?after=\(cut)", token: alice.accessToken)
            #expect(after.data["messages"].arrayValue.allSatisfy { ($0["created_at"].stringValue ?? "") > cut })
            #expect(before.data["messages"].arrayValue.count + after.data["messages"].arrayValue.count
                    + sent.filter { $0["created_at"].stringValue == cut }.count == 25)
            let noFraction = String(cut.prefix(19)) + "Z"
            #expect(try await server.request(.GET, "/chatrooms/\(room)/messages?after=\(noFraction)", token: alice.accessToken).status == 200)

            for query in ["limit=0", "limit=101", "page=0", "before=yesterday", "after_seq=-1", "after_seq=x"] {
                let response = try await server.request(.GET, "/chatrooms/\(room)/messages?\(query)", token: alice.accessToken)
                #expect(response.status == 422, "\(query)")
            }
            let denied = try await server.request(.GET, "/chatrooms/\(room)/messages", token: outsider.accessToken)
            #expect(denied.status == 403 && denied.errorCode == "CHATROOM_ACCESS_DENIED")
            #expect(try await server.request(.GET, "/chatrooms/\(Identifiers.uuid())/messages", token: alice.accessToken).status == 404)
        }
    }

    @Test("edit and delete: own messages, moderators delete others', events follow", arguments: TestEngine.available)
    func editAndDelete(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let moderator = try await server.register("moderator")
            let member = try await server.register("member")
            let room = try await server.createRoom(owner, encrypted: false)
            for user in [moderator, member] { try await server.addMember(user, to: room, by: owner) }
            try await server.setRole(moderator, "moderator", in: room, by: owner)
            let watcher = try await TestSocket.connect(server, token: owner.accessToken)
            try await watcher.join(room)

            let mine = try await server.post(["text": "tpyo"], to: room, by: member)
            _ = try await watcher.next("message_received")
            let edited = try await server.request(.PUT, "/chatrooms/\(room)/messages/\(mine["id"].stringValue!)", json: ["content": ["text": "typo"]], token: member.accessToken)
            #expect(edited.status == 200)
            #expect(edited.data["message"]["content"]["text"].stringValue == "typo")
            #expect(edited.data["message"]["edited_at"].stringValue != nil)
            let editEvent = try await watcher.next("message_edited")
            #expect(editEvent["data"]["message"]["content"]["text"].stringValue == "typo")
            let notMine = try await server.request(.PUT, "/chatrooms/\(room)/messages/\(mine["id"].stringValue!)", json: ["content": ["text": "hijack"]], token: owner.accessToken)
            #expect(notMine.status == 403 && notMine.errorCode == "MESSAGE_EDIT_DENIED")
            let wrongMode = try await server.request(.PUT, "/chatrooms/\(room)/messages/\(mine["id"].stringValue!)", json: ["content": sealedContent()], token: member.accessToken)
            #expect(wrongMode.status == 422 && wrongMode.errorCode == "MESSAGE_ENCRYPTION_FAILED")
            let missing = try await server.request(.PUT, "/chatrooms/\(room)/messages/\(Identifiers.uuidV7())", json: ["content": ["text": "x"]], token: member.accessToken)
            #expect(missing.status == 404 && missing.errorCode == "MESSAGE_NOT_FOUND")

            let ownerMessage = try await server.post(["text": "owner says"], to: room, by: owner)
            let byMember = try await server.request(.DELETE, "/chatrooms/\(room)/messages/\(ownerMessage["id"].stringValue!)", token: member.accessToken)
            #expect(byMember.status == 403 && byMember.errorCode == "MESSAGE_DELETE_DENIED")
            let byModerator = try await server.request(.DELETE, "/chatrooms/\(room)/messages/\(ownerMessage["id"].stringValue!)", token: moderator.accessToken)
            #expect(byModerator.status == 200)
            #expect(byModerator.data["message"]["content"].isNull && byModerator.data["message"]["deleted_at"].stringValue != nil)
            let deleteEvent = try await watcher.next("message_deleted")
            #expect(deleteEvent["data"]["message_id"] == ownerMessage["id"])
            #expect(deleteEvent["data"]["deleted_by"].stringValue == moderator.id)
            let again = try await server.request(.DELETE, "/chatrooms/\(room)/messages/\(ownerMessage["id"].stringValue!)", token: owner.accessToken)
            #expect(again.status == 404)
            let ownDelete = try await server.request(.DELETE, "/chatrooms/\(room)/messages/\(mine["id"].stringValue!)", token: member.accessToken)
            #expect(ownDelete.status == 200)
            let editTombstone = try await server.request(.PUT, "/chatrooms/\(room)/messages/\(mine["id"].stringValue!)", json: ["content": ["text": "back"]], token: member.accessToken)
            #expect(editTombstone.status == 403 && editTombstone.errorCode == "MESSAGE_EDIT_DENIED")

            // Tombstones stay in history with their seq; the text is gone from the database too.
            let history = try await server.request(.GET, "/chatrooms/\(room)/messages", token: owner.accessToken)
            let tombstone = history.data["messages"].arrayValue.first { $0["id"] == ownerMessage["id"] }
            #expect(tombstone?["content"].isNull == true && tombstone?["deleted_at"].isNull == false)
            let row = try await server.storedMessages(room).first { $0.seq == ownerMessage["seq"].intValue }
            #expect(row?.content == nil)
            // System messages cannot be edited or deleted by members.
            let systemID = try #require(history.data["messages"].arrayValue.first { $0["message_type"].stringValue == "system" }?["id"].stringValue)
            let systemEdit = try await server.request(.PUT, "/chatrooms/\(room)/messages/\(systemID)", json: ["content": ["text": "x"]], token: member.accessToken)
            #expect(systemEdit.status == 403)
            await watcher.close()
        }
    }

    @Test("reactions: one per user and emoji, events, removal", arguments: TestEngine.available)
    func reactions(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let bob = try await server.register("bob")
            let outsider = try await server.register("outsider")
            let room = try await server.createRoom(alice)
            try await server.addMember(bob, to: room, by: alice)
            let message = try await server.post(sealedContent(), to: room, by: alice)
            let id = try #require(message["id"].stringValue)
            let watcher = try await TestSocket.connect(server, token: alice.accessToken)
            try await watcher.join(room)

            let added = try await server.request(.POST, "/chatrooms/\(room)/messages/\(id)/reactions", json: ["emoji": "👍🏽"], token: bob.accessToken)
            #expect(added.status == 201)
            #expect(added.data["reaction"]["emoji"].stringValue == "👍🏽")
            let event = try await watcher.next("reaction_added")
            #expect(event["data"]["reaction"]["user_id"].stringValue == bob.id)
            let repeated = try await server.request(.POST, "/chatrooms/\(room)/messages/\(id)/reactions", json: ["emoji": "👍🏽"], token: bob.accessToken)
            #expect(repeated.status == 200)
            #expect(await watcher.staysQuiet(for: .milliseconds(200)))
            _ = try await server.request(.POST, "/chatrooms/\(room)/messages/\(id)/reactions", json: ["emoji": "🎉"], token: alice.accessToken)
            let history = try await server.request(.GET, "/chatrooms/\(room)/messages", token: alice.accessToken)
            let reactions = history.data["messages"].arrayValue.first { $0["id"].stringValue == id }?["reactions"].arrayValue ?? []
            #expect(reactions.count == 2)
            #expect(reactions.contains { $0["username"].stringValue == bob.username && $0["emoji"].stringValue == "👍🏽" })

            for (body, code) in [([:] as JSONValue, "VALIDATION_REQUIRED_FIELD"), (["emoji": .string(String(repeating: "x", count: 33))], "VALIDATION_LENGTH_EXCEEDED"), (["emoji": "a b"], "VALIDATION_INVALID_FORMAT")] {
                let response = try await server.request(.POST, "/chatrooms/\(room)/messages/\(id)/reactions", json: body, token: bob.accessToken)
                #expect(response.status == 422 && response.errorCode == code)
            }
            let foreign = try await server.request(.POST, "/chatrooms/\(room)/messages/\(id)/reactions", json: ["emoji": "👀"], token: outsider.accessToken)
            #expect(foreign.status == 403)
            let unknown = try await server.request(.POST, "/chatrooms/\(room)/messages/\(Identifiers.uuidV7())/reactions", json: ["emoji": "👀"], token: bob.accessToken)
            #expect(unknown.status == 404 && unknown.errorCode == "MESSAGE_NOT_FOUND")

            let removed = try await server.request(.DELETE, "/chatrooms/\(room)/messages/\(id)/reactions", json: ["emoji": "👍🏽"], token: bob.accessToken)
            #expect(removed.status == 200)
            #expect(try await watcher.next("reaction_removed")["data"]["emoji"].stringValue == "👍🏽")
            let byQuery = try await server.request(.DELETE, "/chatrooms/\(room)/messages/\(id)/reactions?emoji=%F0%9F%8E%89", token: alice.accessToken)
            #expect(byQuery.status == 200)
            let gone = try await server.request(.DELETE, "/chatrooms/\(room)/messages/\(id)/reactions", json: ["emoji": "👍🏽"], token: bob.accessToken)
            #expect(gone.status == 404)
            await watcher.close()
        }
    }

    @Test("server-readable text never reaches the database in plaintext, and decrypts after a restart", arguments: TestEngine.available)
    func encryptionAtRest(engine: TestEngine) async throws {
        let database = try await TestDatabase.make(engine)
        let secret = "the-launch-code-is-7-7-4-1-\(UUID().uuidString)"
        let first = try await TestServer.start(engine, database: database)
        let alice = try await first.register("alice")
        let room = try await first.createRoom(alice, encrypted: false)
        let sent = try await first.post(["text": .string(secret)], to: room, by: alice)
        _ = try await first.request(.PUT, "/chatrooms/\(room)/messages/\(sent["id"].stringValue!)", json: ["content": ["text": .string(secret + " (edited)")]], token: alice.accessToken)
        let e2eRoom = try await first.createRoom(alice, encrypted: true)
        let triple = sealedContent("opaque")
        _ = try await first.post(triple, to: e2eRoom, by: alice)

        // The table never holds the text.
        let rows = try await first.storedMessages(room)
        #expect(!rows.contains { $0.content?.contains("launch-code") == true })
        #expect(rows.allSatisfy { $0.content != nil })
        // End-to-end content is stored as sent.
        let e2eRow = try #require(try await first.storedMessages(e2eRoom).last?.content)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(e2eRow.utf8)) == triple)
        await first.stop(keepDatabase: true)

        if engine == .sqlite, case .sqlite(let path) = database.location {
            for file in [path, path + "-wal"] {
                if let bytes = FileManager.default.contents(atPath: file) {
                    #expect(bytes.range(of: Data("launch-code".utf8)) == nil, "\(file) contains the plaintext")
                }
            }
        }
        let second = try await TestServer.start(engine, database: database)
        let history = try await second.request(.GET, "/chatrooms/\(room)/messages", token: alice.accessToken)
        let texts = history.data["messages"].arrayValue.compactMap { $0["content"]["text"].stringValue }
        await second.stop()
        #expect(texts.contains(secret + " (edited)"))
    }

    @Test("a server started with another master key refuses to start rather than serve unreadable rooms")
    func wrongMasterKey() async throws {
        let database = try await TestDatabase.make(.sqlite)
        let first = try await TestServer.start(database: database)
        let alice = try await first.register("alice")
        let room = try await first.createRoom(alice, encrypted: false)
        _ = try await first.post(["text": "for the right key only"], to: room, by: alice)
        await first.stop(keepDatabase: true)
        await #expect(throws: ConfigurationError.self) {
            _ = try await TestServer.start(database: database) { $0.masterKey = Array(repeating: 7, count: 32) }
        }
        let third = try await TestServer.start(database: database)
        let history = try await third.request(.GET, "/chatrooms/\(room)/messages", token: alice.accessToken)
        await third.stop()
        #expect(history.data["messages"][0]["content"]["text"].stringValue == "for the right key only")
    }

    @Test("metrics count connections, stored messages, deliveries and latency")
    func metrics() async throws {
        try await TestServer.with { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice)
            let socket = try await TestSocket.connect(server, token: alice.accessToken)
            try await socket.join(room)
            socket.send("send_message", ["chatroom_id": .string(room), "content": sealedContent()])
            _ = try await socket.next("message_received")
            let text = try await server.request(.GET, "/metrics").text
            #expect(text.contains("parley_websocket_connections 1"))
            #expect(text.contains("parley_messages_stored_total 1"))
            #expect(text.contains("parley_events_delivered_total"))
            #expect(text.contains("parley_message_delivery_seconds_count 1"))
            await socket.close()
        }
    }
}

import Foundation
import ParleyCore
import ParleyTestSupport
import SQLKit
import Testing

@testable import ParleyServer

@Suite("Realtime messaging: sending, echo, ordering")
struct MessagingTests {
    @Test("send_message: the sender's echo carries client_id and request_id; other subscribers receive it", arguments: TestEngine.available)
    func sendAndEcho(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let bob = try await server.register("bob")
            for encrypted in [true, false] {
                let room = try await server.createRoom(alice, encrypted: encrypted)
                try await server.addMember(bob, to: room, by: alice)
                let sender = try await TestSocket.connect(server, token: alice.accessToken)
                let listener = try await TestSocket.connect(server, token: bob.accessToken)
                try await sender.join(room)
                let joined = try await listener.join(room)
                let content: JSONValue = encrypted ? sealedContent() : ["text": "hello, bob"]
                sender.send("send_message", ["chatroom_id": .string(room), "content": content, "client_id": "c-1"], requestID: "req-7")
                let echo = try await sender.next("message_received")
                #expect(echo["request_id"].stringValue == "req-7")
                let message = echo["data"]["message"]
                #expect(message["client_id"].stringValue == "c-1")
                #expect(message["content"] == content)
                #expect(message["user_id"].stringValue == alice.id)
                #expect(message["username"].stringValue == alice.username)
                #expect(message["message_type"].stringValue == "text")
                #expect(message["seq"].intValue == (joined["last_seq"].intValue ?? 0) + 1)
                #expect(message["reactions"].arrayValue.isEmpty && message["attachments"].arrayValue.isEmpty)
                #expect(message["edited_at"].isNull && message["reply_to"].isNull)
                let received = try await listener.next("message_received")
                #expect(received["data"]["message"]["id"] == message["id"])
                #expect(received["request_id"].isNull)
                #expect(received["data"]["message"]["content"] == content)
                await sender.close()
                await listener.close()
            }
        }
    }

    @Test("sending needs membership, not a subscription; the ack still comes", arguments: TestEngine.available)
    func sendWithoutSubscription(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let outsider = try await server.register("outsider")
            let room = try await server.createRoom(alice, encrypted: false)
            let socket = try await TestSocket.connect(server, token: alice.accessToken)
            socket.send("send_message", ["chatroom_id": .string(room), "content": ["text": "unsubscribed"]], requestID: "x")
            let ack = try await socket.next("message_received")
            #expect(ack["request_id"].stringValue == "x")
            #expect(ack["data"]["message"]["content"]["text"].stringValue == "unsubscribed")
            let intruder = try await TestSocket.connect(server, token: outsider.accessToken)
            intruder.send("send_message", ["chatroom_id": .string(room), "content": ["text": "let me in"]], requestID: "y")
            let refused = try await intruder.next()
            #expect(refused["event"].stringValue == "error" && refused["data"]["code"].stringValue == "CHATROOM_ACCESS_DENIED")
            #expect(refused["request_id"].stringValue == "y")
            intruder.send("join_chatroom", ["chatroom_id": .string(room)])
            #expect(try await intruder.next()["data"]["code"].stringValue == "CHATROOM_ACCESS_DENIED")
            await socket.close()
            await intruder.close()
        }
    }

    @Test("each mode refuses the other mode's content, and limits hold", arguments: TestEngine.available)
    func contentRules(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let e2e = try await server.createRoom(alice, encrypted: true)
            let readable = try await server.createRoom(alice, encrypted: false)
            let socket = try await TestSocket.connect(server, token: alice.accessToken)
            let iv = Data(count: 12).base64EncodedString()
            let cases: [(String, JSONValue, String?, String)] = [
                (e2e, ["text": "plaintext leak"], nil, "MESSAGE_ENCRYPTION_FAILED"),
                (e2e, ["encrypted_data": "AAAA", "iv": "short", "key_version": 1], nil, "MESSAGE_ENCRYPTION_FAILED"),
                (e2e, ["encrypted_data": "not base64!", "iv": .string(iv), "key_version": 1], nil, "MESSAGE_ENCRYPTION_FAILED"),
                (e2e, ["encrypted_data": "AAAA", "iv": .string(iv), "key_version": 0], nil, "MESSAGE_ENCRYPTION_FAILED"),
                (e2e, ["encrypted_data": "AAAA", "iv": .string(iv)], nil, "MESSAGE_ENCRYPTION_FAILED"),
                (e2e, ["encrypted_data": .string(Data(count: 65 * 1024).base64EncodedString()), "iv": .string(iv), "key_version": 1], nil, "MESSAGE_TOO_LONG"),
                (readable, sealedContent(), nil, "MESSAGE_ENCRYPTION_FAILED"),
                (readable, ["text": .string(String(repeating: "ü", count: 4001))], nil, "MESSAGE_TOO_LONG"),
                (readable, ["text": "  "], nil, "VALIDATION_REQUIRED_FIELD"),
                (readable, ["text": 5], nil, "VALIDATION_INVALID_FORMAT"),
                (readable, "just a string", nil, "VALIDATION_INVALID_FORMAT"),
                (readable, ["text": "x"], "system", "VALIDATION_INVALID_VALUE"),
                (readable, ["text": "x"], "video", "VALIDATION_INVALID_VALUE"),
            ]
            for (room, content, type, code) in cases {
                var data: [String: JSONValue] = ["chatroom_id": .string(room), "content": content]
                if let type { data["message_type"] = .string(type) }
                socket.send("send_message", .object(data))
                let frame = try await socket.next()
                #expect(frame["data"]["code"].stringValue == code, "\(content) → \(frame)")
                let rest = try await server.request(.POST, "/chatrooms/\(room)/messages", json: .object(data), token: alice.accessToken)
                #expect(rest.status == 422 && rest.errorCode == code, "REST \(content)")
            }
            // Exactly at the limits is fine.
            socket.send("send_message", ["chatroom_id": .string(readable), "content": ["text": .string(String(repeating: "ü", count: 4000))]])
            #expect(try await socket.next()["event"].stringValue == "message_received")
            socket.send("send_message", ["chatroom_id": .string(e2e), "content": ["encrypted_data": .string(Data(count: 64 * 1024).base64EncodedString()), "iv": .string(iv), "key_version": 1]])
            #expect(try await socket.next()["event"].stringValue == "message_received")
            // Nothing refused was stored.
            #expect(try await server.storedMessages(readable).count == 1)
            #expect(try await server.storedMessages(e2e).count == 1)
            await socket.close()
        }
    }

    @Test("reply_to must name a message of the same room", arguments: TestEngine.available)
    func replies(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            let other = try await server.createRoom(alice, encrypted: false)
            let original = try await server.post(["text": "question"], to: room, by: alice)
            let elsewhere = try await server.post(["text": "elsewhere"], to: other, by: alice)
            let reply = try await server.post(["text": "answer"], to: room, by: alice, replyTo: original["id"].stringValue)
            #expect(reply["reply_to"] == original["id"])
            for bad in [elsewhere["id"].stringValue!, Identifiers.uuidV7(), "nonsense"] {
                let response = try await server.request(.POST, "/chatrooms/\(room)/messages", json: ["content": ["text": "x"], "reply_to": .string(bad)], token: alice.accessToken)
                #expect(response.status == 422 && response.errorCode == "VALIDATION_INVALID_VALUE")
                #expect(response.json["error"]["details"]["field"].stringValue == "reply_to")
            }
        }
    }

    @Test("a resent client_id returns the stored message and is not broadcast twice", arguments: TestEngine.available)
    func idempotentResend(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let bob = try await server.register("bob")
            let room = try await server.createRoom(alice)
            try await server.addMember(bob, to: room, by: alice)
            let sender = try await TestSocket.connect(server, token: alice.accessToken)
            let listener = try await TestSocket.connect(server, token: bob.accessToken)
            try await listener.join(room)
            let content = sealedContent()
            sender.send("send_message", ["chatroom_id": .string(room), "content": content, "client_id": "once"], requestID: "a")
            let first = try await sender.next("message_received")
            sender.send("send_message", ["chatroom_id": .string(room), "content": sealedContent(), "client_id": "once"], requestID: "b")
            let second = try await sender.next("message_received")
            #expect(second["request_id"].stringValue == "b")
            #expect(second["data"]["message"]["id"] == first["data"]["message"]["id"])
            #expect(second["data"]["message"]["content"] == content)
            let rest = try await server.request(.POST, "/chatrooms/\(room)/messages", json: ["content": sealedContent(), "client_id": "once"], token: alice.accessToken)
            #expect(rest.status == 200 && rest.data["message"]["id"] == first["data"]["message"]["id"])
            #expect(try await listener.next("message_received")["data"]["message"]["id"] == first["data"]["message"]["id"])
            #expect(await listener.staysQuiet(for: .milliseconds(300)))
            // Concurrent resends of one client_id still store one message.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { try await server.post(sealedContent(), to: room, by: alice, clientID: "burst") } }
                try await group.waitForAll()
            }
            let rows = try await server.storedMessages(room).filter { $0.type != "system" }
            #expect(rows.count == 2)
            // Another sender may use the same client_id.
            let bobs = try await server.post(sealedContent(), to: room, by: bob, clientID: "once")
            #expect(bobs["id"] != first["data"]["message"]["id"])
            await sender.close()
            await listener.close()
        }
    }

    @Test("two concurrent senders, 500 messages: both subscribers see the same gap-free seq order", arguments: TestEngine.available)
    func ordering(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let bob = try await server.register("bob")
            let carol = try await server.register("carol")
            let room = try await server.createRoom(alice, encrypted: false)
            for user in [bob, carol] { try await server.addMember(user, to: room, by: alice) }
            let watchers = [try await TestSocket.connect(server, token: carol.accessToken), try await TestSocket.connect(server, token: alice.accessToken)]
            var start = 0
            for watcher in watchers { start = try await watcher.join(room)["last_seq"].intValue ?? 0 }
            let senders = [try await TestSocket.connect(server, token: alice.accessToken), try await TestSocket.connect(server, token: bob.accessToken)]
            await withTaskGroup(of: Void.self) { group in
                for (index, sender) in senders.enumerated() {
                    group.addTask {
                        for number in 0..<250 {
                            sender.send("send_message", ["chatroom_id": .string(room), "content": ["text": .string("s\(index)-\(number)")], "client_id": .string("s\(index)-\(number)")])
                        }
                    }
                }
            }
            var sequences: [[Int]] = []
            var texts: [[String]] = []
            for watcher in watchers {
                let messages = try await watcher.messages(500, timeout: .seconds(60))
                sequences.append(messages.compactMap { $0["seq"].intValue })
                texts.append(messages.compactMap { $0["content"]["text"].stringValue })
            }
            #expect(sequences[0] == Array((start + 1)...(start + 500)))
            #expect(sequences[0] == sequences[1])
            #expect(texts[0] == texts[1])
            // Each sender's own messages keep the order they were sent in.
            for index in 0..<2 {
                let own = texts[0].filter { $0.hasPrefix("s\(index)-") }
                #expect(own == (0..<250).map { "s\(index)-\($0)" })
            }
            for socket in watchers + senders { await socket.close() }
        }
    }
}

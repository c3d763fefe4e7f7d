import Foundation
import NIOCore
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("Realtime delivery: catch-up, slow readers, typing, presence, reads")
struct DeliveryTests {
    @Test("a reconnect with after_seq gets every missed message in order, then live ones, with no gap or duplicate", arguments: TestEngine.available)
    func catchUp(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let bob = try await server.register("bob")
            let room = try await server.createRoom(alice, encrypted: false)
            try await server.addMember(bob, to: room, by: alice)
            let first = try await TestSocket.connect(server, token: bob.accessToken)
            let start = try await first.join(room)["last_seq"].intValue ?? 0
            for number in 0..<5 { try await server.post(["text": .string("before-\(number)")], to: room, by: alice) }
            let seen = try await first.messages(5)
            let lastSeen = try #require(seen.last?["seq"].intValue)
            await first.close()

            // Missed while away.
            for number in 0..<40 { try await server.post(["text": .string("missed-\(number)")], to: room, by: alice) }
            // Others keep sending while the reconnect replays.
            let sender = Task {
                for number in 0..<60 { try await server.post(["text": .string("live-\(number)")], to: room, by: alice) }
            }
            let second = try await TestSocket.connect(server, token: bob.accessToken)
            let joined = try await second.join(room, afterSeq: lastSeen)
            #expect(joined["after_seq"].intValue == lastSeen)
            try await sender.value
            let resumed = try await second.messages(100, timeout: .seconds(60))
            let seqs = resumed.compactMap { $0["seq"].intValue }
            #expect(seqs == Array((lastSeen + 1)...(lastSeen + 100)))
            #expect(resumed.prefix(40).compactMap { $0["content"]["text"].stringValue } == (0..<40).map { "missed-\($0)" })
            #expect(resumed.suffix(60).compactMap { $0["content"]["text"].stringValue } == (0..<60).map { "live-\($0)" })
            #expect(await second.staysQuiet(for: .milliseconds(300)))
            #expect(start + 105 == seqs.last)
            await second.close()
        }
    }

    @Test("join without after_seq is live from now; after_seq 0 replays everything", arguments: TestEngine.available)
    func joinModes(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            for number in 0..<3 { try await server.post(["text": .string("old-\(number)")], to: room, by: alice) }
            let live = try await TestSocket.connect(server, token: alice.accessToken)
            #expect(try await live.join(room)["last_seq"].intValue == 3)
            #expect(await live.staysQuiet(for: .milliseconds(200)))
            let replay = try await TestSocket.connect(server, token: alice.accessToken)
            try await replay.join(room, afterSeq: 0)
            #expect(try await replay.messages(3).compactMap { $0["content"]["text"].stringValue } == ["old-0", "old-1", "old-2"])
            try await server.post(["text": "new"], to: room, by: alice)
            #expect(try await live.messages(1)[0]["content"]["text"].stringValue == "new")
            #expect(try await replay.messages(1)[0]["content"]["text"].stringValue == "new")
            // leave_chatroom stops delivery but not membership.
            live.send("leave_chatroom", ["chatroom_id": .string(room)])
            try await Task.sleep(for: .milliseconds(100))
            try await server.post(["text": "after leave"], to: room, by: alice)
            #expect(await live.staysQuiet(for: .milliseconds(300)))
            #expect(try await server.request(.GET, "/chatrooms/\(room)", token: alice.accessToken).status == 200)
            await live.close()
            await replay.close()
        }
    }

    @Test("a reader that stops reading is closed with 1013 while a fast reader gets every message", arguments: TestEngine.available)
    func slowReader(engine: TestEngine) async throws {
        // The limit leaves a busy-but-reading client plenty of slack and still catches one that never reads.
        // The silence limit is out of the way: a reader that never reads answers no ping either, and on a
        // loaded two-core run the 60 s default closed it as silent before its backlog overflowed.
        try await TestServer.with(engine, configure: { $0.wsOutboundQueueLimit = 512; $0.wsPingTimeout = 900 }) { server in
            let alice = try await server.register("alice")
            let slowUser = try await server.register("slow")
            let fastUser = try await server.register("fast")
            let room = try await server.createRoom(alice, encrypted: false)
            for user in [slowUser, fastUser] { try await server.addMember(user, to: room, by: alice) }
            let slow = try await TestSocket.connect(server, token: slowUser.accessToken)
            let fast = try await TestSocket.connect(server, token: fastUser.accessToken)
            try await slow.join(room)
            try await fast.join(room)
            await slow.pauseReading(true)
            let padding = String(repeating: "p", count: 3900)
            let total = 4000
            let receiving = Task { try await fast.messages(total, timeout: .seconds(300)) }
            // Sent over REST by a few concurrent posters; each poster keeps its own order.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<4 {
                    group.addTask {
                        for number in stride(from: lane, to: total, by: 4) {
                            try await server.post(["text": .string("\(number) \(padding)")], to: room, by: alice)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let received = try await receiving.value
            #expect(received.count == total)
            let numbers = received.compactMap { $0["content"]["text"].stringValue?.split(separator: " ").first.flatMap { Int($0) } }
            #expect(Set(numbers) == Set(0..<total))
            #expect(received.compactMap { $0["seq"].intValue } == received.compactMap { $0["seq"].intValue }.sorted())
            // By now the server has given up on the reader that never read.
            var closed = false
            for _ in 0..<100 where !closed {
                closed = try await server.request(.GET, "/metrics").text.contains("parley_websocket_slow_consumers_closed_total 1")
                if !closed { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(closed, "the slow reader was never closed")
            await slow.pauseReading(false)
            let close = try await slow.closeFrame(timeout: .seconds(50))
            #expect(close?.closeCode == .unknown(1013))
            await fast.close()
        }
    }

    @Test("typing indicators reach the others, stop on typing_stop, and expire by themselves", arguments: TestEngine.available)
    func typing(engine: TestEngine) async throws {
        try await TestServer.with(engine, configure: { $0.typingExpiry = 0.5 }) { server in
            let alice = try await server.register("alice")
            let bob = try await server.register("bob")
            let room = try await server.createRoom(alice)
            try await server.addMember(bob, to: room, by: alice)
            let typist = try await TestSocket.connect(server, token: alice.accessToken)
            let watcher = try await TestSocket.connect(server, token: bob.accessToken)
            try await typist.join(room)
            try await watcher.join(room)
            typist.send("typing_start", ["chatroom_id": .string(room)])
            let started = try await watcher.next("typing_indicator")
            #expect(started["data"] == ["chatroom_id": .string(room), "user_id": .string(alice.id), "username": .string(alice.username), "is_typing": true])
            typist.send("typing_start", ["chatroom_id": .string(room)])
            typist.send("typing_stop", ["chatroom_id": .string(room)])
            let stopped = try await watcher.next("typing_indicator")
            #expect(stopped["data"]["is_typing"].boolValue == false)
            typist.send("typing_start", ["chatroom_id": .string(room)])
            #expect(try await watcher.next("typing_indicator")["data"]["is_typing"].boolValue == true)
            let expired = try await watcher.next("typing_indicator", timeout: .seconds(3))
            #expect(expired["data"]["is_typing"].boolValue == false)
            // The typist never hears its own indicator.
            #expect(await typist.staysQuiet(for: .milliseconds(200)))
            let outsider = try await server.register("outsider")
            let stranger = try await TestSocket.connect(server, token: outsider.accessToken)
            stranger.send("typing_start", ["chatroom_id": .string(room)])
            #expect(try await stranger.next()["data"]["code"].stringValue == "CHATROOM_ACCESS_DENIED")
            for socket in [typist, watcher, stranger] { await socket.close() }
        }
    }

    @Test("user_online on the first connection, user_offline after the grace; a quick reconnect announces nothing", arguments: TestEngine.available)
    func presence(engine: TestEngine) async throws {
        // A grace long enough that the reconnect below lands inside it even on a loaded machine (with 0.6 s
        // the full suite on two cores sometimes took longer to reconnect).
        try await TestServer.with(engine, configure: { $0.presenceGrace = 2.0 }) { server in
            let alice = try await server.register("alice")
            let bob = try await server.register("bob")
            let stranger = try await server.register("stranger")
            let room = try await server.createRoom(alice)
            try await server.addMember(bob, to: room, by: alice)
            let watcher = try await TestSocket.connect(server, token: alice.accessToken)
            let unrelated = try await TestSocket.connect(server, token: stranger.accessToken)
            let first = try await TestSocket.connect(server, token: bob.accessToken)
            let online = try await watcher.next("user_online")
            #expect(online["data"] == ["user_id": .string(bob.id), "username": .string(bob.username)])
            let details = try await server.request(.GET, "/chatrooms/\(room)", token: alice.accessToken)
            #expect(details.data["members"].arrayValue.allSatisfy { $0["is_online"].boolValue == true })
            let second = try await TestSocket.connect(server, token: bob.accessToken)
            await first.close()
            await second.close()
            let reconnected = try await TestSocket.connect(server, token: bob.accessToken)
            #expect(await watcher.staysQuiet(for: .milliseconds(2_300)))
            await reconnected.close()
            let offline = try await watcher.next("user_offline", timeout: .seconds(8))
            #expect(offline["data"]["user_id"].stringValue == bob.id)
            #expect(await unrelated.staysQuiet(for: .milliseconds(100)))
            let after = try await server.request(.GET, "/chatrooms/\(room)", token: alice.accessToken)
            #expect(after.data["members"].arrayValue.first { $0["user_id"].stringValue == bob.id }?["is_online"].boolValue == false)
            await watcher.close()
            await unrelated.close()
        }
    }

    @Test("read positions move forward only, emit read_receipt, and drive unread_count", arguments: TestEngine.available)
    func reads(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let bob = try await server.register("bob")
            let room = try await server.createRoom(alice, encrypted: false)
            try await server.addMember(bob, to: room, by: alice)
            var sent: [JSONValue] = []
            for number in 0..<5 { sent.append(try await server.post(["text": .string("m\(number)")], to: room, by: alice)) }
            try await server.post(["text": "mine"], to: room, by: bob)
            var list = try await server.request(.GET, "/chatrooms", token: bob.accessToken)
            #expect(list.data["chatrooms"][0]["unread_count"].intValue == 5)
            #expect(list.data["chatrooms"][0]["last_message"]["content"]["text"].stringValue == "mine")
            let aliceList = try await server.request(.GET, "/chatrooms", token: alice.accessToken)
            #expect(aliceList.data["chatrooms"][0]["unread_count"].intValue == 1)

            let reader = try await TestSocket.connect(server, token: bob.accessToken)
            let watcher = try await TestSocket.connect(server, token: alice.accessToken)
            try await watcher.join(room)
            reader.send("message_read", ["chatroom_id": .string(room), "message_id": sent[3]["id"]])
            let receipt = try await watcher.next("read_receipt")
            #expect(receipt["data"]["user_id"].stringValue == bob.id)
            #expect(receipt["data"]["message_id"] == sent[3]["id"])
            #expect(receipt["data"]["seq"] == sent[3]["seq"])
            list = try await server.request(.GET, "/chatrooms", token: bob.accessToken)
            #expect(list.data["chatrooms"][0]["unread_count"].intValue == 1)
            // Backwards: nothing changes, nothing is announced.
            reader.send("message_read", ["chatroom_id": .string(room), "message_id": sent[1]["id"]])
            #expect(await watcher.staysQuiet(for: .milliseconds(300)))
            list = try await server.request(.GET, "/chatrooms", token: bob.accessToken)
            #expect(list.data["chatrooms"][0]["unread_count"].intValue == 1)
            let details = try await server.request(.GET, "/chatrooms/\(room)", token: bob.accessToken)
            #expect(details.data["members"].arrayValue.first { $0["user_id"].stringValue == bob.id }?["last_read_seq"] == sent[3]["seq"])
            reader.send("message_read", ["chatroom_id": .string(room), "message_id": "nope"])
            #expect(try await reader.next()["data"]["code"].stringValue == "MESSAGE_NOT_FOUND")
            reader.send("message_read", ["chatroom_id": .string(room)])
            #expect(try await reader.next()["data"]["code"].stringValue == "VALIDATION_REQUIRED_FIELD")
            await reader.close()
            await watcher.close()
        }
    }

    @Test("WebSocket sends past the per-user rate get an error event and are not stored", arguments: TestEngine.available)
    func sendRateLimit(engine: TestEngine) async throws {
        try await TestServer.with(engine, configure: { $0.wsSendsPerSecond = 1; $0.wsSendBurst = 3 }) { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            let socket = try await TestSocket.connect(server, token: alice.accessToken)
            for number in 0..<5 {
                socket.send("send_message", ["chatroom_id": .string(room), "content": ["text": .string("\(number)")]], requestID: "r\(number)")
            }
            var acks = 0
            var refusals = 0
            for _ in 0..<5 {
                let frame = try await socket.next()
                if frame["event"].stringValue == "message_received" { acks += 1 }
                if frame["data"]["code"].stringValue == "RATE_LIMIT_EXCEEDED" { refusals += 1 }
            }
            #expect(acks == 3 && refusals == 2)
            #expect(try await server.storedMessages(room).count == 3)
            let metrics = try await server.request(.GET, "/metrics")
            #expect(metrics.text.contains(#"parley_rate_limit_refusals_total{scope="websocket"} 2"#))
            await socket.close()
        }
    }

    @Test("a connection that never answers pings is closed", arguments: TestEngine.available)
    func deadConnection(engine: TestEngine) async throws {
        try await TestServer.with(engine, configure: { $0.wsPingInterval = 0.2; $0.wsPingTimeout = 0.6 }) { server in
            let alice = try await server.register("alice")
            let raw = try await RawConnection.open(port: server.port)
            // Upgrade by hand, then never read or answer anything: the server must give up on us.
            let started = ContinuousClock.now
            let answer = try await raw.exchange(RawConnection.upgradeRequest(query: "?token=\(alice.accessToken)"), timeout: .seconds(15))
            #expect(answer.hasPrefix("HTTP/1.1 101"))
            #expect(ContinuousClock.now - started < .seconds(10))
            try await Task.sleep(for: .milliseconds(100))
            #expect(server.server.gateway.hub.connectionCount == 0)
        }
    }
}

import Foundation
import NIOCore
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

/// WebSocket clients that misbehave on purpose: they ping and never read, never answer pings, flood typing
/// or replay whole histories without reading them. Each must cost the server a bounded amount and leave
/// everyone else served.
@Suite("Hostile WebSocket clients")
struct HostileWebSocketTests {
    /// Upgrades a raw socket with `token`, then stops reading it.
    private func openRaw(_ server: TestServer, token: String) async throws -> RawWebSocket {
        let socket = try await RawWebSocket.open(port: server.port)
        let answer = try await socket.request(RawConnection.upgradeRequest(query: "?token=\(token)"))
        guard answer.hasPrefix("HTTP/1.1 101") else { throw TestFailure("upgrade refused: \(answer)") }
        try await socket.stopReading()
        return socket
    }

    /// Polls until `condition` holds or `timeout` passes.
    private func eventually(_ timeout: Duration = .seconds(15), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    @Test("a client that sends pings but never answers ours is closed as silent", arguments: TestEngine.available)
    func pingingButSilentClientIsClosed(engine: TestEngine) async throws {
        try await TestServer.with(engine, configure: { $0.wsPingInterval = 1; $0.wsPingTimeout = 3 }) { server in
            let mallory = try await server.register("mallory")
            let socket = try await openRaw(server, token: mallory.accessToken)
            let hub = server.server.gateway.hub
            #expect(await eventually { hub.connectionCount == 1 })
            // Pings every 100 ms for up to 20 s; before the fix each one counted as hearing from the client.
            let deadline = ContinuousClock.now + .seconds(20)
            while hub.connectionCount > 0, ContinuousClock.now < deadline {
                try? await socket.sendPing()
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(hub.connectionCount == 0)
            socket.close()
        }
    }

    @Test("pongs count in the outbound backlog: a client that pings and never reads is closed as too slow", arguments: TestEngine.available)
    func pingFloodWithoutReadingIsClosed(engine: TestEngine) async throws {
        // Pings from us are not answered by a client that does not read; a long silence limit leaves the
        // backlog as the only reason to close it here.
        try await TestServer.with(engine, configure: { $0.wsOutboundQueueLimit = 256; $0.wsPingInterval = 300; $0.wsPingTimeout = 600 }) { server in
            let mallory = try await server.register("mallory")
            let socket = try await openRaw(server, token: mallory.accessToken)
            let hub = server.server.gateway.hub
            #expect(await eventually { hub.connectionCount == 1 })
            // 125-byte pings; the kernel's socket buffers take a few MB of pongs before the backlog counts.
            var sent = 0
            while hub.connectionCount > 0, sent < 200_000 {
                do {
                    try await socket.sendPings(500)
                } catch {
                    break
                }
                sent += 500
            }
            #expect(await eventually { hub.connectionCount == 0 })
            let metrics = try await server.request(.GET, "/metrics")
            #expect(metrics.text.split(separator: "\n").contains { $0.hasPrefix("parley_websocket_slow_consumers_closed_total 1") })
            let health = try await server.request(.GET, "/health")
            #expect(health.status == 200)
            socket.close()
        }
    }

    @Test("typing floods reach the other members at a bounded rate and the sender hears it is limited", arguments: TestEngine.available)
    func typingFloodIsLimited(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let bob = try await server.register("bob")
            let room = try await server.createRoom(alice, encrypted: false)
            try await server.addMember(bob, to: room, by: alice)
            let flooder = try await TestSocket.connect(server, token: alice.accessToken)
            let watcher = try await TestSocket.connect(server, token: bob.accessToken)
            try await flooder.join(room)
            try await watcher.join(room)
            for number in 0..<400 {
                flooder.send(number.isMultiple(of: 2) ? "typing_start" : "typing_stop", ["chatroom_id": .string(room)])
            }
            // The flood's last frame is a stop; a marker after it shows everything before was handled.
            flooder.send("leave_chatroom", ["chatroom_id": .string(room)], requestID: "done")
            var limited = 0
            while true {
                let frame = try await flooder.next(timeout: .seconds(20))
                if frame["event"].stringValue == "error", frame["data"]["details"]["scope"].stringValue == "typing" {
                    #expect(frame["data"]["code"].stringValue == "RATE_LIMIT_EXCEEDED")
                    limited += 1
                }
                if frame["event"].stringValue == "error", frame["data"]["details"]["scope"].stringValue == "websocket_events" { limited += 1 }
                if frame["request_id"].stringValue == "done" || limited >= 300 { break }
                if frame["event"].stringValue == "typing_indicator" { continue }
            }
            #expect(limited >= 300)
            try await Task.sleep(for: .milliseconds(300))
            let indicators = await watcher.drain().filter { $0["event"].stringValue == "typing_indicator" }
            // Burst 20 plus 5/s while the flood lasts: far fewer than the 400 frames sent.
            #expect(indicators.count <= 40)
            await flooder.close()
            await watcher.close()
        }
    }

    @Test("a client that replays history again and again without reading is cut off; the server stays healthy", arguments: TestEngine.available)
    func repeatedCatchUpsWithoutReading(engine: TestEngine) async throws {
        try await TestServer.with(engine, configure: { $0.wsPingInterval = 0.5; $0.wsPingTimeout = 2 }) { server in
            let mallory = try await server.register("mallory")
            let alice = try await server.register("alice")
            let room = try await server.createRoom(mallory, encrypted: false)
            try await server.addMember(alice, to: room, by: mallory)
            let padding = String(repeating: "x", count: 400)
            for number in 0..<600 { try await server.post(["text": .string("m\(number) \(padding)")], to: room, by: mallory) }
            let socket = try await openRaw(server, token: mallory.accessToken)
            let join = "{\"event\":\"join_chatroom\",\"data\":{\"chatroom_id\":\"\(room)\",\"after_seq\":0}}"
            for _ in 0..<100 { try? await socket.sendText(join) }
            let hub = server.server.gateway.hub
            // Alice is served meanwhile.
            let listener = try await TestSocket.connect(server, token: alice.accessToken)
            try await listener.join(room)
            try await server.post(["text": "still here"], to: room, by: alice)
            #expect(try await listener.messages(1)[0]["content"]["text"].stringValue == "still here")
            #expect(try await server.request(.GET, "/health").status == 200)
            // Mallory never reads: closed once silent (pings unanswered), its replay abandoned.
            #expect(await eventually(.seconds(20)) { hub.connections { $0.identity.userID == mallory.id }.isEmpty })
            await listener.close()
            socket.close()
        }
    }

    @Test("a WebSocket upgrade on a connection that already served a REST request is accepted", arguments: TestEngine.available)
    func upgradeOnKeptAliveConnection(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            let socket = try await RawWebSocket.open(port: server.port, receiveBuffer: 1 << 16)
            let health = try await socket.request("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(health.hasPrefix("HTTP/1.1 200"))
            #expect(try await socket.request("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").hasPrefix("HTTP/1.1 200"))
            let answer = try await socket.request(RawConnection.upgradeRequest(query: "?token=\(alice.accessToken)"))
            #expect(answer.hasPrefix("HTTP/1.1 101"))
            #expect(answer.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))
            try await socket.sendText("{\"event\":\"join_chatroom\",\"data\":{\"chatroom_id\":\"\(room)\"},\"request_id\":\"j1\"}")
            #expect(await socket.received(containing: "chatroom_joined"))
            #expect(await socket.received(containing: "\"j1\""))
            socket.close()

            // Refused on a kept-alive connection: the router's 401 envelope, then the connection closes.
            let refusedSocket = try await RawWebSocket.open(port: server.port, receiveBuffer: 1 << 16)
            #expect(try await refusedSocket.request("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").hasPrefix("HTTP/1.1 200"))
            let refused = try await refusedSocket.request(RawConnection.upgradeRequest(query: "?token=nonsense"))
            #expect(refused.hasPrefix("HTTP/1.1 401"))
            #expect(refused.contains("AUTH_TOKEN_INVALID"))
            try await refusedSocket.channel.closeFuture.get()
        }
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("WebSocket connections (API.md §6)")
struct ConnectionTests {
    @Test("a bad or missing token is refused before the upgrade with the 401 envelope", arguments: TestEngine.available)
    func refusedUpgrade(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let user = try await server.register("ws")
            for query in ["?token=not-a-token", ""] {
                let answer = try await RawConnection.open(port: server.port).exchange(RawConnection.upgradeRequest(query: query))
                #expect(answer.hasPrefix("HTTP/1.1 401"), "\(answer)")
                #expect(answer.contains(#""code":"AUTH_TOKEN_INVALID""#))
                #expect(answer.contains(#""success":false"#))
                #expect(answer.lowercased().contains("x-request-id"))
            }
            _ = try await server.request(.POST, "/auth/logout", token: user.accessToken)
            let revoked = try await RawConnection.open(port: server.port).exchange(RawConnection.upgradeRequest(query: "?token=\(user.accessToken)"))
            #expect(revoked.hasPrefix("HTTP/1.1 401"))
            let plain = try await server.request(.GET, "/ws?token=\(user.accessToken)")
            #expect(plain.status == 401)
            await #expect(throws: (any Error).self) { _ = try await TestSocket.connect(server, token: "garbage") }
        }
    }

    @Test("tokens are accepted in the query and as a bearer subprotocol", arguments: TestEngine.available)
    func tokenPlacement(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let user = try await server.register("ws")
            let room = try await server.createRoom(user)
            for subprotocol in [false, true] {
                let socket = try await TestSocket.connect(server, token: user.accessToken, subprotocol: subprotocol)
                let joined = try await socket.join(room)
                #expect(joined["chatroom_id"].stringValue == room)
                await socket.close()
            }
        }
    }

    @Test("the sixth connection of a user gets CONNECTION_LIMIT_EXCEEDED and close 1008; the five stay", arguments: TestEngine.available)
    func connectionLimit(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let user = try await server.register("many")
            let room = try await server.createRoom(user)
            var sockets: [TestSocket] = []
            for _ in 0..<5 { sockets.append(try await TestSocket.connect(server, token: user.accessToken)) }
            let sixth = try await TestSocket.connect(server, token: user.accessToken)
            let error = try await sixth.next()
            #expect(error["event"].stringValue == "error")
            #expect(error["data"]["code"].stringValue == "CONNECTION_LIMIT_EXCEEDED")
            let close = try await sixth.closeFrame()
            #expect(close?.closeCode == .policyViolation)
            for socket in sockets {
                let joined = try await socket.join(room)
                #expect(joined["chatroom_id"].stringValue == room)
            }
            // Closing one frees a seat.
            await sockets[0].close()
            try await Task.sleep(for: .milliseconds(200))
            let replacement = try await TestSocket.connect(server, token: user.accessToken)
            #expect(try await replacement.join(room)["chatroom_id"].stringValue == room)
            for socket in sockets.dropFirst() + [replacement] { await socket.close() }
        }
    }

    @Test("malformed frames and unknown events get an error event and the connection stays open", arguments: TestEngine.available)
    func badFrames(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let user = try await server.register("bad")
            let room = try await server.createRoom(user)
            let socket = try await TestSocket.connect(server, token: user.accessToken)
            socket.sendRaw("{not json")
            #expect(try await socket.next()["data"]["code"].stringValue == "VALIDATION_INVALID_FORMAT")
            socket.sendRaw("[1,2,3]")
            #expect(try await socket.next()["data"]["code"].stringValue == "VALIDATION_INVALID_FORMAT")
            socket.send("dance", [:], requestID: "r1")
            let unknown = try await socket.next()
            #expect(unknown["data"]["code"].stringValue == "VALIDATION_INVALID_VALUE")
            #expect(unknown["request_id"].stringValue == "r1")
            socket.send("join_chatroom", [:], requestID: "r2")
            let missing = try await socket.next()
            #expect(missing["data"]["code"].stringValue == "VALIDATION_REQUIRED_FIELD")
            #expect(missing["data"]["details"]["field"].stringValue == "chatroom_id")
            socket.send("join_chatroom", ["chatroom_id": 5])
            #expect(try await socket.next()["data"]["code"].stringValue == "VALIDATION_INVALID_FORMAT")
            socket.send("join_chatroom", ["chatroom_id": .string(Identifiers.uuid())])
            #expect(try await socket.next()["data"]["code"].stringValue == "CHATROOM_NOT_FOUND")
            socket.send("send_message", ["chatroom_id": .string(room)])
            #expect(try await socket.next()["data"]["code"].stringValue == "VALIDATION_REQUIRED_FIELD")
            // Still alive.
            #expect(try await socket.join(room)["chatroom_id"].stringValue == room)
            await socket.close()
        }
    }

    @Test("logout closes that session's sockets only", arguments: TestEngine.available)
    func logoutCloses(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let first = try await server.register("logout")
            let second = try await server.login(first)
            let socketA = try await TestSocket.connect(server, token: first.accessToken)
            let socketB = try await TestSocket.connect(server, token: second.accessToken)
            #expect(try await server.request(.POST, "/auth/logout", token: first.accessToken).status == 200)
            let close = try await socketA.closeFrame()
            #expect(close?.closeCode == .policyViolation)
            let room = try await server.createRoom(second)
            #expect(try await socketB.join(room)["chatroom_id"].stringValue == room)
            await socketB.close()
        }
    }

    @Test("graceful shutdown closes every WebSocket with 1001 instead of waiting on them", arguments: TestEngine.available)
    func shutdownClosesSockets(engine: TestEngine) async throws {
        let server = try await TestServer.start(engine)
        let user = try await server.register("leaving")
        var sockets: [TestSocket] = []
        for _ in 0..<3 { sockets.append(try await TestSocket.connect(server, token: user.accessToken)) }
        let clock = ContinuousClock()
        let started = clock.now
        await server.stop()
        // Without the gateway's shutdown service the server would wait on the open sockets indefinitely;
        // the bound is generous because the suite runs in parallel on two cores (8 s was once missed there).
        #expect(clock.now - started < .seconds(20))
        for socket in sockets {
            #expect(try await socket.closeFrame()?.closeCode == .goingAway)
        }
    }

    @Test("frames are stable bytes: event first, then data with sorted keys, then request_id")
    func frameLayout() throws {
        struct Payload: Encodable { let zeta = 1, alpha = "a/b", middle = [3, 1] }
        let frame = try EventFrame.encode(.chatroomJoined, Payload(), requestID: "r-1")
        #expect(String(buffer: frame) == #"{"event":"chatroom_joined","data":{"alpha":"a/b","middle":[3,1],"zeta":1},"request_id":"r-1"}"#)
        let plain = try EventFrame.encode(.userOnline, ["b": 2, "a": 1])
        #expect(String(buffer: plain) == #"{"event":"user_online","data":{"a":1,"b":2}}"#)
        let pair = try EventFrame.encodePair(.userOnline, ["b": 2, "a": 1], requestID: "q")
        #expect(String(buffer: pair.plain) == String(buffer: plain))
        #expect(String(buffer: pair.answer) == #"{"event":"user_online","data":{"a":1,"b":2},"request_id":"q"}"#)
    }
}

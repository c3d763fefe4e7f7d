import Foundation
import NIOCore
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("The caller's sessions (docs/API.md, Sessions)")
struct SessionTests {
    @Test("GET /auth/sessions lists the caller's active sessions with where they came from and marks the current one", arguments: TestEngine.available)
    func list(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let first = try await server.register("lister")
            let phone = try await server.request(
                .POST, "/auth/login", json: ["username": .string(first.username), "password": .string(first.password)],
                headers: [("User-Agent", "ParleyPhone/2.1")])
            let phoneSession = try decodeClaims(try #require(phone.data["access_token"].stringValue)).sid
            let ended = try await server.login(first)
            #expect(try await server.request(.POST, "/auth/logout", token: ended.accessToken).status == 200)
            _ = try await server.register("stranger")

            let response = try await server.request(.GET, "/auth/sessions", token: first.accessToken)
            #expect(response.status == 200)
            let sessions = response.data["sessions"].arrayValue
            let current = try decodeClaims(first.accessToken).sid
            #expect(Set(sessions.compactMap { $0["id"].stringValue }) == [current, phoneSession])
            for session in sessions {
                let id = session["id"].stringValue
                #expect(session["current"].boolValue == (id == current))
                for field in ["created_at", "last_used_at", "expires_at"] {
                    #expect(session[field].stringValue.flatMap(Timestamp.init(rfc3339:)) != nil, "\(field)")
                }
                #expect(session["ip_address"].stringValue == "127.0.0.1")
            }
            #expect(sessions.first { $0["id"].stringValue == phoneSession }?["user_agent"].stringValue == "ParleyPhone/2.1")
            #expect(try await server.request(.GET, "/auth/sessions").status == 401)
        }
    }

    @Test("DELETE /auth/sessions/{id} ends one of the caller's sessions and closes its sockets; another user's id is 404", arguments: TestEngine.available)
    func endOne(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let laptop = try await server.register("owner")
            let phone = try await server.login(laptop)
            let other = try await server.register("other")
            let socket = try await TestSocket.connect(server, token: phone.accessToken)

            let foreign = try await server.request(.DELETE, "/auth/sessions/\(try decodeClaims(other.accessToken).sid)", token: laptop.accessToken)
            #expect(foreign.status == 404)
            #expect(foreign.errorCode == "RESOURCE_NOT_FOUND")
            #expect(try await server.request(.GET, "/users/me", token: other.accessToken).status == 200)
            #expect(try await server.request(.DELETE, "/auth/sessions/\(Identifiers.uuid())", token: laptop.accessToken).status == 404)
            #expect(try await server.request(.DELETE, "/auth/sessions/not-a-uuid", token: laptop.accessToken).status == 404)

            let phoneSession = try decodeClaims(phone.accessToken).sid
            let ended = try await server.request(.DELETE, "/auth/sessions/\(phoneSession)", token: laptop.accessToken)
            #expect(ended.status == 200)
            #expect(try await server.request(.GET, "/users/me", token: phone.accessToken).errorCode == "AUTH_TOKEN_INVALID")
            #expect(try await server.request(.POST, "/auth/refresh", json: ["refresh_token": .string(phone.refreshToken)]).errorCode == "AUTH_REFRESH_TOKEN_INVALID")
            #expect(try await socket.closeFrame()?.closeCode == .policyViolation)
            #expect(try await server.request(.GET, "/users/me", token: laptop.accessToken).status == 200)
            // Ended already: like any unknown id.
            #expect(try await server.request(.DELETE, "/auth/sessions/\(phoneSession)", token: laptop.accessToken).status == 404)
        }
    }

    @Test("DELETE /auth/sessions?scope=others ends every other session of the caller and nobody else's", arguments: TestEngine.available)
    func endOthers(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let kept = try await server.register("cleaner")
            let second = try await server.login(kept)
            let third = try await server.login(kept)
            let other = try await server.register("bystander")
            let socket = try await TestSocket.connect(server, token: second.accessToken)

            let missing = try await server.request(.DELETE, "/auth/sessions", token: kept.accessToken)
            #expect(missing.status == 422)
            #expect(missing.errorCode == "VALIDATION_REQUIRED_FIELD")
            #expect(missing.json["error"]["details"]["field"].stringValue == "scope")
            let wrong = try await server.request(.DELETE, "/auth/sessions?scope=all", token: kept.accessToken)
            #expect(wrong.status == 422)
            #expect(try await server.request(.GET, "/users/me", token: second.accessToken).status == 200)

            let response = try await server.request(.DELETE, "/auth/sessions?scope=others", token: kept.accessToken)
            #expect(response.status == 200)
            #expect(response.data["revoked_count"].intValue == 2)
            for ended in [second, third] {
                #expect(try await server.request(.GET, "/users/me", token: ended.accessToken).status == 401)
            }
            #expect(try await socket.closeFrame()?.closeCode == .policyViolation)
            #expect(try await server.request(.GET, "/users/me", token: kept.accessToken).status == 200)
            #expect(try await server.request(.GET, "/users/me", token: other.accessToken).status == 200)
            let remaining = try await server.request(.GET, "/auth/sessions", token: kept.accessToken).data["sessions"].arrayValue
            #expect(remaining.count == 1 && remaining.first?["current"].boolValue == true)
        }
    }
}

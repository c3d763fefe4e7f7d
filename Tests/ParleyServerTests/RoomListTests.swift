import Foundation
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("Chatrooms: listing and discovery")
struct RoomListTests {
    @Test("GET /chatrooms pages, searches by name and orders by activity", arguments: TestEngine.available)
    func list(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let other = try await server.register("other")
            let alpha = try await server.createRoom(owner, name: "Alpha team")
            let beta = try await server.createRoom(owner, name: "Beta 100%_done")
            let gamma = try await server.createRoom(owner, name: "gamma TEAM")
            _ = try await server.createRoom(other, name: "Not mine")
            // Activity in alpha (a join writes a system message) moves it to the top.
            try await server.addMember(other, to: alpha, by: owner)

            let first = try await server.request(.GET, "/chatrooms?limit=2", token: owner.accessToken)
            #expect(first.status == 200)
            #expect(first.data["pagination"] == ["page": 1, "limit": 2, "total": 3, "pages": 2, "has_more": true])
            let firstIDs = first.data["chatrooms"].arrayValue.compactMap { $0["id"].stringValue }
            #expect(firstIDs == [alpha, gamma])
            let second = try await server.request(.GET, "/chatrooms?limit=2&page=2", token: owner.accessToken)
            #expect(second.data["chatrooms"].arrayValue.compactMap { $0["id"].stringValue } == [beta])
            #expect(second.data["pagination"]["has_more"].boolValue == false)
            let beyond = try await server.request(.GET, "/chatrooms?page=9", token: owner.accessToken)
            #expect(beyond.data["chatrooms"].arrayValue.isEmpty && beyond.data["pagination"]["total"].intValue == 3)

            let item = first.data["chatrooms"][0]
            #expect(item["role"].stringValue == "owner")
            #expect(item["member_count"].intValue == 2)
            #expect(item["joined_at"].stringValue != nil)
            #expect(item["unread_count"].intValue == 0)
            #expect(item["last_message"]["message_type"].stringValue == "system")
            #expect(item["last_message"]["content"]["event"].stringValue == "member_joined")
            #expect(item["last_message"]["username"].stringValue == other.username)
            #expect(first.data["chatrooms"][1]["last_message"].isNull)

            let team = try await server.request(.GET, "/chatrooms?search=TEAM", token: owner.accessToken)
            #expect(Set(team.data["chatrooms"].arrayValue.compactMap { $0["id"].stringValue }) == [alpha, gamma])
            // LIKE wildcards in the search are literal characters.
            let literal = try await server.request(.GET, "/chatrooms?search=%25_", token: owner.accessToken)
            #expect(literal.data["chatrooms"].arrayValue.compactMap { $0["id"].stringValue } == [beta])
            let none = try await server.request(.GET, "/chatrooms?search=zzz", token: owner.accessToken)
            #expect(none.data["pagination"]["total"].intValue == 0)

            let otherView = try await server.request(.GET, "/chatrooms", token: other.accessToken)
            #expect(otherView.data["pagination"]["total"].intValue == 2)
        }
    }

    @Test("pagination bounds are enforced, not clamped", arguments: [
        "page=0", "page=-1", "page=abc", "limit=0", "limit=101", "limit=1.5", "limit=",
    ])
    func bounds(query: String) async throws {
        try await TestServer.with { server in
            let user = try await server.register("bounds")
            for path in ["/chatrooms", "/chatrooms/discover"] {
                let response = try await server.request(.GET, "\(path)?\(query)", token: user.accessToken)
                #expect(response.status == 422, "\(path)?\(query)")
                #expect(["VALIDATION_INVALID_VALUE", "VALIDATION_INVALID_FORMAT"].contains(response.errorCode ?? ""))
            }
            #expect(try await server.request(.GET, "/chatrooms?limit=100&page=1", token: user.accessToken).status == 200)
            #expect(try await server.request(.GET, "/chatrooms?limit=1", token: user.accessToken).status == 200)
        }
    }

    @Test("discover lists public rooms only, with membership and search", arguments: TestEngine.available)
    func discover(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let owner = try await server.register("owner")
            let visitor = try await server.register("visitor")
            let open = try await server.createRoom(owner, name: "Open lounge")
            _ = try await server.createRoom(owner, name: "Secret lounge", isPrivate: true)
            let other = try await server.createRoom(visitor, name: "Visitor's den")

            let response = try await server.request(.GET, "/chatrooms/discover", token: visitor.accessToken)
            #expect(response.status == 200)
            let rooms = response.data["chatrooms"].arrayValue
            #expect(Set(rooms.compactMap { $0["id"].stringValue }) == [open, other])
            #expect(rooms.first { $0["id"].stringValue == open }?["is_member"].boolValue == false)
            #expect(rooms.first { $0["id"].stringValue == other }?["is_member"].boolValue == true)
            let searched = try await server.request(.GET, "/chatrooms/discover?search=lounge", token: visitor.accessToken)
            #expect(searched.data["chatrooms"].arrayValue.compactMap { $0["id"].stringValue } == [open])
            let paged = try await server.request(.GET, "/chatrooms/discover?limit=1&page=2", token: visitor.accessToken)
            #expect(paged.data["chatrooms"].arrayValue.count == 1 && paged.data["pagination"]["total"].intValue == 2)
            #expect(try await server.request(.GET, "/chatrooms/discover").status == 401)
        }
    }
}

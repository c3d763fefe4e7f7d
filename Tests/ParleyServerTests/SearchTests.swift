import Foundation
import ParleyCore
import ParleyTestSupport
import SQLKit
import Testing

@testable import ParleyServer

@Suite("Search (API.md §7)")
struct SearchTests {
    /// A room with a small fixed corpus; returns the room and the senders.
    func corpus(_ server: TestServer) async throws -> (room: String, alice: TestUser, bob: TestUser) {
        let alice = try await server.register("alice")
        let bob = try await server.register("bob")
        let room = try await server.createRoom(alice, encrypted: false)
        try await server.addMember(bob, to: room, by: alice)
        let lines: [(TestUser, String)] = [
            (alice, "We deployed the new release to production last night"),
            (bob, "Deploying again today: the release branch needs a hotfix"),
            (alice, "The café on the corner serves the best coffee"),
            (bob, "Release notes: release release release, everything about the release"),
            (alice, "Lunch at noon? I'm thinking about the café near the station"),
            (bob, "Production looks stable after the deploy"),
            (alice, "The state of the art in chat servers keeps moving"),
            (bob, "DEPLOYMENT checklist is pinned in the channel"),
        ]
        for (user, text) in lines { try await server.post(["text": .string(text)], to: room, by: user) }
        return (room, alice, bob)
    }

    func search(_ server: TestServer, _ room: String, _ query: String, by user: TestUser, extra: [String: JSONValue] = [:]) async throws -> TestResponse {
        var body = extra
        body["query"] = .string(query)
        return try await server.request(.POST, "/chatrooms/\(room)/search", json: .object(body), token: user.accessToken)
    }

    func texts(_ response: TestResponse) -> [String] {
        response.data["results"].arrayValue.compactMap { $0["message"]["content"]["text"].stringValue }
    }

    @Test("words, stems, phrases, exclusions, case and accents", arguments: TestEngine.available)
    func language(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let (room, alice, _) = try await corpus(server)
            let deploy = try await search(server, room, "deploy", by: alice)
            #expect(deploy.status == 200)
            #expect(Set(texts(deploy)) == [
                "We deployed the new release to production last night", "Deploying again today: the release branch needs a hotfix",
                "Production looks stable after the deploy", "DEPLOYMENT checklist is pinned in the channel",
            ])
            let both = try await search(server, room, "release production", by: alice)
            #expect(texts(both) == ["We deployed the new release to production last night"])
            let phrase = try await search(server, room, "\"release branch\"", by: alice)
            #expect(texts(phrase) == ["Deploying again today: the release branch needs a hotfix"])
            let notAPhrase = try await search(server, room, "\"branch release\"", by: alice)
            #expect(texts(notAPhrase).isEmpty)
            let excluded = try await search(server, room, "deploy -production", by: alice)
            #expect(Set(texts(excluded)) == ["Deploying again today: the release branch needs a hotfix", "DEPLOYMENT checklist is pinned in the channel"])
            let accents = try await search(server, room, "CAFE", by: alice)
            #expect(texts(accents).count == 2)
            let accented = try await search(server, room, "café", by: alice)
            #expect(texts(accented).count == 2)
            let stopWords = try await search(server, room, "\"state of the art\"", by: alice)
            #expect(texts(stopWords) == ["The state of the art in chat servers keeps moving"])
            let nothing = try await search(server, room, "kubernetes", by: alice)
            #expect(nothing.data["results"].arrayValue.isEmpty && nothing.data["total_results"].intValue == 0)
        }
    }

    @Test("results are ranked, scored in (0, 1], with matched terms and context", arguments: TestEngine.available)
    func ranking(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let (room, alice, _) = try await corpus(server)
            let response = try await search(server, room, "release", by: alice)
            let results = response.data["results"].arrayValue
            #expect(results.count == 3)
            #expect(results.first?["message"]["content"]["text"].stringValue == "Release notes: release release release, everything about the release")
            let scores = results.compactMap { $0["relevance_score"].doubleValue }
            #expect(scores.first == 1.0)
            #expect(scores.allSatisfy { $0 > 0 && $0 <= 1 })
            #expect(scores == scores.sorted(by: >))
            #expect(response.data["total_results"].intValue == 3)
            #expect(response.data["search_time_ms"].intValue != nil)
            let top = results[0]
            #expect(top["matched_terms"].arrayValue.compactMap(\.stringValue).contains { $0.lowercased() == "release" })
            #expect(top["context"]["match"].stringValue == "Release")
            let deployed = try await search(server, room, "deploy", by: alice)
            let first = deployed.data["results"].arrayValue.first { $0["message"]["content"]["text"].stringValue?.hasPrefix("We deployed") == true }
            #expect(first?["matched_terms"] == ["deployed"])
            #expect(first?["context"]["before"].stringValue == "We ")
            #expect(first?["context"]["match"].stringValue == "deployed")
            #expect(first?["context"]["after"].stringValue?.hasPrefix(" the new release") == true)
            let limited = try await search(server, room, "the", by: alice, extra: ["limit": 1])
            #expect(limited.status == 200 || limited.status == 422)
            let one = try await search(server, room, "deploy", by: alice, extra: ["limit": 1])
            #expect(one.data["results"].arrayValue.count == 1 && one.data["total_results"].intValue == 4)
        }
    }

    @Test("filters: message type, author, dates; limit bounds", arguments: TestEngine.available)
    func filters(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let (room, alice, bob) = try await corpus(server)
            let byBob = try await search(server, room, "deploy", by: alice, extra: ["user_id": .string(bob.id)])
            #expect(texts(byBob).count == 3)
            let images = try await search(server, room, "deploy", by: alice, extra: ["message_type": "image"])
            #expect(texts(images).isEmpty)
            let future = try await search(server, room, "deploy", by: alice, extra: ["date_from": "2099-01-01T00:00:00Z"])
            #expect(texts(future).isEmpty)
            let past = try await search(server, room, "deploy", by: alice, extra: ["date_to": "2000-01-01T00:00:00Z"])
            #expect(texts(past).isEmpty)
            let window = try await search(server, room, "deploy", by: alice, extra: ["date_from": "2000-01-01T00:00:00Z", "date_to": "2099-01-01T00:00:00.000Z"])
            #expect(texts(window).count == 4)
            for (extra, field) in [(["limit": 0] as [String: JSONValue], "limit"), (["limit": 101], "limit"), (["message_type": "system"], "message_type"),
                                   (["user_id": "nope"], "user_id"), (["date_from": "yesterday"], "date_from"),
                                   (["date_from": "2030-01-01T00:00:00Z", "date_to": "2020-01-01T00:00:00Z"], "date_from")] {
                let response = try await search(server, room, "deploy", by: alice, extra: extra)
                #expect(response.status == 422, "\(extra)")
                #expect(response.json["error"]["details"]["field"].stringValue == field, "\(extra): \(response.text)")
            }
        }
    }

    @Test("edits and deletions are reflected at once", arguments: TestEngine.available)
    func freshness(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            let message = try await server.post(["text": "the quarterly budget is ready"], to: room, by: alice)
            let id = try #require(message["id"].stringValue)
            #expect(texts(try await search(server, room, "budget", by: alice)).count == 1)
            _ = try await server.request(.PUT, "/chatrooms/\(room)/messages/\(id)", json: ["content": ["text": "the quarterly forecast is ready"]], token: alice.accessToken)
            #expect(texts(try await search(server, room, "budget", by: alice)).isEmpty)
            #expect(texts(try await search(server, room, "forecast", by: alice)).count == 1)
            _ = try await server.request(.DELETE, "/chatrooms/\(room)/messages/\(id)", token: alice.accessToken)
            #expect(texts(try await search(server, room, "forecast", by: alice)).isEmpty)
            // Deleting the room leaves nothing of it in the index.
            _ = try await server.post(["text": "orphan candidate"], to: room, by: alice)
            _ = try await server.request(.DELETE, "/chatrooms/\(room)", token: alice.accessToken)
            let remaining = try await server.server.store.backend.read { database in
                try await database.raw("SELECT COUNT(*) AS n FROM message_search").first()?.decode(column: "n", as: Int.self) ?? -1
            }
            #expect(remaining == 0)
        }
    }

    @Test("hostile queries never cause a 500", arguments: TestEngine.available)
    func hostile(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let (room, alice, _) = try await corpus(server)
            let inputs = [
                "\"", "\"\"", "*", "deploy*", "NEAR(deploy release)", "deploy OR release", "deploy AND", "NOT deploy", "')--", "'; DROP TABLE messages; --",
                "\\", "\\\\deploy", "^deploy", "release:notes", "(deploy", "deploy)", "🚀🚀🚀", "deploy 🚀", "-", "--deploy", "-deploy",
                "\"unclosed phrase", String(repeating: "a", count: 10_000), String(repeating: "deploy ", count: 100), "", "   ", "\u{0}",
                "{tokens}: x", "r0000 OR 1=1", "مرحبا بالعالم", "日本語のテキスト",
            ]
            for input in inputs {
                let response = try await search(server, room, input, by: alice)
                #expect(response.status == 200 || response.status == 422, "\(input.prefix(40)): \(response.status) \(response.text.prefix(200))")
                #expect(response.json["success"].boolValue != nil)
            }
            #expect(try await search(server, room, "", by: alice).errorCode == "VALIDATION_REQUIRED_FIELD")
            #expect(try await search(server, room, String(repeating: "a", count: 10_000), by: alice).errorCode == "VALIDATION_LENGTH_EXCEEDED")
            #expect(try await search(server, room, "-deploy", by: alice).errorCode == "VALIDATION_INVALID_VALUE")
            let missing = try await server.request(.POST, "/chatrooms/\(room)/search", json: [:], token: alice.accessToken)
            #expect(missing.status == 422 && missing.errorCode == "VALIDATION_REQUIRED_FIELD")
        }
    }

    @Test("members only; end-to-end rooms answer SEARCH_UNAVAILABLE_ENCRYPTED", arguments: TestEngine.available)
    func authorization(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let (room, alice, _) = try await corpus(server)
            let outsider = try await server.register("outsider")
            let denied = try await search(server, room, "deploy", by: outsider)
            #expect(denied.status == 403 && denied.errorCode == "CHATROOM_ACCESS_DENIED")
            #expect(try await server.request(.POST, "/chatrooms/\(room)/search", json: ["query": "deploy"]).status == 401)
            #expect(try await search(server, Identifiers.uuid(), "deploy", by: alice).status == 404)
            let e2e = try await server.createRoom(alice, encrypted: true)
            _ = try await server.post(sealedContent(), to: e2e, by: alice)
            let refused = try await search(server, e2e, "deploy", by: alice)
            #expect(refused.status == 422 && refused.errorCode == "SEARCH_UNAVAILABLE_ENCRYPTED")
            // The index never holds words: its tokens are keyed hashes.
            let rows = try await server.server.store.backend.read { database -> [String] in
                let sql: SQLQueryString = server.server.store.backend.engine == .sqlite
                    ? "SELECT tokens AS t FROM message_search" : "SELECT CAST(tokens AS TEXT) AS t FROM message_search"
                return try await database.raw(sql).all().map { try $0.decode(column: "t", as: String.self) }
            }
            #expect(rows.count == 8)
            #expect(!rows.joined().lowercased().contains("deploy"))
            #expect(!rows.joined().lowercased().contains("release"))
        }
    }
}

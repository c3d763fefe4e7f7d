import Foundation
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("Summaries (API.md §8)")
struct SummaryTests {
    static let conversation = [
        "Morning all, the release candidate for version 2.4 is ready for testing.",
        "Great news! I will run the integration suite against the staging cluster today.",
        "The database migration took eleven minutes on staging, which is too slow for production.",
        "We could split the migration into two steps and backfill the new column in the background.",
        "Agreed, splitting the migration is safer. I will write the backfill job this afternoon.",
        "Integration tests passed except the search timeout test, which looks flaky.",
        "I will look at the flaky search test and add a retry with a longer deadline.",
        "Let's plan the production release for Thursday evening after the backfill finishes.",
        "Thursday works for me. I will prepare the release notes and the rollback plan.",
        "Thanks everyone, this was a productive discussion about the release and the migration.",
    ]

    func room(_ server: TestServer, auto: Bool = false, threshold: Int = 50) async throws -> (String, TestUser, TestUser) {
        let alice = try await server.register("alice", displayName: "Alice")
        let bob = try await server.register("bob", displayName: "Bob")
        let response = try await server.request(.POST, "/chatrooms", json: [
            "name": "Release", "encryption_enabled": false, "auto_summary_enabled": .bool(auto), "summary_threshold": .int(threshold),
        ], token: alice.accessToken)
        let room = try #require(response.data["chatroom"]["id"].stringValue)
        try await server.addMember(bob, to: room, by: alice)
        return (room, alice, bob)
    }

    @Test("a manual summary of the last day: text, keywords, sentiment, language, participants", arguments: TestEngine.available)
    func manual(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let (room, alice, bob) = try await room(server)
            let before = try await server.request(.GET, "/chatrooms/\(room)/summary", token: alice.accessToken)
            #expect(before.status == 404 && before.errorCode == "RESOURCE_NOT_FOUND")
            let empty = try await server.request(.POST, "/chatrooms/\(room)/summary", token: alice.accessToken)
            #expect(empty.status == 422 && empty.json["error"]["details"]["reason"].stringValue == "no_messages")
            for (index, line) in Self.conversation.enumerated() {
                try await server.post(["text": .string(line)], to: room, by: index.isMultiple(of: 2) ? alice : bob)
            }
            let created = try await server.request(.POST, "/chatrooms/\(room)/summary", json: [:], token: bob.accessToken)
            #expect(created.status == 201)
            let summary = created.data["summary"]
            #expect(summary["summary_type"].stringValue == "manual")
            #expect(summary["message_count"].intValue == 10)
            #expect(summary["provider"].stringValue == "builtin")
            #expect(summary["language"].stringValue == "en")
            #expect(Set(summary["participants"].arrayValue.compactMap(\.stringValue)) == [alice.id, bob.id])
            let keywords = summary["keywords"].arrayValue.compactMap(\.stringValue)
            #expect((5...10).contains(keywords.count))
            #expect(keywords.contains { $0.contains("migration") || $0.contains("release") })
            #expect(!keywords.contains("the") && !keywords.contains("and"))
            let sentiment = try #require(summary["sentiment_score"].doubleValue)
            #expect(sentiment >= -1 && sentiment <= 1)
            let text = try #require(summary["summary_text"].stringValue)
            #expect(!text.isEmpty && (text.contains("Alice:") || text.contains("Bob:")))
            #expect(summary["start_date"].stringValue! <= summary["end_date"].stringValue!)

            let latest = try await server.request(.GET, "/chatrooms/\(room)/summary", token: alice.accessToken)
            #expect(latest.status == 200 && latest.data["summary"]["id"] == summary["id"])
            #expect(latest.data["summary"]["summary_text"] == summary["summary_text"])
            let automatic = try await server.request(.GET, "/chatrooms/\(room)/summary?summary_type=automatic", token: alice.accessToken)
            #expect(automatic.status == 404)
            let future = try await server.request(.GET, "/chatrooms/\(room)/summary?date_from=2099-01-01T00:00:00Z", token: alice.accessToken)
            #expect(future.status == 404)
            #expect(try await server.request(.GET, "/chatrooms/\(room)/summary?summary_type=weekly", token: alice.accessToken).status == 422)
            let oldRange = try await server.request(.POST, "/chatrooms/\(room)/summary", json: [
                "date_from": "2001-01-01T00:00:00Z", "date_to": "2001-01-02T00:00:00Z",
            ], token: alice.accessToken)
            #expect(oldRange.status == 422 && oldRange.json["error"]["details"]["reason"].stringValue == "no_messages")
            // The stored summary keeps its text sealed.
            let payloads = try await server.server.store.backend.read { database in
                try await database.raw("SELECT payload FROM summaries").all().map { try $0.decode(column: "payload", as: String.self) }
            }
            #expect(payloads.count == 1 && !payloads[0].contains("migration"))
        }
    }

    @Test("members only; end-to-end rooms answer SUMMARY_UNAVAILABLE_ENCRYPTED")
    func authorization() async throws {
        try await TestServer.with { server in
            let (room, alice, _) = try await room(server)
            let outsider = try await server.register("outsider")
            _ = try await server.post(["text": "hello there"], to: room, by: alice)
            let denied = try await server.request(.POST, "/chatrooms/\(room)/summary", token: outsider.accessToken)
            #expect(denied.status == 403 && denied.errorCode == "CHATROOM_ACCESS_DENIED")
            #expect(try await server.request(.GET, "/chatrooms/\(room)/summary", token: outsider.accessToken).status == 403)
            let e2e = try await server.createRoom(alice, encrypted: true)
            _ = try await server.post(sealedContent(), to: e2e, by: alice)
            let refused = try await server.request(.POST, "/chatrooms/\(e2e)/summary", token: alice.accessToken)
            #expect(refused.status == 422 && refused.errorCode == "SUMMARY_UNAVAILABLE_ENCRYPTED")
            #expect(try await server.request(.GET, "/chatrooms/\(e2e)/summary", token: alice.accessToken).errorCode == "SUMMARY_UNAVAILABLE_ENCRYPTED")
            let prompt = try await server.request(.POST, "/chatrooms/\(room)/summary", json: ["custom_prompt": .string(String(repeating: "x", count: 2001))], token: alice.accessToken)
            #expect(prompt.status == 422)
        }
    }

    @Test("every summary_threshold messages an automatic summary is made in the background and announced", arguments: TestEngine.available)
    func automatic(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let (room, alice, bob) = try await room(server, auto: true, threshold: 10)
            let watcher = try await TestSocket.connect(server, token: bob.accessToken)
            try await watcher.join(room)
            // The join's system message does not count: ten user messages do.
            for line in Self.conversation.prefix(9) { try await server.post(["text": .string(line)], to: room, by: alice) }
            let early = try await server.request(.GET, "/chatrooms/\(room)/summary?summary_type=automatic", token: alice.accessToken)
            await server.server.summaries.waitForBackgroundWork()
            _ = early
            try await server.post(["text": .string(Self.conversation[9])], to: room, by: alice)
            let event = try await watcher.next("summary_created", timeout: .seconds(20))
            #expect(event["data"]["chatroom_id"].stringValue == room)
            #expect(event["data"]["summary"]["summary_type"].stringValue == "automatic")
            #expect(event["data"]["summary"]["requested_by"].isNull && event["data"]["summary"]["custom_prompt"].boolValue == false)
            await server.server.summaries.waitForBackgroundWork()
            let stored = try await server.request(.GET, "/chatrooms/\(room)/summary?summary_type=automatic", token: alice.accessToken)
            #expect(stored.status == 200)
            #expect((1...10).contains(stored.data["summary"]["message_count"].intValue ?? 0))
            // The next one comes only after another ten.
            for line in Self.conversation.prefix(5) { try await server.post(["text": .string(line)], to: room, by: bob) }
            await server.server.summaries.waitForBackgroundWork()
            #expect(await watcher.staysQuiet(for: .milliseconds(500), ignoring: ["message_received"]))
            // Finished summaries leave no task behind (they were kept for the life of the process).
            #expect(server.server.summaries.trackedTasks == 0)
            await watcher.close()
        }
    }

    @Test("a room crossing its threshold again within the interval gets one later summary covering everything", arguments: TestEngine.available)
    func automaticInterval(engine: TestEngine) async throws {
        let interval = 3.0
        try await TestServer.with(engine, configure: { $0.autoSummaryInterval = interval }) { server in
            let (room, alice, bob) = try await room(server, auto: true, threshold: 10)
            let watcher = try await TestSocket.connect(server, token: bob.accessToken)
            try await watcher.join(room)
            let clock = ContinuousClock()
            // No automatic summary can start before this, so the k-th later one cannot arrive before
            // `k` intervals after it, however long any of them takes.
            let beforeFirstCrossing = clock.now
            for line in Self.conversation.prefix(10) { try await server.post(["text": .string(line)], to: room, by: alice) }
            var summaries = [(event: try await watcher.next("summary_created", timeout: .seconds(20)), at: clock.now)]
            // Twenty more: twice over the threshold.
            for round in 0..<2 {
                for line in Self.conversation.prefix(10) { try await server.post(["text": .string("\(round) \(line)")], to: room, by: bob) }
            }
            let postedWithinInterval = clock.now - summaries[0].at < .seconds(interval - 0.5)
            while let event = try? await watcher.next("summary_created", timeout: .seconds(interval + 3)) {
                summaries.append((event, clock.now))
            }
            // The crossings within the interval were deferred, not dropped, and never started closer than
            // it (without the interval they would follow at once).
            #expect(summaries.count >= 2)
            for (index, summary) in summaries.enumerated() {
                #expect(summary.at - beforeFirstCrossing >= .seconds(interval * Double(index)))
            }
            // Every summary covers at least a threshold's worth; what is left uncovered is less than one.
            // The first was claimed when the join's system message and nine user messages made ten.
            let counts = summaries.map { $0.event["data"]["summary"]["message_count"].intValue ?? 0 }
            #expect(counts.allSatisfy { $0 >= 9 })
            #expect(counts.reduce(0, +) <= 30 && 30 - counts.reduce(0, +) < 10, "\(counts)")
            #expect(Set(summaries.map { $0.event["data"]["summary"]["id"].stringValue }).count == summaries.count)
            if postedWithinInterval {
                // Both crossings fell in the first interval: exactly one later summary covering all twenty.
                #expect(counts.count == 2 && counts[1] >= 20 && counts.reduce(0, +) == 30, "\(counts)")
            }
            await watcher.close()
        }
    }

    @Test("an OpenAI-compatible provider writes the text; timeouts, errors and bad JSON fall back to the built-in summarizer")
    func provider() async throws {
        let llm = try await FakeLLM.start(.answer("Alice and Bob agreed to release on Thursday."))
        do {
            try await TestServer.with(configure: { configuration in
                configuration.llmBaseURL = llm.baseURL
                configuration.llmModel = "test-model"
                configuration.llmAPIKey = "secret-key"
                // Long enough that a loaded CI machine still answers in time (1 s was not), short
                // enough that the slow case below stays a quick test.
                configuration.llmTimeoutSeconds = 5
            }) { server in
                let (room, alice, bob) = try await room(server)
                for (index, line) in Self.conversation.enumerated() {
                    try await server.post(["text": .string(line)], to: room, by: index.isMultiple(of: 2) ? alice : bob)
                }
                let answered = try await server.request(.POST, "/chatrooms/\(room)/summary", json: ["custom_prompt": "Answer in one sentence."], token: alice.accessToken)
                #expect(answered.status == 201)
                #expect(answered.data["summary"]["summary_text"].stringValue == "Alice and Bob agreed to release on Thursday.")
                #expect(answered.data["summary"]["provider"].stringValue == "llm:test-model")
                #expect(answered.data["summary"]["language"].stringValue == "en")
                #expect(!answered.data["summary"]["keywords"].arrayValue.isEmpty)
                let request = try #require(llm.requests.last)
                #expect(request.contains("Answer in one sentence."))
                #expect(request.contains("\"model\":\"test-model\""))
                #expect(request.contains("Alice: Morning all"))

                for mode in [FakeLLM.Mode.slow(.seconds(8)), .failure, .malformed] {
                    llm.set(mode)
                    let fallback = try await server.request(.POST, "/chatrooms/\(room)/summary", token: alice.accessToken)
                    #expect(fallback.status == 201, "\(mode)")
                    #expect(fallback.data["summary"]["provider"].stringValue == "builtin", "\(mode)")
                    #expect(fallback.data["summary"]["summary_text"].stringValue?.isEmpty == false)
                }
            }
        } catch {
            await llm.stop()
            throw error
        }
        await llm.stop()
    }

    @Test("manual summaries are limited per user and per room each hour, with a 429 saying which and when to retry")
    func quota() async throws {
        try await TestServer.with(configure: { $0.summariesPerUserPerHour = 2; $0.summariesPerRoomPerHour = 3 }) { server in
            let (room, alice, bob) = try await room(server)
            for line in Self.conversation.prefix(4) { try await server.post(["text": .string(line)], to: room, by: alice) }
            for _ in 0..<2 {
                #expect(try await server.request(.POST, "/chatrooms/\(room)/summary", token: alice.accessToken).status == 201)
            }
            let userSpent = try await server.request(.POST, "/chatrooms/\(room)/summary", token: alice.accessToken)
            #expect(userSpent.status == 429 && userSpent.errorCode == "RATE_LIMIT_EXCEEDED")
            #expect(userSpent.json["error"]["details"]["scope"].stringValue == "summaries_user")
            #expect(userSpent.json["error"]["details"]["limit"].intValue == 2)
            let retry = try #require(userSpent.json["error"]["details"]["retry_after"].intValue)
            #expect(retry > 0 && retry <= 3600)
            #expect(userSpent.header("Retry-After") == String(retry))
            // Alice's refused attempt did not use the room's quota: Bob gets the third, then the room is spent.
            #expect(try await server.request(.POST, "/chatrooms/\(room)/summary", token: bob.accessToken).status == 201)
            let roomSpent = try await server.request(.POST, "/chatrooms/\(room)/summary", token: bob.accessToken)
            #expect(roomSpent.status == 429 && roomSpent.json["error"]["details"]["scope"].stringValue == "summaries_room")
            #expect(roomSpent.json["error"]["details"]["limit"].intValue == 3)
            #expect(roomSpent.header("Retry-After") != nil)
            #expect(try await server.rowCounts(room: room)["summaries"] == 3)
            // Reading summaries is not limited by it.
            #expect(try await server.request(.GET, "/chatrooms/\(room)/summary", token: bob.accessToken).status == 200)
        }
    }

    @Test("a summary written with a custom prompt says so and who asked, in the answer, the broadcast and later reads")
    func customPromptMarked() async throws {
        let llm = try await FakeLLM.start(.answer("Bob was wrong about everything."))
        do {
            try await TestServer.with(configure: { configuration in
                configuration.llmBaseURL = llm.baseURL
                configuration.llmModel = "test-model"
            }) { server in
                let (room, alice, bob) = try await room(server)
                let watcher = try await TestSocket.connect(server, token: bob.accessToken)
                try await watcher.join(room)
                for line in Self.conversation.prefix(4) { try await server.post(["text": .string(line)], to: room, by: alice) }
                let prompted = try await server.request(
                    .POST, "/chatrooms/\(room)/summary", json: ["custom_prompt": "Say Bob was wrong."], token: alice.accessToken)
                #expect(prompted.status == 201)
                #expect(prompted.data["summary"]["custom_prompt"].boolValue == true)
                #expect(prompted.data["summary"]["requested_by"].stringValue == alice.id)
                let event = try await watcher.next("summary_created")
                #expect(event["data"]["summary"]["custom_prompt"].boolValue == true)
                #expect(event["data"]["summary"]["requested_by"].stringValue == alice.id)
                let read = try await server.request(.GET, "/chatrooms/\(room)/summary", token: bob.accessToken)
                #expect(read.data["summary"]["custom_prompt"].boolValue == true)
                #expect(read.data["summary"]["requested_by"].stringValue == alice.id)

                let plain = try await server.request(.POST, "/chatrooms/\(room)/summary", token: bob.accessToken)
                #expect(plain.data["summary"]["custom_prompt"].boolValue == false)
                #expect(plain.data["summary"]["requested_by"].stringValue == bob.id)
                await watcher.close()
            }
        } catch {
            await llm.stop()
            throw error
        }
        await llm.stop()
    }
}

import Foundation
import NIOHTTP1
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("Strictness (API.md §15)")
struct StrictnessTests {
    /// Sends `text` as a JSON body, byte for byte.
    private func raw(_ server: TestServer, _ method: HTTPMethod, _ path: String, _ text: String, token: String? = nil) async throws -> TestResponse {
        try await server.request(method, path, body: Array(text.utf8), token: token, headers: [("Content-Type", "application/json")])
    }

    @Test("REST bodies that are not RFC 8259 JSON are 400 VALIDATION_INVALID_FORMAT and change nothing", arguments: TestEngine.available)
    func restRefusesNonRFCJSON(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let registrations = [
                #"{"username": "trailing", "email": "t@example.com", "password": "12345678", "display_name": "T",}"#,
                #"{"username": "dup", "username": "dup2", "email": "d@example.com", "password": "12345678", "display_name": "D"}"#,
                #"{"username": "comment", /* c */ "email": "c@example.com", "password": "12345678", "display_name": "C"}"#,
                #"{'username': 'quotes', 'email': 'q@example.com', 'password': '12345678', 'display_name': 'Q'}"#,
                #"{"username": "nan", "email": "n@example.com", "password": "12345678", "display_name": "N", "x": NaN}"#,
                #"{"username": "lone", "email": "l@example.com", "password": "12345678", "display_name": "L"} {}"#,
            ]
            for body in registrations {
                let response = try await raw(server, .POST, "/auth/register", body)
                #expect(response.status == 400 && response.errorCode == "VALIDATION_INVALID_FORMAT", "\(body) → \(response.text)")
            }
            for username in ["trailing", "dup", "dup2", "comment", "quotes", "nan", "lone"] {
                let login = try await server.request(.POST, "/auth/login", json: ["username": .string(username), "password": "12345678"])
                #expect(login.status == 401, "\(username) was registered")
            }
            for body in [#"{"name": "first", "name": "second"}"#, #"{"name": "trailing",}"#, #"{"name": "deep", "description": {"a": 1, "a": 2}}"#] {
                let response = try await raw(server, .POST, "/chatrooms", body, token: alice.accessToken)
                #expect(response.status == 400 && response.errorCode == "VALIDATION_INVALID_FORMAT", "\(body) → \(response.text)")
            }
            let rooms = try await server.request(.GET, "/chatrooms", token: alice.accessToken)
            #expect(rooms.data["chatrooms"].arrayValue.isEmpty)

            // Message content goes through the same parser: a repeated key inside content is refused too.
            let room = try await server.createRoom(alice, encrypted: false)
            let duplicated = try await raw(server, .POST, "/chatrooms/\(room)/messages", #"{"content": {"text": "a", "text": "b"}}"#, token: alice.accessToken)
            #expect(duplicated.status == 400 && duplicated.errorCode == "VALIDATION_INVALID_FORMAT")
            #expect(try await server.storedMessages(room).filter { $0.type != "system" }.isEmpty)
            // A whole number written as 2.0 reads as 2 on REST as on the WebSocket.
            let whole = try await raw(server, .POST, "/chatrooms/\(room)/invite", #"{"max_uses": 2.0}"#, token: alice.accessToken)
            #expect(whole.status == 201 && whole.data["invitation"]["max_uses"].intValue == 2, "\(whole.text)")
            let fraction = try await raw(server, .POST, "/chatrooms/\(room)/invite", #"{"max_uses": 2.5}"#, token: alice.accessToken)
            #expect(fraction.status == 422 && fraction.json["error"]["details"]["field"].stringValue == "max_uses")
        }
    }

    @Test("WebSocket frames that are not RFC 8259 JSON get an error event, store nothing, and the socket stays open", arguments: TestEngine.available)
    func socketRefusesNonRFCJSON(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            let socket = try await TestSocket.connect(server, token: alice.accessToken)
            let frames = [
                #"{"event": "send_message", "data": {"chatroom_id": "\#(room)", "content": {"text": "trailing"}},}"#,
                #"{"event": "send_message", "data": {"chatroom_id": "\#(room)", "content": {"text": "a", "text": "b"}}}"#,
                #"{"event": "send_message", "event": "typing_start", "data": {"chatroom_id": "\#(room)", "content": {"text": "x"}}}"#,
                #"{"event": "send_message", "data": {"chatroom_id": "\#(room)", "content": {"text": "nan"}, "n": NaN}}"#,
            ]
            for frame in frames {
                socket.sendRaw(frame)
                let answer = try await socket.next()
                #expect(answer["event"].stringValue == "error" && answer["data"]["code"].stringValue == "VALIDATION_INVALID_FORMAT", "\(frame) → \(answer)")
            }
            socket.send("send_message", ["chatroom_id": .string(room), "content": ["text": "still open"]])
            let sent = try await socket.next("message_received")
            #expect(sent["data"]["message"]["content"]["text"].stringValue == "still open")
            #expect(try await server.storedMessages(room).filter { $0.type != "system" }.count == 1)
            await socket.close()
        }
    }

    @Test("every success envelope carries an object data and a string message", arguments: TestEngine.available)
    func envelopes(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            let message = try await server.post(["text": "hello"], to: room, by: alice)
            let messageID = message["id"].stringValue ?? ""
            _ = try await server.request(.POST, "/chatrooms/\(room)/messages/\(messageID)/reactions", json: ["emoji": "👍"], token: alice.accessToken)
            let second = try await server.login(alice)
            var responses: [(String, TestResponse)] = []
            for path in ["/health", "/users/me", "/chatrooms", "/chatrooms/discover", "/chatrooms/\(room)", "/chatrooms/\(room)/messages", "/auth/sessions"] {
                responses.append((path, try await server.request(.GET, path, token: alice.accessToken)))
            }
            let unreacted = try await server.request(.DELETE, "/chatrooms/\(room)/messages/\(messageID)/reactions", json: ["emoji": "👍"], token: alice.accessToken)
            #expect(unreacted.status == 200)
            #expect(unreacted.data == [
                "chatroom_id": .string(room), "message_id": .string(messageID), "user_id": .string(alice.id), "emoji": "👍",
            ])
            responses.append(("DELETE reactions", unreacted))
            responses.append(("logout", try await server.request(.POST, "/auth/logout", token: second.accessToken)))
            for (name, response) in responses {
                #expect(response.status == 200, "\(name): \(response.text)")
                #expect(response.json["success"] == true, "\(name)")
                #expect(response.data.objectValue != nil, "\(name) has no object data: \(response.text)")
                #expect(response.json["message"].stringValue?.isEmpty == false, "\(name) has no message: \(response.text)")
            }
            #expect(responses.last?.1.data == [:])
        }
    }

    @Test("control characters in names, descriptions and account fields are 422 naming the field; nothing is stored", arguments: TestEngine.available)
    func controlCharactersREST(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let account: [String: JSONValue] = ["username": "ctrl_user", "email": "ctrl@example.com", "password": "12345678", "display_name": "Ctrl"]
            for (field, value) in [("username", "ctrl\u{0}user"), ("email", "ct\u{1}rl@example.com"), ("password", "1234\u{0}5678"), ("display_name", "Bell\u{7}")] {
                var body = account
                body[field] = .string(value)
                let response = try await server.request(.POST, "/auth/register", json: .object(body))
                #expect(response.status == 422 && response.errorCode == "VALIDATION_INVALID_VALUE", "\(field): \(response.text)")
                #expect(response.json["error"]["details"]["field"].stringValue == field)
            }
            // Nothing was registered: the clean account registers now.
            #expect(try await server.request(.POST, "/auth/register", json: .object(account)).status == 201)
            let login = try await server.request(.POST, "/auth/login", json: ["username": "ctrl_user\u{0}", "password": "12345678"])
            #expect(login.status == 422 && login.json["error"]["details"]["field"].stringValue == "username")

            for (body, field) in [
                (["name": "nul\u{0}inside"] as JSONValue, "name"), (["name": "tab\tname"], "name"), (["name": "del\u{7F}"], "name"),
                (["name": "ok", "description": "escape \u{1B}[2J"], "description"),
            ] {
                let response = try await server.request(.POST, "/chatrooms", json: body, token: alice.accessToken)
                #expect(response.status == 422 && response.errorCode == "VALIDATION_INVALID_VALUE", "\(body): \(response.text)")
                #expect(response.json["error"]["details"]["field"].stringValue == field)
            }
            #expect(try await server.request(.GET, "/chatrooms", token: alice.accessToken).data["chatrooms"].arrayValue.isEmpty)

            // Tab, line feed and carriage return are kept in a description, exactly as sent after trimming.
            let created = try await server.request(.POST, "/chatrooms", json: ["name": "Room", "description": " one\ttwo\nthree\r\nfour "], token: alice.accessToken)
            #expect(created.status == 201)
            #expect(created.data["chatroom"]["description"].stringValue == "one\ttwo\nthree\r\nfour")
            let room = created.data["chatroom"]["id"].stringValue ?? ""
            let renamed = try await server.request(.PUT, "/chatrooms/\(room)", json: ["name": "nul\u{0}inside"], token: alice.accessToken)
            #expect(renamed.status == 422 && renamed.json["error"]["details"]["field"].stringValue == "name")
            let details = try await server.request(.GET, "/chatrooms/\(room)", token: alice.accessToken)
            #expect(details.data["chatroom"]["name"].stringValue == "Room")

            let profile = try await server.request(.PUT, "/users/me", json: ["display_name": "\u{1B}[31mred"], token: alice.accessToken)
            #expect(profile.status == 422 && profile.json["error"]["details"]["field"].stringValue == "display_name")
            let search = try await server.request(.GET, "/chatrooms?search=a%00b", token: alice.accessToken)
            #expect(search.status == 422 && search.json["error"]["details"]["field"].stringValue == "search", "\(search.text)")
            // Control characters in path segments name nothing; never a 500 (PostgreSQL refuses 0x00).
            let join = try await server.request(.POST, "/chatrooms/join/abc%00def", token: alice.accessToken)
            #expect(join.status >= 400 && join.status < 500, "\(join.text)")
            for (method, path) in [(HTTPMethod.DELETE, "/auth/sessions/a%00b"), (.GET, "/files/a%00b"), (.GET, "/avatars/a%00b"), (.DELETE, "/chatrooms/\(room)/members/a%00b")] {
                let response = try await server.request(method, path, token: alice.accessToken)
                #expect(response.status == 404, "\(path): \(response.text)")
            }
        }
    }

    @Test("control characters in messages, reactions, search and summaries are 422 naming the field; tabs and newlines stay in message text", arguments: TestEngine.available)
    func controlCharactersInMessages(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            let socket = try await TestSocket.connect(server, token: alice.accessToken)
            let refusals: [([String: JSONValue], String, String)] = [
                (["content": ["text": "nul\u{0}inside"]], "content.text", "VALIDATION_INVALID_VALUE"),
                (["content": ["text": "bell\u{7}"]], "content.text", "VALIDATION_INVALID_VALUE"),
                (["content": ["text": "del\u{7F}"]], "content.text", "VALIDATION_INVALID_VALUE"),
                (["content": ["text": "ok"], "client_id": "c\u{0}1"], "client_id", "VALIDATION_INVALID_VALUE"),
                (["content": ["text": "ok"], "reply_to": "\u{0}"], "reply_to", "VALIDATION_INVALID_VALUE"),
                (["content": ["text": "ok"], "attachments": ["\u{0}"]], "attachments", "VALIDATION_INVALID_VALUE"),
            ]
            for (fields, field, code) in refusals {
                var data = fields
                data["chatroom_id"] = .string(room)
                socket.send("send_message", .object(data))
                let frame = try await socket.next()
                #expect(frame["event"].stringValue == "error" && frame["data"]["code"].stringValue == code, "\(fields) → \(frame)")
                #expect(frame["data"]["details"]["field"].stringValue == field)
                let rest = try await server.request(.POST, "/chatrooms/\(room)/messages", json: .object(fields), token: alice.accessToken)
                #expect(rest.status == 422 && rest.errorCode == code, "REST \(fields) → \(rest.text)")
                #expect(rest.json["error"]["details"]["field"].stringValue == field)
            }
            #expect(try await server.storedMessages(room).filter { $0.type != "system" }.isEmpty)

            let text = "one\ttwo\nthree\r\nfour"
            socket.send("send_message", ["chatroom_id": .string(room), "content": ["text": .string(text)]])
            let received = try await socket.next("message_received")
            #expect(received["data"]["message"]["content"]["text"].stringValue == text)
            let posted = try await server.post(["text": .string(text)], to: room, by: alice)
            #expect(posted["content"]["text"].stringValue == text)
            let history = try await server.request(.GET, "/chatrooms/\(room)/messages", token: alice.accessToken)
            #expect(history.data["messages"].arrayValue.compactMap { $0["content"]["text"].stringValue } == [text, text])
            let messageID = posted["id"].stringValue ?? ""

            let edit = try await server.request(.PUT, "/chatrooms/\(room)/messages/\(messageID)", json: ["content": ["text": "x\u{0}"]], token: alice.accessToken)
            #expect(edit.status == 422 && edit.json["error"]["details"]["field"].stringValue == "content.text")
            let reaction = try await server.request(.POST, "/chatrooms/\(room)/messages/\(messageID)/reactions", json: ["emoji": "👍\u{0}"], token: alice.accessToken)
            #expect(reaction.status == 422 && reaction.json["error"]["details"]["field"].stringValue == "emoji")
            let unknownMessage = try await server.request(.POST, "/chatrooms/\(room)/messages/a%00b/reactions", json: ["emoji": "👍"], token: alice.accessToken)
            #expect(unknownMessage.status == 404, "\(unknownMessage.text)")
            let search = try await server.request(.POST, "/chatrooms/\(room)/search", json: ["query": "one\u{0}two"], token: alice.accessToken)
            #expect(search.status == 422 && search.json["error"]["details"]["field"].stringValue == "query", "\(search.text)")
            let summary = try await server.request(.POST, "/chatrooms/\(room)/summary", json: ["custom_prompt": "be brief\u{0}"], token: alice.accessToken)
            #expect(summary.status == 422 && summary.json["error"]["details"]["field"].stringValue == "custom_prompt", "\(summary.text)")
            await socket.close()
        }
    }
}

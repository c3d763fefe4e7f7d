import Foundation
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("HTTP conventions (API.md §1)")
struct EnvelopeTests {
    @Test("unknown routes, wrong methods, bad bodies and big bodies all answer in the envelope")
    func envelopeEverywhere() async throws {
        try await TestServer.with(configure: { $0.maxJSONBodyBytes = 4096 }) { server in
            let user = try await server.register("envelope")

            let unknown = try await server.request(.GET, "/no/such/route")
            #expect(unknown.status == 404)
            #expect(unknown.json["success"].boolValue == false)
            #expect(unknown.errorCode == "RESOURCE_NOT_FOUND")

            let wrongMethod = try await server.request(.DELETE, "/auth/login")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.errorCode == "METHOD_NOT_ALLOWED")
            #expect(wrongMethod.header("Allow") == "POST")

            let malformed = try await server.request(.POST, "/auth/login", body: Array("{\"username\": ".utf8), headers: [("Content-Type", "application/json")])
            #expect(malformed.status == 400)
            #expect(malformed.errorCode == "VALIDATION_INVALID_FORMAT")

            let notObject = try await server.request(.POST, "/auth/login", json: ["just", "an", "array"])
            #expect(notObject.status == 400)
            #expect(notObject.errorCode == "VALIDATION_INVALID_FORMAT")

            let wrongType = try await server.request(.POST, "/auth/login", body: Array("username=a&password=b".utf8), headers: [("Content-Type", "application/x-www-form-urlencoded")])
            #expect(wrongType.status == 400)
            #expect(wrongType.errorCode == "VALIDATION_INVALID_FORMAT")

            let empty = try await server.request(.POST, "/auth/login", headers: [("Content-Type", "application/json")])
            #expect(empty.status == 400)

            let big = try await server.request(.PUT, "/users/me", json: ["display_name": .string(String(repeating: "x", count: 10_000))], token: user.accessToken)
            #expect(big.status == 413)
            #expect(big.json["success"].boolValue == false)
            #expect(big.errorCode == "RESOURCE_LIMIT_EXCEEDED")

            let profile = try await server.request(.GET, "/users/me", token: user.accessToken)
            #expect(profile.data["display_name"].stringValue == "Envelope")

            for response in [unknown, wrongMethod, malformed, notObject, wrongType, empty, big, profile] {
                #expect(response.header("X-Request-ID")?.isEmpty == false)
                #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            }
        }
    }

    @Test("unknown JSON fields are ignored; strings are trimmed before checks")
    func lenientInput() async throws {
        try await TestServer.with { server in
            let response = try await server.request(.POST, "/auth/register", json: [
                "username": "  trimmed  ", "email": " trimmed@example.com ", "password": "12345678",
                "display_name": " T ", "favourite_colour": "blue",
            ])
            #expect(response.status == 201)
            #expect(response.data["user"]["username"].stringValue == "trimmed")
            #expect(response.data["user"]["email"].stringValue == "trimmed@example.com")
        }
    }

    @Test("a request id sent by the caller is echoed; a hostile one is replaced")
    func requestID() async throws {
        try await TestServer.with { server in
            let echoed = try await server.request(.GET, "/health", headers: [("X-Request-ID", "lb-1234.abc")])
            #expect(echoed.header("X-Request-ID") == "lb-1234.abc")
            let replaced = try await server.request(.GET, "/health", headers: [("X-Request-ID", "<script>")])
            #expect(replaced.header("X-Request-ID") != "<script>")
            #expect(replaced.header("X-Request-ID")?.isEmpty == false)
        }
    }

    @Test("error responses never carry stack traces, SQL or paths")
    func noLeaks() async throws {
        try await TestServer.with { server in
            let weird: [JSONValue] = ["'; DROP TABLE users; --", .string(String(repeating: "\u{0}", count: 10)), "\u{1F600}", .string(String(repeating: "a", count: 5000))]
            for value in weird {
                let response = try await server.request(.POST, "/auth/login", json: ["username": value, "password": value])
                #expect(response.status < 500)
                for needle in ["SELECT", "sqlite", "postgres", ".swift", "/work/", "Error("] {
                    #expect(!response.text.contains(needle), "\(needle) in \(response.text)")
                }
            }
        }
    }
}

import Foundation
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("REST rate limits (API.md §10)")
struct RateLimitTests {
    @Test("the (limit+1)th request of a user is 429 with Retry-After; other users are unaffected")
    func perUser() async throws {
        try await TestServer.with(configure: { $0.rateLimitPerMinute = 5 }) { server in
            let alice = try await server.register("alice")
            let bob = try await server.register("bob")
            var last: TestResponse?
            for index in 1...5 {
                let response = try await server.request(.GET, "/users/me", token: alice.accessToken)
                #expect(response.status == 200, "request \(index)")
                #expect(response.header("X-RateLimit-Limit") == "5")
                #expect(response.header("X-RateLimit-Remaining") == String(5 - index))
                last = response
            }
            let reset = try #require(last?.header("X-RateLimit-Reset").flatMap(Int64.init))
            let now = Int64(Date().timeIntervalSince1970)
            #expect(reset > now - 1 && reset <= now + 61)

            let refused = try await server.request(.GET, "/users/me", token: alice.accessToken)
            #expect(refused.status == 429)
            #expect(refused.errorCode == "RATE_LIMIT_EXCEEDED")
            #expect(refused.header("X-RateLimit-Remaining") == "0")
            let retryAfter = try #require(refused.header("Retry-After").flatMap(Int.init))
            #expect(retryAfter >= 1 && retryAfter <= 60)

            let other = try await server.request(.GET, "/users/me", token: bob.accessToken)
            #expect(other.status == 200)
            #expect(other.header("X-RateLimit-Remaining") == "4")

            let metrics = try await server.request(.GET, "/metrics")
            #expect(metrics.text.contains(#"parley_rate_limit_refusals_total{scope="http"} 1"#))
        }
    }

    @Test("/auth/* is limited per client address")
    func perIPOnAuth() async throws {
        try await TestServer.with(configure: { $0.rateLimitPerMinute = 3 }) { server in
            for _ in 1...3 {
                let response = try await server.request(.POST, "/auth/login", json: ["username": "nobody", "password": "whatever1"])
                #expect(response.status == 401)
            }
            let refused = try await server.request(.POST, "/auth/login", json: ["username": "nobody", "password": "whatever1"])
            #expect(refused.status == 429)
            #expect(refused.header("Retry-After") != nil)
        }
    }
}

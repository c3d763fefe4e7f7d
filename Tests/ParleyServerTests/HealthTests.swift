import Foundation
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("Health and metrics (API.md §11)")
struct HealthTests {
    @Test("health reports the database and the version", arguments: TestEngine.available)
    func healthy(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let response = try await server.request(.GET, "/health")
            #expect(response.status == 200)
            #expect(response.data["status"].stringValue == "healthy")
            #expect(response.data["version"].stringValue == ParleyVersion.current)
            #expect(response.data["services"] == ["database": "healthy"])
            #expect(response.data["timestamp"].stringValue.flatMap(Timestamp.init(rfc3339:)) != nil)
        }
    }

    @Test("health is 503 when the database does not answer", arguments: TestEngine.available)
    func unhealthy(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            await server.server.store.shutdown()
            let response = try await server.request(.GET, "/health")
            #expect(response.status == 503)
            #expect(response.json["success"].boolValue == false)
            #expect(response.json["error"]["details"]["services"]["database"].stringValue == "unhealthy")
        }
    }

    @Test("metrics expose request counts and durations by route template")
    func metrics() async throws {
        try await TestServer.with { server in
            let user = try await server.register("metrics")
            _ = try await server.request(.GET, "/users/me", token: user.accessToken)
            _ = try await server.request(.GET, "/nowhere/\(UUID().uuidString)")
            let response = try await server.request(.GET, "/metrics")
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true)
            let text = response.text
            #expect(text.contains(#"parley_http_requests_total{method="GET",route="/users/me",status="200"} 1"#))
            #expect(text.contains(#"parley_http_requests_total{method="POST",route="/auth/register",status="201"} 1"#))
            #expect(text.contains(#"parley_http_request_duration_seconds_bucket{method="GET",route="/users/me""#))
            #expect(text.contains("parley_db_query_duration_seconds_count"))
            // Unmatched paths share one label so that scanners cannot blow up the series count.
            #expect(!text.contains("/nowhere/"))
        }
    }
}

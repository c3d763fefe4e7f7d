import Foundation
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("every routed endpoint is documented and every documented endpoint is routed")
    func consistency() async throws {
        try await TestServer.with { server in
            let routed = Set(server.server.routeTable.all.map { "\($0.method.rawValue) \($0.path)" })
            let documented = Set(OpenAPIDocument.documentedRoutes.map { "\($0.method) \($0.path)" })
            #expect(routed.subtracting(documented).isEmpty, "routed but not documented: \(routed.subtracting(documented).sorted())")
            #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
            #expect(routed.count >= 35)
        }
    }

    @Test("GET /openapi.json serves an OpenAPI 3.1 document with every path and the bearer scheme")
    func served() async throws {
        try await TestServer.with { server in
            let response = try await server.request(.GET, "/openapi.json")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            let document = response.json
            #expect(document["openapi"].stringValue == "3.1.0")
            #expect(document["info"]["version"].stringValue == ParleyVersion.current)
            #expect(document["components"]["securitySchemes"]["bearer"]["scheme"].stringValue == "bearer")
            let paths = document["paths"].objectValue ?? [:]
            #expect(paths["/chatrooms/{chatroom_id}/messages"]?["post"]["responses"]["422"]["content"]["application/json"]["schema"]["properties"]["error"]["properties"]["code"]["enum"].arrayValue.contains("MESSAGE_ENCRYPTION_FAILED") == true)
            // Every operation documents the envelope for its errors, including 429 and 500.
            for (path, item) in paths {
                for (method, operation) in item.objectValue ?? [:] {
                    #expect(operation["responses"]["429"].isNull == false, "\(method) \(path)")
                    #expect(operation["responses"]["500"].isNull == false, "\(method) \(path)")
                }
            }
        }
    }
}

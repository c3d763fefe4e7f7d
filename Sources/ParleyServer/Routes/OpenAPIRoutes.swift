import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat
import ParleyCore

/// `GET /openapi.json`: the OpenAPI document, as is (tools expect the bare document, not an envelope).
struct OpenAPIRoutes {
    func register(on routes: Routes) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(OpenAPIDocument.document(version: ParleyVersion.current))) ?? Data("{}".utf8)
        let buffer = ByteBuffer(data: body)
        routes.on(.get, "/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
        }
    }
}

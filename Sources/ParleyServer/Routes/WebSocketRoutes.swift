import Hummingbird
import NIOHTTP1
import ParleyCore

/// `GET /ws` as plain HTTP: reached only when a request was not upgraded, so it explains why — the 401
/// envelope for a missing or bad token, else that a WebSocket upgrade is required.
struct WebSocketRoutes {
    let gateway: Gateway

    func register(on routes: Routes) {
        routes.on(.get, "/ws") { request, _ in
            var headers = HTTPHeaders()
            for field in request.headers { headers.add(name: field.name.rawName, value: field.value) }
            let (result, _) = await gateway.authenticate(uri: request.uri.description, headers: headers)
            if case .failure(let error) = result { throw error }
            throw ParleyError.malformedBody("GET /ws is a WebSocket endpoint: send an Upgrade: websocket request (RFC 6455)")
        }
    }
}

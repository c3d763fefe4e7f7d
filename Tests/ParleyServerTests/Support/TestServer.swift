import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import ParleyCore
import ParleyStore
import ServiceLifecycle
import ParleyTestSupport
import Synchronization

@testable import ParleyServer

/// A live Parley on a free port with its own database and data directory.
final class TestServer: Sendable {
    let server: ParleyServer
    let port: Int
    let database: TestDatabase
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var webSocketURL: String { "ws://127.0.0.1:\(port)/ws" }

    private init(server: ParleyServer, port: Int, database: TestDatabase, group: ServiceGroup, task: Task<Void, any Error>) {
        self.server = server
        self.port = port
        self.database = database
        self.group = group
        self.task = task
    }

    /// Starts a server; `configure` adjusts the test defaults (fast bcrypt, generous rate limits).
    static func start(
        _ engine: TestEngine = .sqlite, database existing: TestDatabase? = nil,
        configure: (inout ParleyConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        let database: TestDatabase
        if let existing { database = existing } else { database = try await TestDatabase.make(engine) }
        var configuration = ParleyConfiguration()
        configuration.port = 0
        configuration.dataDirectory = database.directory + "/data"
        configuration.database = database.location
        configuration.bcryptCost = 4
        configuration.rateLimitPerMinute = 100_000
        configuration.uploadsPerHour = 10_000
        configuration.wsSendsPerSecond = 100_000
        configuration.wsSendBurst = 100_000
        configuration.wsEventsPerSecond = 100_000
        configuration.wsEventBurst = 100_000
        configure(&configuration)
        let logger = testLogger()
        let server = try await ParleyServer.make(configuration: configuration, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let services = server.makeServices { port in continuation.yield(port) }
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestFailure("server did not start") }
        return TestServer(server: server, port: port, database: database, group: group, task: task)
    }

    /// Stops serving and closes the database; `keepDatabase` leaves it for a restart.
    func stop(keepDatabase: Bool = false) async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await server.shutdown()
        if !keepDatabase { await database.destroy() }
    }

    /// Sends a request and returns status, headers and the parsed JSON body.
    func request(
        _ method: HTTPMethod, _ path: String, json: JSONValue? = nil, body rawBody: [UInt8]? = nil,
        token: String? = nil, headers extraHeaders: [(String, String)] = []
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(json)))
        } else if let rawBody {
            request.body = .bytes(ByteBuffer(bytes: rawBody))
        }
        for (name, value) in extraHeaders { request.headers.replaceOrAdd(name: name, value: value) }
        return try await execute(request)
    }

    /// Sends a request whose body is streamed with chunked encoding (no `Content-Length`).
    func request(
        _ method: HTTPMethod, _ path: String, stream: AsyncStream<ByteBuffer>, token: String? = nil, headers extraHeaders: [(String, String)] = []
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .stream(stream, length: .unknown)
        for (name, value) in extraHeaders { request.headers.replaceOrAdd(name: name, value: value) }
        return try await execute(request)
    }

    private func execute(_ request: HTTPClientRequest) async throws -> TestResponse {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return TestResponse(status: Int(response.status.code), headers: response.headers, bytes: Array(buffer: body))
    }
}

/// A response as tests see it.
struct TestResponse: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let bytes: [UInt8]

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The body as JSON (`.null` when it is not JSON).
    var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))) ?? .null }
    var data: JSONValue { json["data"] }
    var errorCode: String? { json["error"]["code"].stringValue }

    func header(_ name: String) -> String? { headers.first(name: name) }
}


extension TestServer {
    /// Runs `body` against a fresh server and always stops it afterwards.
    static func with<T: Sendable>(
        _ engine: TestEngine = .sqlite, configure: (inout ParleyConfiguration) -> Void = { _ in },
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let server = try await start(engine, configure: configure)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }
}

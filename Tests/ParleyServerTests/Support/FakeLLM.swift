import Foundation
import Hummingbird
import Logging
import ParleyTestSupport
import ServiceLifecycle
import Synchronization

/// A small OpenAI-compatible chat-completions server on a free port, for testing the summary provider
/// and each of its failure modes.
final class FakeLLM: Sendable {
    enum Mode: Sendable {
        case answer(String)
        case slow(Duration)
        case failure
        case malformed
    }

    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let shared: SharedState

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// The request bodies received so far.
    var requests: [String] { shared.state.withLock { $0.requests } }

    func set(_ mode: Mode) { shared.state.withLock { $0.mode = mode } }

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>, shared: SharedState) {
        self.port = port
        self.group = group
        self.task = task
        self.shared = shared
    }

    static func start(_ mode: Mode) async throws -> FakeLLM {
        let shared = SharedState(mode: mode)
        let router = Router()
        router.post("/v1/chat/completions") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let current = shared.state.withLock { state -> Mode in
                state.requests.append(String(buffer: body))
                return state.mode
            }
            switch current {
            case .answer(let text):
                let json = try JSONSerialization.data(withJSONObject: [
                    "id": "chatcmpl-test", "object": "chat.completion",
                    "choices": [["index": 0, "message": ["role": "assistant", "content": text], "finish_reason": "stop"]],
                ])
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: json)))
            case .slow(let delay):
                try await Task.sleep(for: delay)
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"choices\":[]}")))
            case .failure:
                return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "{\"error\":\"boom\"}")))
            case .malformed:
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"choices\": [ {\"message\": ")))
            }
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: testLogger("fake-llm"))
        let group = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: testLogger("fake-llm")))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestFailure("fake LLM did not start") }
        return FakeLLM(port: port, group: group, task: task, shared: shared)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

/// State shared between the route closure and the server object.
private final class SharedState: Sendable {
    let state: Mutex<(mode: FakeLLM.Mode, requests: [String])>

    init(mode: FakeLLM.Mode) {
        state = Mutex((mode, []))
    }
}

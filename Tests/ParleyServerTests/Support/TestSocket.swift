import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import ParleyCore
import ParleyTestSupport

/// A live WebSocket client for tests: sends events, receives parsed frames, can stop reading to play a slow
/// consumer, and reports the close frame the server sent.
final class TestSocket: Sendable {
    private let inbox: Inbox
    private let outgoing: AsyncStream<String>.Continuation
    private let task: Task<WebSocketCloseFrame?, any Error>

    private init(inbox: Inbox, outgoing: AsyncStream<String>.Continuation, task: Task<WebSocketCloseFrame?, any Error>) {
        self.inbox = inbox
        self.outgoing = outgoing
        self.task = task
    }

    /// Connects with `?token=`, or with `Sec-WebSocket-Protocol: bearer.<token>` when `subprotocol` is set.
    static func connect(_ server: TestServer, token: String, subprotocol: Bool = false) async throws -> TestSocket {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let inbox = Inbox()
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 22)
        var url = server.webSocketURL
        if subprotocol {
            configuration.additionalHeaders = [HTTPField.Name("Sec-WebSocket-Protocol")!: "bearer.\(token)"]
        } else {
            url += "?token=\(token)"
        }
        let task = Task { () throws -> WebSocketCloseFrame? in
            defer { Task { await inbox.ended() } }
            return try await WebSocketClient.connect(url: url, configuration: configuration, logger: testLogger("ws-client")) { inbound, outbound, _ in
                await inbox.opened()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        var iterator = inbound.messages(maxSize: 1 << 22).makeAsyncIterator()
                        while true {
                            await inbox.waitWhilePaused()
                            guard let message = try await iterator.next() else { break }
                            if case .text(let text) = message {
                                await inbox.push((try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text))
                            }
                        }
                        continuation.finish()
                    }
                    group.addTask {
                        for await text in stream { try await outbound.write(.text(text)) }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        }
        let socket = TestSocket(inbox: inbox, outgoing: continuation, task: task)
        // Wait until the socket is open, or the attempt failed.
        guard await inbox.waitOpened() else {
            _ = try await task.value
            throw TestFailure("WebSocket closed before opening")
        }
        return socket
    }

    func send(_ event: String, _ data: JSONValue, requestID: String? = nil) {
        var frame: [String: JSONValue] = ["event": .string(event), "data": data]
        if let requestID { frame["request_id"] = .string(requestID) }
        sendRaw(String(decoding: try! JSONEncoder().encode(JSONValue.object(frame)), as: UTF8.self))
    }

    func sendRaw(_ text: String) {
        outgoing.yield(text)
    }

    /// The next frame, waiting up to `timeout`. Presence announcements (`user_online`, `user_offline`)
    /// arrive whenever someone connects; they are skipped here and awaited by name where tested.
    func next(timeout: Duration = .seconds(10)) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while true {
            let frame = try await inbox.next(timeout: max(.zero, deadline - ContinuousClock.now))
            let event = frame["event"].stringValue
            if event != "user_online" && event != "user_offline" { return frame }
        }
    }

    /// The next frame whose `event` is `name`, skipping others.
    func next(_ name: String, timeout: Duration = .seconds(10)) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw TestFailure("no \(name) within \(timeout)") }
            let frame = try await inbox.next(timeout: remaining)
            if frame["event"].stringValue == name { return frame }
        }
    }

    /// Frames received so far and not yet taken.
    func drain() async -> [JSONValue] { await inbox.drain() }

    /// Whether no frame arrives within `window`.
    func staysQuiet(for window: Duration, ignoring: Set<String> = []) async -> Bool {
        let deadline = ContinuousClock.now + window
        while ContinuousClock.now < deadline {
            guard let frame = try? await inbox.next(timeout: deadline - ContinuousClock.now) else { return true }
            if !ignoring.contains(frame["event"].stringValue ?? "") { return false }
        }
        return true
    }

    /// Stops reading from the socket (the server's writes back up), or resumes.
    func pauseReading(_ paused: Bool) async { await inbox.setPaused(paused) }

    /// Closes from the client side.
    func close() async {
        outgoing.finish()
        _ = try? await task.value
    }

    /// Waits for the server to close the connection and returns the close frame it sent.
    func closeFrame(timeout: Duration = .seconds(20)) async throws -> WebSocketCloseFrame? {
        try await withThrowingTaskGroup(of: WebSocketCloseFrame?.self) { group in
            group.addTask { try await self.task.value }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TestFailure("the server did not close the socket within \(timeout)")
            }
            let result = try await group.next()!
            group.cancelAll()
            return result
        }
    }
}

/// Received frames and waiters, plus the reading pause switch.
private actor Inbox {
    private var frames: [JSONValue] = []
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var isOpen = false
    private var hasEnded = false
    private var openWaiters: [CheckedContinuation<Bool, Never>] = []
    private var paused = false
    private var pauseWaiters: [CheckedContinuation<Void, Never>] = []

    func opened() {
        isOpen = true
        for waiter in openWaiters { waiter.resume(returning: true) }
        openWaiters = []
    }

    func ended() {
        hasEnded = true
        for waiter in openWaiters { waiter.resume(returning: isOpen) }
        openWaiters = []
    }

    /// True once open; false when the connection ended without opening.
    func waitOpened() async -> Bool {
        if isOpen || hasEnded { return isOpen }
        return await withCheckedContinuation { openWaiters.append($0) }
    }

    func push(_ frame: JSONValue) {
        frames.append(frame)
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    func next(timeout: Duration) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while frames.isEmpty {
            guard ContinuousClock.now < deadline else { throw TestFailure("no frame within \(timeout)") }
            let wake = Task { [weak self] in
                try? await Task.sleep(for: .milliseconds(50))
                await self?.wakeAll()
            }
            await withCheckedContinuation { waiters.append($0) }
            wake.cancel()
        }
        return frames.removeFirst()
    }

    private func wakeAll() {
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    func drain() -> [JSONValue] {
        defer { frames = [] }
        return frames
    }

    func setPaused(_ value: Bool) {
        paused = value
        if !paused {
            for waiter in pauseWaiters { waiter.resume() }
            pauseWaiters = []
        }
    }

    func waitWhilePaused() async {
        while paused { await withCheckedContinuation { pauseWaiters.append($0) } }
    }
}

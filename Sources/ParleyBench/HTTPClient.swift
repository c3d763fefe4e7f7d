import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix
import Synchronization

/// A complete HTTP response.
struct HTTPResult: Sendable {
    let status: Int
    let body: ByteBuffer
    /// Whether the server keeps the connection open after this response.
    var keepAlive = true

    var isSuccess: Bool { (200..<300).contains(status) }

    /// The body parsed as a JSON object (nil when it is not one).
    func jsonObject() -> [String: Any]? {
        guard body.readableBytes > 0 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
    }

    /// The body as text, shortened, for error messages.
    var snippet: String { String(String(buffer: body).prefix(300)) }
}

/// A failure of the HTTP client itself (not an HTTP error status).
struct HTTPClientError: Error, CustomStringConvertible {
    let description: String
}

/// Collects the response to the one request in flight on a keep-alive connection (event-loop confined).
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    var pending: EventLoopPromise<HTTPResult>?
    var keepAlive = true
    private var status = 0
    private var body: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            keepAlive = head.isKeepAlive
            body = context.channel.allocator.buffer(capacity: 0)
        case .body(var part):
            body?.writeBuffer(&part)
        case .end:
            let promise = pending
            pending = nil
            promise?.succeed(HTTPResult(status: status, body: body ?? ByteBuffer(), keepAlive: keepAlive))
            body = nil
            if !keepAlive { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepAlive = false
        fail(HTTPClientError(description: "connection closed before the response was complete"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        keepAlive = false
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        let promise = pending
        pending = nil
        promise?.fail(error)
    }
}

/// One keep-alive HTTP/1.1 connection serving one request at a time.
final class HTTPConnection: Sendable {
    let channel: any Channel
    private let host: String
    private let reusable = Atomic<Bool>(true)

    private init(channel: any Channel, host: String) {
        self.channel = channel
        self.host = host
    }

    static func connect(group: any EventLoopGroup, host: String, port: Int) async throws -> HTTPConnection {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector())
                }
            }
            .connect(to: address).get()
        return HTTPConnection(channel: channel, host: "\(host):\(port)")
    }

    /// Whether the connection may serve another request.
    var isReusable: Bool { reusable.load(ordering: .relaxed) && channel.isActive }

    func execute(
        _ method: HTTPMethod, _ path: String, body: ByteBuffer?, headers extra: [(String, String)], timeout: TimeAmount
    ) async throws -> HTTPResult {
        let channel = self.channel
        let promise = channel.eventLoop.makePromise(of: HTTPResult.self)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "Content-Length", value: String(body?.readableBytes ?? 0))
        for (name, value) in extra { headers.add(name: name, value: value) }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        channel.eventLoop.execute {
            let collector: ResponseCollector
            do {
                collector = try channel.pipeline.syncOperations.handler(type: ResponseCollector.self)
            } catch {
                promise.fail(error)
                return
            }
            guard collector.pending == nil else {
                promise.fail(HTTPClientError(description: "connection already has a request in flight"))
                return
            }
            collector.pending = promise
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            // A request that never completes fails and takes its connection with it.
            let bound = NIOLoopBound(collector, eventLoop: channel.eventLoop)
            let timer = channel.eventLoop.scheduleTask(in: timeout) {
                if bound.value.pending != nil {
                    bound.value.pending = nil
                    bound.value.keepAlive = false
                    promise.fail(HTTPClientError(description: "request timed out after \(timeout.nanoseconds / 1_000_000_000) s"))
                    channel.close(promise: nil)
                }
            }
            promise.futureResult.whenComplete { _ in timer.cancel() }
        }
        do {
            let result = try await promise.futureResult.get()
            if !result.keepAlive { reusable.store(false, ordering: .relaxed) }
            return result
        } catch {
            reusable.store(false, ordering: .relaxed)
            throw error
        }
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// Keep-alive connections to one server shared by concurrent tasks. It opens up to `maxConnections`;
/// beyond that a request waits for a free connection (open-loop callers count that wait as latency).
final class HTTPClient: Sendable {
    let host: String
    let port: Int
    let maxConnections: Int
    private let group: any EventLoopGroup

    /// Idle connections, the count open, and tasks waiting for one.
    private struct State {
        var idle: [HTTPConnection] = []
        var open = 0
        /// Resumed with a connection to use, or nil: "a slot is free, open one".
        var waiters = CircularBuffer<CheckedContinuation<HTTPConnection?, Never>>()
        var closed = false
    }

    private let state = Mutex(State())

    init(group: any EventLoopGroup, host: String, port: Int, maxConnections: Int = 64) {
        self.group = group
        self.host = host
        self.port = port
        self.maxConnections = maxConnections
    }

    /// Sends one request; `json` is serialised as the body. Transport failures throw; HTTP errors return.
    func request(
        _ method: HTTPMethod, _ path: String, json: [String: any Sendable]? = nil, token: String? = nil, timeout: TimeAmount = .seconds(60)
    ) async throws -> HTTPResult {
        var body: ByteBuffer?
        var headers: [(String, String)] = []
        if let json {
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
            headers.append(("Content-Type", "application/json"))
        }
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try await request(method, path, body: body, headers: headers, timeout: timeout)
    }

    func request(
        _ method: HTTPMethod, _ path: String, body: ByteBuffer?, headers: [(String, String)], timeout: TimeAmount = .seconds(60)
    ) async throws -> HTTPResult {
        let connection = try await acquire()
        do {
            let result = try await connection.execute(method, path, body: body, headers: headers, timeout: timeout)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    private func acquire() async throws -> HTTPConnection {
        /// What a caller does after looking at the pool.
        enum Next { case use(HTTPConnection), open, wait }
        while true {
            let next: Next = state.withLock { state in
                while let connection = state.idle.popLast() {
                    if connection.isReusable { return .use(connection) }
                    state.open -= 1
                    connection.close()
                }
                if state.open < maxConnections {
                    state.open += 1
                    return .open
                }
                return .wait
            }
            switch next {
            case .use(let connection):
                return connection
            case .open:
                return try await openConnection()
            case .wait:
                let handed: HTTPConnection? = await withCheckedContinuation { continuation in
                    let resumeNow: Bool = state.withLock { state in
                        // A connection may have come back between the two locks: do not wait for nothing.
                        if !state.idle.isEmpty || state.open < maxConnections { return true }
                        state.waiters.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume(returning: nil) }
                }
                if let handed { return handed }
                // nil: a slot or an idle connection is free; loop to take it (open was not counted for us).
            }
        }
    }

    private func openConnection() async throws -> HTTPConnection {
        do {
            return try await HTTPConnection.connect(group: group, host: host, port: port)
        } catch {
            let waiter: CheckedContinuation<HTTPConnection?, Never>? = state.withLock { state in
                state.open -= 1
                return state.waiters.popFirst()
            }
            waiter?.resume(returning: nil)
            throw error
        }
    }

    private func release(_ connection: HTTPConnection) {
        let reusable = connection.isReusable
        let waiter: CheckedContinuation<HTTPConnection?, Never>? = state.withLock { state in
            if reusable {
                if let waiter = state.waiters.popFirst() { return waiter }
                state.idle.append(connection)
                return nil
            }
            state.open -= 1
            return state.waiters.popFirst()
        }
        if !reusable { connection.close() }
        waiter?.resume(returning: reusable ? connection : nil)
    }

    /// Closes the idle connections.
    func shutdown() {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle.removeAll() }
            return state.idle
        }
        for connection in idle { connection.close() }
    }
}

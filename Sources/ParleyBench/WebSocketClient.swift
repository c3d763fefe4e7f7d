import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// Receives what arrives on client WebSockets. Called on the connection's event loop, one frame at a time.
protocol WebSocketDelegate: AnyObject, Sendable {
    /// A complete text message (fragments already joined).
    func received(_ text: ByteBuffer, on connection: WebSocketClient)
    /// After everything read in one socket read was delivered: a good moment to flush writes.
    func readBatchComplete(on connection: WebSocketClient)
    /// The connection closed, for whatever reason.
    func closed(_ connection: WebSocketClient)
}

extension WebSocketDelegate {
    func readBatchComplete(on connection: WebSocketClient) {}
    func closed(_ connection: WebSocketClient) {}
}

/// Why a connection attempt failed.
struct WebSocketConnectError: Error, CustomStringConvertible {
    let description: String
}

/// A client WebSocket (RFC 6455) to the server: masked text frames out, text frames to a delegate in,
/// pings answered. Writes may come from any thread; NIO's `Channel` hops them to the event loop.
final class WebSocketClient: Sendable {
    let channel: any Channel
    let delegate: (any WebSocketDelegate)?
    /// Set once this side starts closing, so that the close is reported as expected.
    let closeRequested = Atomic<Bool>(false)

    fileprivate init(channel: any Channel, delegate: (any WebSocketDelegate)?) {
        self.channel = channel
        self.delegate = delegate
    }

    var eventLoop: any EventLoop { channel.eventLoop }

    /// What the HTTP upgrade ended in.
    private enum Upgrade: Sendable {
        case upgraded(WebSocketClient)
        case refused(any Channel)
    }

    /// Connects to `path` (`/ws?token=…`), optionally from a given local address, and completes once the
    /// server has accepted the upgrade.
    static func connect(
        group: any EventLoopGroup, host: String, port: Int, path: String, from source: SocketAddress? = nil,
        delegate: (any WebSocketDelegate)?, timeout: TimeAmount = .seconds(15)
    ) async throws -> WebSocketClient {
        let address = try SocketAddress(ipAddress: host, port: port)
        var bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeout)
        if let source { bootstrap = bootstrap.bind(to: source) }
        let hostHeader = "\(host):\(port)"
        let upgrade: EventLoopFuture<Upgrade> = try await bootstrap.connect(to: address) { channel in
            channel.eventLoop.makeCompletedFuture {
                let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: 1 << 22) { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        let client = WebSocketClient(channel: channel, delegate: delegate)
                        try channel.pipeline.syncOperations.addHandler(WebSocketFrameHandler(client: client))
                        return Upgrade.upgraded(client)
                    }
                }
                var headers = HTTPHeaders()
                headers.add(name: "Host", value: hostHeader)
                headers.add(name: "Content-Length", value: "0")
                let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
                let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                    upgradeRequestHead: head, upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in channel.eventLoop.makeCompletedFuture { .refused(channel) } })
                return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                    configuration: .init(upgradeConfiguration: configuration))
            }
        }
        // The upgrade itself must not hang forever either (a second completion of a promise is ignored).
        let promise = upgrade.eventLoop.makePromise(of: Upgrade.self)
        upgrade.cascade(to: promise)
        let timer = upgrade.eventLoop.scheduleTask(in: timeout) {
            promise.fail(WebSocketConnectError(description: "WebSocket upgrade timed out"))
        }
        let outcome: Upgrade
        do {
            outcome = try await promise.futureResult.get()
            timer.cancel()
        } catch {
            timer.cancel()
            upgrade.whenSuccess { if case .upgraded(let client) = $0 { client.channel.close(promise: nil) } }
            throw error
        }
        switch outcome {
        case .upgraded(let client):
            return client
        case .refused(let channel):
            channel.close(promise: nil)
            throw WebSocketConnectError(description: "the server refused the WebSocket upgrade (not 101)")
        }
    }

    /// Sends a masked text frame; safe from any thread.
    func send(_ text: ByteBuffer) {
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: text), promise: nil)
    }

    /// Writes a masked text frame without flushing; only on the event loop (senders reacting to acks).
    func write(_ text: ByteBuffer) {
        channel.eventLoop.preconditionInEventLoop()
        channel.write(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: text), promise: nil)
    }

    func flush() {
        channel.flush()
    }

    /// Starts a clean close: a close frame now, the socket shut once the server answers or after `grace`.
    func close(grace: TimeAmount = .seconds(2)) {
        closeRequested.store(true, ordering: .relaxed)
        let channel = self.channel
        channel.eventLoop.execute {
            guard channel.isActive else { return }
            var data = channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: .normalClosure)
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data), promise: nil)
            channel.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
        }
    }

    /// Completes when the socket has closed.
    var closeFuture: EventLoopFuture<Void> { channel.closeFuture }
}

/// The channel handler under a `WebSocketClient`: joins fragments, answers pings and close frames, and
/// passes text messages to the delegate.
private final class WebSocketFrameHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let client: WebSocketClient
    private var fragments: ByteBuffer?
    private var closeSent = false

    init(client: WebSocketClient) {
        self.client = client
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            if frame.fin {
                client.delegate?.received(frame.unmaskedData, on: client)
            } else {
                fragments = frame.unmaskedData
            }
        case .continuation:
            guard var partial = fragments else { return }
            var piece = frame.unmaskedData
            partial.writeBuffer(&piece)
            if frame.fin {
                fragments = nil
                client.delegate?.received(partial, on: client)
            } else {
                fragments = partial
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            // Answer the server's close (or accept its answer to ours), then shut the socket.
            if client.closeRequested.load(ordering: .relaxed) || closeSent {
                context.close(promise: nil)
                return
            }
            closeSent = true
            var payload = frame.unmaskedData
            let code = payload.readInteger(as: UInt16.self) ?? 1000
            var reply = context.channel.allocator.buffer(capacity: 2)
            reply.writeInteger(code)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: reply)))
                .whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        client.delegate?.readBatchComplete(on: client)
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        client.delegate?.closed(client)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

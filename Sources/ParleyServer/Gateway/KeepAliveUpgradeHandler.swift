import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket
import ParleyCore

/// Accepts a WebSocket upgrade on a later request of a kept-alive HTTP connection (RFC 9110 §7.8 allows an
/// upgrade on any request), which NIO's upgrader, looking at the first request only, leaves to the router.
/// Pooled HTTP clients send their upgrade on a connection that has already served REST requests.
///
/// It holds an upgrade request back from the HTTP handlers while its token is checked: accepted, it answers
/// 101 and replaces the HTTP codec with the WebSocket one; refused, it lets the request through to the
/// router, whose `GET /ws` answers with the error envelope, and the connection closes after it (NIO's HTTP
/// decoder parses nothing after an upgrade request). State is confined to the channel's event loop.
final class KeepAliveUpgradeHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private enum Phase {
        case passing
        /// An upgrade request held back while its token is checked.
        case deciding(parts: [HTTPServerRequestPart], ended: Bool, accepted: Accepted?)
        /// The connection is a WebSocket now: anything left over from the HTTP decoder is dropped.
        case upgraded
    }

    private struct Accepted {
        let identity: Identity
        let username: String
        let subprotocol: String?
        let key: String
    }

    private let gateway: Gateway
    private let users: any UserStore
    private let timeoutHandler: HTTPTimeoutHandler
    private let logger: Logger
    private var phase = Phase.passing
    private var requests = 0

    init(gateway: Gateway, users: any UserStore, timeoutHandler: HTTPTimeoutHandler, logger: Logger) {
        self.gateway = gateway
        self.users = users
        self.timeoutHandler = timeoutHandler
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .upgraded:
            return
        case .deciding(var parts, let ended, let accepted):
            let part = unwrapInboundIn(data)
            if case .end = part {
                phase = .deciding(parts: parts, ended: true, accepted: accepted)
                if let accepted { upgrade(context: context, accepted) }
            } else {
                parts.append(part)
                phase = .deciding(parts: parts, ended: ended, accepted: accepted)
            }
        case .passing:
            let part = unwrapInboundIn(data)
            guard case .head(let head) = part else { return context.fireChannelRead(data) }
            requests += 1
            // The first request belongs to NIO's upgrader, which sits after this handler.
            guard requests > 1, let key = Self.webSocketKey(head) else { return context.fireChannelRead(data) }
            phase = .deciding(parts: [part], ended: false, accepted: nil)
            decide(head, key: key, context: context)
        }
    }

    private func decide(_ head: HTTPRequestHead, key: String, context: ChannelHandlerContext) {
        let gateway = self.gateway
        let users = self.users
        let promise = context.eventLoop.makePromise(of: Result<(identity: Identity, username: String, subprotocol: String?), ParleyError>.self)
        promise.completeWithTask { await gateway.authorizeUpgrade(head, users: users) }
        promise.futureResult.assumeIsolated().whenSuccess { result in
            guard case .deciding(let parts, let ended, _) = self.phase else { return }
            switch result {
            case .success(let accepted):
                let accepted = Accepted(identity: accepted.identity, username: accepted.username, subprotocol: accepted.subprotocol, key: key)
                self.phase = .deciding(parts: parts, ended: ended, accepted: accepted)
                if ended { self.upgrade(context: context, accepted) }
            case .failure:
                // The router answers `GET /ws` with the reason (401 for a bad token). The HTTP decoder parses
                // nothing after an upgrade request, so the connection closes after that answer.
                self.phase = .passing
                for part in parts {
                    guard case .head(var head) = part else {
                        context.fireChannelRead(self.wrapInboundOut(part))
                        continue
                    }
                    head.headers.replaceOrAdd(name: "Connection", value: "close")
                    context.fireChannelRead(self.wrapInboundOut(.head(head)))
                }
                if ended { context.fireChannelRead(self.wrapInboundOut(.end(nil))) }
                // Outside a read cycle: the HTTP handlers deliver what they buffered on read-complete.
                context.fireChannelReadComplete()
            }
        }
    }

    private func upgrade(context: ChannelHandlerContext, _ accepted: Accepted) {
        phase = .upgraded
        let channel = context.channel
        let pipeline = channel.pipeline.syncOperations
        do {
            // Order matters: the timeout handler and the response encoder leave before the 101 is written as
            // bytes, and the request decoder leaves last (any bytes it still holds come here and are dropped).
            pipeline.removeHandler(timeoutHandler, promise: nil)
            pipeline.removeHandler(try pipeline.handler(type: HTTPResponseEncoder.self), promise: nil)
            context.writeAndFlush(NIOAny(Self.switchingProtocols(accepted, allocator: channel.allocator)), promise: nil)
            pipeline.removeHandler(try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self), promise: nil)
            let connection = try gateway.makeConnection(on: channel, identity: accepted.identity, username: accepted.username, logger: logger)
            try pipeline.addHandlers(
                [WebSocketFrameEncoder(), ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: gateway.settings.maxMessageBytes)),
                 WebSocketProtocolErrorHandler(), connection],
                position: .first)
            gateway.serve(connection)
        } catch {
            logger.debug("WebSocket upgrade on a kept-alive connection failed", metadata: ["error": .string("\(error)")])
            channel.close(promise: nil)
        }
    }

    /// The client's `Sec-WebSocket-Key` when `head` is a well-formed WebSocket upgrade request (RFC 6455 §4.2.1).
    private static func webSocketKey(_ head: HTTPRequestHead) -> String? {
        guard head.method == .GET,
              head.headers[canonicalForm: "upgrade"].contains(where: { $0.lowercased() == "websocket" }),
              head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "upgrade" }),
              head.headers.first(name: "Sec-WebSocket-Version") == "13",
              let key = head.headers.first(name: "Sec-WebSocket-Key")?.trimmingCharacters(in: .whitespaces),
              Data(base64Encoded: key)?.count == 16
        else { return nil }
        return key
    }

    private static func switchingProtocols(_ accepted: Accepted, allocator: ByteBufferAllocator) -> ByteBuffer {
        let digest = Insecure.SHA1.hash(data: Array((accepted.key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        var text = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Accept: \(Data(digest).base64EncodedString())\r\n"
        if let subprotocol = accepted.subprotocol { text += "Sec-WebSocket-Protocol: \(subprotocol)\r\n" }
        text += "\r\n"
        return allocator.buffer(string: text)
    }
}

import NIOCore
import NIOHTTP1

/// Timeouts of a plain HTTP connection, so that no client holds a socket by sending slowly or not at all:
/// a request head must arrive within `header` of the connection opening (or `idle` of the previous
/// response ending, on a kept-alive connection), and a body may pause at most `body` between two reads.
/// While the server is answering, no timer runs: that time is the server's, not the client's.
///
/// It sits right after the HTTP decoder; a WebSocket upgrade removes it, since WebSocket connections keep
/// time with pings. Its state is touched on the channel's event loop only, hence `@unchecked Sendable`.
final class HTTPTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    struct Timeouts: Sendable {
        var header: TimeAmount
        var body: TimeAmount
        var idle: TimeAmount
    }

    private enum Phase {
        case awaitingHead
        case readingBody
        case responding
    }

    private let timeouts: Timeouts
    private var phase = Phase.awaitingHead
    private var timer: Scheduled<Void>?

    init(timeouts: Timeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(timeouts.header, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(timeouts.header, context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            phase = .readingBody
            arm(timeouts.body, context: context)
        case .body:
            if phase == .readingBody { arm(timeouts.body, context: context) }
        case .end:
            phase = .responding
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), phase == .responding {
            // The next request (on a kept-alive connection) may be waited for only so long.
            phase = .awaitingHead
            arm(timeouts.idle, context: context)
        }
        context.write(data, promise: promise)
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        timer?.cancel()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) {
            channel.close(promise: nil)
        }
    }
}

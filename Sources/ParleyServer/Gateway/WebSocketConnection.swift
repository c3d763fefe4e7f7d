import Foundation
import Logging
import NIOCore
import NIOWebSocket
import ParleyCore
import Prometheus
import Synchronization

/// Limits and timings of WebSocket connections.
struct ConnectionSettings: Sendable {
    /// Frames that may wait beyond the socket's high-water mark before the connection counts as too slow.
    var outboundQueueLimit: Int
    /// Bytes that may wait beyond the socket's high-water mark (every frame counts, pongs and pings too).
    var outboundQueueBytes: Int
    var pingInterval: TimeAmount
    var pingTimeout: TimeAmount
    /// How long a closing connection may take to acknowledge the close frame.
    var closeGrace: TimeAmount
    /// The same for a connection closed for reading too slowly: its close frame waits behind everything
    /// already queued, so it gets longer before the socket is cut.
    var slowCloseGrace: TimeAmount
    /// Largest text message accepted (after reassembling fragments).
    var maxMessageBytes: Int
    /// Inbound messages buffered before the socket stops being read.
    var inboundHighWater: Int
    /// Inbound bytes buffered before the socket stops being read (a few large messages pause it sooner).
    var inboundHighWaterBytes: Int
}

/// One WebSocket connection: the NIO handler that reads frames, and the handle the hub writes through.
///
/// Mutable state lives on the channel's event loop only (every method that touches it runs there or hops
/// there first), which is what makes the unchecked Sendable conformance sound.
final class WebSocketConnection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let id = Identifiers.uuid()
    let identity: Identity
    let username: String
    let eventLoop: any EventLoop
    let inbound: AsyncStream<ByteBuffer>
    private let inboundContinuation: AsyncStream<ByteBuffer>.Continuation
    private let inboundCount = Atomic<Int>(0)
    private let inboundBytes = Atomic<Int>(0)
    private let settings: ConnectionSettings
    private let metrics: ParleyMetrics
    private let logger: Logger

    // Event-loop state.
    private var context: ChannelHandlerContext?
    private let flusher: LoopFlusher
    private var fragments: ByteBuffer?
    /// Frames and bytes written while the socket was above its high-water mark.
    private var backlog = 0
    private var backlogBytes = 0
    /// Waiting for the socket to drain (catch-up pages wait here between pages).
    private var writableWaiters: [EventLoopPromise<Bool>] = []
    private var closing = false
    private var readingPaused = false
    private let keeper: LoopKeeper
    private var lastHeard = NIODeadline.now()
    private var nextPing = NIODeadline.now()
    /// When a closing connection is cut off if the peer has not finished the close handshake.
    private var closeDeadline: NIODeadline?
    private var finished = false
    private let retiredPromise: EventLoopPromise<Void>
    private let closedPromise: EventLoopPromise<Void>

    /// Completes as soon as the connection starts closing: from then on it takes no events, so it leaves
    /// the hub and presence at once rather than after the close handshake.
    var retired: EventLoopFuture<Void> { retiredPromise.futureResult }
    /// Completes when the connection has closed.
    var closed: EventLoopFuture<Void> { closedPromise.futureResult }

    init(
        identity: Identity, username: String, eventLoop: any EventLoop, keeper: LoopKeeper, settings: ConnectionSettings,
        metrics: ParleyMetrics, logger: Logger
    ) {
        self.identity = identity
        self.username = username
        self.eventLoop = eventLoop
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        (inbound, inboundContinuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        self.keeper = keeper
        retiredPromise = eventLoop.makePromise()
        closedPromise = eventLoop.makePromise()
        flusher = LoopFlusher.for(eventLoop)
    }

    // MARK: Outbound (any thread)

    /// Queues a text frame; the flush is coalesced with other writes of this event-loop tick.
    ///
    /// Always a task on the loop, never a write in the caller's stack: a write can close the connection,
    /// and the caller may hold a lock that closing would take again.
    func send(_ frame: ByteBuffer) {
        eventLoop.execute { self.write(frame) }
    }

    /// Sends a close frame with `code` and closes once the peer answers or the grace period ends.
    /// Like `send`, always a task on the loop.
    func close(code: WebSocketErrorCode, reason: String) {
        eventLoop.execute { self.startClosing(code: code, reason: reason) }
    }

    /// Waits until everything queued so far has drained below the socket's high-water mark; false when the
    /// connection is closing instead. Catch-up waits here between pages, so a reader sets its pace.
    func drained() async -> Bool {
        let promise = eventLoop.makePromise(of: Bool.self)
        // A task on the loop: it runs after the writes queued before it, so it sees their effect.
        eventLoop.execute {
            guard !self.closing, let context = self.context else { return promise.succeed(false) }
            if context.channel.isWritable { return promise.succeed(true) }
            self.writableWaiters.append(promise)
        }
        return (try? await promise.futureResult.get()) ?? false
    }

    /// Called by the reader of `inbound` after handling a message of `bytes`, to resume reading a paused socket.
    func inboundConsumed(bytes: Int) {
        let remaining = inboundCount.wrappingSubtract(1, ordering: .relaxed).newValue
        let remainingBytes = inboundBytes.wrappingSubtract(bytes, ordering: .relaxed).newValue
        if remaining <= settings.inboundHighWater / 4, remainingBytes <= settings.inboundHighWaterBytes / 4 {
            eventLoop.execute {
                guard self.readingPaused, let context = self.context else { return }
                self.readingPaused = false
                context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
                context.read()
            }
        }
    }

    // MARK: Event-loop side

    /// `close` for callers already on the loop and holding no lock (the hub's fan-out tasks).
    func closeOnLoop(code: WebSocketErrorCode, reason: String) {
        startClosing(code: code, reason: reason)
    }

    /// Writes on the event loop; used directly by the hub's per-loop fan-out.
    func write(_ frame: ByteBuffer) {
        eventLoop.preconditionInEventLoop()
        guard !closing, let context else { return }
        guard admitOutbound(bytes: frame.readableBytes, context: context) else { return }
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: frame)), promise: nil)
        flusher.markDirty(self)
    }

    /// Counts a frame against the backlog when the socket is above its high-water mark; closes the
    /// connection as too slow (and refuses the frame) once the backlog passes its limit. Every outbound
    /// frame goes through here, control frames included, so no peer can make the server queue without bound.
    private func admitOutbound(bytes: Int, context: ChannelHandlerContext) -> Bool {
        guard !context.channel.isWritable else { return true }
        backlog += 1
        backlogBytes += bytes
        guard backlog > settings.outboundQueueLimit || backlogBytes > settings.outboundQueueBytes else { return true }
        metrics.slowConsumersClosed.increment()
        logger.info("Closing a WebSocket that reads too slowly", metadata: ["connection": .string(id), "user_id": .string(identity.userID)])
        startClosing(code: .unknown(1013), reason: "outbound queue overflow; reconnect and resume with after_seq", grace: settings.slowCloseGrace)
        return false
    }

    /// Writes a control frame (ping or pong) through the backlog accounting, flushed with this tick's writes.
    private func writeControl(_ opcode: WebSocketOpcode, _ data: ByteBuffer, context: ChannelHandlerContext) {
        guard !closing, admitOutbound(bytes: data.readableBytes + 2, context: context) else { return }
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: opcode, data: data)), promise: nil)
        flusher.markDirty(self)
    }

    /// Called by the loop's flusher once per tick in which this connection was written to.
    func flush() {
        context?.flush()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        lastHeard = .now()
        nextPing = lastHeard + settings.pingInterval
        keeper.add(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The server allows half-closure; for a WebSocket, a peer that stops sending is gone.
        if let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            backlog = 0
            backlogBytes = 0
            resumeWriters(true)
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("WebSocket error", metadata: ["connection": .string(id), "error": .string("\(error)")])
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        // A peer's own pings do not count as hearing from it: a peer that pings but never reads must still
        // fall silent to our pings (its pongs queue behind what it does not read) and be closed.
        if frame.opcode != .ping { lastHeard = .now() }
        switch frame.opcode {
        case .text:
            if frame.fin {
                deliver(frame.unmaskedData)
            } else {
                fragments = frame.unmaskedData
            }
        case .continuation:
            guard var partial = fragments else { return }
            var piece = frame.unmaskedData
            guard partial.readableBytes + piece.readableBytes <= settings.maxMessageBytes else {
                fragments = nil
                startClosing(code: .messageTooLarge, reason: "message exceeds \(settings.maxMessageBytes) bytes")
                return
            }
            partial.writeBuffer(&piece)
            if frame.fin {
                fragments = nil
                deliver(partial)
            } else {
                fragments = partial
            }
        case .binary:
            if let error = try? EventFrame.encode(.error, ErrorEventPayload(ParleyError.malformedBody("Binary frames are not supported; send JSON text frames"))) {
                write(error)
            }
        case .ping:
            writeControl(.pong, frame.unmaskedData, context: context)
        case .pong:
            break
        case .connectionClose:
            if closing {
                context.close(promise: nil)
            } else {
                closing = true
                closeDeadline = .now() + settings.closeGrace
                retire()
                var data = frame.unmaskedData
                let code = data.readInteger(as: UInt16.self) ?? 1000
                var reply = context.channel.allocator.buffer(capacity: 2)
                reply.writeInteger(code)
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply))).whenComplete { _ in
                    channel.close(promise: nil)
                }
            }
        default:
            break
        }
    }

    private func deliver(_ message: ByteBuffer) {
        guard !closing else { return }
        guard message.readableBytes <= settings.maxMessageBytes else {
            startClosing(code: .messageTooLarge, reason: "message exceeds \(settings.maxMessageBytes) bytes")
            return
        }
        inboundContinuation.yield(message)
        let queued = inboundCount.wrappingAdd(1, ordering: .relaxed).newValue
        let queuedBytes = inboundBytes.wrappingAdd(message.readableBytes, ordering: .relaxed).newValue
        // A client that floods faster than it is served stops being read until the backlog drains.
        if queued >= settings.inboundHighWater || queuedBytes >= settings.inboundHighWaterBytes, !readingPaused, let context {
            readingPaused = true
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        }
    }

    /// Called by the loop's keeper on every tick: closes connections past their close deadline or silent
    /// for longer than the ping timeout, and pings the others when one is due.
    func keepTime(now: NIODeadline) {
        guard let context else { return }
        if let closeDeadline {
            if now >= closeDeadline { context.close(promise: nil) }
            return
        }
        guard !closing else { return }
        if now - lastHeard > settings.pingTimeout {
            logger.info("Closing an unresponsive WebSocket", metadata: ["connection": .string(id)])
            startClosing(code: .goingAway, reason: "no answer to ping")
            context.close(promise: nil)
            return
        }
        guard now >= nextPing else { return }
        nextPing = now + settings.pingInterval
        writeControl(.ping, context.channel.allocator.buffer(capacity: 0), context: context)
    }

    private func startClosing(code: WebSocketErrorCode, reason: String, grace: TimeAmount? = nil) {
        eventLoop.preconditionInEventLoop()
        guard !closing, let context else { return }
        closing = true
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(String(reason.prefix(100)))
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
        // A peer that never answers (or never reads) is cut off after the grace period.
        closeDeadline = .now() + (grace ?? settings.closeGrace)
        retire()
    }

    /// Completes `retired` in a task of its own: its callbacks (the hub forgetting the connection) must not
    /// run inside whatever stack started the close, which may hold a lock they take.
    private func retire() {
        resumeWriters(false)
        eventLoop.execute { self.retiredPromise.succeed() }
    }

    private func resumeWriters(_ writable: Bool) {
        guard !writableWaiters.isEmpty else { return }
        let waiters = writableWaiters
        writableWaiters.removeAll()
        for waiter in waiters { waiter.succeed(writable) }
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        keeper.remove(self)
        closing = true
        inboundContinuation.finish()
        resumeWriters(false)
        eventLoop.execute {
            self.retiredPromise.succeed()
            self.closedPromise.succeed()
        }
    }
}

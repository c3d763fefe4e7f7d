import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import ParleyCore
import Testing

@testable import ParleyServer

/// The hub against a connection on its own event loop, where a write runs in the caller's stack: the case
/// in which a send made under the hub's lock closed the connection and re-entered the lock (a crash any
/// user could cause). Synchronous tests: an embedded loop belongs to one thread.
@Suite("Hub: no call under its lock reaches a connection")
struct HubReentrancyTests {
    /// A hub and one registered connection whose socket is not writable, wired as the gateway wires them.
    private struct Rig {
        let loop = EmbeddedEventLoop()
        let hub: Hub
        let connection: WebSocketConnection
        let channel: EmbeddedChannel
        let metrics = ParleyMetrics()

        init(outboundQueueLimit: Int = 2) throws {
            let logger = Logger(label: "test")
            hub = Hub(metrics: metrics, logger: logger) { _, _ in [] }
            let settings = ConnectionSettings(
                outboundQueueLimit: outboundQueueLimit, outboundQueueBytes: 1 << 20, pingInterval: .seconds(30), pingTimeout: .seconds(60),
                closeGrace: .seconds(1), slowCloseGrace: .seconds(1), maxMessageBytes: 1024, inboundHighWater: 16, inboundHighWaterBytes: 1 << 16)
            connection = WebSocketConnection(
                identity: Identity(userID: "u1", sessionID: "s1"), username: "alice", eventLoop: loop,
                keeper: LoopKeeper(eventLoop: loop, tick: .seconds(1)), settings: settings, metrics: metrics, logger: logger)
            channel = EmbeddedChannel(handler: connection, loop: loop)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
            #expect(hub.register(connection, limit: 5))
            let hub = self.hub
            let connection = self.connection
            connection.retired.whenComplete { _ in hub.unregister(connection) }
            channel.isWritable = false
        }

        func frame(_ seq: Int64) -> (seq: Int64, frame: ByteBuffer) {
            (seq, ByteBuffer(string: "{\"event\":\"message_received\",\"data\":{\"seq\":\(seq)}}"))
        }

        /// Close frames the connection wrote, by code.
        func closeCodes() throws -> [UInt16] {
            var codes: [UInt16] = []
            while let frame = try channel.readOutbound(as: WebSocketFrame.self) {
                guard frame.opcode == .connectionClose else { continue }
                var data = frame.unmaskedData
                codes.append(data.readInteger(as: UInt16.self) ?? 0)
            }
            return codes
        }
    }

    @Test("a catch-up that overflows a reader's backlog closes the reader with 1013 and the hub survives")
    func catchUpOverflowClosesWithoutReentry() throws {
        let rig = try Rig()
        let ticket = rig.hub.prepareJoin(rig.connection, roomID: "room")
        try rig.hub.beginSubscription(rig.connection, ticket: ticket, lastSeq: 10, afterSeq: 0)
        // Before the fix this wrote in the hub's lock, overflowed, closed, and unregistered: a recursive lock.
        #expect(rig.hub.deliverCatchUp(rig.connection, roomID: "room", events: (1...10).map(rig.frame)))
        rig.hub.finishCatchUp(rig.connection, roomID: "room")
        rig.loop.run()
        #expect(rig.hub.connectionCount == 0)
        #expect(try rig.closeCodes() == [1013])
        #expect(!rig.hub.deliverCatchUp(rig.connection, roomID: "room", events: [rig.frame(11)]))
    }

    @Test("live events that overflow a catching-up reader close it from its loop and free what it held")
    func bufferOverflowClosesFromLoop() throws {
        let rig = try Rig()
        let ticket = rig.hub.prepareJoin(rig.connection, roomID: "room")
        try rig.hub.beginSubscription(rig.connection, ticket: ticket, lastSeq: 0, afterSeq: 0)
        for seq in Int64(1)...10_002 {
            rig.hub.receive(OutboundEvent(audience: .room("room"), name: .messageReceived, frame: rig.frame(seq).frame, seq: seq))
        }
        #expect(!rig.hub.isSubscribed(rig.connection, to: "room"))
        rig.loop.run()
        #expect(rig.hub.connectionCount == 0)
        #expect(try rig.closeCodes() == [1013])
    }

    @Test("a removal published while a join reads its access cancels the join")
    func removalCancelsPendingJoin() throws {
        let rig = try Rig()
        let ticket = rig.hub.prepareJoin(rig.connection, roomID: "room")
        // The removal commits and is published after the join's access read said "member".
        rig.hub.receive(OutboundEvent(
            audience: .users(["u1"]), name: .userLeft, frame: ByteBuffer(string: "{}"),
            effects: [.unsubscribe(userID: "u1", roomID: "room")]))
        #expect(throws: Hub.JoinRefusal.removed) {
            try rig.hub.beginSubscription(rig.connection, ticket: ticket, lastSeq: 5, afterSeq: nil)
        }
        #expect(!rig.hub.isSubscribed(rig.connection, to: "room"))
        // Another user's removal leaves the join alone.
        let second = rig.hub.prepareJoin(rig.connection, roomID: "room")
        rig.hub.receive(OutboundEvent(
            audience: .users(["u2"]), name: .userLeft, frame: ByteBuffer(string: "{}"),
            effects: [.unsubscribe(userID: "u2", roomID: "room")]))
        try rig.hub.beginSubscription(rig.connection, ticket: second, lastSeq: 5, afterSeq: nil)
        #expect(rig.hub.isSubscribed(rig.connection, to: "room"))
        rig.loop.run()
    }

    @Test("one catch-up at a time per connection and room")
    func oneCatchUpAtATime() throws {
        let rig = try Rig()
        try rig.hub.beginSubscription(rig.connection, ticket: rig.hub.prepareJoin(rig.connection, roomID: "room"), lastSeq: 5, afterSeq: 0)
        #expect(throws: Hub.JoinRefusal.catchUpInProgress) {
            try rig.hub.beginSubscription(rig.connection, ticket: rig.hub.prepareJoin(rig.connection, roomID: "room"), lastSeq: 5, afterSeq: 0)
        }
        rig.hub.finishCatchUp(rig.connection, roomID: "room")
        try rig.hub.beginSubscription(rig.connection, ticket: rig.hub.prepareJoin(rig.connection, roomID: "room"), lastSeq: 5, afterSeq: 0)
        rig.loop.run()
    }
}

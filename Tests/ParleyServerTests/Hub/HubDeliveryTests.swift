import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import ParleyCore
import Synchronization
import Testing

@testable import ParleyServer

/// The hub on its own, without a server or a database: ordering by `seq`, the gap filler (given as the
/// gateway gives it, an injected reader), catch-up hand-over and answers to one connection. Connections run
/// on a thread-safe testing loop, since the gap filler delivers from a task of its own.
@Suite("Hub: ordering, gap filling and catch-up")
struct HubDeliveryTests {
    /// What the hub's gap filler asked for.
    final class GapReads: Sendable {
        let ranges = Mutex<[ClosedRange<Int64>]>([])
    }

    /// A hub whose gap reader answers from `stored`, and connections on one testing loop.
    struct Rig {
        let loop = NIOAsyncTestingEventLoop()
        let hub: Hub
        let reads = GapReads()
        let warnings: LogRecorder
        let metrics = ParleyMetrics()

        init(gapDelay: Duration = .milliseconds(20), stored: Set<Int64> = []) {
            let warnings = LogRecorder()
            self.warnings = warnings
            let reads = self.reads
            hub = Hub(metrics: metrics, logger: Logger(label: "hub-test") { _ in warnings }, gapDelay: gapDelay) { roomID, range in
                reads.ranges.withLock { $0.append(range) }
                return range.filter { stored.contains($0) }.map {
                    OutboundEvent(audience: .room(roomID), name: .messageReceived, frame: Self.frame($0), seq: $0)
                }
            }
        }

        static func frame(_ seq: Int64) -> ByteBuffer {
            ByteBuffer(string: "{\"event\":\"message_received\",\"data\":{\"seq\":\(seq)}}")
        }

        func event(_ seq: Int64, room: String = "room") -> OutboundEvent {
            OutboundEvent(audience: .room(room), name: .messageReceived, frame: Self.frame(seq), seq: seq)
        }

        /// A registered connection of `userID` with a channel that records what it is sent.
        func connect(_ userID: String = "u1") async throws -> Reader {
            let settings = ConnectionSettings(
                outboundQueueLimit: 100_000, outboundQueueBytes: 1 << 26, pingInterval: .seconds(30), pingTimeout: .seconds(60),
                closeGrace: .seconds(1), slowCloseGrace: .seconds(1), maxMessageBytes: 1024, inboundHighWater: 16, inboundHighWaterBytes: 1 << 16)
            let connection = WebSocketConnection(
                identity: Identity(userID: userID, sessionID: "s-\(userID)"), username: userID, eventLoop: loop,
                keeper: LoopKeeper(eventLoop: loop, tick: .seconds(1)), settings: settings, metrics: metrics, logger: Logger(label: "test"))
            let channel = await NIOAsyncTestingChannel(handler: connection, loop: loop)
            try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9))
            #expect(hub.register(connection, limit: 5))
            return Reader(connection: connection, channel: channel, loop: loop)
        }

        /// Subscribes live (no catch-up) to `room` whose latest `seq` is `lastSeq`.
        func subscribe(_ reader: Reader, to room: String = "room", lastSeq: Int64) throws {
            try hub.beginSubscription(reader.connection, ticket: hub.prepareJoin(reader.connection, roomID: room), lastSeq: lastSeq, afterSeq: nil)
            hub.finishCatchUp(reader.connection, roomID: room)
        }
    }

    /// A connection and the text frames it has been sent.
    struct Reader {
        let connection: WebSocketConnection
        let channel: NIOAsyncTestingChannel
        let loop: NIOAsyncTestingEventLoop

        /// Every text frame written so far (runs the loop: fan-out tasks, then the flush they schedule).
        func frames() async throws -> [String] {
            await loop.run()
            await loop.run()
            var texts: [String] = []
            while let frame = try await channel.readOutbound(as: WebSocketFrame.self) {
                if frame.opcode == .text { texts.append(String(buffer: frame.unmaskedData)) }
            }
            return texts
        }

        /// The `seq` of every message frame received, collecting until `count` arrived or ten seconds passed.
        func seqs(count: Int) async throws -> [Int64] {
            var seqs: [Int64] = []
            let deadline = ContinuousClock.now + .seconds(10)
            while seqs.count < count, ContinuousClock.now < deadline {
                seqs += try await frames().compactMap(Self.seq)
                if seqs.count < count { try await Task.sleep(for: .milliseconds(5)) }
            }
            return seqs
        }

        static func seq(_ text: String) -> Int64? {
            guard let range = text.range(of: "\"seq\":") else { return nil }
            return Int64(text[range.upperBound...].prefix { $0.isNumber })
        }
    }

    @Test("a message ahead of its predecessor waits, and the missing one is read back when it does not come")
    func gapIsFilledFromTheReader() async throws {
        let rig = Rig(stored: [2])
        let reader = try await rig.connect()
        try rig.subscribe(reader, lastSeq: 0)
        rig.hub.receive(rig.event(1))
        rig.hub.receive(rig.event(3))
        #expect(try await reader.seqs(count: 3) == [1, 2, 3])
        #expect(rig.reads.ranges.withLock { $0 } == [2...2])
        #expect(rig.warnings.messages.isEmpty)
    }

    @Test("a late message that arrives within the wait closes the gap without a read")
    func lateArrivalNeedsNoRead() async throws {
        let rig = Rig(gapDelay: .milliseconds(50))
        let reader = try await rig.connect()
        try rig.subscribe(reader, lastSeq: 10)
        rig.hub.receive(rig.event(13))
        rig.hub.receive(rig.event(11))
        rig.hub.receive(rig.event(12))
        #expect(try await reader.seqs(count: 3) == [11, 12, 13])
        try await Task.sleep(for: .milliseconds(150))
        #expect(rig.reads.ranges.withLock { $0 }.isEmpty)
        #expect(try await reader.frames().isEmpty)
    }

    @Test("a gap that cannot be read back is skipped with a warning, and the room goes on")
    func unrecoverableGapIsSkipped() async throws {
        let rig = Rig(stored: [3])
        let reader = try await rig.connect()
        try rig.subscribe(reader, lastSeq: 0)
        rig.hub.receive(rig.event(1))
        // 2 and 3 are missing; only 3 can be read back, 2 never comes.
        rig.hub.receive(rig.event(4))
        #expect(try await reader.seqs(count: 3) == [1, 3, 4])
        #expect(rig.warnings.messages.contains("Skipping unrecoverable sequence gap"))
        rig.hub.receive(rig.event(5))
        #expect(try await reader.seqs(count: 1) == [5])
        #expect(rig.reads.ranges.withLock { $0 } == [2...3])
    }

    @Test("live events held during a catch-up are released after the replay, with nothing lost or repeated")
    func catchUpHandOver() async throws {
        let rig = Rig()
        let reader = try await rig.connect()
        // The room's latest seq was 5 when the join read it; the client has seen up to 2.
        let ticket = rig.hub.prepareJoin(reader.connection, roomID: "room")
        try rig.hub.beginSubscription(reader.connection, ticket: ticket, lastSeq: 5, afterSeq: 2)
        rig.hub.receive(rig.event(6))
        rig.hub.receive(rig.event(7))
        #expect(try await reader.frames().isEmpty)
        // The replay read 3...6: 6 was committed before the read and is also held.
        #expect(rig.hub.deliverCatchUp(reader.connection, roomID: "room", events: (3...6).map { ($0, Rig.frame($0)) }))
        rig.hub.finishCatchUp(reader.connection, roomID: "room")
        rig.hub.receive(rig.event(8))
        #expect(try await reader.seqs(count: 6) == [3, 4, 5, 6, 7, 8])
        #expect(rig.reads.ranges.withLock { $0 }.isEmpty)
    }

    @Test("an answer to one connection reaches that connection only, subscribed or not")
    func answerToOneConnection() async throws {
        let rig = Rig()
        let sender = try await rig.connect("u1")
        let sibling = try await rig.connect("u1")
        let other = try await rig.connect("u2")
        try rig.subscribe(other, lastSeq: 0)
        rig.hub.receive(OutboundEvent(
            audience: .connection(sender.connection.id), name: .error, frame: ByteBuffer(string: "{\"event\":\"error\"}")))
        #expect(try await sender.frames() == ["{\"event\":\"error\"}"])
        #expect(try await sibling.frames().isEmpty)
        #expect(try await other.frames().isEmpty)
        // A connection that has gone is simply not answered.
        rig.hub.unregister(sender.connection)
        rig.hub.receive(OutboundEvent(
            audience: .connection(sender.connection.id), name: .error, frame: ByteBuffer(string: "{\"event\":\"error\"}")))
        #expect(try await sender.frames().isEmpty)
    }
}

/// Records the messages logged at warning level or above.
final class LogRecorder: LogHandler, Sendable {
    private let recorded = Mutex<[String]>([])
    var messages: [String] { recorded.withLock { $0 } }

    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }

    var logLevel: Logger.Level {
        get { .warning }
        set {}
    }

    subscript(metadataKey _: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        recorded.withLock { $0.append(event.message.description) }
    }
}

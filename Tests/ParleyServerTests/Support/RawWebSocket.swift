import Foundation
import NIOCore
import NIOPosix
import ParleyTestSupport
import Synchronization

/// A WebSocket spoken byte by byte, for clients no library would be: one that pings and never reads, one
/// that upgrades after a REST request on the same connection. Its receive buffer is small, and once it
/// stops reading the server's writes back up soon.
final class RawWebSocket: Sendable {
    let channel: any Channel
    private let collector: Collector

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    /// A TCP connection to the server, not yet upgraded.
    static func open(port: Int, receiveBuffer: Int = 4096) async throws -> RawWebSocket {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawWebSocket(channel: channel, collector: collector)
    }

    /// Writes raw bytes.
    func write(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Sends one HTTP request and returns its answer (head and Content-Length body), keeping the connection.
    func request(_ text: String, timeout: Duration = .seconds(10)) async throws -> String {
        try await write(text)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let answer = collector.takeResponse() { return answer }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("no HTTP answer within \(timeout)")
    }

    /// Waits until what has been received since the last answer contains `text`.
    func received(containing text: String, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if collector.text.contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// Stops reading the socket: what the server sends stays in the kernel's buffers, then in the server's.
    func stopReading() async throws {
        try await channel.setOption(ChannelOptions.autoRead, value: false).get()
    }

    /// A masked client frame (RFC 6455 §5.2): `opcode` 0x1 text, 0x9 ping.
    static func frame(opcode: UInt8, payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(0x80 | opcode)
        if payload.count < 126 {
            buffer.writeInteger(UInt8(0x80 | payload.count))
        } else {
            buffer.writeInteger(UInt8(0x80 | 126))
            buffer.writeInteger(UInt16(payload.count))
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        buffer.writeBytes(mask)
        buffer.writeBytes(payload.enumerated().map { $0.element ^ mask[$0.offset % 4] })
        return buffer
    }

    func sendText(_ text: String) async throws {
        try await channel.writeAndFlush(Self.frame(opcode: 0x1, payload: Array(text.utf8)))
    }

    func sendPing(_ payload: [UInt8] = Array(repeating: 0x61, count: 125)) async throws {
        try await channel.writeAndFlush(Self.frame(opcode: 0x9, payload: payload))
    }

    /// `count` 125-byte pings in one write, so a flood is not paced by one await per frame.
    func sendPings(_ count: Int) async throws {
        let ping = Self.frame(opcode: 0x9, payload: Array(repeating: 0x61, count: 125))
        var buffer = ByteBuffer()
        for _ in 0..<count { buffer.writeImmutableBuffer(ping) }
        try await channel.writeAndFlush(buffer)
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// Collects what the server sends.
private final class Collector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let bytes = Mutex<[UInt8]>([])

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        bytes.withLock { $0 += buffer.readableBytesView }
    }

    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Removes and returns one complete HTTP response (by Content-Length), if one has arrived.
    func takeResponse() -> String? {
        bytes.withLock { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { return nil }
            let head = text[..<headEnd.lowerBound]
            let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            let headBytes = text[..<headEnd.upperBound].utf8.count
            guard bytes.count >= headBytes + length else { return nil }
            let response = String(decoding: bytes[0..<(headBytes + length)], as: UTF8.self)
            bytes.removeFirst(headBytes + length)
            return response
        }
    }
}

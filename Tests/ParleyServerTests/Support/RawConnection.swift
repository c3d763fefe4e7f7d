import Foundation
import NIOCore
import NIOPosix
import ParleyTestSupport

/// A bare TCP connection for what HTTP and WebSocket client libraries will not do: send a hand-written
/// upgrade request and read the raw answer, or hold an upgraded socket without ever answering a ping.
struct RawConnection {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    static func open(port: Int) async throws -> RawConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return RawConnection(channel: channel)
    }

    /// Sends `text` and reads until the server closes the connection or `timeout` passes.
    func exchange(_ text: String, timeout: Duration = .seconds(10)) async throws -> String {
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: text))
            return try await withThrowingTaskGroup(of: String.self) { group in
                group.addTask {
                    var received = ""
                    for try await chunk in inbound { received += String(buffer: chunk) }
                    return received
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw TestFailure("no close within \(timeout)")
                }
                let result = try await group.next()!
                group.cancelAll()
                return result
            }
        }
    }

    /// An upgrade request for `/ws` with the given query.
    static func upgradeRequest(query: String) -> String {
        "GET /ws\(query) HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    }
}

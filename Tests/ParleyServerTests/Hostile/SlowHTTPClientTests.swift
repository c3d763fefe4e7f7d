import Foundation
import NIOCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

/// HTTP clients that hold sockets without finishing requests (slowloris), and many sockets from one address.
@Suite("Slow HTTP clients and connection caps")
struct SlowHTTPClientTests {
    private static func fastTimeouts(_ configuration: inout ParleyConfiguration) {
        configuration.httpHeaderTimeout = 1
        configuration.httpBodyTimeout = 1
        configuration.httpIdleTimeout = 1
    }

    /// Sends `text`, then waits for the server to close; returns what it answered and how long it took.
    private func closedAfter(_ text: String, port: Int) async throws -> (answer: String, elapsed: Duration) {
        let started = ContinuousClock.now
        do {
            let answer = try await RawConnection.open(port: port).exchange(text, timeout: .seconds(10))
            return (answer, ContinuousClock.now - started)
        } catch let error as ChannelError where error == .ioOnClosedChannel || error == .outputClosed {
            // Closed by the server before the request could even be written.
            return ("", ContinuousClock.now - started)
        }
    }

    @Test("a connection that trickles a request head is closed after the header timeout")
    func partialHeadIsClosed() async throws {
        try await TestServer.with(configure: Self.fastTimeouts) { server in
            let (answer, elapsed) = try await closedAfter("GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ", port: server.port)
            #expect(answer.isEmpty)
            #expect(elapsed < .seconds(8))
        }
    }

    @Test("a body that stops arriving is cut off after the body timeout")
    func stalledBodyIsClosed() async throws {
        try await TestServer.with(configure: Self.fastTimeouts) { server in
            let request = "POST /auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"user"
            let (_, elapsed) = try await closedAfter(request, port: server.port)
            #expect(elapsed < .seconds(8))
        }
    }

    @Test("a kept-alive connection left idle is closed after the idle timeout, after its answer")
    func idleKeepAliveIsClosed() async throws {
        try await TestServer.with(configure: Self.fastTimeouts) { server in
            let (answer, elapsed) = try await closedAfter("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n", port: server.port)
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(elapsed < .seconds(8))
        }
    }

    @Test("one address gets at most its cap of open connections; others are refused at once and served again once one closes")
    func perAddressCap() async throws {
        try await TestServer.with(configure: {
            $0.connectionsPerAddress = 3
            $0.connectionCapExemptAddresses = []
        }) { server in
            var held: [RawWebSocket] = []
            for _ in 0..<3 { held.append(try await RawWebSocket.open(port: server.port)) }
            #expect(await eventuallyCounts(3, server: server))
            let refused = try await closedAfter("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", port: server.port)
            #expect(refused.answer.isEmpty)
            held.removeLast().close()
            #expect(await eventuallyCounts(2, server: server))
            let served = try await closedAfter("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", port: server.port)
            #expect(served.answer.hasPrefix("HTTP/1.1 200"))
            for socket in held { socket.close() }
        }
    }

    /// Waits until the server counts `expected` open connections from 127.0.0.1.
    private func eventuallyCounts(_ expected: Int, server: TestServer) async -> Bool {
        for _ in 0..<100 {
            if server.server.addressCap.count(for: "127.0.0.1") == expected { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test("the settings come from the environment")
    func settingsFromEnvironment() throws {
        let configuration = try ParleyConfiguration.fromEnvironment([
            "PARLEY_HTTP_HEADER_TIMEOUT": "5", "PARLEY_HTTP_BODY_TIMEOUT": "7", "PARLEY_HTTP_IDLE_TIMEOUT": "9",
            "PARLEY_CONNECTIONS_PER_ADDRESS": "12", "PARLEY_CONNECTION_CAP_EXEMPT": "10.0.0.1, 10.0.0.2",
            "PARLEY_WS_EVENTS_PER_SECOND": "7", "PARLEY_WS_EVENT_BURST": "70",
        ])
        #expect(configuration.httpHeaderTimeout == 5 && configuration.httpBodyTimeout == 7 && configuration.httpIdleTimeout == 9)
        #expect(configuration.connectionsPerAddress == 12)
        #expect(configuration.connectionCapExemptAddresses == ["10.0.0.1", "10.0.0.2"])
        #expect(configuration.wsEventsPerSecond == 7 && configuration.wsEventBurst == 70)
        #expect(try ParleyConfiguration.fromEnvironment(["PARLEY_CONNECTION_CAP_EXEMPT": "none"]).connectionCapExemptAddresses.isEmpty)
        #expect(throws: ConfigurationError.self) { try ParleyConfiguration.fromEnvironment(["PARLEY_HTTP_HEADER_TIMEOUT": "0"]) }
    }
}

import ServiceLifecycle

/// Closes every WebSocket connection when graceful shutdown begins, so the HTTP server's own shutdown,
/// which waits for its connections, does not wait on WebSockets that would otherwise stay open.
///
/// Run it after the application in the same service group: a group shuts its services down in reverse
/// order, so the connections are told to close before the server starts waiting for them.
struct GatewayShutdown: Service {
    let gateway: Gateway

    func run() async throws {
        // Returns when graceful shutdown begins, or when the task is cancelled.
        try? await gracefulShutdown()
        gateway.closeAll()
    }
}

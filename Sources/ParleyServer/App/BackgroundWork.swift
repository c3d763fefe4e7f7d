import ServiceLifecycle

/// Work that runs beside the server under the service lifecycle (the message writer, the search postings
/// writer): `work` runs until graceful shutdown, then `finish` lets it complete what it accepted and return.
///
/// Placed before the application in the service group, it is told to finish only after the HTTP server and
/// the gateway have stopped (a group shuts down in reverse order), so sends still arriving are queued and
/// answered rather than cut off; the database closes after the whole group.
struct BackgroundWork: Service, CustomStringConvertible {
    /// How the lifecycle's log names it.
    let description: String
    let work: @Sendable () async -> Void
    let finish: @Sendable () -> Void

    func run() async throws {
        await withGracefulShutdownHandler {
            await work()
        } onGracefulShutdown: {
            finish()
        }
        // Work with nothing to do (no postings writer on SQLite) returns at once, and a service that returns
        // ends the whole group: stay until shutdown.
        try? await gracefulShutdown()
    }
}

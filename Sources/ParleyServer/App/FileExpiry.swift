import Logging
import ParleyCore
import ServiceLifecycle

/// Deletes uploads never attached to a message once they are older than the configured lifetime: a first
/// sweep shortly after start, then one every `interval`, until graceful shutdown.
struct FileExpiry: Service {
    let files: FileService
    let interval: Duration
    /// The first sweep waits this long: a start is busy enough, and a server stopped within moments of
    /// starting (a failed deploy, a test) has no sweep caught half-way.
    var initialDelay: Duration = .seconds(60)
    let logger: Logger

    func run() async throws {
        var delay = min(initialDelay, interval)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            // The wait and the sweep are cancelled when graceful shutdown begins.
            let wait = delay
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: wait)
                do {
                    _ = try await files.expireUnattached(while: { !Task.isShuttingDownGracefully && !Task.isCancelled })
                } catch where !Task.isCancelled {
                    // A failed sweep (database unavailable) is retried at the next interval.
                    logger.warning("Expiring unattached uploads failed", metadata: ["error": .string("\(error)")])
                }
            }
            delay = interval
        }
    }
}

import Logging
import ParleyCore
import ServiceLifecycle

/// Deletes uploads never attached to a message once they are older than the configured lifetime: a sweep
/// at start, then one every `interval`, until graceful shutdown (a sweep in progress stops after its
/// current batch).
struct FileExpiry: Service {
    let files: FileService
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                _ = try await files.expireUnattached(while: { !Task.isShuttingDownGracefully && !Task.isCancelled })
            } catch {
                // A failed sweep (database unavailable) is retried at the next interval.
                logger.warning("Expiring unattached uploads failed", metadata: ["error": .string("\(error)")])
            }
            // Ends early when graceful shutdown begins.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}

import ParleyStore
import ServiceLifecycle

/// The database's connection pool as the first lifecycle service of `parley serve`: it runs before anything
/// uses the database (migrations wait for it) and, since a group shuts down in reverse order, stops after
/// every other service has finished, so no query runs while it closes.
struct DatabaseClient: Service, CustomStringConvertible {
    let backend: any SQLBackend
    var description: String { "DatabaseClient" }

    func run() async throws {
        // Returns at graceful shutdown (PostgreSQL), or at once when there is no pool (SQLite).
        await backend.run()
        // A service that returns ends the group: stay until shutdown.
        try? await gracefulShutdown()
        await backend.shutdown()
    }
}

import Logging
import ParleyCore
import SQLKit

/// The one store implementation: every repository protocol of ParleyCore, over any ``SQLBackend``.
public final class SQLStore: Sendable {
    public let backend: any SQLBackend
    let logger: Logger

    public init(backend: any SQLBackend, logger: Logger) {
        self.backend = backend
        self.logger = logger
    }

    /// Opens the database at `location` and applies pending migrations.
    public static func open(
        _ location: DatabaseLocation, logger: Logger, observer: ObservedBackend.Observer? = nil
    ) async throws -> SQLStore {
        var backend: any SQLBackend
        switch location {
        case .sqlite(let path):
            backend = try await SQLiteBackend.open(path: path, logger: logger)
        case .postgres(let settings):
            backend = PostgresBackend(settings: settings, logger: logger)
        }
        if let observer { backend = ObservedBackend(backend, observer: observer) }
        do {
            try await Migrator(backend: backend, logger: logger).migrate()
        } catch {
            await backend.shutdown()
            throw error
        }
        return SQLStore(backend: backend, logger: logger)
    }

    public func ping() async -> Bool { await backend.ping() }

    public func shutdown() async { await backend.shutdown() }
}

import Logging
import ParleyCore
import SQLKit

/// The one store implementation: every repository protocol of ParleyCore, over any ``SQLBackend``.
public final class SQLStore: Sendable {
    public let backend: any SQLBackend
    let logger: Logger
    /// PostgreSQL's posting lists, written after their messages commit (nil on SQLite).
    let postingWriter: PostingWriter?

    public init(backend: any SQLBackend, logger: Logger) {
        self.backend = backend
        self.logger = logger
        postingWriter = backend.engine == .postgres ? PostingWriter(backend: backend, logger: logger) : nil
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
        let store = SQLStore(backend: backend, logger: logger)
        do {
            try await Migrator(backend: backend, logger: logger).migrate()
            try await store.postingWriter?.recover()
        } catch {
            await backend.shutdown()
            throw error
        }
        return store
    }

    public func ping() async -> Bool { await backend.ping() }

    /// Waits until every stored message's search postings are written (a no-op on SQLite, which writes
    /// them with the message).
    public func flushSearchIndex() async {
        await postingWriter?.flush()
    }

    public func shutdown() async {
        await flushSearchIndex()
        await backend.shutdown()
    }
}

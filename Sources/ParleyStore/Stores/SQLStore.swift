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

    /// Opens the database at `location` and applies pending migrations (PostgreSQL's pool starts on first use).
    public static func open(
        _ location: DatabaseLocation, logger: Logger, observer: ObservedBackend.Observer? = nil
    ) async throws -> SQLStore {
        try await open(backend: connect(location, logger: logger, observer: observer), logger: logger)
    }

    /// The backend for `location`, not yet used. With `runByLifecycle`, PostgreSQL's pool waits for the caller
    /// to run `backend.run()` (a lifecycle service) instead of starting on first use.
    public static func connect(
        _ location: DatabaseLocation, logger: Logger, observer: ObservedBackend.Observer? = nil, runByLifecycle: Bool = false
    ) async throws -> any SQLBackend {
        var backend: any SQLBackend
        switch location {
        case .sqlite(let path):
            backend = try await SQLiteBackend.open(path: path, logger: logger)
        case .postgres(let settings):
            backend = PostgresBackend(settings: settings, logger: logger, startsOnFirstUse: !runByLifecycle)
        }
        if let observer { backend = ObservedBackend(backend, observer: observer) }
        return backend
    }

    /// Applies pending migrations on `backend` and rebuilds search postings a crash left behind; closes the
    /// backend if that fails.
    public static func open(backend: any SQLBackend, logger: Logger) async throws -> SQLStore {
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

    /// Runs the store's background work, PostgreSQL's posting writer, until `finishBackgroundWork()`
    /// (returns at once on SQLite, which has none). Run it while messages may be stored.
    public func runBackgroundWork() async {
        await postingWriter?.run()
    }

    /// Lets `runBackgroundWork()` write what is queued and return.
    public func finishBackgroundWork() {
        postingWriter?.finish()
    }

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

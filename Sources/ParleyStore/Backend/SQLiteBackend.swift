import Foundation
import Logging
import NIOCore
import NIOPosix
import ParleyCore
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization

/// SQLite in WAL mode: one writer connection behind a FIFO lock, and a few reader connections.
///
/// WAL lets readers proceed while the writer commits; `synchronous=FULL` makes every commit durable before
/// it is acknowledged (group commit in the message writer amortises the fsync).
public final class SQLiteBackend: SQLBackend {
    public let engine = SQLEngine.sqlite
    public let path: String
    private let threadPool: NIOThreadPool
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncLock()
    private let nextReader = Atomic<Int>(0)
    private let logger: Logger

    private init(path: String, threadPool: NIOThreadPool, writer: SQLiteConnection, readers: [SQLiteConnection], logger: Logger) {
        self.path = path
        self.threadPool = threadPool
        self.writer = writer
        self.readers = readers
        self.logger = logger
    }

    /// Opens (creating if needed) the database file at `path`.
    public static func open(path: String, readerCount: Int = 3, logger: Logger) async throws -> SQLiteBackend {
        createOwnerOnly(path)
        let threadPool = NIOThreadPool(numberOfThreads: readerCount + 1)
        threadPool.start()
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        // Every connection opened so far, closed again if opening fails part-way (sqlite-nio traps on a
        // connection released while open).
        var opened: [SQLiteConnection] = []
        do {
            let writer = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
            opened.append(writer)
            let writerSQL = writer.sql(queryLogLevel: nil)
            // The busy timeout first: switching to WAL waits for another process that holds the database (two
            // starts at once, a `parley migrate` beside a server) instead of failing with "database is locked".
            try await writerSQL.raw("PRAGMA busy_timeout=10000").run()
            // journal_mode is persistent and needs the writer; the others are per connection.
            try await writerSQL.raw("PRAGMA journal_mode=WAL").run()
            // SQLite's default page cache is 2 MB per connection; in a large database most page reads then
            // copy from the OS, which was the largest cost of a search. Caches are ceilings, filled only as
            // pages are used; memory-mapped reads skip the copy.
            for pragma in ["PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=10000", "PRAGMA cache_size=-65536", "PRAGMA mmap_size=1073741824"] {
                try await writerSQL.raw(SQLQueryString(pragma)).run()
            }
            var readers: [SQLiteConnection] = []
            for _ in 0..<readerCount {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
                opened.append(reader)
                let readerSQL = reader.sql(queryLogLevel: nil)
                for pragma in ["PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=10000", "PRAGMA query_only=ON", "PRAGMA cache_size=-16384", "PRAGMA mmap_size=1073741824"] {
                    try await readerSQL.raw(SQLQueryString(pragma)).run()
                }
                readers.append(reader)
            }
            return SQLiteBackend(path: path, threadPool: threadPool, writer: writer, readers: readers, logger: logger)
        } catch {
            await Self.close(opened, threadPool: threadPool)
            throw error
        }
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        let connection = readers[abs(index) % readers.count]
        return try await body(connection.sql(queryLogLevel: nil))
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let database = writer.sql(queryLogLevel: nil)
        return try await writeLock.withLock {
            try await database.raw("BEGIN IMMEDIATE").run()
            do {
                let result = try await body(database)
                try await database.raw("COMMIT").run()
                return result
            } catch {
                do {
                    try await database.raw("ROLLBACK").run()
                } catch {
                    logger.error("SQLite rollback failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                throw error
            }
        }
    }

    public func ping() async -> Bool {
        do {
            return try await read { database in
                try await database.raw("SELECT 1 AS ok").first()?.decode(column: "ok", as: Int.self) == 1
            }
        } catch {
            return false
        }
    }

    /// SQLite needs nothing running beside its connections.
    public func run() async {}

    public func shutdown() async {
        await Self.close(readers + [writer], threadPool: threadPool)
    }

    /// Closes `connections`, then the thread pool, even when the calling task is cancelled. sqlite-nio's
    /// close is thread-pool work that a cancelled task never submits, and a connection released unclosed
    /// traps (seen when a sibling task's failure cancelled a task shutting its backend down); a task of its
    /// own does not inherit the cancellation.
    private static func close(_ connections: [SQLiteConnection], threadPool: NIOThreadPool) async {
        await Task {
            for connection in connections { try? await connection.close() }
            try? await threadPool.shutdownGracefully()
        }.value
    }

    public func uniqueViolation(in error: any Error) -> String? {
        guard let error = error as? SQLiteError else { return nil }
        let text = error.message
        guard text.contains("UNIQUE constraint failed") || text.contains("PRIMARY KEY") else { return nil }
        return text
    }
}

/// Creates a missing database file with mode 0600 before SQLite opens it. SQLite would create it 0644 (less
/// the umask), readable by every local user like the rest of a default install, and it gives the -wal and
/// -shm files the main file's mode. An existing file keeps its mode; any failure is left for SQLite's open
/// to report.
private func createOwnerOnly(_ path: String) {
    guard !path.isEmpty, path != ":memory:" else { return }
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    if descriptor >= 0 { close(descriptor) }
}

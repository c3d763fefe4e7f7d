import Logging
import NIOSSL
import ParleyCore
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// Connection settings parsed from a `postgres://user:password@host:port/database?sslmode=...` URL.
public struct PostgresSettings: Sendable, Equatable {
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    public var maximumConnections: Int

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String, tls: TLSMode = .prefer, maximumConnections: Int = 20) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.maximumConnections = maximumConnections
    }

    /// The same server with another database name (tests create a database each).
    public func with(database: String) -> PostgresSettings {
        var copy = self
        copy.database = database
        return copy
    }
}

/// PostgreSQL through postgres-nio's `PostgresClient` pool, spoken to with SQLKit.
///
/// The pool works only while its `run()` runs. A server runs it as the first lifecycle service (`run()` here),
/// which makes it start before anything uses it and stop after everything else; tools and tests that use the
/// backend on its own let it start on first use and stop at `shutdown()`. Either way no query leases a
/// connection before the pool runs.
public final class PostgresBackend: SQLBackend {
    public let engine = SQLEngine.postgres
    public let settings: PostgresSettings
    private let client: PostgresClient
    private let logger: Logger
    private let lifetime: Mutex<Lifetime>

    private struct Lifetime {
        /// Whether the first use may start the pool (false when a lifecycle service runs it).
        var startsOnFirstUse: Bool
        var running = false
        /// The pool's task when it was started on first use; `shutdown()` cancels it.
        var ownTask: Task<Void, Never>?
        /// Uses waiting for the pool to run.
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// - Parameter startsOnFirstUse: false when `run()` will be called by the caller's lifecycle; uses wait for it.
    public init(settings: PostgresSettings, logger: Logger, startsOnFirstUse: Bool = true) {
        self.settings = settings
        self.logger = logger
        self.lifetime = Mutex(Lifetime(startsOnFirstUse: startsOnFirstUse))
        let tls: PostgresClient.Configuration.TLS
        switch settings.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: tls
        )
        configuration.options.maximumConnections = settings.maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// Runs the pool until graceful shutdown or cancellation of the calling task (a lifecycle service).
    /// Returns at once if the pool already runs.
    public func run() async {
        let waiters = lifetime.withLock { lifetime -> [CheckedContinuation<Void, Never>]? in
            guard !lifetime.running else { return nil }
            lifetime.running = true
            defer { lifetime.waiters = [] }
            return lifetime.waiters
        }
        guard let waiters else { return }
        // Let the waiting uses go: they are resumed through their executors, while this task goes straight on
        // into the client's run, which marks the pool running before its first suspension. A use that slipped
        // into those few instructions would only log postgres-nio's warning; its lease waits for the pool.
        for waiter in waiters { waiter.resume() }
        await client.run()
    }

    /// Waits until the pool runs, starting it here when the backend is used on its own.
    private func ready() async {
        let running = lifetime.withLock { lifetime -> Bool in
            if lifetime.running { return true }
            if lifetime.startsOnFirstUse, lifetime.ownTask == nil {
                // Creating a task only enqueues it; it takes the lock later, from its own context.
                lifetime.ownTask = Task { await self.run() }
            }
            return false
        }
        if running { return }
        await withCheckedContinuation { continuation in
            let running = lifetime.withLock { lifetime -> Bool in
                if lifetime.running { return true }
                lifetime.waiters.append(continuation)
                return false
            }
            if running { continuation.resume() }
        }
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        await ready()
        return try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil))
        }
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        await ready()
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in
                    let database = connection.sql(queryLogLevel: nil)
                    try await database.raw("BEGIN").run()
                    do {
                        let result = try await body(database)
                        try await database.raw("COMMIT").run()
                        return result
                    } catch {
                        try? await database.raw("ROLLBACK").run()
                        throw error
                    }
                }
            } catch let error as PSQLError where attempt < 4 && Self.isRetryable(error) {
                logger.debug("Retrying transaction after a conflict", metadata: ["attempt": "\(attempt)"])
                continue
            }
        }
    }

    public func ping() async -> Bool {
        do {
            return try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await self.read { database in
                        try await database.raw("SELECT 1 AS ok").first()?.decode(column: "ok", as: Int.self) == 1
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(3))
                    return false
                }
                let first = try await group.next() ?? false
                group.cancelAll()
                return first
            }
        } catch {
            return false
        }
    }

    /// Stops a pool started on first use (one run by a lifecycle service stops with it).
    public func shutdown() async {
        guard let task = lifetime.withLock({ $0.ownTask }) else { return }
        task.cancel()
        await task.value
    }

    public func uniqueViolation(in error: any Error) -> String? {
        guard let error = error as? PSQLError, error.serverInfo?[.sqlState] == "23505" else { return nil }
        return (error.serverInfo?[.constraintName] ?? "") + " " + (error.serverInfo?[.detail] ?? "")
    }

    private static func isRetryable(_ error: PSQLError) -> Bool {
        let state = error.serverInfo?[.sqlState]
        return state == "40001" || state == "40P01"
    }
}

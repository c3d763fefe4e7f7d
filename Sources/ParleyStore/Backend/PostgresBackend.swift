import Logging
import NIOSSL
import ParleyCore
import PostgresKit
import PostgresNIO
import SQLKit

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
public final class PostgresBackend: SQLBackend {
    public let engine = SQLEngine.postgres
    public let settings: PostgresSettings
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    private let logger: Logger

    public init(settings: PostgresSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
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
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        // The pool runs for as long as the backend lives; shutdown() cancels it.
        self.runTask = Task { await client.run() }
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil))
        }
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
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

    public func shutdown() async {
        runTask.cancel()
        _ = await runTask.value
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

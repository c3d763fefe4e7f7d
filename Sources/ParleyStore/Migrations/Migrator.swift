import Logging
import ParleyCore
import SQLKit

/// Applies pending migrations at start and records them in `parley_migrations`.
///
/// All pending migrations run in one transaction. On PostgreSQL a transaction-scoped advisory lock is taken
/// first, so two processes starting at once apply each migration exactly once; on SQLite the write lock
/// (`BEGIN IMMEDIATE`) does the same.
public struct Migrator: Sendable {
    /// Arbitrary constant naming Parley's migration lock among other advisory locks.
    static let advisoryLockKey = 7_261_024_117
    private let backend: any SQLBackend
    private let migrations: [Migration]
    private let logger: Logger

    public init(backend: any SQLBackend, migrations: [Migration] = Migration.all, logger: Logger) {
        self.backend = backend
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies what is pending; returns the versions applied by this call.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let engine = backend.engine
        let migrations = self.migrations
        let applied: [Int] = try await backend.transaction { database in
            if engine == .postgres {
                try await database.raw("SELECT pg_advisory_xact_lock(\(bind: Self.advisoryLockKey))").run()
            }
            try await database.raw("""
                CREATE TABLE IF NOT EXISTS parley_migrations (
                    version BIGINT PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL
                )
                """).run()
            let done = Set(try await database.raw("SELECT version FROM parley_migrations").all().map {
                try $0.decode(column: "version", as: Int.self)
            })
            var appliedNow: [Int] = []
            for migration in migrations.sorted(by: { $0.version < $1.version }) where !done.contains(migration.version) {
                for statement in migration.statements(engine) {
                    try await database.raw(SQLQueryString(statement)).run()
                }
                try await database.raw("""
                    INSERT INTO parley_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Timestamp.now().milliseconds))
                    """).run()
                appliedNow.append(migration.version)
            }
            return appliedNow
        }
        for version in applied {
            logger.info("Applied migration", metadata: ["version": "\(version)"])
        }
        return applied
    }

    /// The versions recorded as applied.
    public func appliedVersions() async throws -> [Int] {
        try await backend.read { database in
            try await database.raw("SELECT version FROM parley_migrations ORDER BY version").all().map {
                try $0.decode(column: "version", as: Int.self)
            }
        }
    }
}

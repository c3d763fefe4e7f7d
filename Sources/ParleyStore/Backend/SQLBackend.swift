import ParleyCore
import SQLKit

/// The two SQL engines Parley runs on.
public enum SQLEngine: String, Sendable {
    case sqlite
    case postgres
}

/// A connection source for one database: reads anywhere, writes in transactions.
///
/// Everything above it speaks SQLKit, so one store implementation serves both engines; the few statements
/// that differ ask ``engine``.
public protocol SQLBackend: Sendable {
    var engine: SQLEngine { get }
    /// Runs read-only work on some connection (never inside another caller's transaction).
    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` in a transaction that commits when it returns and rolls back when it throws.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Whether the database answers a trivial query in time.
    func ping() async -> Bool
    /// Runs the engine's background work (PostgreSQL's connection pool) until graceful shutdown or
    /// cancellation of the calling task; returns at once when there is none or it already runs.
    func run() async
    /// Closes every connection.
    func shutdown() async
    /// Describes a unique-constraint violation (the violated column or index name), or nil for other errors.
    func uniqueViolation(in error: any Error) -> String?
}

import Foundation

/// Where the data lives: an SQLite file or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    /// Parses `PARLEY_DATABASE_URL`: `sqlite:///absolute/path`, `sqlite://relative/path` or
    /// `postgres://user:pass@host:port/db?sslmode=disable|prefer|require&pool=N`.
    public static func parse(_ text: String) throws(DatabaseURLError) -> DatabaseLocation {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("sqlite://") {
            let path = String(trimmed.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw DatabaseURLError("sqlite URL has no path; use sqlite:///absolute/path/parley.sqlite") }
            return .sqlite(path: path)
        }
        guard trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") else {
            throw DatabaseURLError("unsupported scheme; use sqlite:///path/to/file or postgres://user:password@host:5432/database")
        }
        guard let components = URLComponents(string: trimmed) else {
            throw DatabaseURLError("not a valid URL; expected postgres://user:password@host:5432/database")
        }
        guard let host = components.host, !host.isEmpty else { throw DatabaseURLError("the PostgreSQL URL names no host") }
        guard let user = components.user, !user.isEmpty else { throw DatabaseURLError("the PostgreSQL URL names no user") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw DatabaseURLError("the PostgreSQL URL names no database (…/database at the end)") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw DatabaseURLError("the PostgreSQL port must be between 1 and 65535") }
        var settings = PostgresSettings(
            host: host, port: port, username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 }, database: database
        )
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                switch item.value {
                case "disable": settings.tls = .disable
                case "prefer", "allow": settings.tls = .prefer
                case "require", "verify-ca", "verify-full": settings.tls = .require
                default: throw DatabaseURLError("sslmode must be disable, prefer or require")
                }
            case "pool":
                guard let value = item.value.flatMap(Int.init), (1...500).contains(value) else {
                    throw DatabaseURLError("pool must be a number of connections between 1 and 500")
                }
                settings.maximumConnections = value
            default:
                throw DatabaseURLError("unknown parameter '\(item.name)' (known: sslmode, pool)")
            }
        }
        return .postgres(settings)
    }
}

/// Why a database URL could not be used.
public struct DatabaseURLError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

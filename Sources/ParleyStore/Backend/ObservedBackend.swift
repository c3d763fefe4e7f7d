import ParleyCore
import SQLKit

/// Wraps a backend and reports how long each read and transaction took (for the query-duration metric).
public struct ObservedBackend: SQLBackend {
    public typealias Observer = @Sendable (_ kind: String, _ duration: Duration) -> Void
    private let base: any SQLBackend
    private let observer: Observer

    public init(_ base: any SQLBackend, observer: @escaping Observer) {
        self.base = base
        self.observer = observer
    }

    public var engine: SQLEngine { base.engine }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        defer { observer("read", ContinuousClock.now - start) }
        return try await base.read(body)
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        defer { observer("transaction", ContinuousClock.now - start) }
        return try await base.transaction(body)
    }

    public func ping() async -> Bool { await base.ping() }
    public func run() async { await base.run() }
    public func shutdown() async { await base.shutdown() }
    public func uniqueViolation(in error: any Error) -> String? { base.uniqueViolation(in: error) }
}

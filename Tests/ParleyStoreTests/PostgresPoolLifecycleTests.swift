import Logging
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Synchronization
import Testing

/// The PostgreSQL pool runs before any query leases a connection, whoever runs it.
@Suite("PostgreSQL pool lifecycle")
struct PostgresPoolLifecycleTests {
    /// Keeps every message logged through it.
    struct CapturingHandler: LogHandler {
        let messages: Messages
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        final class Messages: Sendable {
            private let lines = Mutex<[String]>([])
            func append(_ line: String) { lines.withLock { $0.append(line) } }
            var all: [String] { lines.withLock { $0 } }
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            messages.append(event.message.description)
        }
    }

    private func settings(_ database: TestDatabase) throws -> PostgresSettings {
        guard case .postgres(let settings) = database.location else { throw TestFailure("not a PostgreSQL database") }
        return settings
    }

    @Test("a backend used on its own starts its pool before the first query leases a connection")
    func firstUseStartsPool() async throws {
        guard TestEngine.available.contains(.postgres) else { return }
        let database = try await TestDatabase.make(.postgres)
        let messages = CapturingHandler.Messages()
        let logger = Logger(label: "pool-test") { _ in CapturingHandler(messages: messages) }
        let backend = PostgresBackend(settings: try settings(database), logger: logger)
        // Several first uses at once, straight after construction.
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await backend.read { try await $0.raw("SELECT 1 AS ok").first()?.decode(column: "ok", as: Int.self) ?? 0 }
                }
            }
            return try await group.reduce(0, +)
        }
        await backend.shutdown()
        await database.destroy()
        #expect(answers == 8)
        #expect(!messages.all.contains { $0.contains("hasn't been called yet") }, "\(messages.all)")
    }

    @Test("a backend whose pool the lifecycle runs holds its queries until run() is called", .timeLimit(.minutes(1)))
    func lifecycleRunsPool() async throws {
        guard TestEngine.available.contains(.postgres) else { return }
        let database = try await TestDatabase.make(.postgres)
        let messages = CapturingHandler.Messages()
        let logger = Logger(label: "pool-test") { _ in CapturingHandler(messages: messages) }
        let backend = PostgresBackend(settings: try settings(database), logger: logger, startsOnFirstUse: false)
        let answered = CapturingHandler.Messages()
        let query = Task {
            let value = try await backend.read { try await $0.raw("SELECT 1 AS ok").first()?.decode(column: "ok", as: Int.self) }
            answered.append("answered")
            return value
        }
        try await Task.sleep(for: .milliseconds(300))
        let early = answered.all
        #expect(early.isEmpty, "a query ran before the pool did")
        let pool = Task { await backend.run() }
        #expect(try await query.value == 1)
        pool.cancel()
        await pool.value
        await database.destroy()
        #expect(!messages.all.contains { $0.contains("hasn't been called yet") }, "\(messages.all)")
    }
}

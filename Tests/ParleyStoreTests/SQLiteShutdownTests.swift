import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@Suite("SQLite shutdown")
struct SQLiteShutdownTests {
    @Test("a backend shut down from a cancelled task still closes its connections")
    func shutdownWhenCancelled() async throws {
        let database = try await TestDatabase.make(.sqlite)
        guard case .sqlite(let path) = database.location else { throw TestFailure("not SQLite") }
        let backend = try await SQLiteBackend.open(path: path, logger: testLogger())
        #expect(await backend.ping())
        let shutdown = Task {
            while !Task.isCancelled { await Task.yield() }
            await backend.shutdown()
        }
        shutdown.cancel()
        await shutdown.value
        // Closed connections answer no query. Left open instead, they would trap when released (sqlite-nio
        // asserts that a connection is closed before it goes away), taking the test process down.
        #expect(await backend.ping() == false)
        await database.destroy()
    }
}

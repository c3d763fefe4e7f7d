import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test("migrations are recorded and a second run applies nothing", arguments: TestEngine.available)
    func idempotent(engine: TestEngine) async throws {
        try await withStore(engine) { store, _ in
            let migrator = Migrator(backend: store.backend, logger: testLogger())
            let versions = try await migrator.appliedVersions()
            #expect(versions == Migration.all.map(\.version))
            #expect(try await migrator.migrate().isEmpty)
            #expect(try await migrator.appliedVersions() == versions)
        }
    }

    @Test("several processes migrating one fresh database at once apply each migration once", arguments: TestEngine.available)
    func concurrentStarts(engine: TestEngine) async throws {
        let database = try await TestDatabase.make(engine)
        let results = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    // Each task is its own backend (its own connections), as separate processes would be.
                    let backend: any SQLBackend
                    switch database.location {
                    case .sqlite(let path): backend = try await SQLiteBackend.open(path: path, logger: testLogger())
                    case .postgres(let settings): backend = PostgresBackend(settings: settings, logger: testLogger())
                    }
                    do {
                        let applied = try await Migrator(backend: backend, logger: testLogger()).migrate()
                        await backend.shutdown()
                        return applied
                    } catch {
                        await backend.shutdown()
                        throw error
                    }
                }
            }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        #expect(results.flatMap { $0 }.sorted() == Migration.all.map(\.version))
        let store = try await SQLStore.open(database.location, logger: testLogger())
        let recorded = try await Migrator(backend: store.backend, logger: testLogger()).appliedVersions()
        await store.shutdown()
        await database.destroy()
        #expect(recorded == Migration.all.map(\.version))
    }
}

import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@Suite("SQLite file permissions")
struct SQLiteFileModeTests {
    @Test("a new SQLite database and its -wal and -shm files are readable by the owner only, whatever the umask")
    func ownerOnly() async throws {
        let database = try await TestDatabase.make(.sqlite)
        guard case .sqlite(let path) = database.location else { throw TestFailure("not SQLite") }
        // The common default umask, which leaves new files world-readable.
        let previous = umask(0o022)
        defer { umask(previous) }
        let store = try await SQLStore.open(database.location, logger: testLogger())
        // A write, so that the WAL holds frames and both side files exist.
        try await store.createUser(makeUser("mode"))
        var modes: [String: Int] = [:]
        for file in [path, path + "-wal", path + "-shm"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            modes[(file as NSString).lastPathComponent] = (attributes[.posixPermissions] as? NSNumber)?.intValue
        }
        await store.shutdown()
        await database.destroy()
        #expect(modes == ["parley.sqlite": 0o600, "parley.sqlite-wal": 0o600, "parley.sqlite-shm": 0o600])
    }
}

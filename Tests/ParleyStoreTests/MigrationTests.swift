import Foundation
import ParleyCore
@testable import ParleyStore
import ParleyTestSupport
import SQLKit
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

@Suite("Migration 3: search postings")
struct SearchPostingsMigrationTests {
    @Test("an index written before migration 3 is carried over into posting lists")
    func backfill() async throws {
        guard TestEngine.available.contains(.postgres) else { return }
        let database = try await TestDatabase.make(.postgres)
        guard case .postgres(let settings) = database.location else { return }
        let backend = PostgresBackend(settings: settings, logger: testLogger())
        do {
            try await Migrator(backend: backend, migrations: Array(Migration.all.prefix(2)), logger: testLogger()).migrate()
            // Two messages indexed as migration 2 left them: a tsvector per message, no seq, no postings.
            try await backend.transaction { db in
                try await insertRoom(withMessages: 2, in: db)
                try await db.raw("INSERT INTO message_search (message_id, room_id, tokens) VALUES ('m1', 'r1', '00000000000000aa:1 ffffffffffffffff:2 00000000000000aa:3')").run()
                try await db.raw("INSERT INTO message_search (message_id, room_id, tokens) VALUES ('m2', 'r1', '00000000000000aa:1')").run()
            }
            #expect(try await Migrator(backend: backend, migrations: Array(Migration.all.prefix(3)), logger: testLogger()).migrate() == [3])
            let postings = try await backend.read { db in
                try await db.raw("SELECT term, seq FROM message_terms ORDER BY seq, term").all().map {
                    "\(try $0.decode(column: "term", as: Int64.self))@\(try $0.decode(column: "seq", as: Int64.self))"
                }
            }
            // Hex digits read as the bits of a signed 64-bit integer (ffff… is -1), and each pair of
            // neighbours as the same bigram Swift computes when it writes postings.
            let forward = Int64(bitPattern: PostingTerms.bigram(0xaa, UInt64.max))
            let backward = Int64(bitPattern: PostingTerms.bigram(UInt64.max, 0xaa))
            let expected = ["-1@1", "170@1", "\(forward)@1", "\(backward)@1", "170@2"]
            #expect(postings.sorted() == expected.sorted())
        } catch {
            await backend.shutdown()
            await database.destroy()
            throw error
        }
        await backend.shutdown()
        await database.destroy()
    }
}

@Suite("Search postings after commit")
struct PostingRecoveryTests {
    @Test("postings lost between a batch's commit and their own are rebuilt at start, once")
    func rebuiltAtStart() async throws {
        guard TestEngine.available.contains(.postgres) else { return }
        let database = try await TestDatabase.make(.postgres)
        let store = try await SQLStore.open(database.location, logger: testLogger())
        do {
            // Three stored messages as a crash would leave them: tsvectors written, the watermark at 1, and
            // only the first message's postings.
            try await store.backend.transaction { db in
                try await insertRoom(withMessages: 3, in: db)
                try await db.raw("INSERT INTO message_search (message_id, room_id, seq, tokens) VALUES ('m1', 'r1', 1, '00000000000000aa:1')").run()
                try await db.raw("INSERT INTO message_search (message_id, room_id, seq, tokens) VALUES ('m2', 'r1', 2, '00000000000000bb:1 00000000000000cc:2')").run()
                try await db.raw("INSERT INTO message_search (message_id, room_id, seq, tokens) VALUES ('m3', 'r1', 3, '00000000000000aa:1')").run()
                try await db.raw("INSERT INTO message_terms (term, seq) VALUES (170, 1)").run()
                try await db.raw("INSERT INTO search_watermarks (room_id, seq) VALUES ('r1', 1)").run()
            }
        } catch {
            await store.shutdown()
            await database.destroy()
            throw error
        }
        await store.shutdown()

        let expected = ["170@1", "187@2", "204@2", "\(Int64(bitPattern: PostingTerms.bigram(0xbb, 0xcc)))@2", "170@3"].sorted()
        for _ in 0..<2 {
            // Each start finds the watermark behind the room (the second finds it caught up) and must leave
            // every posting exactly once.
            let reopened = try await SQLStore.open(database.location, logger: testLogger())
            let (postings, watermark) = try await reopened.backend.read { db in
                let postings = try await db.raw("SELECT term, seq FROM message_terms ORDER BY seq, term").all().map {
                    "\(try $0.decode(column: "term", as: Int64.self))@\(try $0.decode(column: "seq", as: Int64.self))"
                }
                let watermark = try await db.raw("SELECT seq FROM search_watermarks WHERE room_id = 'r1'").first()?.decode(column: "seq", as: Int64.self)
                return (postings, watermark)
            }
            await reopened.shutdown()
            #expect(postings.sorted() == expected)
            #expect(watermark == 3)
        }
        await database.destroy()
    }
}

/// User `u1`, room `r1` and its messages `m1`…`mN` (seq 1…N), written directly as a given schema holds them.
private func insertRoom(withMessages count: Int64, in db: any SQLDatabase) async throws {
    try await db.raw("""
        INSERT INTO users (id, username, username_key, email, email_key, password_hash, display_name, created_at, updated_at)
        VALUES ('u1', 'u', 'u', 'u@x', 'u@x', 'h', 'U', 0, 0)
        """).run()
    try await db.raw("""
        INSERT INTO rooms (id, name, name_key, owner_id, is_private, max_members, encryption_enabled, auto_summary_enabled,
            summary_threshold, last_seq, created_at, updated_at)
        VALUES ('r1', 'r', 'r', 'u1', 0, 10, 0, 0, 100, \(bind: count), 0, 0)
        """).run()
    for seq in 1...count {
        try await db.raw("""
            INSERT INTO messages (id, room_id, seq, user_id, message_type, content, created_at)
            VALUES (\(bind: "m\(seq)"), 'r1', \(bind: seq), 'u1', 'text', '{}', 0)
            """).run()
    }
}

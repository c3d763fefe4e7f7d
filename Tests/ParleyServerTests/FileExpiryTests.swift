import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import SQLKit
import ServiceLifecycle
import Testing

@testable import ParleyServer

@Suite("Expiry of uploads never attached")
struct FileExpiryTests {
    /// Blobs on disk (not temporary files).
    func storedBlobs(_ server: TestServer) -> Int {
        let root = server.database.directory + "/data/files"
        return (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter {
            !$0.hasPrefix("tmp") && $0.split(separator: "/").last?.count == 32
        }.count
    }

    @Test("an upload no message took is deleted, row and blob, once older than its lifetime; attached files and avatars stay",
          arguments: TestEngine.available)
    func expiry(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            let loose = try #require(try await server.upload(Samples.png, filename: "loose.png", to: room, by: alice).data["file"]["id"].stringValue)
            let kept = try #require(try await server.upload(Samples.pdf, filename: "kept.pdf", to: room, by: alice).data["file"]["id"].stringValue)
            let sent = try await server.request(.POST, "/chatrooms/\(room)/messages", json: [
                "content": ["text": "see attached"], "attachments": [.string(kept)],
            ], token: alice.accessToken)
            #expect(sent.status == 201)
            let avatar = try #require(try await server.uploadAvatar(Samples.gif, filename: "me.gif", by: alice).data["avatar_url"].stringValue)
            let avatarPath = try #require(URL(string: avatar)?.path)
            #expect(storedBlobs(server) == 3)

            let files = server.server.files
            let lifetime = server.server.configuration.unattachedFileTTL
            #expect(lifetime == 86_400)
            // Not old enough yet.
            #expect(try await files.expireUnattached(now: Timestamp.now().adding(seconds: lifetime - 60)) == 0)
            #expect(try await server.request(.GET, "/files/\(loose)", token: alice.accessToken).status == 200)

            #expect(try await files.expireUnattached(now: Timestamp.now().adding(seconds: lifetime + 1)) == 1)
            #expect(try await server.request(.GET, "/files/\(loose)", token: alice.accessToken).status == 404)
            #expect(try await server.request(.GET, "/files/\(kept)", token: alice.accessToken).status == 200)
            #expect(try await server.request(.GET, avatarPath).status == 200)
            #expect(storedBlobs(server) == 2)
            // The expired file can no longer be attached.
            let late = try await server.request(.POST, "/chatrooms/\(room)/messages", json: [
                "content": ["text": "too late"], "attachments": [.string(loose)],
            ], token: alice.accessToken)
            #expect(late.status == 422)
        }
    }

    @Test("many expired uploads are deleted in bounded batches until none is left", arguments: TestEngine.available)
    func batches(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            for index in 0..<5 { _ = try await server.upload(Samples.png, filename: "\(index).png", to: room, by: alice) }
            let later = Timestamp.now().adding(seconds: server.server.configuration.unattachedFileTTL + 1)
            // A sweep told to stop after its first batch deletes one batch only.
            #expect(try await server.server.files.expireUnattached(now: later, batchSize: 2, while: { false }) == 2)
            #expect(try await server.server.files.expireUnattached(now: later, batchSize: 2) == 3)
            #expect(try await server.rowCounts(room: room)["files"] == 0)
            #expect(storedBlobs(server) == 0)
        }
    }

    @Test("a file a message attaches while the expiry statement waits for it is kept, row and blob (PostgreSQL)",
          arguments: TestEngine.available.filter { $0 == .postgres })
    func attachRace(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            let fileID = try #require(try await server.upload(Samples.png, filename: "race.png", to: room, by: alice).data["file"]["id"].stringValue)
            let messageID = try #require(try await server.post(["text": "a message to attach to"], to: room, by: alice)["id"].stringValue)
            let backend = server.server.store.backend
            let (locked, lockedSignal) = AsyncStream<Void>.makeStream()
            let (release, releaseSignal) = AsyncStream<Void>.makeStream()
            // A transaction that attaches the file and holds the row until told to commit, as the message
            // writer does when it stores a message with attachments.
            let attach = Task {
                try await backend.transaction { database in
                    try await database.raw("UPDATE files SET message_id = \(bind: messageID) WHERE id = \(bind: fileID)").run()
                    lockedSignal.yield()
                    for await _ in release { break }
                }
            }
            for await _ in locked { break }
            let files = server.server.files
            let later = Timestamp.now().adding(seconds: server.server.configuration.unattachedFileTTL + 1)
            let expire = Task { try await files.expireUnattached(now: later) }
            // Wait until the expiry's DELETE has read the file as unattached and waits for its row lock.
            var waiting = 0
            for _ in 0..<1000 where waiting == 0 {
                waiting = try await backend.read { database in
                    try await database.raw("""
                        SELECT count(*) AS n FROM pg_stat_activity
                        WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM files%' AND datname = current_database()
                        """).first()?.decode(column: "n", as: Int.self) ?? 0
                }
                if waiting == 0 { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(waiting == 1)
            releaseSignal.yield()
            try await attach.value
            #expect(try await expire.value == 0)
            #expect(try await server.request(.GET, "/files/\(fileID)", token: alice.accessToken).status == 200)
            #expect(storedBlobs(server) == 1)
        }
    }

    @Test("the expiry service sweeps after its first delay and returns when graceful shutdown begins", .timeLimit(.minutes(1)))
    func service() async throws {
        try await TestServer.with { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            _ = try await server.upload(Samples.png, filename: "old.png", to: room, by: alice)
            let core = server.server
            // A lifetime of zero: the upload above is already expired.
            let files = FileService(
                files: core.store, messages: core.store, blobs: core.blobs, keyRing: core.keyRing, publicBaseURL: "http://localhost",
                unattachedLifetime: 0, logger: testLogger())
            let group = ServiceGroup(configuration: .init(
                services: [.init(service: FileExpiry(files: files, interval: .seconds(3600), initialDelay: .zero, logger: testLogger()))], logger: testLogger()))
            let running = Task { try await group.run() }
            var remaining = 1
            for _ in 0..<1000 where remaining > 0 {
                remaining = try await server.rowCounts(room: room)["files"] ?? 0
                if remaining > 0 { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(remaining == 0)
            // It now sleeps for an hour; graceful shutdown must end that at once.
            await group.triggerGracefulShutdown()
            try await running.value
        }
    }
}

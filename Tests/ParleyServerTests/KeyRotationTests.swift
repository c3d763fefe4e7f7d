import Foundation
import ParleyCore
import SQLKit
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("Key rotation")
struct KeyRotationTests {
    /// The configuration a TestServer on `database` uses, for working on it while no server runs.
    func configuration(_ database: TestDatabase) -> ParleyConfiguration {
        var configuration = ParleyConfiguration()
        configuration.dataDirectory = database.directory + "/data"
        configuration.database = database.location
        configuration.bcryptCost = 4
        return configuration
    }

    @Test("the master key can be replaced: everything still opens with the new key, nothing with the old", arguments: TestEngine.available)
    func masterKey(engine: TestEngine) async throws {
        let database = try await TestDatabase.make(engine)
        let first = try await TestServer.start(engine, database: database)
        let alice = try await first.register("alice")
        let readable = try await first.createRoom(alice, encrypted: false)
        let e2e = try await first.createRoom(alice, encrypted: true)
        try await first.post(["text": "before rotation"], to: readable, by: alice)
        let readableFile = try #require(try await first.upload(Samples.pdf, filename: "a.pdf", to: readable, by: alice).data["file"]["id"].stringValue)
        let e2eFile = try #require(try await first.upload(Samples.random(5000), filename: "b.bin", to: e2e, by: alice).data["file"]["id"].stringValue)
        await first.stop(keepDatabase: true)
        let oldKey = try #require(FileManager.default.contents(atPath: database.directory + "/data/master-key"))

        let offline = try await ParleyServer.make(configuration: configuration(database), logger: testLogger())
        let result = try await offline.rotateMasterKey(to: (0..<32).map { UInt8($0) })
        await offline.shutdown()
        #expect(result.rooms == 1 && result.files == 1 && result.storedInDataDirectory)
        #expect(FileManager.default.contents(atPath: database.directory + "/data/master-key") != oldKey)

        let second = try await TestServer.start(engine, database: database)
        let history = try await second.request(.GET, "/chatrooms/\(readable)/messages", token: alice.accessToken)
        #expect(history.data["messages"].arrayValue.contains { $0["content"]["text"].stringValue == "before rotation" })
        #expect(try await second.request(.GET, "/files/\(readableFile)", token: alice.accessToken).bytes == Samples.pdf)
        #expect(try await second.request(.GET, "/files/\(e2eFile)", token: alice.accessToken).status == 200)
        await second.stop(keepDatabase: true)

        let oldBytes = try #require(Data(base64Encoded: String(decoding: oldKey, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        await #expect(throws: ConfigurationError.self) {
            _ = try await TestServer.start(engine, database: database) { $0.masterKey = [UInt8](oldBytes) }
        }
        await database.destroy()
    }

    @Test("a room key rotation seals new messages with the new version; old ones still open")
    func roomKey() async throws {
        let database = try await TestDatabase.make(.sqlite)
        let first = try await TestServer.start(database: database)
        let alice = try await first.register("alice")
        let room = try await first.createRoom(alice, encrypted: false)
        try await first.post(["text": "version one"], to: room, by: alice)
        await first.stop(keepDatabase: true)

        let offline = try await ParleyServer.make(configuration: configuration(database), logger: testLogger())
        #expect(try await offline.rotateRoomKey(roomID: room) == 2)
        await #expect(throws: ParleyError.self) { _ = try await offline.rotateRoomKey(roomID: Identifiers.uuid()) }
        await offline.shutdown()

        let second = try await TestServer.start(database: database)
        try await second.post(["text": "version two"], to: room, by: alice)
        let texts = try await second.request(.GET, "/chatrooms/\(room)/messages", token: alice.accessToken).data["messages"].arrayValue
            .compactMap { $0["content"]["text"].stringValue }
        let versions = try await second.server.store.backend.read { database in
            try await database.raw("SELECT content_key_version AS v FROM messages WHERE message_type <> 'system' ORDER BY seq")
                .all().map { try $0.decode(column: "v", as: Int.self) }
        }
        await second.stop()
        #expect(texts == ["version two", "version one"])
        #expect(versions == [1, 2])
    }
}

import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import SQLKit
import Testing

@testable import ParleyServer

@Suite("Graceful shutdown while sends are queued")
struct ShutdownTests {
    /// What one sending client saw: the client ids acknowledged and refused, and whether the server closed it.
    struct ClientRecord {
        var acknowledged: Set<String> = []
        var refused: [String: String] = [:]
        var closedByServer = false
    }

    @Test("every send acknowledged before shutdown is stored; the rest are refused or cut off by the close, never lost after an ack", arguments: TestEngine.available)
    func queuedSendsAtShutdown(engine: TestEngine) async throws {
        let server = try await TestServer.start(engine)
        let users = try await withThrowingTaskGroup(of: TestUser.self) { group in
            for index in 0..<4 { group.addTask { try await server.register("sender\(index)") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let room = try await server.createRoom(users[0], encrypted: false)
        for user in users.dropFirst() { try await server.addMember(user, to: room, by: users[0]) }
        var sockets: [TestSocket] = []
        for user in users { sockets.append(try await TestSocket.connect(server, token: user.accessToken)) }

        // Every client sends fast without waiting for answers, so many sends are queued when shutdown begins.
        let perClient = 400
        for (index, socket) in sockets.enumerated() {
            for number in 0..<perClient {
                let clientID = "c\(index)-\(number)"
                socket.send("send_message", ["chatroom_id": .string(room), "content": ["text": .string(clientID)], "client_id": .string(clientID)], requestID: clientID)
            }
        }
        // Shutdown begins once the first answer arrives: the writer is busy and the sockets are full.
        let first = try await sockets[0].next("message_received", timeout: .seconds(30))
        let clock = ContinuousClock()
        let started = clock.now
        await server.stop(keepDatabase: true)
        #expect(clock.now - started < .seconds(20))

        var records: [ClientRecord] = []
        for (index, socket) in sockets.enumerated() {
            var record = ClientRecord()
            if index == 0, let requestID = first["request_id"].stringValue { record.acknowledged.insert(requestID) }
            record.closedByServer = try await socket.closeFrame()?.closeCode == .goingAway
            for frame in await socket.drain() {
                guard let requestID = frame["request_id"].stringValue else { continue }
                switch frame["event"].stringValue {
                case "message_received":
                    #expect(frame["data"]["message"]["client_id"].stringValue == requestID)
                    record.acknowledged.insert(requestID)
                case "error":
                    record.refused[requestID] = frame["data"]["code"].stringValue ?? "?"
                default:
                    break
                }
            }
            records.append(record)
        }

        // Reopened straight from the database, as the next start would find it (no recovery step).
        let (stored, rows, lastSeq, watermark) = try await Self.readBack(server.database.location, room: room)
        await server.database.destroy()

        let acknowledged = records.reduce(into: Set<String>()) { $0.formUnion($1.acknowledged) }
        #expect(!acknowledged.isEmpty)
        // The guarantee: an acknowledgement means the message is stored.
        #expect(acknowledged.subtracting(stored).isEmpty, "acknowledged but not stored: \(acknowledged.subtracting(stored).sorted().prefix(5))")
        for record in records {
            // A send neither acknowledged nor refused is one the client can tell was cut off: its socket was closed.
            #expect(record.closedByServer)
            for (clientID, code) in record.refused {
                #expect(!stored.contains(clientID), "\(clientID) was refused (\(code)) but stored")
                #expect(!record.acknowledged.contains(clientID))
            }
        }
        // Gap-free: every seq up to the room's last is a stored row.
        #expect(rows == lastSeq)
        if engine == .postgres {
            // The postings writer drained before the database closed: its watermark reached the last message.
            #expect(watermark == lastSeq)
        }
    }

    /// The client ids stored in `room`, its message count and `last_seq`, and its search watermark (PostgreSQL).
    private static func readBack(_ location: DatabaseLocation, room: String) async throws -> (Set<String>, Int64, Int64, Int64?) {
        let backend: any SQLBackend
        switch location {
        case .sqlite(let path): backend = try await SQLiteBackend.open(path: path, logger: testLogger())
        case .postgres(let settings): backend = PostgresBackend(settings: settings, logger: testLogger())
        }
        do {
            let result = try await backend.read { database in
                // System messages (members joining) have no client id.
                let clientIDs = try await database.raw("SELECT client_id FROM messages WHERE room_id = \(bind: room) AND client_id IS NOT NULL").all()
                    .map { try $0.decode(column: "client_id", as: String.self) }
                let rows = try await database.raw("SELECT COUNT(*) AS n FROM messages WHERE room_id = \(bind: room)").first()?
                    .decode(column: "n", as: Int64.self) ?? -1
                let lastSeq = try await database.raw("SELECT last_seq FROM rooms WHERE id = \(bind: room)").first()?
                    .decode(column: "last_seq", as: Int64.self) ?? -1
                var watermark: Int64?
                if backend.engine == .postgres {
                    watermark = try await database.raw("SELECT seq FROM search_watermarks WHERE room_id = \(bind: room)").first()?
                        .decode(column: "seq", as: Int64.self)
                }
                return (Set(clientIDs), rows, lastSeq, watermark)
            }
            await backend.shutdown()
            return result
        } catch {
            await backend.shutdown()
            throw error
        }
    }
}

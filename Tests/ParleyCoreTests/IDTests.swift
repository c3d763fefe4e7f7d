import Foundation
import ParleyCore
import Testing

@Suite("Typed ids")
struct IDTests {
    @Test("an id given in any case parses to its lower-case form")
    func parsesAnyCase() {
        let canonical = "6f9619ff-8b86-d011-b42d-00c04fc964ff"
        #expect(RoomID(parsing: "6F9619FF-8B86-D011-B42D-00C04FC964FF")?.rawValue == canonical)
        #expect(RoomID(parsing: "6f9619FF-8b86-D011-b42d-00C04fc964fF")?.rawValue == canonical)
        #expect(RoomID(parsing: canonical)?.rawValue == canonical)
        #expect(RoomID(parsing: "6F9619FF-8B86-D011-B42D-00C04FC964FF") == RoomID(trusted: canonical))
    }

    @Test("anything that is not a UUID does not parse")
    func refusesNonUUIDs() {
        let bad = [
            "", "not-a-uuid", "6f9619ff-8b86-d011-b42d-00c04fc964f", "6f9619ff-8b86-d011-b42d-00c04fc964fff",
            "6f9619ff8b86d011b42d00c04fc964ff", "6f9619ff-8b86-d011-b42d_00c04fc964ff", "6g9619ff-8b86-d011-b42d-00c04fc964ff",
            " 6f9619ff-8b86-d011-b42d-00c04fc964ff", "6f9619ff-8b86-d011-b42d-00c04fc964ff\n", "{6f9619ff-8b86-d011-b42d-00c04fc964ff}",
            "６f9619ff-8b86-d011-b42d-00c04fc964ff", "6f9619ff-8b86-d011-b42d-00c04fc964\u{130}",
            String(repeating: "a", count: 100_000),
        ]
        for text in bad {
            #expect(MessageID(parsing: text) == nil, "\(text.prefix(40))")
        }
    }

    @Test("generated ids are canonical and parse to themselves")
    func generatedIDsParse() {
        let random = UserID.random()
        let ordered = MessageID.timeOrdered()
        #expect(UserID(parsing: random.rawValue) == random)
        #expect(MessageID(parsing: ordered.rawValue) == ordered)
        #expect(MessageID.timeOrdered(at: Timestamp(milliseconds: 1_000)) < MessageID.timeOrdered(at: Timestamp(milliseconds: 2_000)))
    }

    @Test("an id encodes as the same string it would have been, with both encoders")
    func encodesAsString() throws {
        struct Holder: Encodable {
            let id: FileID
            let list: [RoomID]
        }
        let holder = Holder(id: FileID(trusted: "0190a5c2-7f00-7000-8000-000000000001"), list: [RoomID(trusted: "6f9619ff-8b86-d011-b42d-00c04fc964ff")])
        let expected = #"{"id":"0190a5c2-7f00-7000-8000-000000000001","list":["6f9619ff-8b86-d011-b42d-00c04fc964ff"]}"#
        #expect(String(decoding: try ByteJSONEncoder.encode(holder), as: UTF8.self) == expected)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try encoder.encode(holder), as: UTF8.self) == expected)
        #expect("\(holder.id)" == "0190a5c2-7f00-7000-8000-000000000001")
    }
}

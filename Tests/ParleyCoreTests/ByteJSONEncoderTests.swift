import Foundation
import NIOCore
import ParleyCore
import Testing

@Suite("Byte JSON encoder")
struct ByteJSONEncoderTests {
    private struct Sample: Encodable {
        var name: String
        var count: Int
        var ratio: Double
        var missing: String?
        @NullEncodable var explicitNull: String?
        var nested: [String: [Int]]
        var list: [JSONValue]
        var when: Timestamp
        var reactions: [ReactionView]
        var attachment: AttachmentView?
    }

    /// Both encoders' output, read back by Foundation: they must describe the same value.
    private func agree<T: Encodable>(_ value: T) throws {
        let ours = try ByteJSONEncoder.encode(value)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let theirs = try encoder.encode(value)
        let a = Self.numbersAsDoubles(try JSONParser.parse(ours))
        let b = Self.numbersAsDoubles(try JSONParser.parse(Array(theirs)))
        #expect(a == b, "\(String(decoding: ours, as: UTF8.self)) vs \(String(decoding: theirs, as: UTF8.self))")
    }

    /// `2` and `2.0` are the same JSON number.
    static func numbersAsDoubles(_ value: JSONValue) -> JSONValue {
        switch value {
        case .int(let number): .double(Double(number))
        case .array(let items): .array(items.map(numbersAsDoubles))
        case .object(let fields): .object(fields.mapValues(numbersAsDoubles))
        default: value
        }
    }

    @Test("sorted keys, no escaped slashes, nil optionals left out, explicit nulls kept")
    func exactBytes() throws {
        let sample = Sample(
            name: "a/b \"q\" \\ \n\t\u{1}é😀", count: -3, ratio: 0.25, missing: nil, explicitNull: nil, nested: ["z": [1, 2], "a": []],
            list: [.null, .bool(true), .int(7), .double(1.5), .string("x")], when: Timestamp(milliseconds: 0), reactions: [], attachment: nil)
        let text = String(decoding: try ByteJSONEncoder.encode(sample), as: UTF8.self)
        #expect(text == #"{"count":-3,"explicitNull":null,"list":[null,true,7,1.5,"x"],"name":"a/b \"q\" \\ \n\t\u0001é😀","nested":{"a":[],"z":[1,2]},"ratio":0.25,"#
            + #""reactions":[],"when":"1970-01-01T00:00:00.000Z"}"#)
        try agree(sample)
    }

    @Test("agrees with JSONEncoder on views and on random documents")
    func agreesWithFoundation() throws {
        try agree(Sample(
            name: "n", count: Int.max, ratio: 1e-7, missing: "m", explicitNull: "v", nested: [:], list: [],
            when: Timestamp(milliseconds: 1_764_000_000_123),
            reactions: [ReactionView(userID: "u", username: "name", emoji: "👍🏽", createdAt: Timestamp(milliseconds: 5))],
            attachment: AttachmentView(id: "f", filename: "a.png", fileType: "image/png", fileSize: 10, encryptedURL: "/files/f")))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 { try agree(Self.randomValue(depth: 0, using: &generator)) }
        try agree(2.0)
        try agree(-0.5)
        try agree(123_456_789.125)
    }

    /// A value encoded through its `Encodable` conformance, never its own `writeJSON` (nested values may
    /// still write themselves; each of those is compared the same way).
    private struct ThroughCodable<T: Encodable>: Encodable {
        let value: T
        func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
    }

    private func sameBytes<T: JSONBytesWritable>(_ value: T) throws {
        let direct = try ByteJSONEncoder.encode(value)
        let throughCodable = try ByteJSONEncoder.encode(ThroughCodable(value: value))
        #expect(direct == throughCodable, "\(String(decoding: direct, as: UTF8.self)) vs \(String(decoding: throughCodable, as: UTF8.self))")
        try agree(value)
    }

    @Test("values that write their own bytes write what their Encodable form writes")
    func directWritersAgree() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 { try sameBytes(Self.randomValue(depth: 0, using: &generator)) }
        let reaction = ReactionView(userID: "u1", username: "a\"b", emoji: "👍🏽", createdAt: Timestamp(milliseconds: 1_764_000_000_123))
        try sameBytes(reaction)
        let file = AttachmentView(id: "f1", filename: "r\u{1}é.png", fileType: "image/png", fileSize: 123_456, encryptedURL: "/files/f1")
        try sameBytes(file)
        try sameBytes(AttachmentView(id: "f2", filename: "t", fileType: "a/b", fileSize: 0, encryptedURL: "/files/f2", thumbnailURL: "/files/f2/thumb"))
        for index in 0..<200 {
            let full = index % 2 == 0
            let message = StoredMessage(
                id: "m\(index)", roomID: "r/1", seq: Int64(index) * 1_000_003, userID: "u\(index)",
                type: MessageType.allCases[index % MessageType.allCases.count], content: nil, contentKeyVersion: nil,
                replyTo: full ? "m0" : nil, clientID: full ? "c\"\(index)" : nil, createdAt: Timestamp(milliseconds: Int64(index) * 86_399_999),
                editedAt: full ? Timestamp(milliseconds: 5) : nil, deletedAt: index % 3 == 0 ? Timestamp(milliseconds: 7) : nil)
            let author = PublicUserView(id: "u\(index)", username: "name\(index)", displayName: "Dé \\ \n", avatarURL: full ? "/users/u/avatar" : nil)
            try sameBytes(MessageView(
                message: message, author: author, content: index % 5 == 0 ? nil : Self.randomValue(depth: 0, using: &generator),
                attachments: full ? [file] : [], reactions: full ? [reaction, reaction] : []))
        }
    }

    @Test("event frames: event first, then the data, then the request id, the data as JSONEncoder describes it")
    func eventFrames() throws {
        let message = StoredMessage(
            id: "m1", roomID: "r1", seq: 7, userID: "u1", type: .text, content: nil, contentKeyVersion: nil, replyTo: nil,
            clientID: "c\"1", createdAt: Timestamp(milliseconds: 1_764_000_000_123))
        let view = MessageView(
            message: message, author: PublicUserView(id: "u1", username: "ann", displayName: "Ann", avatarURL: nil),
            content: .object(["text": .string("hé \"there\"\n/")]), attachments: [], reactions: [])
        let (plain, answer) = try EventFrame.encodePair(.messageReceived, MessagePayload(message: view), requestID: "q\\1")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = String(decoding: try encoder.encode(MessagePayload(message: view)), as: UTF8.self)
        let plainText = String(buffer: plain)
        #expect(plainText.hasPrefix(#"{"event":"message_received","data":{"#))
        #expect(try JSONParser.parse(Array(plainText.utf8)) == JSONParser.parse(Array(#"{"event":"message_received","data":\#(data)}"#.utf8)))
        let answerText = String(buffer: answer)
        #expect(answerText.hasSuffix(#","request_id":"q\\1"}"#))
        #expect(try JSONParser.parse(Array(answerText.utf8)) == JSONParser.parse(Array(#"{"event":"message_received","data":\#(data),"request_id":"q\\1"}"#.utf8)))
        #expect(String(buffer: try EventFrame.encode(.messageReceived, MessagePayload(message: view))) == plainText)
    }

    @Test("numbers JSON cannot hold are refused")
    func nonFinite() {
        #expect(throws: JSONEncodingError.self) { _ = try ByteJSONEncoder.encode(Double.nan) }
        #expect(throws: JSONEncodingError.self) { _ = try ByteJSONEncoder.encode(["x": Double.infinity]) }
    }

    static func randomValue(depth: Int, using generator: inout SystemRandomNumberGenerator) -> JSONValue {
        let choice = Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &generator)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .int(Int.random(in: -1_000_000...1_000_000, using: &generator))
        case 3: return .double(Double.random(in: -1e6...1e6, using: &generator))
        case 4:
            let scalars = (0..<Int.random(in: 0..<12, using: &generator)).compactMap { _ in
                Unicode.Scalar([0x01, 0x1F, 0x22, 0x2F, 0x5C, 0x41, 0xE9, 0x4E2D, 0x1F600].randomElement(using: &generator)!)
            }
            return .string(String(String.UnicodeScalarView(scalars)))
        case 5: return .array((0..<Int.random(in: 0..<5, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var object: [String: JSONValue] = [:]
            for index in 0..<Int.random(in: 0..<5, using: &generator) {
                object["k\(index)_\(Int.random(in: 0..<50, using: &generator))"] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(object)
        }
    }
}

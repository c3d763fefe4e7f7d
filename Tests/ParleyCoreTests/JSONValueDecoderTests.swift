import Foundation
import ParleyCore
import Testing

@Suite("Decoding from parsed JSON")
struct JSONValueDecoderTests {
    struct Body: Decodable, Equatable {
        struct Inner: Decodable, Equatable { let flags: [Bool] }
        let name: String
        let count: Int
        let ratio: Double?
        let at: Timestamp?
        let tags: [String]?
        let inner: Inner?
        let content: JSONValue?
    }

    private func decode(_ text: String) throws -> Body {
        try JSONValueDecoder.decode(Body.self, from: try JSONParser.parse(Array(text.utf8)))
    }

    @Test("fields, optionals, nested values, arrays and timestamps")
    func fields() throws {
        let body = try decode(#"{"name": "n", "count": 3, "ratio": 1, "at": "2026-11-29T18:22:10.123Z", "tags": ["a", "b"], "inner": {"flags": [true, false]}, "extra": {}}"#)
        #expect(body == Body(name: "n", count: 3, ratio: 1, at: Timestamp(rfc3339: "2026-11-29T18:22:10.123Z"), tags: ["a", "b"], inner: .init(flags: [true, false]), content: nil))
        let sparse = try decode(#"{"name": "n", "count": 0, "ratio": null, "tags": null}"#)
        #expect(sparse.ratio == nil && sparse.tags == nil && sparse.at == nil)
    }

    @Test("free-form content is the parsed value itself, numbers as written")
    func content() throws {
        let body = try decode(#"{"name": "n", "count": 1, "content": {"text": "hi", "n": 2.0, "m": 2.5, "k": 7}}"#)
        #expect(body.content == ["text": "hi", "n": .double(2.0), "m": .double(2.5), "k": .int(7)])
    }

    @Test("a whole number written with a fraction fills an integer field; a fraction does not")
    func wholeNumbers() throws {
        #expect(try decode(#"{"name": "n", "count": 2.0}"#).count == 2)
        #expect(try decode(#"{"name": "n", "count": 1e2}"#).count == 100)
        for number in ["2.5", "1e30", "99999999999999999999"] {
            do {
                _ = try decode(#"{"name": "n", "count": \#(number)}"#)
                Issue.record("\(number) was accepted")
            } catch DecodingError.dataCorrupted(let context) {
                #expect(context.codingPath.map(\.stringValue) == ["count"])
                #expect(context.debugDescription == JSONValueDecoder.notWholeNumber)
            }
        }
    }

    @Test("failures carry the path of the field")
    func failures() throws {
        do {
            _ = try decode(#"{"name": "n", "count": 1, "inner": {"flags": [true, "no"]}}"#)
            Issue.record("expected a failure")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["inner", "flags", "1"])
        }
        do {
            _ = try decode(#"{"count": 1}"#)
            Issue.record("expected a failure")
        } catch DecodingError.keyNotFound(let key, _) {
            #expect(key.stringValue == "name")
        }
        do {
            _ = try decode(#"{"name": null, "count": 1}"#)
            Issue.record("expected a failure")
        } catch DecodingError.valueNotFound(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["name"])
        }
        #expect(throws: DecodingError.self) { try decode(#"{"name": "n", "count": 1, "at": "yesterday"}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"name": 5, "count": 1}"#) }
    }
}

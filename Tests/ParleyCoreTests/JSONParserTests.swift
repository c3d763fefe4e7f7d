import Foundation
import ParleyCore
import Testing

@Suite("JSON parser and writer")
struct JSONParserTests {
    private func parse(_ text: String) throws(JSONParser.Failure) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test("scalars, arrays and objects")
    func values() throws {
        #expect(try parse("null") == .null)
        #expect(try parse(" true ") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("0") == .int(0))
        #expect(try parse("-12") == .int(-12))
        #expect(try parse("1.5") == .double(1.5))
        #expect(try parse("-2e3") == .double(-2000))
        #expect(try parse("1E-2") == .double(0.01))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([:]))
        #expect(try parse(#"{"a": [1, "x", {"b": null}], "c": true}"#)
            == .object(["a": .array([.int(1), .string("x"), .object(["b": .null])]), "c": .bool(true)]))
        #expect(try parse("\t\r\n[ 1 ,2 ]\n") == .array([.int(1), .int(2)]))
    }

    @Test("integers beyond Int become doubles; numbers beyond Double are refused")
    func numberRange() throws {
        #expect(try parse("9223372036854775807") == .int(Int.max))
        #expect(try parse("9223372036854775808") == .double(9223372036854775808))
        #expect(throws: JSONParser.Failure.self) { try parse("1e400") }
        #expect(throws: JSONParser.Failure.self) { try parse("-1e400") }
    }

    @Test("escapes, surrogate pairs and raw UTF-8")
    func strings() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try parse(#""\u00e9\u4E2D""#) == .string("é中"))
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse("\"café 😀\"") == .string("café 😀"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
    }

    @Test("a repeated member name is refused, also when spelled with escapes or nested")
    func duplicateKeys() throws {
        for text in [#"{"k": 1, "k": 2}"#, #"{"k": 1, "\u006b": 1}"#, #"{"a": {"b": [], "b": []}}"#, #"[{"x": null, "y": 0, "x": null}]"#] {
            #expect(throws: JSONParser.Failure.self) { try parse(text) }
        }
        // Equal names in different objects are fine.
        #expect(try parse(#"{"a": {"k": 1}, "b": {"k": 2}}"#) == .object(["a": .object(["k": .int(1)]), "b": .object(["k": .int(2)])]))
        do {
            _ = try parse(#"{"k": 1, "k": 2}"#)
        } catch {
            #expect(error.reason == "duplicate member name")
            #expect(error.offset == 9)
        }
    }

    @Test("malformed documents are refused", arguments: [
        "", " ", "nul", "tru", "[", "]", "{", "[1,]", "[1 2]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}",
        "01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "Infinity", "'x'", "\"abc", "\"\\x\"",
        "\"\\u12\"", "\"\\u12G4\"", "\"\\ud83d\"", "\"\\ud83dx\"", "\"\\ud83d\\u0041\"", "\"\\ude00\"",
        "\"a\u{1}b\"", "\"tab\there\"", "{} {}", "1 2", "[] x", "\u{FEFF}{}",
    ])
    func malformed(text: String) {
        #expect(throws: JSONParser.Failure.self) { try parse(text) }
    }

    @Test("invalid UTF-8 inside strings is refused, with or without escapes")
    func invalidUTF8() {
        let quote = UInt8(ascii: "\"")
        for body: [UInt8] in [[0xFF], [0xC3], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]] {
            #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([quote] + body + [quote]) }
            let escaped = Array("\\n".utf8)
            #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([quote] + escaped + body + [quote]) }
        }
    }

    @Test("nesting is limited")
    func depth() throws {
        let limit = JSONParser.maximumDepth
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(throws: Never.self) { try parse(deepest) }
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(throws: JSONParser.Failure.self) { try parse(tooDeep) }
        // Far deeper than the limit: refused, not a stack overflow.
        #expect(throws: JSONParser.Failure.self) { try parse(String(repeating: "{\"a\":", count: 100_000)) }
    }

    @Test("failures say where")
    func failureOffset() {
        do {
            _ = try parse("[1, 2, x]")
            Issue.record("expected a failure")
        } catch {
            #expect(error.offset == 7)
            #expect(error.description.contains("byte 7"))
        }
    }

    @Test("agrees with Foundation on what it accepts")
    func matchesFoundation() throws {
        let documents = [
            #"{"text": "hi\nthere", "n": [1, -2, 3.25, 2.5e-1], "ok": false, "none": null}"#,
            #"["\u00e9", "\ud83d\ude00", "plain"]"#,
            #"{"nested": {"deeper": {"deepest": [[], {}]}}}"#,
        ]
        for document in documents {
            let ours = try parse(document)
            let theirs = try JSONDecoder().decode(JSONValue.self, from: Data(document.utf8))
            #expect(ours == theirs)
        }
    }

    @Test("the one writer sorts keys, escapes what it must and round-trips")
    func writer() throws {
        let value: JSONValue = .object([
            "b": .array([.int(1), .double(2.5), .null, .bool(true)]),
            "a": .string("quote \" backslash \\ newline \n bell \u{7} slash / é"),
            "é": .object([:]),
        ])
        let bytes = try ByteJSONEncoder.encode(value)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text == #"{"a":"quote \" backslash \\ newline \n bell \u0007 slash / é","b":[1,2.5,null,true],"é":{}}"#)
        #expect(try JSONParser.parse(bytes) == value)
        // Foundation reads what the writer wrote.
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) == value)
    }

    @Test("a whole double is written as an integer wherever it appears, as JSONEncoder writes it")
    func wholeDoubles() throws {
        let value: JSONValue = ["n": .double(2.0), "list": [.double(-3.0), .double(0.5)]]
        #expect(String(decoding: try ByteJSONEncoder.encode(value), as: UTF8.self) == #"{"list":[-3,0.5],"n":2}"#)
        var direct: [UInt8] = []
        try value.writeJSON(to: &direct)
        #expect(direct == (try ByteJSONEncoder.encode(value)))
        #expect(direct == Array(try JSONEncoder.sortedCompact.encode(value)))
    }

    @Test("parses from a non-contiguous collection")
    func nonContiguous() throws {
        let bytes = Array("[1,2,3]".utf8)
        #expect(try JSONParser.parse(bytes.lazy.map { $0 }) == .array([.int(1), .int(2), .int(3)]))
    }
}

private extension JSONEncoder {
    static var sortedCompact: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

import ParleySearchText
import Testing

@Suite("Hostile queries")
struct HostileQueryTests {
    @Test(arguments: [
        "", " ", "\n\t  \r\n", "*", "**", "^", ":", "(", ")", "()", "\\", "\\\\", "')--", "\"", "\"\"",
        "\"\"\"", "-", "--", "---", "- -", "-\"\"", "-\"", "OR", "AND", "NOT", "AND OR NOT", "🚀🔥",
        "\u{0}", "\u{0}\u{1}\u{7F}", "\u{200F}\u{200E}", "the of and", "\"the\" -", "…", "＊",
    ])
    func nothingSearchableIsEmpty(input: String) {
        #expect(parsed(input) == .failure(.empty))
    }

    @Test(arguments: [
        ("NEAR(", SearchQuery.Clause.term("near")),
        ("deploy*", .term("deploy")),
        ("*deploy*", .term("deploy")),
        ("deploy')--", .term("deploy")),
        ("--deploy", .term("deploy")),
        ("--verbose", .term("verbos")),
        ("^deploy:", .term("deploy")),
        ("(deploy)", .term("deploy")),
        ("deploy\\", .term("deploy")),
        ("deploy\u{0}", .term("deploy")),
        ("\u{1B}deploy\u{7}", .term("deploy")),
        ("🚀deploy🔥", .term("deploy")),
        ("\u{200F}שלום", .term("שלום")),
        ("مرحبا", .term("مرحبا")),
        ("deploy\\bar", .phrase(["deploy", "bar"])),
        ("foo\u{0}bar", .phrase(["foo", "bar"])),
        ("NEAR(foo,bar)", .phrase(["near", "foo", "bar"])),
    ])
    func punctuationIsIgnoredSafely(input: String, clause: SearchQuery.Clause) throws {
        let query = try SearchQueryParser.parse(input)
        #expect(query.required == [clause])
        #expect(query.excluded.isEmpty)
    }

    @Test func loneAndDoubleDashes() throws {
        #expect(try SearchQueryParser.parse("- deploy").required == [.term("deploy")])
        #expect(try SearchQueryParser.parse("deploy -").required == [.term("deploy")])
        #expect(try SearchQueryParser.parse("deploy - -").excluded == [])
        #expect(try SearchQueryParser.parse("deploy --staging").required == [.term("deploy"), .term("stage")])
    }

    @Test func onlyExclusionsIsAnError() {
        #expect(parsed("-foo") == .failure(.onlyExclusions))
        #expect(parsed("-foo -bar") == .failure(.onlyExclusions))
        #expect(parsed("-\"not now\" -bar the") == .failure(.onlyExclusions))
        #expect(parsed("-foo the") == .failure(.onlyExclusions))
    }

    @Test func hugeInputsAreTooLong() {
        #expect(parsed(String(repeating: "a", count: 10_000)) == .failure(.tooLong(limit: 500)))
        #expect(parsed(String(repeating: "deploy ", count: 1_500)) == .failure(.tooLong(limit: 500)))
        #expect(parsed(String(repeating: "🚀", count: 501)) == .failure(.tooLong(limit: 500)))
        // One character carrying thousands of combining marks is refused by the byte ceiling.
        #expect(parsed("a" + String(repeating: "\u{301}", count: 20_000)) == .failure(.tooLong(limit: 500)))
        #expect(parsed(String(repeating: "\"", count: 10_000)) == .failure(.tooLong(limit: 500)))
    }

    @Test func quotesInsideWordsSplitThem() throws {
        let query = try SearchQueryParser.parse("foo\"bar baz\"qux")
        #expect(query.required == [.term("foo"), .phrase(["bar", "baz"]), .term("qux")])
    }

    @Test func randomHostileInputsNeverCrash() {
        let alphabet: [Character] = [
            "a", "B", "é", "ß", "日", "ש", "-", "-", "\"", "“", "”", " ", " ", "\t", "\n", "*", "(", ")", ":",
            "^", "\\", "'", "’", ";", "\u{0}", "\u{7}", "\u{301}", "\u{200D}", "\u{FE0F}", "🚀", "1", "_",
            ".", "O", "R", "N", "T", "D",
        ]
        var generator = SplitMix64(seed: 0x5EA2C4)
        for _ in 0..<2_000 {
            let length = Int(generator.next() % 40)
            let input = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            switch parsed(input) {
            case .success(let query):
                #expect(!query.required.isEmpty, "\(input.debugDescription)")
                #expect(query.required.count + query.excluded.count <= SearchQueryParser.maximumClauses)
                for clause in query.required + query.excluded {
                    #expect(!clause.terms.isEmpty && clause.terms.allSatisfy { !$0.isEmpty })
                    if case .phrase(let terms) = clause { #expect(terms.count >= 2) }
                    // No quote, dash, operator or control character survives normalisation.
                    #expect(clause.terms.joined().allSatisfy { $0.isLetter || $0.isNumber }, "\(input.debugDescription)")
                }
            case .failure(let error):
                #expect([.empty, .onlyExclusions].contains(error), "\(input.debugDescription)")
            }
        }
    }
}

/// A tiny deterministic generator so the fuzz test is reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

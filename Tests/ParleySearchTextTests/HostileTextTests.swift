import ParleySearchText
import Testing

/// Message text is as untrusted as queries: odd Unicode must tokenize sensibly and in linear time.
@Suite("Hostile message text")
struct HostileTextTests {
    @Test func zalgoMarksFoldAwayOrStayBounded() {
        // Unordered runs of marks once made Character comparison normalise (quadratically) per call.
        let stripped = "x" + String(repeating: "\u{301}\u{5B4}\u{302}", count: 20_000) + " deploy"
        #expect(normalized(stripped) == ["x", "deploy"])
        #expect(SnippetBuilder.matchedWords(in: stripped, normalizedTerms: ["x"]).count == 1)

        let kept = "x" + String(repeating: "\u{730}\u{94D}", count: 20_000) + " deploy"
        let terms = TextNormalizer.terms(in: kept)
        #expect(terms.map(\.normalized).last == "deploy")
        #expect(terms.count == 2)
        #expect(terms[0].normalized.count <= 64)
        #expect(kept[terms[0].range].unicodeScalars.count == 40_001)
    }

    @Test func emojiSequencesAreSeparators() {
        let flags = String(repeating: "🇩🇪", count: 5_000) + "deploy"
        #expect(normalized(flags) == ["deploy"])
        let family = String(repeating: "👨‍👩‍👧‍👦", count: 2_000) + " deploy " + String(repeating: "\u{FE0F}", count: 100)
        #expect(normalized(family) == ["deploy"])
    }

    @Test func controlAndDirectionCharactersSeparate() {
        #expect(normalized("deploy\u{0}now\r\nplease\u{202E}later\u{200F}") == ["deploy", "now", "pleas", "later"])
        #expect(normalized("a\r\n\u{301}b") == ["b"])  // "a" is a stop word; the stray mark joins nothing
    }

    @Test func apostropheRunsStayOneBoundedWord() {
        let text = String(repeating: "a'", count: 10_000)
        let terms = TextNormalizer.terms(in: text)
        #expect(terms.map(\.normalized) == [String(repeating: "a", count: 64)])
        #expect(text[terms[0].range].count == 19_999)  // the final apostrophe is not inside the word
    }
}

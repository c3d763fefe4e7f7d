import ParleySearchText
import Testing

private let story = """
    Yesterday we spent the whole afternoon arguing about the release plan. Finally, Maria deployed \
    the new connection pooling code to staging, and everything looked fine until the nightly backup \
    job started timing out again.
    """

@Suite("Snippets")
struct SnippetTests {
    @Test func snippetAroundFirstMatchWithDefaultRadius() {
        let snippet = SnippetBuilder.snippet(in: story, normalizedTerms: ["deploy"])
        #expect(snippet == Snippet(
            before: "…afternoon arguing about the release plan. Finally, Maria ",
            match: "deployed",
            after: " the new connection pooling code to staging, and everything…"
        ))
    }

    @Test func cutsBackToWordBoundaries() {
        let snippet = SnippetBuilder.snippet(in: story, normalizedTerms: ["deploy"], radius: 30)
        #expect(snippet == Snippet(
            before: "…release plan. Finally, Maria ",
            match: "deployed",
            after: " the new connection pooling…"
        ))
    }

    @Test func firstMatchInTextOrderWins() {
        // "stage" appears after "connect" in the text, so the connection word is the match.
        let snippet = SnippetBuilder.snippet(in: story, normalizedTerms: ["stage", "connect"], radius: 12)
        // 12 characters reach into "deployed" and "code"; those partial words are dropped.
        #expect(snippet == Snippet(before: "…the new ", match: "connection", after: " pooling…"))
    }

    @Test func uncutContextHasNoEllipsis() {
        #expect(SnippetBuilder.snippet(in: "Deployed!", normalizedTerms: ["deploy"])
            == Snippet(before: "", match: "Deployed", after: "!"))
        #expect(SnippetBuilder.snippet(in: "  hello\n\n  world DEPLOYING now\nthanks  ", normalizedTerms: ["deploy"])
            == Snippet(before: "hello world ", match: "DEPLOYING", after: " now thanks"))
    }

    @Test func ideographsCutAnywhere() {
        #expect(SnippetBuilder.snippet(in: "我们部署了新版本", normalizedTerms: ["部"], radius: 2)
            == Snippet(before: "我们", match: "部", after: "署了…"))
    }

    @Test func aWindowInsideOneLongWordDropsIt() {
        let text = "x\(String(repeating: "a", count: 20)) deploy \(String(repeating: "b", count: 20))"
        #expect(SnippetBuilder.snippet(in: text, normalizedTerms: ["deploy"], radius: 5)
            == Snippet(before: "…", match: "deploy", after: "…"))
    }

    @Test func noMatchGivesNil() {
        #expect(SnippetBuilder.snippet(in: story, normalizedTerms: ["kubernetes"]) == nil)
        #expect(SnippetBuilder.snippet(in: story, normalizedTerms: []) == nil)
        #expect(SnippetBuilder.snippet(in: "", normalizedTerms: ["deploy"]) == nil)
        // Stop words are never terms, so they never match.
        #expect(SnippetBuilder.snippet(in: story, normalizedTerms: ["the"]) == nil)
    }

    @Test func matchedWordsInOriginalSpelling() {
        #expect(SnippetBuilder.matchedWords(in: story, normalizedTerms: ["stage", "deploy", "connect"])
            == ["deployed", "connection", "staging"])
        #expect(SnippetBuilder.matchedWords(in: "Deploy deploy DEPLOYED Deploy café CAFÉ", normalizedTerms: ["deploy", "cafe"])
            == ["Deploy", "deploy", "DEPLOYED", "café", "CAFÉ"])
        #expect(SnippetBuilder.matchedWords(in: story, normalizedTerms: ["kubernetes"]).isEmpty)
    }

    @Test func queryTermsDriveSnippets() throws {
        let query = try SearchQueryParser.parse("Deploying \"connection pool\"")
        let terms = Set(query.required.flatMap(\.terms))
        #expect(SnippetBuilder.matchedWords(in: story, normalizedTerms: terms) == ["deployed", "connection", "pooling"])
    }
}

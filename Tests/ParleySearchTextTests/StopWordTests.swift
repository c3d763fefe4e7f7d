import ParleySearchText
import Testing

@Suite("Stop words")
struct StopWordTests {
    @Test func stopWordsAreDroppedButKeepTheirPositions() {
        let text = "the deploy of the year"
        #expect(normalized(text) == ["deploy", "year"])
        #expect(positions(text) == [1, 4])
    }

    @Test func stateOfTheArtKeepsItsGap() {
        let terms = TextNormalizer.terms(in: "State of the Art")
        #expect(terms.map(\.normalized) == ["state", "art"])
        #expect(terms.map(\.position) == [0, 3])
    }

    @Test func onlyStopWordsGiveNoTerms() {
        #expect(TextNormalizer.terms(in: "to be or not to be").isEmpty)
        #expect(TextNormalizer.terms(in: "THE AND OR NOT").isEmpty)
        #expect(TextNormalizer.terms(in: "I'm sure it's what you're doing").map(\.normalized) == ["sure"])
    }

    @Test func operationalWordsStaySearchable() {
        #expect(normalized("the server is down again") == ["server", "down", "again"])
        #expect(normalized("we'll see") == ["well", "see"])  // "we'll" folds to a real word
    }

    @Test func phrasesMatchRemainingTermsConsecutively() throws {
        let query = try SearchQueryParser.parse("\"state of the art\"")
        #expect(query.required == [.phrase(["state", "art"])])
        #expect(query.matches(text: "a state of the art pipeline"))
        #expect(query.matches(text: "state-of-the-art"))
        #expect(query.matches(text: "State, art"))  // adjacency ignores positions by design
        #expect(!query.matches(text: "the state of modern art"))
        #expect(!query.matches(text: "art of the state"))
    }
}

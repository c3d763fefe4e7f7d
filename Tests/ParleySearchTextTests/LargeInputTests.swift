import ParleySearchText
import Testing

/// Structural checks on a message of realistic maximum size; timing lives in parley-bench.
@Suite("Large input sanity")
struct LargeInputTests {
    static let message: String = {
        let paragraph = "Deploying the connection pool fix to staging — the café's Wi-Fi keeps dropping, "
            + "so I'm running migrations from the VPN. 日本語のログ 🚀 v1.2.3 Happiness! "
        var text = ""
        while text.count < 4_000 { text += paragraph }
        return String(text.prefix(4_000))
    }()

    @Test func fourThousandCharacterMessageNormalisesConsistently() {
        let text = Self.message
        #expect(text.count == 4_000)
        let terms = TextNormalizer.terms(in: text)
        #expect(terms.count > 400)
        #expect(terms.allSatisfy { !$0.normalized.isEmpty && $0.normalized.count <= 64 })
        // Positions strictly increase and ranges are in order without overlap.
        #expect(zip(terms, terms.dropFirst()).allSatisfy { $0.position < $1.position })
        #expect(zip(terms, terms.dropFirst()).allSatisfy { $0.range.upperBound <= $1.range.lowerBound })
        // Every term is the normalisation of the word its range covers.
        #expect(terms.allSatisfy { TextNormalizer.normalize(word: String(text[$0.range])) == $0.normalized })
        #expect(TextNormalizer.terms(in: text) == terms)
    }

    @Test func everyWordFindsItselfThroughTheParser() throws {
        let text = Self.message
        for term in TextNormalizer.terms(in: text).prefix(60) {
            let query = try SearchQueryParser.parse(String(text[term.range]))
            #expect(query.matches(text: text))
        }
    }
}

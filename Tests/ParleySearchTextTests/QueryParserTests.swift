import ParleySearchText
import Testing

@Suite("Query parser")
struct QueryParserTests {
    @Test func wordsAreANDed() throws {
        let query = try SearchQueryParser.parse("deploy staging")
        #expect(query.required == [.term("deploy"), .term("stage")])
        #expect(query.excluded.isEmpty)
        #expect(query.displayTerms == ["deploy", "staging"])
        #expect(query.matches(text: "Staged? No, we are deploying to staging."))
        #expect(!query.matches(text: "deploying to production"))
    }

    @Test func quotedPhrases() throws {
        let query = try SearchQueryParser.parse("\"connection pool\" timeout")
        #expect(query.required == [.phrase(["connect", "pool"]), .term("timeout")])
        #expect(query.matches(text: "Connection pooling hit a timeout"))
        #expect(!query.matches(text: "pool connection timeout"))
    }

    @Test func typographicQuotesArePhrasesToo() throws {
        #expect(try SearchQueryParser.parse("“connection pool”").required == [.phrase(["connect", "pool"])])
        #expect(try SearchQueryParser.parse("„connection pool“").required == [.phrase(["connect", "pool"])])
    }

    @Test func excludedWordsAndPhrases() throws {
        let query = try SearchQueryParser.parse("deploy -staging -\"release notes\"")
        #expect(query.required == [.term("deploy")])
        #expect(query.excluded == [.term("stage"), .phrase(["releas", "note"])])
        #expect(query.displayTerms == ["deploy"])
        #expect(query.matches(text: "deploy the release"))
        #expect(!query.matches(text: "deploy to staging"))
        #expect(!query.matches(text: "deploy, then write the Release Notes"))
    }

    @Test func caseAndAccentInsensitive() throws {
        let upper = try SearchQueryParser.parse("CAFÉ DEPLOYING")
        let lower = try SearchQueryParser.parse("cafe deployment")
        #expect(upper.required == lower.required)
        #expect(upper.required == [.term("cafe"), .term("deploy")])
        #expect(upper.displayTerms == ["cafe", "deploying"])
    }

    @Test func duplicateClausesAreRemoved() throws {
        let query = try SearchQueryParser.parse("deploy Deploying deployed \"deploy\" -foo -FOO -\"foo\"")
        #expect(query.required == [.term("deploy")])
        #expect(query.excluded == [.term("foo")])
        #expect(query.displayTerms == ["deploy", "deploying", "deployed"])
    }

    @Test func displayTermsAreFoldedUnstemmedUniqueAndOrdered() throws {
        let query = try SearchQueryParser.parse("Café \"State of the Art\" -secret Deploying café ART")
        #expect(query.displayTerms == ["cafe", "state", "art", "deploying"])
    }

    @Test func phrasesShrinkWithStopWords() throws {
        #expect(try SearchQueryParser.parse("\"the deploy\"").required == [.term("deploy")])
        #expect(try SearchQueryParser.parse("deploy \"of the\"").required == [.term("deploy")])
    }

    @Test func bareWordsWithInnerPunctuationArePhrases() throws {
        #expect(try SearchQueryParser.parse("pre-deploy").required == [.phrase(["pre", "deploy"])])
        #expect(try SearchQueryParser.parse("v1.2").required == [.phrase(["v1", "2"])])
        #expect(try SearchQueryParser.parse("-foo-bar baz").excluded == [.phrase(["foo", "bar"])])
        #expect(try SearchQueryParser.parse("日本語").required == [.phrase(["日", "本", "語"])])
        #expect(try SearchQueryParser.parse("日本語").matches(text: "日本語のログ"))
    }

    @Test func unclosedQuoteRunsToTheEnd() throws {
        let query = try SearchQueryParser.parse("deploy \"connection pool")
        #expect(query.required == [.term("deploy"), .phrase(["connect", "pool"])])
        #expect(parsed("-\"release notes") == .failure(.onlyExclusions))
    }

    @Test func uppercaseOperatorsAreOrdinaryWords() throws {
        #expect(try SearchQueryParser.parse("deploy OR rollback").required == [.term("deploy"), .term("rollback")])
        #expect(try SearchQueryParser.parse("deploy AND NOT rollback").required == [.term("deploy"), .term("rollback")])
        #expect(try SearchQueryParser.parse("NEAR deploy").required == [.term("near"), .term("deploy")])
    }

    @Test func clauseLimit() throws {
        let thirtyTwo = (1...32).map { "word\($0)" }.joined(separator: " ")
        #expect(try SearchQueryParser.parse(thirtyTwo).required.count == 32)
        #expect(parsed(thirtyTwo + " word33") == .failure(.tooManyTerms(limit: 32)))
        #expect(parsed(thirtyTwo + " -word33") == .failure(.tooManyTerms(limit: 32)))
        // Duplicates do not count against the limit.
        let repeated = Array(repeating: "deploy", count: 40).joined(separator: " ")
        #expect(try SearchQueryParser.parse(repeated).required == [.term("deploy")])
    }

    @Test func lengthLimit() {
        #expect(SearchQueryParser.maximumLength == 500)
        #expect(SearchQueryParser.maximumClauses == 32)
        let atLimit = String(repeating: "é", count: 500)
        #expect(parsed(atLimit) == .success(SearchQuery(
            required: [.term(String(repeating: "e", count: 64))],
            excluded: [],
            displayTerms: [String(repeating: "e", count: 64)]
        )))
        #expect(parsed(atLimit + "e") == .failure(.tooLong(limit: 500)))
    }

    @Test func outputHoldsOnlyNormalisedTerms() throws {
        let query = try SearchQueryParser.parse("title:\"Deploy's\" (staging) foo'); DROP TABLE x;--")
        let allTerms = (query.required + query.excluded).flatMap(\.terms)
        #expect(allTerms.allSatisfy { term in
            term.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        })
        #expect(query.required == [
            .term("titl"), .term("deploy"), .term("stage"), .term("foo"), .term("drop"), .term("tabl"),
            .term("x"),
        ])
    }
}

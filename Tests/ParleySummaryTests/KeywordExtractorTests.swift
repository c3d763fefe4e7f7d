import Testing
@testable import ParleySummary

@Suite("Keywords")
struct KeywordExtractorTests {
    static let messages = [
        "We should cut the release branch tomorrow morning.",
        "The release branch has a failing test in the search index.",
        "I merged the fix into the release branch, the search index is rebuilt.",
        "Can you check the search index size after the release?",
        "Version 2.4.1 is tagged, see https://example.com/releases/2.4.1 for the notes.",
        "The notes mention the search index and the release branch.",
    ]

    @Test("Phrases are found and stop words, numbers and URLs are not")
    func phrasesAndFilters() {
        let keywords = KeywordExtractor.keywords(in: Self.messages, language: "en", limit: 10)
        #expect(keywords.contains("release branch"))
        #expect(keywords.contains("search index"))
        #expect((5...10).contains(keywords.count))
        let stopWords = StopWords.english
        for keyword in keywords {
            #expect(keyword == keyword.lowercased())
            #expect(!keyword.split(separator: " ").contains { stopWords.contains(String($0)) }, "\(keyword)")
            #expect(!keyword.contains("http") && !keyword.contains("example.com"), "\(keyword)")
            #expect(keyword.contains { $0.isLetter }, "\(keyword)")
        }
        #expect(Set(keywords).count == keywords.count)
        // "branch" is fully explained by "release branch", so it is not listed on its own.
        #expect(!keywords.contains("branch"))
    }

    @Test("The limit is respected")
    func limit() {
        #expect(KeywordExtractor.keywords(in: Self.messages, language: "en", limit: 3).count == 3)
        #expect(KeywordExtractor.keywords(in: Self.messages, language: "en", limit: 0).isEmpty)
    }

    @Test("Other languages use their own stop words")
    func otherLanguages() {
        let spanish = [
            "La base de datos está lenta desde la migración.",
            "Hay que revisar la base de datos y los índices.",
            "Los índices de la base de datos ya están reconstruidos.",
        ]
        let keywords = KeywordExtractor.keywords(in: spanish, language: "es", limit: 8)
        #expect(keywords.contains("índices"))
        #expect(keywords.contains { $0.contains("base") })
        for stop in ["la", "de", "que", "los", "hay", "está", "ya"] {
            #expect(!keywords.contains(stop))
        }
        let french = KeywordExtractor.keywords(in: ["L'équipe prépare l'équipe de nuit", "l'équipe est prête"], language: "fr", limit: 5)
        #expect(french.first == "équipe")
    }

    @Test("Fewer distinct content words give fewer keywords")
    func sparseText() {
        #expect(KeywordExtractor.keywords(in: ["ok", "yes thanks", "lol 😀"], language: "en", limit: 10).isEmpty)
        #expect(KeywordExtractor.keywords(in: ["deploy", "deploy now"], language: "en", limit: 10) == ["deploy"])
    }
}

@Suite("Keyword phrases with linking words")
struct LinkedPhraseTests {
    @Test("Spanish and French compounds keep their linking word")
    func compounds() {
        let spanish = [
            "Creo que el error está en la migración de la base de datos.",
            "La base de datos tardó demasiado y se canceló.",
            "Hago una copia de la base de datos antes.",
        ]
        #expect(KeywordExtractor.keywords(in: spanish, language: "es", limit: 8).first == "base de datos")
        let french = ["J'ai oublié mon mot de passe.", "Le mot de passe du wifi a changé.", "Quel est le nouveau mot de passe ?"]
        #expect(KeywordExtractor.keywords(in: french, language: "fr", limit: 8).first == "mot de passe")
    }
}

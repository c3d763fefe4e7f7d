import ParleySearchText
import Testing

@Suite("Tokenizing")
struct TokenizerTests {
    @Test func lettersAndDigitsFormWords() {
        let text = "Build 42 failed at 3am"
        #expect(words(text) == ["Build", "42", "failed", "3am"])
        #expect(normalized(text) == ["build", "42", "fail", "3am"])
        #expect(positions(text) == [0, 1, 2, 4])  // "at" is a stop word but keeps slot 3
    }

    @Test func rangesPointAtTheOriginalWords() {
        let text = "  Café\tDEPLOYING, naïve!"
        let terms = TextNormalizer.terms(in: text)
        #expect(terms.map { String(text[$0.range]) } == ["Café", "DEPLOYING", "naïve"])
        #expect(terms.map(\.normalized) == ["cafe", "deploy", "naiv"])
        #expect(text[..<terms[0].range.lowerBound] == "  ")
    }

    @Test func accentedLettersStayInsideWords() {
        let text = "Naïve café in der Straße"
        #expect(words(text) == ["Naïve", "café", "der", "Straße"])
        #expect(normalized(text) == ["naiv", "cafe", "der", "strass"])
    }

    @Test func decomposedAccentsMatchPrecomposed() {
        #expect(normalized("cafe\u{301}") == normalized("caf\u{E9}"))
        #expect(words("cafe\u{301} ok") == ["cafe\u{301}", "ok"])
    }

    @Test func hanAndKanaAreOneCharacterWords() {
        #expect(words("日本語のテキスト") == ["日", "本", "語", "の", "テ", "キ", "ス", "ト"])
        #expect(positions("日本語") == [0, 1, 2])
        #expect(words("Parley日本") == ["Parley", "日", "本"])
        // Half-width katakana keeps its voicing mark and folds to the full-width letter.
        #expect(words("ｶﾞｽ") == ["ｶﾞ", "ｽ"])
        #expect(normalized("ｶﾞｽ") == ["ガ", "ス"])
    }

    @Test func otherScriptsPassThrough() {
        #expect(normalized("안녕하세요 세계") == ["안녕하세요", "세계"])
        #expect(normalized("Привет МИР") == ["привет", "мир"])
        #expect(normalized("שלום עולם") == ["שלום", "עולם"])
        #expect(normalized("हिन्दी") == ["हिन्दी"])
    }

    @Test func emojiAndPunctuationAreNeverWords() {
        #expect(words("deploy 🚀 done👍✅ ℹ️ 1️⃣ 🇩🇪 👨‍👩‍👧 ok!?") == ["deploy", "done", "ok"])
        #expect(TextNormalizer.terms(in: "🚀🔥💯 ... !!! --- ***").isEmpty)
        #expect(TextNormalizer.terms(in: "").isEmpty)
    }

    @Test func hyphensUnderscoresAndDotsSeparate() {
        let text = "pre-deploy check_list v1.2.3 foo/bar a+b"
        #expect(words(text) == ["pre", "deploy", "check", "list", "v1", "2", "3", "foo", "bar", "b"])
        #expect(positions(text) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 10])
    }

    @Test func innerApostrophesJoinAndAreDropped() {
        let text = "Don't touch O’Brien's server 'quoted' rock'n'roll"
        // "Don't" folds to the stop word "dont": not returned, but it holds position 0.
        #expect(words(text) == ["touch", "O’Brien's", "server", "quoted", "rock'n'roll"])
        #expect(normalized(text) == ["touch", "obrien", "server", "quot", "rocknrol"])
        #expect(positions(text) == [1, 2, 3, 4, 5])
        #expect(TextNormalizer.normalize(word: "O'Brien") == TextNormalizer.normalize(word: "obrien"))
        #expect(TextNormalizer.normalize(word: "it's") == nil)
    }

    @Test func longWordsAreTruncatedToSixtyFourCharacters() throws {
        let long = String(repeating: "x", count: 100)
        let terms = TextNormalizer.terms(in: "a \(long) b")
        #expect(terms.count == 2)
        #expect(terms[0].normalized == String(repeating: "x", count: 64))
        #expect(terms[0].position == 1)
        #expect("a \(long) b"[terms[0].range].count == 100)  // the range still covers the whole run

        let exact = String(repeating: "q", count: 64)
        #expect(normalized(exact) == [exact])

        let accented = String(repeating: "é", count: 70)
        #expect(normalized(accented) == [String(repeating: "e", count: 64)])
        // The same truncation happens at query time, so long words still find themselves.
        #expect(try SearchQueryParser.parse(long).required == [.term(String(repeating: "x", count: 64))])
    }

    @Test func normalizeWordNeedsExactlyOneWord() {
        #expect(TextNormalizer.normalize(word: "Deploying") == "deploy")
        #expect(TextNormalizer.normalize(word: "(deploy)") == "deploy")
        #expect(TextNormalizer.normalize(word: "CAFÉS") == "cafe")
        #expect(TextNormalizer.normalize(word: "The") == nil)
        #expect(TextNormalizer.normalize(word: "!!!") == nil)
        #expect(TextNormalizer.normalize(word: "") == nil)
        #expect(TextNormalizer.normalize(word: "foo bar") == nil)
        #expect(TextNormalizer.normalize(word: "foo-bar") == nil)
        #expect(TextNormalizer.normalize(word: "🚀") == nil)
    }
}

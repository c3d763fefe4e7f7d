import Testing
@testable import ParleySummary

@Suite("Robustness")
struct RobustnessTests {
    private func line(_ text: String, _ index: Int = 0) -> ChatLine {
        ChatLine(speakerID: "u\(index % 7)", speakerName: "User \(index % 7)", text: text, timestamp: Int64(index))
    }

    @Test("Hostile inputs never crash and keep results in range", arguments: [
        String(repeating: "😀🎉👍🏽❤️🇫🇷👨‍👩‍👧 ", count: 500),
        String(repeating: "https://example.com/a.b/c?d=e.f ", count: 300),
        String(repeating: "word ", count: 20_000) + "end",
        String(repeating: "a", count: 100_000),
        String(repeating: ".", count: 5_000) + String(repeating: "!?…", count: 2_000),
        (0..<32).map { String(UnicodeScalar(UInt8($0))) }.joined() + "text\u{7F}\u{200B}\u{FEFF}\u{202E}more",
        String(repeating: "```", count: 101) + " `unclosed",
        "e\u{301}\u{301}\u{301}\u{301} Z\u{0351}\u{0352}\u{0357}\u{035B}a\u{0346}\u{033E}l\u{0313}g\u{0300}o",
        "日本語のテキストです。中文文本。한국어 텍스트.",
        "\u{FFFD}\u{FFFF}\u{10FFFF}",
    ])
    func hostile(text: String) {
        _ = SentenceSplitter.sentences(in: text)
        let sentiment = SentimentAnalyzer.score(text)
        #expect((-1...1).contains(sentiment))
        let language = LanguageIdentifier.identify(text)
        #expect((0...1).contains(language.confidence))
        _ = KeywordExtractor.keywords(in: [text], language: language.language, limit: 10)
        let result = Summarizer().summarize([line(text), line(text, 1)])
        #expect(result.messageCount == 2)
        #expect((-1...1).contains(result.sentimentScore))
        #expect(result.summaryText.count < 2_000)
        #expect(!result.summaryText.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" })
    }

    @Test("Only emoji, only URLs: no summary sentences, no crash")
    func onlyEmojiOrLinks() {
        let emoji = Summarizer().summarize((0..<50).map { line(["😀", "🎉🎉", "👍🏽", "❤️"][$0 % 4], $0) })
        #expect(emoji.summaryText.isEmpty)
        #expect(emoji.keywords.isEmpty)
        #expect(emoji.language == "und")
        let links = Summarizer().summarize((0..<50).map { line("https://example.com/item/\($0).html", $0) })
        #expect(links.keywords.isEmpty)
        #expect(links.summaryText.split(separator: "\n").count <= 5)
    }

    @Test("A 5,000-line conversation completes")
    func hugeInput() {
        let topics = ["the deploy pipeline", "our search index", "the billing export", "the mobile release", "the office move"]
        let states = ["is blocked again", "looks good now", "needs a review", "was rolled back", "ships on Friday"]
        let lines = (0..<5_000).map { index in
            line("Update \(index): \(topics[index % 5]) \(states[(index / 5) % 5]) and \(topics[(index * 3) % 5]) \(states[(index / 7) % 5]).", index)
        }
        let result = Summarizer().summarize(lines)
        #expect(result.messageCount == 5_000)
        #expect(result.summaryText.split(separator: "\n").count == 5)
        #expect(result.participants.count == 7)
        #expect(result.language == "en")
    }
}

import Testing
@testable import ParleySummary

@Suite("Sentiment")
struct SentimentAnalyzerTests {
    @Test("Clear cases have the right sign", arguments: [
        ("This is great, thanks!", 1.0),
        ("I love the new design", 1.0),
        ("This is terrible and slow", -1.0),
        ("not good", -1.0),
        ("not bad", 1.0),
        ("I don't like this at all", -1.0),
        ("It isn't broken anymore", 1.0),
        ("😀", 1.0),
        ("👍👍", 1.0),
        ("😡", -1.0),
        ("meeting moved :(", -1.0),
        ("see you there :)", 1.0),
        ("C'est génial, merci", 1.0),
        ("Ce n'est pas bon", -1.0),
        ("No está nada mal", 1.0),
        ("Das gefällt mir nicht", -1.0),
        ("Não gostei nada", -1.0),
        ("Non è male", 1.0),
    ])
    func sign(text: String, expectedSign: Double) {
        let score = SentimentAnalyzer.score(text)
        #expect(score * expectedSign > 0, "\(text) scored \(score)")
    }

    @Test("Neutral text scores near zero")
    func neutral() {
        for text in ["The meeting is at 3pm in room 4", "I moved the files to the shared folder", "", "   ", "https://example.com"] {
            #expect(abs(SentimentAnalyzer.score(text)) < 0.1, "\(text)")
        }
    }

    @Test("The clause after but carries more weight")
    func contrast() {
        #expect(SentimentAnalyzer.score("The idea is good but the result is terrible") < 0)
        #expect(SentimentAnalyzer.score("The weather was bad but the party was amazing") > 0)
    }

    @Test("Intensifiers strengthen and scores stay in range")
    func intensity() {
        #expect(SentimentAnalyzer.score("very good") > SentimentAnalyzer.score("good"))
        let strong = SentimentAnalyzer.score(String(repeating: "amazing wonderful perfect 🎉 ", count: 200))
        #expect(strong <= 1 && strong > 0.9)
        let awful = SentimentAnalyzer.score(String(repeating: "awful terrible 😡 ", count: 200))
        #expect(awful >= -1 && awful < -0.9)
    }

    @Test("Sign agreement on the labelled file is at least 80%")
    func evaluationFile() throws {
        let rows = try TestData.rows("sentiment_eval.tsv")
        #expect(rows.count >= 100)
        let agreeing = rows.filter { row in
            let score = SentimentAnalyzer.score(row.text)
            switch row.label {
            case "positive": return score > 0
            case "negative": return score < 0
            default: return abs(score) < 0.1
            }
        }
        let agreement = Double(agreeing.count) / Double(rows.count)
        #expect(agreement >= 0.80, "agreement \(agreement)")
    }
}

import Foundation
import Testing
@testable import ParleySummary

@Suite("Language identification")
struct LanguageIdentifierTests {
    @Test("Accuracy on the labelled file is at least 95%")
    func evaluationFile() throws {
        let rows = try TestData.rows("language_eval.tsv")
        #expect(rows.count >= 300)
        for code in ["en", "es", "fr", "de", "pt", "it"] {
            #expect(rows.filter { $0.label == code }.count >= 50, "\(code)")
        }
        let correct = rows.filter { LanguageIdentifier.identify($0.text).language == $0.label }.count
        let accuracy = Double(correct) / Double(rows.count)
        #expect(accuracy >= 0.95, "accuracy \(accuracy)")
    }

    @Test("Evaluation lines are not training sentences")
    func evaluationIsHeldOut() throws {
        let rows = try TestData.rows("language_eval.tsv")
        let corpus = TestData.directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/summary/corpus")
        for code in ["en", "es", "fr", "de", "pt", "it"] {
            let training = try String(contentsOf: corpus.appendingPathComponent("\(code).txt"), encoding: .utf8)
            for row in rows where row.label == code {
                #expect(!training.contains(row.text), "\(row.text)")
            }
        }
    }

    @Test("Typical chat lines", arguments: [
        ("Can someone review my pull request before lunch?", "en"),
        ("¿Alguien puede revisar mi cambio antes de comer?", "es"),
        ("Quelqu'un peut relire ma demande avant midi ?", "fr"),
        ("Kann jemand meinen Änderungsvorschlag vor dem Mittag prüfen?", "de"),
        ("Alguém pode revisar minha alteração antes do almoço?", "pt"),
        ("Qualcuno può controllare la mia modifica prima di pranzo?", "it"),
    ])
    func chatLines(text: String, expected: String) {
        #expect(LanguageIdentifier.identify(text).language == expected)
    }

    @Test("Too little text is undetermined")
    func undetermined() {
        for text in ["", "ok", "👍👍", "123 456", "https://example.com/a/b/c", "日本語のテキストです。", "Привет, как дела у всех сегодня?"] {
            let result = LanguageIdentifier.identify(text)
            #expect(result.language == "und", "\(text)")
            #expect(result.confidence == 0)
        }
    }

    @Test("Confidence is in range and grows with text")
    func confidence() {
        let short = LanguageIdentifier.identify("gracias amigo")
        let long = LanguageIdentifier.identify("Muchas gracias por la ayuda de ayer, ahora todo funciona y el equipo está contento.")
        #expect((0...1).contains(short.confidence) && (0...1).contains(long.confidence))
        #expect(long.confidence > short.confidence)
        #expect(long.language == "es")
    }
}

import Foundation
import Testing
@testable import ParleySummary

@Suite("Summarizer")
struct SummarizerTests {
    /// A release discussion with off-topic chatter, emoji, a link and a code block mixed in.
    static let conversation: [ChatLine] = {
        let messages: [(String, String, String)] = [
            ("u1", "Ana", "Morning all! 👋"),
            ("u2", "Ben", "The release branch is failing on the payment tests since last night."),
            ("u3", "Chloé", "I think the payment tests fail because the currency rounding changed in the release branch."),
            ("u1", "Ana", "lol"),
            ("u4", "Dev", "Has anyone seen my blue umbrella? I left it in the kitchen."),
            ("u2", "Ben", "I can fix the currency rounding in the payment module today and rerun the tests."),
            ("u3", "Chloé", "Great, then we can tag the release once the payment tests pass on the release branch."),
            ("u5", "Eli", "👍"),
            ("u4", "Dev", "Also the coffee machine is broken again."),
            ("u1", "Ana", "Let's move the release to Thursday so the fixed payment tests have time to run."),
            ("u2", "Ben", "https://ci.example.com/build/123"),
            ("u3", "Chloé", "```\nswift test --filter Payment\n```"),
        ]
        return messages.enumerated().map { index, message in
            ChatLine(speakerID: message.0, speakerName: message.1, text: message.2, timestamp: 1_700_000_000_000 + Int64(index) * 60_000)
        }
    }()

    @Test("Picks the central sentences, attributed and in chronological order")
    func centralSentences() {
        let result = Summarizer(maximumSentences: 5).summarize(Self.conversation)
        let lines = result.summaryText.split(separator: "\n").map(String.init)
        #expect(lines == [
            "Ben: The release branch is failing on the payment tests since last night.",
            "Chloé: I think the payment tests fail because the currency rounding changed in the release branch.",
            "Ben: I can fix the currency rounding in the payment module today and rerun the tests.",
            "Chloé: Great, then we can tag the release once the payment tests pass on the release branch.",
            "Ana: Let's move the release to Thursday so the fixed payment tests have time to run.",
        ])
        for offTopic in ["umbrella", "coffee", "lol", "👍", "https://", "swift test", "Morning"] {
            #expect(!result.summaryText.contains(offTopic), "\(offTopic)")
        }
    }

    @Test("A shorter summary keeps the most central sentences, still in order")
    func shorterSummary() {
        let result = Summarizer(maximumSentences: 3).summarize(Self.conversation)
        let lines = result.summaryText.split(separator: "\n").map(String.init)
        #expect(lines == [
            "Ben: The release branch is failing on the payment tests since last night.",
            "Chloé: I think the payment tests fail because the currency rounding changed in the release branch.",
            "Chloé: Great, then we can tag the release once the payment tests pass on the release branch.",
        ])
        // Whatever is picked, it must come out in the order it was said.
        let positions = lines.compactMap { line in
            let sentence = String(line.drop { $0 != ":" }.dropFirst(2))
            return Self.conversation.firstIndex { $0.text.contains(sentence) }
        }
        #expect(positions.count == lines.count && positions == positions.sorted())
    }

    @Test("Chronological order follows timestamps, not input order")
    func timestampOrder() {
        let shuffled = Array(Self.conversation.reversed())
        let result = Summarizer(maximumSentences: 5).summarize(shuffled)
        #expect(result.summaryText == Summarizer(maximumSentences: 5).summarize(Self.conversation).summaryText)
        #expect(result.participants == ["u1", "u2", "u3", "u4", "u5"])
    }

    @Test("Metadata: participants, count, language, keywords")
    func metadata() {
        let result = Summarizer().summarize(Self.conversation)
        #expect(result.participants == ["u1", "u2", "u3", "u4", "u5"])
        #expect(result.messageCount == 12)
        #expect(result.language == "en")
        #expect((5...10).contains(result.keywords.count))
        #expect(result.keywords.contains("payment tests"))
        #expect(result.keywords.contains("release branch"))
        #expect((-1...1).contains(result.sentimentScore))
    }

    @Test("With few usable sentences all of them are used")
    func fewSentences() {
        let lines = [
            ChatLine(speakerID: "a", speakerName: "Ana", text: "We should rename the billing service before launch.", timestamp: 1),
            ChatLine(speakerID: "b", speakerName: "Ben", text: "ok", timestamp: 2),
            ChatLine(speakerID: "c", speakerName: "Cy", text: "The database backup finished without errors.", timestamp: 3),
        ]
        let result = Summarizer(maximumSentences: 5).summarize(lines)
        #expect(result.summaryText == "Ana: We should rename the billing service before launch.\nCy: The database backup finished without errors.")
    }

    @Test("Empty input gives empty defaults")
    func emptyInput() {
        let result = Summarizer().summarize([])
        #expect(result == SummaryResult(summaryText: "", keywords: [], sentimentScore: 0, language: "und", participants: [], messageCount: 0))
    }

    @Test("Code and emoji are used only when nothing else exists")
    func fallbacks() {
        let emojiOnly = [ChatLine(speakerID: "a", speakerName: "Ana", text: "🎉🎉 😀", timestamp: 1)]
        let emojiResult = Summarizer().summarize(emojiOnly)
        #expect(emojiResult.summaryText == "")
        #expect(emojiResult.sentimentScore > 0)
        #expect(emojiResult.messageCount == 1)

        let codeOnly = [ChatLine(speakerID: "a", speakerName: "Ana", text: "```\nmake test\n```", timestamp: 1)]
        #expect(Summarizer().summarize(codeOnly).summaryText == "Ana: ``` make test ```")
    }

    @Test("A speaker without a display name is shown by id")
    func missingName() {
        let lines = [ChatLine(speakerID: "user-7", speakerName: "", text: "The deploy to production finished at noon.", timestamp: 1)]
        #expect(Summarizer().summarize(lines).summaryText == "user-7: The deploy to production finished at noon.")
    }
}

@Suite("Summarizer redundancy")
struct SummarizerRedundancyTests {
    @Test("Repeated messages appear once in the summary")
    func repeats() {
        var lines: [ChatLine] = []
        for index in 0..<6 {
            lines.append(ChatLine(speakerID: "u\(index)", speakerName: "P\(index)", text: "The staging database is down again since noon.", timestamp: Int64(index)))
        }
        lines.append(ChatLine(speakerID: "u9", speakerName: "Ops", text: "The staging database restart is scheduled for two.", timestamp: 10))
        lines.append(ChatLine(speakerID: "u8", speakerName: "Lee", text: "Customers cannot reach the staging database dashboard.", timestamp: 11))
        let summary = Summarizer(maximumSentences: 3).summarize(lines).summaryText
        #expect(summary.components(separatedBy: "down again").count == 2, "\(summary)")
        #expect(summary.split(separator: "\n").count == 3)
    }
}

// Prints Parley summarizer quality figures as one JSON line:
// language-ID accuracy, sentiment sign agreement, and summarize() latency for 500 messages.
import Foundation
import ParleySummary

/// Where the labelled TSV files live: `--data <dir>`, else the test data folder of this package.
func dataDirectory() -> URL {
    let arguments = CommandLine.arguments
    if let flag = arguments.firstIndex(of: "--data"), flag + 1 < arguments.count {
        return URL(fileURLWithPath: arguments[flag + 1])
    }
    let relative = URL(fileURLWithPath: "Tests/ParleySummaryTests/Data")
    if FileManager.default.fileExists(atPath: relative.appendingPathComponent("language_eval.tsv").path) {
        return relative
    }
    // Running from another directory: fall back to this file's package root.
    return URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/ParleySummaryTests/Data")
}

/// Reads `label<TAB>text` rows, skipping blank lines and `#` comments.
func readTSV(_ url: URL) -> [(label: String, text: String)] {
    guard let content = try? String(contentsOf: url, encoding: .utf8) else {
        FileHandle.standardError.write(Data("cannot read \(url.path)\n".utf8))
        exit(1)
    }
    return content.split(separator: "\n").compactMap { line in
        guard !line.hasPrefix("#"), let tab = line.firstIndex(of: "\t") else { return nil }
        return (String(line[..<tab]), String(line[line.index(after: tab)...]))
    }
}

/// Sign agreement as documented in docs/SUMMARY_DATA.md: neutral is right when |score| < 0.1, positive when > 0, negative when < 0.
func sentimentAgrees(label: String, score: Double) -> Bool {
    switch label {
    case "positive": return score > 0
    case "negative": return score < 0
    default: return abs(score) < 0.1
    }
}

/// A small deterministic generator (64-bit LCG) so timings are comparable between runs.
struct Generator {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
    mutating func pick(_ items: [String]) -> String { items[next(items.count)] }
}

/// A 500-message team conversation mixing topics, questions, short replies, emoji, links and code.
func syntheticConversation(count: Int) -> [ChatLine] {
    var random = Generator(state: 42)
    let speakers = [("u1", "Ana"), ("u2", "Ben"), ("u3", "Chloé"), ("u4", "Dev"), ("u5", "Eli"), ("u6", "Fatima")]
    let subjects = ["the release branch", "the login page", "our search index", "the payment service", "the mobile app",
                    "the database migration", "the new dashboard", "the notification queue", "the build pipeline",
                    "the onboarding flow", "the export feature", "the staging server"]
    let verbs = ["is failing again", "looks much faster now", "needs another review", "broke after the last deploy",
                 "should ship on Friday", "still has a memory leak", "passed all the tests", "is blocked by the API change",
                 "needs better documentation", "works on my machine", "was rolled back last night", "is ready for QA"]
    let reasons = ["because the cache expired", "since the certificates were rotated", "after we bumped the timeout",
                   "because of the timezone bug", "so customers can migrate", "until the freeze is over",
                   "while the load test runs", "because nobody owns it"]
    let asides = ["Can someone take a look?", "I will pair with Ben on it.", "Let us discuss it at standup.",
                  "Any objections?", "I opened a ticket for it.", "Thanks for the quick fix!"]
    let shorts = ["ok", "sounds good", "👍", "lol", "+1", "on it", "🎉🎉", "thanks!", "agreed", "hmm, not sure"]
    var lines: [ChatLine] = []
    var time: Int64 = 1_760_000_000_000
    for _ in 0..<count {
        let speaker = speakers[random.next(speakers.count)]
        let text: String
        switch random.next(10) {
        case 0, 1: text = random.pick(shorts)
        case 2: text = "I think \(random.pick(subjects)) \(random.pick(verbs)) \(random.pick(reasons)). \(random.pick(asides))"
        case 3: text = "See https://tracker.example.com/issues/\(random.next(9000) + 100) for \(random.pick(subjects)), it \(random.pick(verbs))."
        case 4: text = "Quick update: \(random.pick(subjects)) \(random.pick(verbs)), and \(random.pick(subjects)) \(random.pick(verbs))."
        case 5: text = "Run `make test` before pushing, \(random.pick(subjects)) \(random.pick(verbs)) \(random.pick(reasons))."
        default:
            let first = random.pick(subjects).prefix(1).uppercased() + random.pick(subjects).dropFirst()
            text = "\(first) \(random.pick(verbs)) \(random.pick(reasons))!"
        }
        lines.append(ChatLine(speakerID: speaker.0, speakerName: speaker.1, text: text, timestamp: time))
        time += Int64(random.next(90_000) + 1_000)
    }
    return lines
}

func milliseconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) * 1_000 + Double(parts.attoseconds) / 1e15
}

func rounded(_ value: Double, _ places: Double) -> Double {
    (value * places).rounded() / places
}

let directory = dataDirectory()
let languageRows = readTSV(directory.appendingPathComponent("language_eval.tsv"))
let languageCorrect = languageRows.filter { LanguageIdentifier.identify($0.text).language == $0.label }.count
let sentimentRows = readTSV(directory.appendingPathComponent("sentiment_eval.tsv"))
let sentimentCorrect = sentimentRows.filter { sentimentAgrees(label: $0.label, score: SentimentAnalyzer.score($0.text)) }.count

let conversation = syntheticConversation(count: 500)
let summarizer = Summarizer()
for _ in 0..<3 { _ = summarizer.summarize(conversation) }  // warm-up: lazy tables, caches
let clock = ContinuousClock()
var timings: [Double] = []
for _ in 0..<50 {
    let elapsed = clock.measure { _ = summarizer.summarize(conversation) }
    timings.append(milliseconds(elapsed))
}
timings.sort()
let median = timings.count % 2 == 1 ? timings[timings.count / 2] : (timings[timings.count / 2 - 1] + timings[timings.count / 2]) / 2
let p99 = timings[min(timings.count - 1, Int((0.99 * Double(timings.count)).rounded(.up)) - 1)]

let json = "{\"language_accuracy\":\(rounded(Double(languageCorrect) / Double(max(1, languageRows.count)), 10_000)),"
    + "\"language_lines\":\(languageRows.count),"
    + "\"sentiment_sign_agreement\":\(rounded(Double(sentimentCorrect) / Double(max(1, sentimentRows.count)), 10_000)),"
    + "\"sentiment_lines\":\(sentimentRows.count),"
    + "\"summarize_500_ms_median\":\(rounded(median, 100)),"
    + "\"summarize_500_ms_p99\":\(rounded(p99, 100))}"
print(json)

/// Keyword and key-phrase extraction: runs of content words between stop words, ranked by spread.
public enum KeywordExtractor {
    /// Longest phrase considered; longer runs are seen through their 1-3 word pieces.
    static let maximumPhraseLength = 3

    /// Up to `limit` lowercase keywords or phrases for `texts` (one entry per message), best first.
    public static func keywords(in texts: [String], language: String, limit: Int) -> [String] {
        keywords(tokenized: texts.map { Tokenizer.tokens(in: $0) }, language: language, limit: limit)
    }

    /// Romance-language compounds keep their linking word ("base de datos", "mot de passe").
    static let connectors: [String: Set<String>] = [
        "es": ["de", "del"],
        "pt": ["de", "do", "da", "dos", "das"],
        "fr": ["de", "du", "des", "d'"],
        "it": ["di", "del", "della", "dei", "delle", "da"],
    ]

    /// The same, for messages that are already tokenised.
    static func keywords(tokenized messages: [[Token]], language: String, limit: Int) -> [String] {
        guard limit > 0 else { return [] }
        let stopWords = StopWords.forLanguage(language)
        let linkers = language == "und" ? connectors.values.reduce(Set<String>()) { $0.union($1) } : connectors[language] ?? []
        var table = CandidateTable()
        for (messageIndex, tokens) in messages.enumerated() {
            var run: [RunWord] = []
            var pendingConnector: String?
            for token in tokens {
                if token.kind == .word, isContentWord(token.text, stopWords: stopWords) {
                    run.append(RunWord(word: token.text, connector: pendingConnector))
                    pendingConnector = nil
                } else if token.kind == .word, linkers.contains(token.text), !run.isEmpty, pendingConnector == nil {
                    pendingConnector = token.text  // may link the next content word to this run
                } else {
                    table.addRun(run, message: messageIndex)
                    run.removeAll(keepingCapacity: true)
                    pendingConnector = nil
                }
            }
            table.addRun(run, message: messageIndex)
        }
        table.mergePlurals()
        return select(from: table.ranked(), limit: limit)
    }

    /// A content word has at least two letters, more letters than digits, and is not a stop word.
    static func isContentWord(_ word: String, stopWords: Set<String>) -> Bool {
        guard !stopWords.contains(word), !word.hasSuffix("'") else { return false }
        var letters = 0
        var digits = 0
        for character in word {
            let kind = Tokenizer.classify(character)
            if kind.letter { letters += 1 } else if kind.number { digits += 1 }
        }
        return letters >= 2 && letters > digits
    }

    /// Greedy pick that lets a phrase absorb the single words it explains ("release branch" over "release").
    private static func select(from ranked: [Candidate], limit: Int) -> [String] {
        var chosen: [Candidate] = []
        for candidate in ranked {
            if chosen.count >= limit { break }
            if candidate.words.count == 1 {
                let word = candidate.words[0]
                let covering = chosen.filter { $0.words.count > 1 && $0.words.contains(word) }
                // Keep the word only if it clearly lives outside the phrase too.
                if let phrase = covering.max(by: { $0.frequency < $1.frequency }), candidate.frequency - phrase.frequency < 2 { continue }
                chosen.append(candidate)
            } else {
                let overlapsPhrase = chosen.contains { other in
                    other.words.count > 1 && (other.text.contains(candidate.text) || candidate.text.contains(other.text))
                }
                if overlapsPhrase { continue }
                chosen.removeAll { other in
                    other.words.count == 1 && candidate.words.contains(other.words[0]) && other.frequency - candidate.frequency < 2
                }
                chosen.append(candidate)
            }
        }
        return chosen.map(\.text)
    }
}

/// A content word in a run, with the linking word that joined it to the previous one, if any.
struct RunWord {
    let word: String
    let connector: String?
}

/// One keyword candidate with its counts.
struct Candidate {
    let text: String
    let words: [String]
    var frequency: Int
    var messages: Set<Int>
    let firstSeen: Int

    /// Spread across messages matters most; repeats within a message add a little; phrases get a bonus per word.
    var score: Double {
        let spread = Double(messages.count)
        let base = spread + 0.5 * Double(frequency - messages.count)
        return words.count == 1 ? base : base * Double(words.count) * 0.75
    }
}

/// Counts every 1-3 word piece of every content-word run.
struct CandidateTable {
    private var candidates: [String: Candidate] = [:]
    private var order = 0

    mutating func addRun(_ run: [RunWord], message: Int) {
        guard !run.isEmpty else { return }
        for start in run.indices {
            for length in 1...KeywordExtractor.maximumPhraseLength where start + length <= run.count {
                let piece = run[start..<(start + length)]
                let words = piece.map(\.word)
                // "test test" is stutter, not a phrase.
                if length > 1, Set(words).count < words.count { continue }
                var text = words[0]
                for item in piece.dropFirst() {
                    text += item.connector.map { $0.hasSuffix("'") ? " \($0)" : " \($0) " } ?? " "
                    text += item.word
                }
                if var existing = candidates[text] {
                    existing.frequency += 1
                    existing.messages.insert(message)
                    candidates[text] = existing
                } else {
                    candidates[text] = Candidate(text: text, words: words, frequency: 1, messages: [message], firstSeen: order)
                    order += 1
                }
            }
        }
    }

    /// Folds "tests" into "test" (or the other way round) so one idea is not listed twice.
    mutating func mergePlurals() {
        for (text, candidate) in candidates where candidate.words.count == 1 && text.count > 3 && text.hasSuffix("s") {
            let singular = String(text.dropLast())
            guard let other = candidates[singular] else { continue }
            let keepPlural = candidate.frequency > other.frequency
            let (keeper, dropped) = keepPlural ? (candidate, other) : (other, candidate)
            var merged = keeper
            merged.frequency += dropped.frequency
            merged.messages.formUnion(dropped.messages)
            candidates[keeper.text] = merged
            candidates[dropped.text] = nil
        }
    }

    /// Single words always qualify; phrases must recur to count as phrases.
    func ranked() -> [Candidate] {
        candidates.values
            .filter { $0.words.count == 1 ? $0.text.count >= 3 : $0.frequency >= 2 }
            .sorted { lhs, rhs in
                if lhs.score != rhs.score { return lhs.score > rhs.score }
                return lhs.firstSeen < rhs.firstSeen
            }
    }
}

/// The built-in, offline summarizer: pure Swift, no I/O.
public struct Summarizer: Sendable {
    /// How many sentences the summary may hold.
    public let maximumSentences: Int
    /// How many keywords to report at most.
    static let keywordLimit = 8
    /// Graph ranking is quadratic in the worst case, so very long inputs are pre-filtered to this many sentences.
    static let maximumGraphSize = 1_500
    /// Summary sentences longer than this are cut so one pasted wall of text cannot swamp the summary.
    static let maximumSentenceLength = 500
    /// Cosine similarity above which a sentence counts as a repeat of one already chosen.
    static let redundancyThreshold = 0.9
    /// Enough text for a sure language call; reading more only costs time.
    static let languageSampleLength = 6_000

    /// Creates a summarizer that keeps at most `maximumSentences` sentences (at least one).
    public init(maximumSentences: Int = 5) {
        self.maximumSentences = max(1, maximumSentences)
    }

    /// Summarizes a conversation: extractive summary, keywords, sentiment, language and participants.
    public func summarize(_ lines: [ChatLine]) -> SummaryResult {
        guard !lines.isEmpty else {
            return SummaryResult(summaryText: "", keywords: [], sentimentScore: 0, language: "und", participants: [], messageCount: 0)
        }
        // Chronological order; the stable tie-break keeps the caller's order for equal timestamps.
        let ordered = lines.enumerated().sorted { lhs, rhs in
            lhs.element.timestamp != rhs.element.timestamp ? lhs.element.timestamp < rhs.element.timestamp : lhs.offset < rhs.offset
        }.map(\.element)

        var participants: [String] = []
        var seenSpeakers: Set<String> = []
        for line in ordered where seenSpeakers.insert(line.speakerID).inserted {
            participants.append(line.speakerID)
        }

        // Each sentence is split and tokenised once; every analysis below reuses the tokens.
        let analysed = ordered.map { Self.analyse($0.text) }
        // Code is neither mood nor topic, so keywords, sentiment and language look at prose only.
        let proseTexts = analysed.map(\.prose)
        let language = Self.language(of: proseTexts)
        let messageTokens = analysed.map(\.tokens)
        let keywords = KeywordExtractor.keywords(tokenized: messageTokens, language: language, limit: Self.keywordLimit)
        let sentiment = messageTokens.reduce(0.0) { $0 + SentimentAnalyzer.score(tokens: $1) } / Double(messageTokens.count)

        let stopWords = StopWords.forLanguage(language)
        let candidates = Self.candidates(analysed: analysed, stopWords: stopWords)
        let chosen = selectSentences(from: candidates)
        let summary = chosen.map { candidate in
            let line = ordered[candidate.line]
            let name = Self.singleLine(line.speakerName.isEmpty ? line.speakerID : line.speakerName)
            return "\(name): \(Self.display(candidate.text))"
        }.joined(separator: "\n")

        return SummaryResult(
            summaryText: summary,
            keywords: keywords,
            sentimentScore: max(-1, min(1, sentiment)),
            language: language,
            participants: participants,
            messageCount: lines.count
        )
    }

    /// Picks the best tier that has anything in it, ranks it, and returns the winners in chronological order.
    private func selectSentences(from candidates: [SummaryCandidate]) -> [SummaryCandidate] {
        guard let tier = [Tier.full, .short, .fallback].first(where: { tier in candidates.contains { $0.tier == tier } }) else { return [] }
        var pool = candidates.filter { $0.tier == tier }
        guard pool.count > maximumSentences else { return pool }
        if pool.count > Self.maximumGraphSize {
            pool = Self.prefilter(pool, keep: Self.maximumGraphSize)
        }
        let (vectors, termCount) = TextRank.vectors(for: pool.map(\.terms))
        let scores = TextRank.rank(vectors, termCount: termCount)
        let ranking = scores.indices.sorted { lhs, rhs in
            scores[lhs] != scores[rhs] ? scores[lhs] > scores[rhs] : lhs < rhs
        }
        // Chat repeats itself ("+1, the build is broken"); a near-copy of a chosen sentence adds nothing.
        var winners: [Int] = []
        var chosenVectors: [[Int: Double]] = []
        for index in ranking where winners.count < maximumSentences {
            let vector = vectors[index]
            let redundant = chosenVectors.contains { chosen in
                vector.reduce(0.0) { $0 + $1.weight * (chosen[$1.term] ?? 0) } > Self.redundancyThreshold
            }
            if redundant { continue }
            winners.append(index)
            chosenVectors.append(Dictionary(vector.map { ($0.term, $0.weight) }, uniquingKeysWith: +))
        }
        return winners.sorted().map { pool[$0] }
    }

    /// Keeps the sentences closest to the overall word distribution, in their original order.
    private static func prefilter(_ pool: [SummaryCandidate], keep: Int) -> [SummaryCandidate] {
        var frequency: [String: Double] = [:]
        for candidate in pool {
            for term in Set(candidate.terms) { frequency[term, default: 0] += 1 }
        }
        let scored = pool.indices.map { index -> (Int, Double) in
            let terms = Set(pool[index].terms)
            let overlap = terms.reduce(0.0) { $0 + (frequency[$1] ?? 0) }
            return (index, overlap / Double(max(1, terms.count)).squareRoot())
        }
        let kept = scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(keep).map(\.0).sorted()
        return kept.map { pool[$0] }
    }

    private static func language(of texts: [String]) -> String {
        var sample = ""
        for text in texts {
            if sample.utf8.count >= languageSampleLength { break }
            sample += text
            sample += "\n"
        }
        return LanguageIdentifier.identify(sample).language
    }

    /// Splits a message and tokenises its prose sentences (inline code removed).
    private static func analyse(_ text: String) -> AnalysedMessage {
        let segments = SentenceSplitter.segments(in: text)
        var sentences: [AnalysedSentence] = []
        var messageTokens: [Token] = []
        var prose: [String] = []
        for segment in segments {
            guard segment.kind == .prose else {
                sentences.append(AnalysedSentence(segment: segment, tokens: []))
                continue
            }
            let tokens = Tokenizer.tokens(in: removingInlineCode(segment.text))
            sentences.append(AnalysedSentence(segment: segment, tokens: tokens))
            // A full stop between sentences keeps negation and "but" from leaking across them.
            if !messageTokens.isEmpty { messageTokens.append(Token(text: ".", kind: .punctuation)) }
            messageTokens.append(contentsOf: tokens)
            prose.append(segment.text)
        }
        return AnalysedMessage(sentences: sentences, tokens: messageTokens, prose: prose.joined(separator: "\n"))
    }

    /// Classifies every sentence into a tier; emoji-only sentences are never candidates.
    private static func candidates(analysed: [AnalysedMessage], stopWords: Set<String>) -> [SummaryCandidate] {
        var result: [SummaryCandidate] = []
        for (lineIndex, message) in analysed.enumerated() {
            for sentence in message.sentences {
                let segment = sentence.segment
                if segment.kind == .code {
                    result.append(SummaryCandidate(line: lineIndex, text: segment.text, terms: [], tier: .fallback))
                    continue
                }
                let tokens = sentence.tokens
                let words = tokens.filter { $0.kind == .word }.map(\.text)
                let content = words.filter { KeywordExtractor.isContentWord($0, stopWords: stopWords) }.map(stem)
                let tier: Tier
                if content.count >= 3 {
                    tier = .full
                } else if !content.isEmpty {
                    tier = .short
                } else if !words.isEmpty || tokens.contains(where: { $0.kind == .url || $0.kind == .number }) || segment.text.contains("`") {
                    tier = .fallback
                } else {
                    continue  // only emoji, emoticons or punctuation
                }
                result.append(SummaryCandidate(line: lineIndex, text: segment.text, terms: content, tier: tier))
            }
        }
        return result
    }

    /// A crude plural fold so "test" and "tests" link sentences in the graph.
    private static func stem(_ word: String) -> String {
        word.count > 4 && word.hasSuffix("s") && !word.hasSuffix("ss") ? String(word.dropLast()) : word
    }

    private static func removingInlineCode(_ text: String) -> String {
        guard text.contains("`") else { return text }
        var result = ""
        var inCode = false
        for character in text {
            if character == "`" {
                inCode.toggle()
                result.append(" ")
            } else if !inCode {
                result.append(character)
            }
        }
        return result
    }

    /// One summary line per sentence: inner line breaks become spaces and long sentences are cut.
    private static func display(_ text: String) -> String {
        let flat = singleLine(text)
        guard flat.count > maximumSentenceLength else { return flat }
        return String(flat.prefix(maximumSentenceLength - 1)).trimmingWhitespace() + "…"
    }

    private static func singleLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isNewline || $0 == "\t" || $0 == " " }).joined(separator: " ")
    }
}

/// How suitable a sentence is for the summary; lower tiers are used only when higher ones are empty.
enum Tier: Sendable {
    case full       // three or more content words
    case short      // one or two content words
    case fallback   // code, links, or stop words only
}

/// One message after splitting and tokenising.
struct AnalysedMessage: Sendable {
    let sentences: [AnalysedSentence]
    let tokens: [Token]
    let prose: String
}

/// One sentence with its tokens (empty for code blocks).
struct AnalysedSentence: Sendable {
    let segment: Segment
    let tokens: [Token]
}

/// A sentence that may enter the summary, with the line it came from.
struct SummaryCandidate: Sendable {
    let line: Int
    let text: String
    let terms: [String]
    let tier: Tier
}

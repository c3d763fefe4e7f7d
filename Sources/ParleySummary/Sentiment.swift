/// Lexicon-based sentiment with negation, intensifiers, contrast and emoji.
public enum SentimentAnalyzer {
    /// How many following words a negator reaches.
    static let negationReach = 3
    /// Negated words keep only part of their strength: "not bad" is milder praise than "good".
    static let negationFactor = -0.75
    /// Squashing constant: a single "good" (2) lands near 0.46, several strong words approach ±1.
    static let alpha = 15.0

    /// A score in [-1, 1]: negative below 0, positive above, near 0 for neutral text.
    public static func score(_ text: String) -> Double {
        score(tokens: Tokenizer.tokens(in: text))
    }

    /// The normalised score of already tokenised text.
    static func score(tokens: [Token]) -> Double {
        let total = rawScore(tokens: tokens)
        guard total != 0, total.isFinite else { return 0 }
        return max(-1, min(1, total / (total * total + alpha).squareRoot()))
    }

    /// The unnormalised sum of weighted hits, sentence by sentence.
    static func rawScore(tokens: [Token]) -> Double {
        var total = 0.0
        var sentence = SentenceState()
        for index in tokens.indices {
            let token = tokens[index]
            switch token.kind {
            case .url, .number:
                continue
            case .punctuation:
                if token.text == "!" { sentence.exclamations += 1 }
                if [".", "!", "?", ";", "…", "\n"].contains(token.text) {
                    total += sentence.finish()
                    sentence = SentenceState()
                } else if token.text == "," || token.text == ":" {
                    // A comma closes the reach of a negator ("not bad, just slow").
                    sentence.negationLeft = 0
                }
            case .emoji, .emoticon:
                // Emoji express the writer's mood directly, so negators do not flip them.
                if let weight = SentimentLexicon.weights[token.text] {
                    sentence.add(weight, negatable: false)
                }
            case .word:
                handleWord(token.text, at: index, in: tokens, sentence: &sentence)
            }
        }
        total += sentence.finish()
        return total
    }

    private static func handleWord(_ word: String, at index: Int, in tokens: [Token], sentence: inout SentenceState) {
        if SentimentLexicon.contrasts.contains(word) {
            sentence.contrast()
            return
        }
        if isNegator(word) {
            sentence.negationLeft = negationReach
            // German puts "nicht" after the verb ("das gefällt mir nicht"): flip a recent hit when nothing follows.
            if word == "nicht" || word == "nie", !hasSentimentAhead(tokens, from: index + 1) {
                sentence.flipRecent(within: 3)
            }
            return
        }
        if let factor = SentimentLexicon.intensifiers[word], index + 1 < tokens.count,
           weight(of: tokens[index + 1].text, previous: word) != nil {
            sentence.pendingIntensity *= factor
            sentence.tick()
            return
        }
        let previous = index > 0 ? tokens[index - 1].text : ""
        if let value = weight(of: word, previous: previous) {
            sentence.add(value, negatable: true)
        } else {
            sentence.tick()
        }
    }

    static func isNegator(_ word: String) -> Bool {
        SentimentLexicon.negators.contains(word) || word.hasSuffix("n't")
    }

    /// The lexicon weight of a word, treating "like" as sentiment only after a pronoun ("I like it").
    static func weight(of word: String, previous: String) -> Double? {
        if word == "like" {
            return SentimentLexicon.likeOpeners.contains(previous) || isNegator(previous) ? 1.5 : nil
        }
        return SentimentLexicon.weights[word]
    }

    private static func hasSentimentAhead(_ tokens: [Token], from start: Int) -> Bool {
        var index = start
        var seen = 0
        while index < tokens.count, seen < negationReach {
            let token = tokens[index]
            if token.kind == .punctuation { return false }
            if token.kind == .word {
                if SentimentLexicon.weights[token.text] != nil { return true }
                seen += 1
            }
            index += 1
        }
        return false
    }
}

/// Running totals for one sentence; contrast and negation never leak into the next sentence.
private struct SentenceState {
    var beforeContrast = 0.0
    var current = 0.0
    var contrastSeen = false
    var negationLeft = 0
    var pendingIntensity = 1.0
    var exclamations = 0
    var wordsSinceHit = Int.max
    var lastHit = 0.0
    var lastHitNegated = false

    mutating func add(_ weight: Double, negatable: Bool) {
        var value = weight * pendingIntensity
        pendingIntensity = 1
        let negated = negatable && negationLeft > 0
        if negated { value *= SentimentAnalyzer.negationFactor }
        current += value
        lastHit = value
        lastHitNegated = negated
        wordsSinceHit = 0
        if negatable { tick() }
    }

    /// One word has passed: negation reach shrinks.
    mutating func tick() {
        if negationLeft > 0 { negationLeft -= 1 }
        if wordsSinceHit != Int.max { wordsSinceHit += 1 }
    }

    mutating func flipRecent(within distance: Int) {
        guard wordsSinceHit <= distance, !lastHitNegated, lastHit != 0 else { return }
        current += lastHit * SentimentAnalyzer.negationFactor - lastHit
        lastHitNegated = true
        negationLeft = 0
    }

    /// "but" and friends: what came before counts half, what follows counts one and a half.
    mutating func contrast() {
        beforeContrast += current
        current = 0
        contrastSeen = true
        negationLeft = 0
    }

    func finish() -> Double {
        let sum = contrastSeen ? beforeContrast * 0.5 + current * 1.5 : current
        // Exclamation marks add a little emphasis, as in "great!!!".
        return sum * (1 + 0.1 * Double(min(exclamations, 3)))
    }
}

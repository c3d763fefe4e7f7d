import Foundation

/// Identifies en, es, fr, de, pt or it from character n-grams, with stop words as extra evidence.
public enum LanguageIdentifier {
    /// Fewer letters than this cannot be told apart reliably, so the answer is "und".
    static let minimumLetters = 5
    /// Long texts are judged on their first letters only; more adds time, not accuracy.
    static let maximumLetters = 6_000
    /// Nats of evidence per stop-word hit, shared among the languages that list the word.
    static let stopWordWeight = 2.0

    /// The ISO 639-1 code of the most likely language and a confidence in [0, 1]; ("und", 0) when unsure.
    public static func identify(_ text: String) -> (language: String, confidence: Double) {
        let features = Features(text: text, letterLimit: maximumLetters)
        guard features.letterCount >= minimumLetters, !features.grams.isEmpty else { return ("und", 0) }
        // Mostly non-Latin text (Cyrillic, CJK, Arabic...) is none of the six languages.
        guard features.latinLetterCount * 2 >= features.letterCount else { return ("und", 0) }
        let scores = LanguageModels.all.map { model in
            (model.code, model.logLikelihood(of: features.grams) + stopWordWeight * stopWordEvidence(features.words, for: model.code))
        }.sorted { $0.1 > $1.1 }
        guard let best = scores.first else { return ("und", 0) }
        let runnerUp = scores.count > 1 ? scores[1].1 : best.1 - 1
        // Average margin per n-gram: about 0.5 nats per gram is a confident call; short texts are damped.
        let margin = (best.1 - runnerUp) / Double(max(1, features.gramTotal))
        let lengthFactor = min(1, Double(features.letterCount) / 20)
        let confidence = min(1, max(0, margin / 0.5)) * lengthFactor
        return (best.0, (confidence * 1000).rounded() / 1000)
    }

    /// Words that appear in a language's stop list, split evenly among all lists that contain them.
    static func stopWordEvidence(_ words: [String], for code: String) -> Double {
        var evidence = 0.0
        for word in words {
            guard let owners = stopWordOwners[word], owners.contains(code) else { continue }
            evidence += 1 / Double(owners.count)
        }
        return evidence
    }

    /// For each stop word, the languages whose list has it.
    private static let stopWordOwners: [String: [String]] = {
        var owners: [String: [String]] = [:]
        for (code, list) in StopWords.byLanguage {
            for word in list where !word.contains("'") {
                owners[word, default: []].append(code)
            }
        }
        return owners
    }()
}

/// The letters-only view of a text that both the models and the stop-word check use.
struct Features {
    private(set) var grams: [UInt64: Int] = [:]
    private(set) var gramTotal = 0
    private(set) var words: [String] = []
    private(set) var letterCount = 0
    private(set) var latinLetterCount = 0

    static let boundary = UInt64(("_" as Unicode.Scalar).value)

    init(text: String, letterLimit: Int) {
        // Decomposed accents would otherwise never match the NFC training text.
        let source = text.unicodeScalars.contains { $0.properties.generalCategory == .nonspacingMark }
            ? text.precomposedStringWithCanonicalMapping : text
        for chunk in source.split(whereSeparator: { $0.isWhitespace }) {
            if letterCount >= letterLimit { break }
            if Tokenizer.isURLLike(chunk) || chunk.hasPrefix("@") || chunk.hasPrefix("#") { continue }
            var word: [UInt64] = []
            for scalar in chunk.unicodeScalars {
                if scalar.isASCII {
                    // ASCII needs no property lookups: fold A-Z by hand, everything else breaks a word.
                    let value = scalar.value
                    if (value >= 0x61 && value <= 0x7A) || (value >= 0x41 && value <= 0x5A) {
                        word.append(UInt64(value | 0x20))
                    } else if !word.isEmpty {
                        add(word)
                        word.removeAll(keepingCapacity: true)
                    }
                } else if Features.isLetter(scalar) {
                    for lower in scalar.properties.lowercaseMapping.unicodeScalars { word.append(UInt64(lower.value)) }
                } else if !word.isEmpty {
                    add(word)
                    word.removeAll(keepingCapacity: true)
                }
            }
            if !word.isEmpty { add(word) }
        }
    }

    /// Matches Python's `str.isalpha`, which the profile builder uses.
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func key(_ scalars: ArraySlice<UInt64>) -> UInt64 {
        scalars.reduce(0) { ($0 << 21) | $1 }
    }

    private mutating func add(_ word: [UInt64]) {
        letterCount += word.count
        // Basic Latin through Latin Extended-B covers every letter of the six languages.
        latinLetterCount += word.reduce(0) { $0 + ($1 <= 0x24F ? 1 : 0) }
        words.append(String(String.UnicodeScalarView(word.compactMap { Unicode.Scalar(UInt32($0)) })))
        let padded = [Features.boundary] + word + [Features.boundary]
        for scalar in word { count(scalar) }
        for order in 2...3 where padded.count >= order {
            for start in 0...(padded.count - order) {
                count(Features.key(padded[start..<(start + order)]))
            }
        }
    }

    private mutating func count(_ key: UInt64) {
        grams[key, default: 0] += 1
        gramTotal += 1
    }
}

/// A naive Bayes model over one language's stored n-grams.
struct LanguageModel: Sendable {
    let code: String
    let logProbabilities: [UInt64: Double]
    /// Log-probability for an n-gram the profile does not list, per order (index 1...3).
    let floors: [Double]

    init(code: String, data: String) {
        var totals = [0.0, 1.0, 1.0, 1.0]
        var counts: [(UInt64, Int, Double)] = []
        for line in data.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let value = Double(parts[1]) else { continue }
            if parts[0].hasPrefix("#"), let order = Int(parts[0].dropFirst()), (1...3).contains(order) {
                totals[order] = value
                continue
            }
            let scalars = parts[0].unicodeScalars.map { UInt64($0.value) }
            guard (1...3).contains(scalars.count) else { continue }
            counts.append((Features.key(scalars[...]), scalars.count, value))
        }
        var probabilities: [UInt64: Double] = [:]
        var smallest = [Double.infinity, .infinity, .infinity, .infinity]
        for (key, order, value) in counts {
            probabilities[key] = Foundation.log(value / totals[order])
            smallest[order] = min(smallest[order], value)
        }
        self.code = code
        self.logProbabilities = probabilities
        // Unlisted n-grams are rarer than the rarest listed one; half of it is a fair guess.
        self.floors = (0...3).map { order in
            order == 0 || !smallest[order].isFinite ? -12 : Foundation.log(0.5 * smallest[order] / totals[order])
        }
    }

    func logLikelihood(of grams: [UInt64: Int]) -> Double {
        var total = 0.0
        for (key, count) in grams {
            let order = key < (1 << 21) ? 1 : key < (1 << 42) ? 2 : 3
            total += Double(count) * (logProbabilities[key] ?? floors[order])
        }
        return total
    }
}

/// The parsed profiles, built once on first use.
enum LanguageModels {
    static let all: [LanguageModel] = LanguageProfiles.raw.map { LanguageModel(code: $0.code, data: $0.data) }
}

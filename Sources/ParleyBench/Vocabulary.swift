/// A small, fast, seedable generator (SplitMix64): the same seed gives the same words and texts.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A fixed vocabulary of generated, pronounceable words whose frequencies follow Zipf's law (the word of
/// rank r has weight 1/r), so that search terms range from very common to rare as in real text.
struct Vocabulary: Sendable {
    let words: [String]
    private let cumulative: [Double]

    /// English stop words the generator could spell; the server's search ignores them, so they are skipped.
    private static let stopWords: Set<String> = [
        "about", "above", "after", "again", "against", "before", "being", "below", "between", "both", "could", "does", "doing", "down",
        "during", "each", "from", "further", "have", "having", "here", "into", "itself", "more", "most", "once", "only", "other", "over",
        "same", "should", "some", "such", "than", "that", "their", "them", "then", "there", "these", "they", "this", "those", "through",
        "under", "until", "very", "were", "what", "when", "where", "which", "while", "whom", "with", "would", "your",
    ]

    init(size: Int = 5000, seed: UInt64 = 0x5EED) {
        let onsets = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
                      "br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr"]
        let vowels = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"]
        let codas = ["", "", "", "n", "r", "s", "l", "m", "t", "x"]
        var generator = SplitMix64(seed: seed)
        var seen = Set<String>()
        var words: [String] = []
        while words.count < size {
            let syllables = Int.random(in: 2...3, using: &generator)
            var word = ""
            for _ in 0..<syllables {
                word += onsets.randomElement(using: &generator)! + vowels.randomElement(using: &generator)!
            }
            word += codas.randomElement(using: &generator)!
            if !Self.stopWords.contains(word), seen.insert(word).inserted { words.append(word) }
        }
        self.words = words
        var total = 0.0
        cumulative = (1...size).map { rank in
            total += 1.0 / Double(rank)
            return total
        }
    }

    /// A word drawn by frequency.
    func word(using generator: inout some RandomNumberGenerator) -> String {
        let target = Double.random(in: 0..<cumulative[cumulative.count - 1], using: &generator)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return words[low]
    }

    /// `count` words drawn by frequency, separated by spaces.
    func text(words count: Int, using generator: inout some RandomNumberGenerator) -> String {
        (0..<count).map { _ in word(using: &generator) }.joined(separator: " ")
    }

    /// The text of fill message `number` of `sender`: 6 to 14 words, the same for the same arguments.
    func messageText(sender: Int, number: Int) -> String {
        var generator = SplitMix64(seed: UInt64(sender) << 40 ^ UInt64(number) &* 0x2545_F491_4F6C_DD1D)
        return text(words: Int.random(in: 6...14, using: &generator), using: &generator)
    }
}

/// The Porter2 ("Snowball English") stemmer, written from the published algorithm description.
///
/// Works on folded words only. Words shorter than three characters, or with anything other than
/// ASCII `a`–`z` and `0`–`9`, are returned unchanged: the text language is unknown and the
/// English rules would only damage other scripts. Apostrophes never reach it (folding drops them),
/// so the algorithm's apostrophe handling (step 0) is unnecessary.
enum PorterStemmer {
    /// The stem of an already folded word.
    static func stem(_ word: String) -> String {
        let utf8 = word.utf8
        guard utf8.count >= 3, utf8.allSatisfy(isStemmable) else { return word }
        if utf8.count <= 6, let special = exceptionalForms[word] { return special }
        var run = Run(Array(utf8))
        return run.stem()
    }

    private static func isStemmable(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }

    /// Words the algorithm lists explicitly because the general rules get them wrong.
    private static let exceptionalForms: [String: String] = [
        "skis": "ski", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie",
        "idly": "idl", "gently": "gentl", "ugly": "ugli", "early": "earli", "only": "onli",
        "singly": "singl",
        "sky": "sky", "news": "news", "howe": "howe", "atlas": "atlas", "cosmos": "cosmos",
        "bias": "bias", "andes": "andes",
    ]

    /// Words left alone once step 1a has run.
    private static let invariantAfterStep1a: Set<[UInt8]> = Set(
        ["inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed"]
            .map { Array($0.utf8) }
    )

    /// Extra condition a suffix rule needs besides its step's region.
    private enum Condition {
        case none
        case precededByL
        case precededByValidLiEnding
        case precededBySOrT
        case inR2
    }

    /// "Replace `suffix` by `replacement` if `condition` holds"; steps take the longest matching suffix.
    ///
    /// Suffixes are packed into integers (last letter in the low byte) so matching a rule is one
    /// mask-and-compare against the word's packed tail, with no per-rule allocation or reference counting.
    private struct Rule {
        let suffix: UInt64
        let suffixLength: Int
        let replacement: UInt64
        let replacementLength: Int
        let condition: Condition

        init(_ suffix: String, _ replacement: String, _ condition: Condition = .none) {
            self.suffix = Rule.pack(suffix)
            suffixLength = suffix.utf8.count
            self.replacement = Rule.pack(replacement)
            replacementLength = replacement.utf8.count
            self.condition = condition
        }

        static func pack(_ letters: String) -> UInt64 {
            precondition(letters.utf8.count < 8, "suffixes are at most seven letters")
            return letters.utf8.reduce(0) { ($0 << 8) | UInt64($1) }
        }
    }

    /// A step's rules grouped by their suffix's last letter, longest suffix first within a group, so
    /// the first match found is the longest (suffixes of equal length never both match).
    private struct RuleSet {
        private let rules: [Rule]
        /// Rules ending in letter `k` ("a" = 0) are `rules[groupStart[k]..<groupStart[k + 1]]`.
        private let groupStart: [Int]

        init(_ rules: [Rule]) {
            let sorted = rules.sorted {
                ($0.suffix & 0xFF, $1.suffixLength) < ($1.suffix & 0xFF, $0.suffixLength)
            }
            self.rules = sorted
            groupStart = (0...26).map { letter in
                sorted.firstIndex { Int($0.suffix & 0xFF) - 0x61 >= letter } ?? sorted.count
            }
        }

        /// The longest rule whose suffix ends `tail` (a word's last letters packed like `Rule.suffix`).
        func longestMatch(tail: UInt64, wordLength: Int) -> Rule? {
            let letter = Int(tail & 0xFF) - 0x61
            guard letter >= 0, letter < 26 else { return nil }
            for index in groupStart[letter]..<groupStart[letter + 1] {
                let rule = rules[index]
                if rule.suffixLength <= wordLength,
                   tail & ((1 << (8 * UInt64(rule.suffixLength))) - 1) == rule.suffix {
                    return rule
                }
            }
            return nil
        }
    }

    /// Step 2, applied when the suffix is in R1.
    private static let step2Rules = RuleSet([
        Rule("tional", "tion"), Rule("enci", "ence"), Rule("anci", "ance"), Rule("abli", "able"),
        Rule("entli", "ent"), Rule("izer", "ize"), Rule("ization", "ize"),
        Rule("ational", "ate"), Rule("ation", "ate"), Rule("ator", "ate"),
        Rule("alism", "al"), Rule("aliti", "al"), Rule("alli", "al"),
        Rule("fulness", "ful"), Rule("ousli", "ous"), Rule("ousness", "ous"),
        Rule("iveness", "ive"), Rule("iviti", "ive"), Rule("biliti", "ble"), Rule("bli", "ble"),
        Rule("ogi", "og", .precededByL), Rule("fulli", "ful"), Rule("lessli", "less"),
        Rule("li", "", .precededByValidLiEnding),
    ])

    /// Step 3, applied when the suffix is in R1.
    private static let step3Rules = RuleSet([
        Rule("tional", "tion"), Rule("ational", "ate"), Rule("alize", "al"),
        Rule("icate", "ic"), Rule("iciti", "ic"), Rule("ical", "ic"),
        Rule("ful", ""), Rule("ness", ""), Rule("ative", "", .inR2),
    ])

    /// Step 4, applied when the suffix is in R2.
    private static let step4Rules = RuleSet(
        ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism", "ate",
         "iti", "ous", "ive", "ize"].map { Rule($0, "") } + [Rule("ion", "", .precededBySOrT)]
    )

    private static let letterY = UInt8(ascii: "y")
    /// Marks a consonantal y (word-initial or after a vowel) so it is not treated as a vowel.
    private static let consonantY = UInt8(ascii: "Y")
    private static let letterE = UInt8(ascii: "e")
    private static let letterI = UInt8(ascii: "i")
    private static let letterL = UInt8(ascii: "l")
    private static let letterS = UInt8(ascii: "s")

    /// One word being stemmed: the letters plus the R1 and R2 region starts.
    private struct Run {
        var w: [UInt8]
        var r1 = 0
        var r2 = 0

        init(_ letters: [UInt8]) {
            w = letters
            markConsonantYs()
            r1 = Run.fixedR1(of: w) ?? regionStart(from: 0)
            r2 = regionStart(from: r1)
        }

        mutating func stem() -> String {
            step1a()
            if (6...7).contains(w.count), PorterStemmer.invariantAfterStep1a.contains(w) {
                return finish()
            }
            step1b()
            step1c()
            apply(PorterStemmer.step2Rules, region: r1)
            apply(PorterStemmer.step3Rules, region: r1)
            apply(PorterStemmer.step4Rules, region: r2)
            step5()
            return finish()
        }

        private mutating func finish() -> String {
            for i in w.indices where w[i] == PorterStemmer.consonantY {
                w[i] = PorterStemmer.letterY
            }
            return String(decoding: w, as: UTF8.self)
        }

        // MARK: Letter classes

        private static func isVowel(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"),
                 UInt8(ascii: "u"), UInt8(ascii: "y"):
                return true
            default:
                return false
            }
        }

        private static func isDouble(_ a: UInt8, _ b: UInt8) -> Bool {
            guard a == b else { return false }
            switch a {
            case UInt8(ascii: "b"), UInt8(ascii: "d"), UInt8(ascii: "f"), UInt8(ascii: "g"),
                 UInt8(ascii: "m"), UInt8(ascii: "n"), UInt8(ascii: "p"), UInt8(ascii: "r"),
                 UInt8(ascii: "t"):
                return true
            default:
                return false
            }
        }

        private static func isValidLiEnding(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "c"), UInt8(ascii: "d"), UInt8(ascii: "e"), UInt8(ascii: "g"),
                 UInt8(ascii: "h"), UInt8(ascii: "k"), UInt8(ascii: "m"), UInt8(ascii: "n"),
                 UInt8(ascii: "r"), UInt8(ascii: "t"):
                return true
            default:
                return false
            }
        }

        private mutating func markConsonantYs() {
            if w[0] == PorterStemmer.letterY { w[0] = PorterStemmer.consonantY }
            for i in 1..<w.count where w[i] == PorterStemmer.letterY && Run.isVowel(w[i - 1]) {
                w[i] = PorterStemmer.consonantY
            }
        }

        /// A few prefixes whose R1 the algorithm fixes, so their derivatives share a stem.
        private static func fixedR1(of w: [UInt8]) -> Int? {
            guard w[0] == UInt8(ascii: "g") || w[0] == UInt8(ascii: "c") || w[0] == UInt8(ascii: "a") else {
                return nil
            }
            for prefix in ["gener", "commun", "arsen"] where w.starts(with: prefix.utf8) {
                return prefix.utf8.count
            }
            return nil
        }

        /// Start of the region after the first non-vowel that follows a vowel, searching from `start`.
        private func regionStart(from start: Int) -> Int {
            var i = start
            while i < w.count, !Run.isVowel(w[i]) { i += 1 }
            while i < w.count, Run.isVowel(w[i]) { i += 1 }
            return min(i + 1, w.count)
        }

        /// Whether `w[..<end]` ends in a short syllable.
        private func endsInShortSyllable(_ end: Int) -> Bool {
            if end == 2 {
                return Run.isVowel(w[0]) && !Run.isVowel(w[1])
            }
            guard end >= 3 else { return false }
            let last = w[end - 1]
            return !Run.isVowel(w[end - 3]) && Run.isVowel(w[end - 2]) && !Run.isVowel(last)
                && last != UInt8(ascii: "w") && last != UInt8(ascii: "x") && last != PorterStemmer.consonantY
        }

        private var isShortWord: Bool {
            r1 >= w.count && endsInShortSyllable(w.count)
        }

        // MARK: Suffix helpers

        private func endsWith<Suffix: BidirectionalCollection<UInt8>>(_ suffix: Suffix) -> Bool {
            guard w.count >= suffix.count else { return false }
            var i = w.count
            for byte in suffix.reversed() {
                i -= 1
                if w[i] != byte { return false }
            }
            return true
        }

        private func endsWith(_ suffix: StaticString) -> Bool {
            suffix.withUTF8Buffer { endsWith($0) }
        }

        private func containsVowel(before end: Int) -> Bool {
            w[..<end].contains(where: Run.isVowel)
        }

        private mutating func replaceLast(_ count: Int, with replacement: [UInt8]) {
            w.removeLast(count)
            w.append(contentsOf: replacement)
        }

        /// The last (up to eight) letters packed like `Rule.suffix`.
        private var packedTail: UInt64 {
            w.suffix(8).reduce(0) { ($0 << 8) | UInt64($1) }
        }

        /// Applies the longest matching rule if it lies in the region and its condition holds.
        private mutating func apply(_ rules: RuleSet, region: Int) {
            guard let rule = rules.longestMatch(tail: packedTail, wordLength: w.count) else { return }
            let start = w.count - rule.suffixLength
            guard start >= region else { return }
            let holds = switch rule.condition {
            case .none: true
            case .precededByL: start > 0 && w[start - 1] == PorterStemmer.letterL
            case .precededByValidLiEnding: start > 0 && Run.isValidLiEnding(w[start - 1])
            case .precededBySOrT:
                start > 0 && (w[start - 1] == PorterStemmer.letterS || w[start - 1] == UInt8(ascii: "t"))
            case .inR2: start >= r2
            }
            guard holds else { return }
            w.removeLast(rule.suffixLength)
            for k in stride(from: rule.replacementLength - 1, through: 0, by: -1) {
                w.append(UInt8(truncatingIfNeeded: rule.replacement >> (8 * UInt64(k))))
            }
        }

        // MARK: Steps with their own logic

        private mutating func step1a() {
            if endsWith("sses") {
                w.removeLast(2)
            } else if endsWith("ied") || endsWith("ies") {
                // "ties" → "tie" but "cries" → "cri": keep the e only after a single letter.
                replaceLast(3, with: w.count - 3 > 1 ? [PorterStemmer.letterI] : [PorterStemmer.letterI, PorterStemmer.letterE])
            } else if w.last != PorterStemmer.letterS || endsWith("us") || endsWith("ss") {
                return
            } else if containsVowel(before: w.count - 2) {
                // Delete the s only if a vowel occurs before the letter preceding it ("gas" stays, "gaps" → "gap").
                w.removeLast()
            }
        }

        private mutating func step1b() {
            if endsWith("eedly") || endsWith("eed") {
                let suffixLength = endsWith("eedly") ? 5 : 3
                if w.count - suffixLength >= r1 { replaceLast(suffixLength, with: [PorterStemmer.letterE, PorterStemmer.letterE]) }
                return
            }
            let suffixLength: Int
            if endsWith("ingly") {
                suffixLength = 5
            } else if endsWith("edly") {
                suffixLength = 4
            } else if endsWith("ing") {
                suffixLength = 3
            } else if endsWith("ed") {
                suffixLength = 2
            } else {
                return
            }
            guard containsVowel(before: w.count - suffixLength) else { return }
            w.removeLast(suffixLength)
            if endsWith("at") || endsWith("bl") || endsWith("iz") {
                w.append(PorterStemmer.letterE)
            } else if w.count >= 2, Run.isDouble(w[w.count - 2], w[w.count - 1]) {
                w.removeLast()
            } else if isShortWord {
                w.append(PorterStemmer.letterE)
            }
        }

        private mutating func step1c() {
            guard let last = w.last, last == PorterStemmer.letterY || last == PorterStemmer.consonantY else { return }
            // The y must follow a non-vowel that is not the word's first letter ("cry" → "cri", "by" stays).
            if w.count > 2, !Run.isVowel(w[w.count - 2]) {
                w[w.count - 1] = PorterStemmer.letterI
            }
        }

        private mutating func step5() {
            guard let last = w.last else { return }
            let start = w.count - 1
            if last == PorterStemmer.letterE {
                if start >= r2 || (start >= r1 && !endsInShortSyllable(start)) {
                    w.removeLast()
                }
            } else if last == PorterStemmer.letterL {
                if start >= r2, start > 0, w[start - 1] == PorterStemmer.letterL {
                    w.removeLast()
                }
            }
        }
    }
}

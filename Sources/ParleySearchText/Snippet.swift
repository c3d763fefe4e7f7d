/// The piece of a text around its first matching term, for result context.
public struct Snippet: Sendable, Equatable {
    /// Up to ~`radius` characters before the match, cut at a word boundary where possible, with a leading "…" when cut.
    public let before: String
    /// The matched word exactly as written in the text.
    public let match: String
    /// Up to ~`radius` characters after, cut at a word boundary, trailing "…" when cut.
    public let after: String

    /// Creates a snippet from its three parts.
    public init(before: String, match: String, after: String) {
        self.before = before
        self.match = match
        self.after = after
    }
}

/// Finds matched words and builds result snippets from decrypted message text.
///
/// In `before` and `after`, runs of white space (including newlines) become one space and white
/// space at the outer ends is trimmed; the space between the context and the match is kept.
public enum SnippetBuilder: Sendable {
    /// The words of `text` whose normalised form is in `normalizedTerms` (original spelling, unique, in order of appearance)
    public static func matchedWords(in text: String, normalizedTerms: Set<String>) -> [String] {
        // Spellings are compared byte for byte: hashing a String normalises it, which is quadratic
        // for a hostile word carrying thousands of unordered combining marks.
        var seen: Set<[UInt8]> = []
        var words: [String] = []
        for term in TextNormalizer.terms(in: text) where normalizedTerms.contains(term.normalized) {
            let word = text[term.range]
            if seen.insert(Array(word.utf8)).inserted { words.append(String(word)) }
        }
        return words
    }

    /// Context around the first word whose normalised form is in `normalizedTerms`; nil when none matches.
    public static func snippet(in text: String, normalizedTerms: Set<String>, radius: Int = 60) -> Snippet? {
        guard !normalizedTerms.isEmpty,
              let term = TextNormalizer.terms(in: text).first(where: { normalizedTerms.contains($0.normalized) })
        else { return nil }
        let radius = max(0, radius)
        return Snippet(
            before: leadingContext(text[..<term.range.lowerBound], radius: radius),
            match: String(text[term.range]),
            after: trailingContext(text[term.range.upperBound...], radius: radius)
        )
    }

    /// The end of `prefix`, at most `radius` characters, not starting inside a word where avoidable.
    static func leadingContext(_ prefix: Substring, radius: Int) -> String {
        var start = prefix.index(prefix.endIndex, offsetBy: -radius, limitedBy: prefix.startIndex) ?? prefix.startIndex
        let isCut = start > prefix.startIndex
        if isCut, start < prefix.endIndex, isInsideWord(prefix[prefix.index(before: start)], prefix[start]) {
            var boundary = start
            while boundary < prefix.endIndex,
                  isInsideWord(prefix[prefix.index(before: boundary)], prefix[boundary]) {
                boundary = prefix.index(after: boundary)
            }
            // A window that is one unbroken word keeps the raw cut rather than vanishing.
            if boundary < prefix.endIndex { start = boundary }
        }
        let context = collapsingWhitespace(prefix[start...], trimLeading: true, trimTrailing: false)
        return isCut ? "…" + context : context
    }

    /// The start of `suffix`, at most `radius` characters, not ending inside a word where avoidable.
    static func trailingContext(_ suffix: Substring, radius: Int) -> String {
        var end = suffix.index(suffix.startIndex, offsetBy: radius, limitedBy: suffix.endIndex) ?? suffix.endIndex
        let isCut = end < suffix.endIndex
        if isCut, end > suffix.startIndex, isInsideWord(suffix[suffix.index(before: end)], suffix[end]) {
            var boundary = end
            while boundary > suffix.startIndex,
                  isInsideWord(suffix[suffix.index(before: boundary)], suffix[boundary]) {
                boundary = suffix.index(before: boundary)
            }
            if boundary > suffix.startIndex { end = boundary }
        }
        let context = collapsingWhitespace(suffix[..<end], trimLeading: false, trimTrailing: true)
        return isCut ? context + "…" : context
    }

    /// Whether a cut between `left` and `right` would split a word. Apostrophes count as word parts so
    /// a cut never leaves the "t" of "don't" behind; ideographs and kana are one-character words.
    private static func isInsideWord(_ left: Character, _ right: Character) -> Bool {
        isWordPart(left) && isWordPart(right)
            && !Tokenizer.isSingleCharacterWord(left) && !Tokenizer.isSingleCharacterWord(right)
    }

    private static func isWordPart(_ character: Character) -> Bool {
        Tokenizer.isWordCharacter(character) || Tokenizer.isApostrophe(character)
    }

    private static func collapsingWhitespace(_ text: Substring, trimLeading: Bool, trimTrailing: Bool) -> String {
        var result = ""
        var pendingSpace = false
        for character in text {
            if character.isWhitespace {
                pendingSpace = true
                continue
            }
            if pendingSpace, !(trimLeading && result.isEmpty) { result.append(" ") }
            pendingSpace = false
            result.append(character)
        }
        if pendingSpace, !trimTrailing, !(trimLeading && result.isEmpty) { result.append(" ") }
        return result
    }
}

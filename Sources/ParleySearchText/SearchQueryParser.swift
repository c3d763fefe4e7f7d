/// Turns what a user typed into a `SearchQuery` of normalised terms.
///
/// Syntax:
/// - White-space separated words are ANDed.
/// - `"quoted text"` is a phrase (see `SearchQuery.Clause.phrase` for the adjacency rule). Straight
///   quotes and the typographic “ ” „ ＂ are all quote marks, and any of them closes a phrase. An
///   unclosed quote makes a phrase that runs to the end of the input.
/// - A single `-` directly before a word or quote excludes that word or phrase (`-deploy`,
///   `-"not now"`). A lone `-` is ignored; two or more dashes (`--foo`) are plain punctuation, so
///   `--verbose` searches for "verbose" instead of excluding it.
/// - A bare word that normalises to several terms (`foo-bar`, `v1.2`, `NEAR(a,b)`) is a phrase of them,
///   matching how the same characters are indexed.
/// - Nothing else has meaning: `*`, `^`, `:`, `(`, `)`, backslashes, quotes inside words and the like
///   only separate words. Uppercase `AND`, `OR`, `NOT`, `NEAR` are ordinary words: "and", "or" and
///   "not" are stop words and vanish, "near" stays a search term.
/// - Stop words are dropped; a phrase left with one term becomes `.term`, with none is dropped.
///   Duplicate clauses are removed (first occurrence kept).
public enum SearchQueryParser: Sendable {
    /// Longest accepted query, in characters.
    public static let maximumLength = 500
    /// Most clauses (required plus excluded, after de-duplication) a query may have.
    public static let maximumClauses = 32
    /// Byte ceiling that stops a few characters carrying huge runs of combining marks; at 32 bytes
    /// per character it never rejects text within `maximumLength` characters of ordinary writing.
    static let maximumUTF8Length = maximumLength * 32

    /// Parses `input`; the result holds only normalised terms or the reason it is unusable.
    public static func parse(_ input: String) throws(SearchQueryError) -> SearchQuery {
        guard !exceedsMaximumLength(input) else { throw .tooLong(limit: maximumLength) }

        var required: [SearchQuery.Clause] = []
        var excluded: [SearchQuery.Clause] = []
        var displayTerms: [String] = []
        for segment in segments(of: input) {
            let text = String(segment.text)
            let terms = TextNormalizer.terms(in: text).map(\.normalized)
            let clause: SearchQuery.Clause
            switch terms.count {
            case 0: continue
            case 1: clause = .term(terms[0])
            default: clause = .phrase(terms)
            }
            if segment.isExcluded {
                if !excluded.contains(clause) { excluded.append(clause) }
            } else {
                if !required.contains(clause) { required.append(clause) }
                for word in TextNormalizer.foldedWords(in: text) where !displayTerms.contains(word) {
                    displayTerms.append(word)
                }
            }
        }

        if required.isEmpty { throw excluded.isEmpty ? .empty : .onlyExclusions }
        guard required.count + excluded.count <= maximumClauses else {
            throw .tooManyTerms(limit: maximumClauses)
        }
        return SearchQuery(required: required, excluded: excluded, displayTerms: displayTerms)
    }

    /// A piece of the input that becomes at most one clause.
    struct Segment: Equatable {
        var text: Substring
        var isExcluded: Bool
    }

    /// Splits the input into bare words and quoted phrases, noting which are excluded.
    static func segments(of input: String) -> [Segment] {
        var segments: [Segment] = []
        var index = input.startIndex
        let end = input.endIndex
        while index < end {
            let character = input[index]
            if character.isWhitespace {
                index = input.index(after: index)
                continue
            }
            var isExcluded = false
            if isDash(character) {
                let next = input.index(after: index)
                if next == end || input[next].isWhitespace {
                    index = next  // a lone dash means nothing
                    continue
                }
                if !isDash(input[next]) {
                    isExcluded = true
                    index = next
                }
                // Otherwise a run of dashes starts an ordinary word and is read as one below.
            }
            if isQuote(input[index]) {
                let contentStart = input.index(after: index)
                var contentEnd = contentStart
                while contentEnd < end, !isQuote(input[contentEnd]) {
                    contentEnd = input.index(after: contentEnd)
                }
                segments.append(Segment(text: input[contentStart..<contentEnd], isExcluded: isExcluded))
                index = contentEnd < end ? input.index(after: contentEnd) : end
            } else {
                var wordEnd = index
                while wordEnd < end, !input[wordEnd].isWhitespace, !isQuote(input[wordEnd]) {
                    wordEnd = input.index(after: wordEnd)
                }
                segments.append(Segment(text: input[index..<wordEnd], isExcluded: isExcluded))
                index = wordEnd
            }
        }
        return segments
    }

    // Both checks look at scalar values: `Character ==` would normalise a hostile character's
    // whole run of combining marks, which is quadratic.

    static func isQuote(_ character: Character) -> Bool {
        switch Tokenizer.singleScalarValue(of: character) {
        case 0x22, 0x201C, 0x201D, 0x201E, 0xFF02: true
        default: false
        }
    }

    static func isDash(_ character: Character) -> Bool {
        Tokenizer.singleScalarValue(of: character) == 0x2D
    }

    /// Whether `input` is over `maximumLength` characters (or the byte ceiling), without counting
    /// all of a huge input.
    static func exceedsMaximumLength(_ input: String) -> Bool {
        let bytes = input.utf8.count
        if bytes <= maximumLength { return false }
        if bytes > maximumUTF8Length { return true }
        var count = 0
        for _ in input {
            count += 1
            if count > maximumLength { return true }
        }
        return false
    }
}

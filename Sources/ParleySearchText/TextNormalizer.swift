/// Text normalisation shared by indexing and querying.
///
/// A word is tokenized (`Tokenizer`), folded (`Folding`), checked against `StopWords` on its folded
/// form, then stemmed (`PorterStemmer`). Words longer than 64 characters are truncated to their
/// first 64 folded characters, identically at index and query time.
public enum TextNormalizer: Sendable {
    /// Terms of `text` in order. Stop words are NOT returned but DO consume a position, so phrase adjacency stays right.
    public static func terms(in text: String) -> [Term] {
        var terms: [Term] = []
        var position = 0
        for range in Tokenizer.wordRanges(in: text) {
            let folded = Folding.fold(text[range])
            // A run that folds to nothing (no letters or digits survive) is not a word at all.
            guard !folded.isEmpty else { continue }
            defer { position += 1 }
            guard !StopWords.contains(folded) else { continue }
            terms.append(Term(normalized: PorterStemmer.stem(folded), position: position, range: range))
        }
        return terms
    }

    /// The normalised form of a single word (fold, lowercase, stem); nil for a stop word or a non-word.
    ///
    /// `word` must tokenize to exactly one word; surrounding punctuation is ignored ("(deploy)" works),
    /// but "foo bar" or "foo-bar" return nil.
    public static func normalize(word: String) -> String? {
        let ranges = Tokenizer.wordRanges(in: word)
        guard ranges.count == 1 else { return nil }
        let folded = Folding.fold(word[ranges[0]])
        guard !folded.isEmpty, !StopWords.contains(folded) else { return nil }
        return PorterStemmer.stem(folded)
    }

    /// The folded but unstemmed words of `text` that are not stop words, in order (for display).
    public static func foldedWords(in text: String) -> [String] {
        Tokenizer.wordRanges(in: text).compactMap { range in
            let folded = Folding.fold(text[range])
            return folded.isEmpty || StopWords.contains(folded) ? nil : folded
        }
    }
}

/// One word of a text after normalisation.
public struct Term: Sendable, Equatable {
    /// Folded, lowercased and stemmed form; the only thing that may be hashed into the index.
    public let normalized: String
    /// 0-based word index within the text; stop words are not returned but still use up a position.
    public let position: Int
    /// Range of the original word (including any inner apostrophe) in the original string.
    public let range: Range<String.Index>

    /// Creates a term; normally only `TextNormalizer` does this.
    public init(normalized: String, position: Int, range: Range<String.Index>) {
        self.normalized = normalized
        self.position = position
        self.range = range
    }
}

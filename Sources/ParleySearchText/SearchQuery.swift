/// A parsed search query: every `required` clause must match, no `excluded` clause may.
///
/// Contains only normalised terms (the output of `TextNormalizer`), never raw user input, so it can
/// be hashed and handed to any storage layer without escaping.
public struct SearchQuery: Sendable, Equatable {
    /// One condition on a text's terms.
    public enum Clause: Sendable, Equatable {
        /// One normalised term.
        case term(String)
        /// Consecutive normalised terms (≥ 2).
        ///
        /// Phrase rule: stop words are removed from the phrase, and the remaining terms must appear
        /// consecutively in the term list of the text, i.e. adjacent in `TextNormalizer.terms(in:)`
        /// output, ignoring `Term.position`. So "state of the art" (→ ["state", "art"]) matches
        /// "state of the art", "state-of-the-art" and "state art", but not "state of modern art".
        /// An index should therefore check adjacency on each term's ordinal in that array.
        case phrase([String])

        /// The clause's terms in order.
        public var terms: [String] {
            switch self {
            case .term(let term): [term]
            case .phrase(let terms): terms
            }
        }

        /// Whether the clause matches a text whose terms, in order, are `normalizedTerms`.
        public func matches(_ normalizedTerms: [String]) -> Bool {
            switch self {
            case .term(let term):
                return normalizedTerms.contains(term)
            case .phrase(let phrase):
                guard !phrase.isEmpty, phrase.count <= normalizedTerms.count else { return false }
                for start in 0...(normalizedTerms.count - phrase.count)
                where normalizedTerms[start..<(start + phrase.count)].elementsEqual(phrase) {
                    return true
                }
                return false
            }
        }
    }

    /// Clauses that must all match.
    public let required: [Clause]
    /// Clauses none of which may match.
    public let excluded: [Clause]
    /// The query's words as the user typed them (for display/highlighting), lowercased and folded, without stemming.
    ///
    /// Only words of required clauses, without stop words, unique, in order of appearance.
    public let displayTerms: [String]

    /// Creates a query from already normalised clauses; user input goes through `SearchQueryParser`.
    public init(required: [Clause], excluded: [Clause], displayTerms: [String]) {
        self.required = required
        self.excluded = excluded
        self.displayTerms = displayTerms
    }

    /// Whether a text with these terms satisfies the query (reference semantics for the server).
    public func matches(_ terms: [Term]) -> Bool {
        let normalized = terms.map(\.normalized)
        return required.allSatisfy { $0.matches(normalized) } && !excluded.contains { $0.matches(normalized) }
    }

    /// Whether `text` satisfies the query.
    public func matches(text: String) -> Bool {
        matches(TextNormalizer.terms(in: text))
    }
}

/// Why a query could not be used (mapped by the server to HTTP 422).
public enum SearchQueryError: Error, Sendable, Equatable {
    /// Nothing searchable: blank, only punctuation/operators, or only stop words.
    case empty
    /// Only excluded clauses, e.g. "-foo -bar", which would match almost everything.
    case onlyExclusions
    /// More than `limit` characters.
    case tooLong(limit: Int)
    /// More than `limit` clauses after de-duplication.
    case tooManyTerms(limit: Int)
}

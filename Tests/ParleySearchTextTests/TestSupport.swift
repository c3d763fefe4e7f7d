import ParleySearchText

/// The original spelling of each returned term of `text`.
func words(_ text: String) -> [String] {
    TextNormalizer.terms(in: text).map { String(text[$0.range]) }
}

/// The normalised form of each returned term of `text`.
func normalized(_ text: String) -> [String] {
    TextNormalizer.terms(in: text).map(\.normalized)
}

/// The position of each returned term of `text`.
func positions(_ text: String) -> [Int] {
    TextNormalizer.terms(in: text).map(\.position)
}

/// The parse result as a value, so errors and queries compare in one `#expect`.
func parsed(_ input: String) -> Result<SearchQuery, SearchQueryError> {
    Result { () throws(SearchQueryError) in try SearchQueryParser.parse(input) }
}

/// Splits text into word runs, keeping ranges into the original string.
///
/// Rules (shared by indexing and querying, so they must stay identical for both):
/// - A word is a maximal run of characters whose first scalar is a Unicode letter or decimal digit;
///   combining marks belong to the character they follow, so they never start or split a word.
/// - Everything else separates words: white space, punctuation, symbols, hyphens, underscores, dots
///   ("v1.2" gives "v1" and "2"), and emoji (a character carrying U+FE0F or a keycap U+20E3 is an
///   emoji even when its base is a letter or digit, e.g. "ℹ️" or "1️⃣").
/// - An apostrophe (U+0027 or U+2019) directly between two word characters is part of the word and is
///   later dropped by folding: "don't" → "dont", "O’Brien" → "obrien". Elsewhere it separates.
/// - Han ideographs, hiragana and katakana are each a word of their own ("日本語" gives "日", "本",
///   "語"): Chinese and Japanese are written without spaces, so a whole sentence would otherwise be
///   one unsearchable term. A query for "日本語" becomes the phrase 日 本 語, which finds it.
///   Half-width voicing marks (U+FF9E, U+FF9F) stay with the kana before them. Hangul, which is
///   written with spaces, follows the general rule.
enum Tokenizer {
    /// What one character contributes to word splitting.
    enum Kind: Equatable {
        case word
        /// A Han ideograph or kana: a one-character word.
        case ideograph
        /// A half-width voicing mark: joins a preceding half-width kana, otherwise a word character.
        case voicingMark
        case apostrophe
        case separator
    }

    /// Ranges of the word runs of `text`, in order.
    static func wordRanges(in text: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        var wordStart: String.Index?
        var index = text.startIndex
        let end = text.endIndex
        while index < end {
            let (kind, next) = character(in: text, at: index)
            switch kind {
            case .word, .voicingMark:
                if wordStart == nil { wordStart = index }
                index = next
            case .ideograph:
                if let start = wordStart {
                    ranges.append(start..<index)
                    wordStart = nil
                }
                var wordEnd = next
                while wordEnd < end {
                    let (following, followingEnd) = character(in: text, at: wordEnd)
                    guard following == .voicingMark else { break }
                    wordEnd = followingEnd
                }
                ranges.append(index..<wordEnd)
                index = wordEnd
            case .apostrophe, .separator:
                if let start = wordStart {
                    // An apostrophe only joins when an ordinary word character follows it directly.
                    if kind == .apostrophe, next < end {
                        let following = character(in: text, at: next).kind
                        if following == .word || following == .voicingMark {
                            index = next
                            continue
                        }
                    }
                    ranges.append(start..<index)
                    wordStart = nil
                }
                index = next
            }
        }
        if let start = wordStart {
            ranges.append(start..<end)
        }
        return ranges
    }

    /// The kind and end of the character starting at `index` (which must be a character boundary).
    @inline(__always)
    static func character(in text: String, at index: String.Index) -> (kind: Kind, end: String.Index) {
        let utf8 = text.utf8
        let byte = utf8[index]
        let next = utf8.index(after: index)
        // An ASCII scalar followed by another ASCII scalar (or the end) is a whole character;
        // only a non-ASCII follower (a combining mark, say) can extend it.
        if byte < 0x80, next == utf8.endIndex || utf8[next] < 0x80 {
            if isASCIIAlphanumeric(byte) { return (.word, next) }
            return (byte == 0x27 ? .apostrophe : .separator, next)
        }
        let character = text[index]
        return (kind(of: character), text.index(after: index))
    }

    /// The kind of any character.
    static func kind(of character: Character) -> Kind {
        if isApostrophe(character) { return .apostrophe }
        guard isWordCharacter(character) else { return .separator }
        if let value = singleScalarValue(of: character), value == 0xFF9E || value == 0xFF9F { return .voicingMark }
        return isSingleCharacterWord(character) ? .ideograph : .word
    }

    /// The scalar value of a one-scalar character; compares far cheaper than `Character ==`.
    static func singleScalarValue(of character: Character) -> UInt32? {
        let scalars = character.unicodeScalars
        guard let first = scalars.first, scalars.index(after: scalars.startIndex) == scalars.endIndex else {
            return nil
        }
        return first.value
    }

    /// Whether `character` can be part of a word (letter or decimal digit base, not an emoji).
    static func isWordCharacter(_ character: Character) -> Bool {
        // Deliberately no `asciiValue` or `==` on Character: both may normalise the whole cluster,
        // which is quadratic for a hostile character carrying thousands of unordered marks.
        if let value = singleScalarValue(of: character), value < 0x80 {
            return isASCIIAlphanumeric(UInt8(value))
        }
        let scalars = character.unicodeScalars
        guard let first = scalars.first, isLetterOrDigit(first) else { return false }
        // A letter or digit turned into an emoji by a presentation selector or a keycap is not a word.
        for scalar in scalars where scalar.value == 0xFE0F || scalar.value == 0x20E3 {
            return false
        }
        return true
    }

    /// Whether `character` is one of the apostrophes that may sit inside a word.
    static func isApostrophe(_ character: Character) -> Bool {
        let value = singleScalarValue(of: character)
        return value == 0x27 || value == 0x2019
    }

    /// Whether `character` is a Han ideograph or kana, which form one-character words.
    static func isSingleCharacterWord(_ character: Character) -> Bool {
        guard let first = character.unicodeScalars.first, first.value >= 0x80, isLetterOrDigit(first) else {
            return false
        }
        switch first.value {
        case 0x3005...0x3007,  // ideographic iteration and closing marks, ideographic zero
             0x3040...0x30FF,  // hiragana, katakana
             0x31F0...0x31FF,  // katakana phonetic extensions
             0x3400...0x4DBF,  // CJK extension A
             0x4E00...0x9FFF,  // CJK unified ideographs
             0xF900...0xFAFF,  // CJK compatibility ideographs
             0xFF66...0xFF9D,  // half-width katakana
             0x20000...0x3134F:  // CJK extensions B–G
            return true
        default:
            return false
        }
    }

    static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber:
            return true
        default:
            return false
        }
    }
}

import Foundation

/// Folds one word to the spelling used for matching: compatibility-decomposed, diacritics removed,
/// lowercased, "ß" → "ss", "ς" → "σ", letters and digits only, at most 64 characters.
///
/// The full definition is `foldUnicode`, built on Foundation's normalisation. Two fast paths give
/// the same answers without it: plain ASCII, and words whose every scalar is ASCII, CJK/Hangul (which
/// folds to itself) or found in `scalarFolds`, a table filled from `foldUnicode` itself.
enum Folding {
    /// Longest folded word kept; longer words are truncated (the same way at index and query time).
    static let maximumWordLength = 64

    /// Enough input characters to always yield `maximumWordLength` output characters: every input
    /// character except an inner apostrophe folds to at least one, and apostrophes never touch.
    private static let inputPrefixLength = maximumWordLength * 2
    /// Bound on the scalars handed to normalisation, whose mark reordering is quadratic in the
    /// length of a run of marks; ordinary words never come near it, hostile "zalgo" text does.
    private static let inputScalarLimit = 1_024

    /// The folded form of `word`; empty when nothing letter- or digit-like remains.
    static func fold(_ word: Substring) -> String {
        if let folded = foldASCII(word) { return folded }
        if let folded = foldByScalar(word) { return folded }
        return foldUnicode(word)
    }

    /// Fast path for plain ASCII words, which are most chat text; nil when `word` is not ASCII.
    private static func foldASCII(_ word: Substring) -> String? {
        let utf8 = word.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        let capacity = min(utf8.count, maximumWordLength)
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            var count = 0
            for byte in utf8 where count < capacity && Tokenizer.isASCIIAlphanumeric(byte) {
                buffer[count] = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
                count += 1
            }
            return count
        }
    }

    /// Scalar-by-scalar folding for common non-ASCII words; nil when some scalar needs the full path.
    private static func foldByScalar(_ word: Substring) -> String? {
        var result = String.UnicodeScalarView()
        var length = 0
        for scalar in word.unicodeScalars {
            guard length < maximumWordLength else { break }
            let value = scalar.value
            if value < 0x80 {
                let byte = UInt8(value)
                guard Tokenizer.isASCIIAlphanumeric(byte) else { continue }
                result.append(Unicode.Scalar(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte))
                length += 1
            } else if let slot = scalarFoldSlot(value) {
                guard let folded = scalarFolds[slot] else { return nil }
                for foldedScalar in folded where length < maximumWordLength {
                    result.append(foldedScalar)
                    length += 1
                }
            } else if foldsToItself(value) {
                result.append(scalar)
                length += 1
            } else if value != 0x2019 {  // the typographic apostrophe simply disappears
                return nil
            }
        }
        return String(result)
    }

    /// Blocks covered by `scalarFolds`: Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic (U+0080–U+07FF)
    /// and Latin Extended Additional plus Greek Extended (U+1E00–U+1FFF, Vietnamese and polytonic Greek).
    private static func scalarFoldSlot(_ value: UInt32) -> Int? {
        switch value {
        case 0x80..<0x800: Int(value - 0x80)
        case 0x1E00..<0x2000: Int(value - 0x1E00) + 0x780
        default: nil
        }
    }

    /// Each covered scalar folded on its own by `foldUnicode`; nil where the result keeps a mark,
    /// since marks may need reordering or recomposition with their neighbours.
    private static let scalarFolds: [String.UnicodeScalarView?] = {
        var table: [String.UnicodeScalarView?] = []
        table.reserveCapacity(0x780 + 0x200)
        for value in Array(0x80..<0x800) + Array(0x1E00..<0x2000) {
            guard let scalar = Unicode.Scalar(UInt32(value)) else {
                table.append(nil)
                continue
            }
            let folded = foldUnicode(Substring(String(scalar))).unicodeScalars
            table.append(folded.allSatisfy(Tokenizer.isLetterOrDigit) ? folded : nil)
        }
        return table
    }()

    /// Scalars with no case, no decomposition and no compatibility mapping (or only a canonical one
    /// that recomposition undoes, as for voiced kana), so folding leaves them as they are.
    private static func foldsToItself(_ value: UInt32) -> Bool {
        switch value {
        case 0x3005...0x3006, 0x3041...0x3096, 0x30A1...0x30FA, 0x30FC...0x30FE,
             0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7A3,
             0x20000...0x2A6DF, 0x2A700...0x2EBEF, 0x30000...0x3134F:
            true
        default:
            false
        }
    }

    /// The defining fold: NFKD, drop optional diacritics and non-letters, lowercase, special folds, NFC.
    static func foldUnicode(_ word: Substring) -> String {
        let input = String.UnicodeScalarView(word.prefix(inputPrefixLength).unicodeScalars.prefix(inputScalarLimit))
        let decomposed = String(input).decomposedStringWithCompatibilityMapping
        var kept = String.UnicodeScalarView()
        for scalar in decomposed.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .decimalNumber:
                kept.append(scalar)
            case .nonspacingMark, .spacingMark, .enclosingMark:
                // Script-essential marks (kana voicing, Indic vowel signs) stay; optional diacritics go.
                if !isOptionalDiacritic(scalar) { kept.append(scalar) }
            default:
                // Apostrophes, joiners and anything a compatibility mapping spelled out as punctuation.
                break
            }
        }
        var folded = String.UnicodeScalarView()
        for scalar in String(kept).lowercased().unicodeScalars {
            switch scalar {
            case "ß": folded.append(contentsOf: "ss".unicodeScalars)
            case "ς": folded.append("σ")  // final sigma depends on position, so match it as the plain sigma
            default: folded.append(scalar)
            }
        }
        // Recompose what decomposition split but we kept (Hangul jamo, kana with voicing marks).
        let composed = String(folded).precomposedStringWithCanonicalMapping
        return composed.count > maximumWordLength ? String(composed.prefix(maximumWordLength)) : composed
    }

    /// Marks that are accents on a base letter rather than part of the letter itself: the generic
    /// combining diacritics (é, ü, ñ, ç, Greek tonos, Cyrillic breve), Hebrew and Arabic vowel points,
    /// which are routinely omitted when typing, and emoji variation selectors.
    static func isOptionalDiacritic(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0300...0x036F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x20D0...0x20FF, 0xFE20...0xFE2F:
            return true
        case 0x0591...0x05C7:
            return true
        case 0x0610...0x061A, 0x064B...0x065F, 0x0670, 0x06D6...0x06ED:
            return true
        case 0xFE00...0xFE0F, 0xE0100...0xE01EF:
            return true
        default:
            return false
        }
    }
}

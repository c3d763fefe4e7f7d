/// The kinds of token the analysers care about.
enum TokenKind: Sendable, Equatable {
    case word
    case number
    case emoji
    case emoticon
    case url
    case punctuation
}

/// One token; words are lowercased so lookups need no further folding.
struct Token: Sendable, Equatable {
    let text: String
    let kind: TokenKind
}

/// A chat-aware tokenizer shared by keywords, sentiment and ranking.
enum Tokenizer {
    /// Emoticons are matched as whole whitespace-separated chunks so ":/" inside URLs never counts.
    static let emoticons: Set<String> = [
        ":)", ":-)", ":]", "=)", ":d", ":-d", "xd", ";)", ";-)", ":p", ":-p", "<3", "^^", "^_^",
        ":(", ":-(", ":[", "=(", ":'(", ":/", ":-/", ":\\", ":|", ":-|", ">:(", "</3", "d:", ":o", ":-o",
    ]

    /// French and Italian elided articles and pronouns are split off so "l'équipe" yields "équipe".
    static let elisions: Set<String> = [
        "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
        "dell", "nell", "all", "dall", "sull", "un", "quest", "quell", "gl",
    ]

    /// Splits text into tokens; URLs and e-mail addresses become single `.url` tokens.
    static func tokens(in text: String) -> [Token] {
        var result: [Token] = []
        for chunk in text.split(whereSeparator: isSpace) {
            tokenizeChunk(chunk, into: &result)
        }
        return result
    }

    /// True when a chunk is a link or an address, which carry no topical or emotional content.
    static func isURLLike(_ chunk: Substring) -> Bool {
        // Fast reject on bytes: links need "://" or a "www." start, addresses need "@".
        var hasColon = false
        var atOffset = -1
        for (offset, byte) in chunk.utf8.enumerated() {
            if byte == UInt8(ascii: ":") { hasColon = true } else if byte == UInt8(ascii: "@"), atOffset < 0 { atOffset = offset }
        }
        let startsWithWWW = chunk.utf8.count > 4 && chunk.utf8.prefix(4).map { $0 | 0x20 } == Array("www.".utf8).map { $0 | 0x20 }
        if startsWithWWW { return true }
        if hasColon, chunk.utf8.count > 3 {
            let bytes = Array(chunk.utf8)
            for index in 0..<(bytes.count - 2) where bytes[index] == UInt8(ascii: ":") && bytes[index + 1] == UInt8(ascii: "/") && bytes[index + 2] == UInt8(ascii: "/") {
                return true
            }
        }
        // An e-mail needs something before "@", and a domain with a dot that starts with a letter.
        guard atOffset > 0, let at = chunk.firstIndex(of: "@") else { return false }
        let domain = chunk[chunk.index(after: at)...]
        return domain.contains(".") && domain.first?.isLetter == true
    }

    /// Letter and digit tests with an ASCII fast path; the Unicode property lookups are comparatively slow.
    @inline(__always)
    static func classify(_ character: Character) -> (letter: Bool, number: Bool) {
        if let ascii = character.asciiValue {
            let folded = ascii | 0x20
            return (folded >= 0x61 && folded <= 0x7A, ascii >= 0x30 && ascii <= 0x39)
        }
        return (character.isLetter, character.isNumber)
    }

    /// Whitespace test with an ASCII fast path.
    @inline(__always)
    static func isSpace(_ character: Character) -> Bool {
        if let ascii = character.asciiValue { return ascii == 0x20 || (ascii >= 0x09 && ascii <= 0x0D) }
        return character.isWhitespace
    }

    /// Emoji are recognised by Unicode properties so skin tones, flags and ZWJ sequences all count.
    static func isEmoji(_ character: Character) -> Bool {
        if character.asciiValue != nil { return false }
        guard let first = character.unicodeScalars.first else { return false }
        let properties = first.properties
        if properties.isEmojiPresentation { return true }
        // Text-default symbols such as ❤ or ☹ are emoji when not plain ASCII (digits and # are "emoji" too).
        return properties.isEmoji && !first.isASCII
    }

    /// The lookup key for an emoji: its first scalar, so "❤️" and "👍🏽" match "❤" and "👍".
    static func emojiKey(_ character: Character) -> String {
        guard let first = character.unicodeScalars.first else { return "" }
        return String(first)
    }

    private static let trailingPunctuation: Set<Character> = [".", ",", "!", "?", ";", ":", ")", "\"", "'", "…", "]", ">"]

    private static func tokenizeChunk(_ chunk: Substring, into result: inout [Token]) {
        // Emoticons are short and never all letters, so most chunks skip the lowercase copy.
        let mayBeEmoticon = chunk.utf8.count <= 4 || chunk.utf8.contains(where: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: ")") })
        let lowered = mayBeEmoticon ? chunk.lowercased() : ""
        if mayBeEmoticon, emoticons.contains(lowered) {
            result.append(Token(text: lowered, kind: .emoticon))
            return
        }
        if isURLLike(chunk) {
            // Keep sentence punctuation that trails a link so clause logic still sees it.
            var end = chunk.endIndex
            while end > chunk.startIndex, trailingPunctuation.contains(chunk[chunk.index(before: end)]) {
                end = chunk.index(before: end)
            }
            result.append(Token(text: String(chunk[chunk.startIndex..<end]), kind: .url))
            for character in chunk[end...] {
                result.append(Token(text: String(character), kind: .punctuation))
            }
            return
        }
        // An emoticon glued to a word ("great:)") is still worth catching.
        for emoticon in [":)", ":(", ":-)", ":-("] where mayBeEmoticon && lowered.count > emoticon.count && lowered.hasSuffix(emoticon) {
            let body = chunk.dropLast(emoticon.count)
            tokenizeChunk(body, into: &result)
            result.append(Token(text: emoticon, kind: .emoticon))
            return
        }
        scanCharacters(chunk, into: &result)
    }

    private static func isJoiner(_ character: Character) -> Bool {
        character == "'" || character == "’" || character == "-"
    }

    /// Walks a chunk by index so words are cut out as substrings (a copy of bytes, not of characters).
    private static func scanCharacters(_ chunk: Substring, into result: inout [Token]) {
        var index = chunk.startIndex
        let endIndex = chunk.endIndex
        while index < endIndex {
            let character = chunk[index]
            let kind = classify(character)
            if kind.letter || kind.number {
                var end = chunk.index(after: index)
                var hasLetter = kind.letter
                var previousIsNumber = kind.number
                while end < endIndex {
                    let next = classify(chunk[end])
                    if next.letter || next.number {
                        hasLetter = hasLetter || next.letter
                        previousIsNumber = next.number
                        end = chunk.index(after: end)
                        continue
                    }
                    let glue = chunk[end]
                    guard isJoiner(glue) || glue == "." || glue == "," else { break }
                    let afterIndex = chunk.index(after: end)
                    guard afterIndex < endIndex else { break }
                    let after = classify(chunk[afterIndex])
                    guard after.letter || after.number else { break }
                    // Joiners only glue letters ("don't", "follow-up"); dots and commas only glue digits ("3.14", "v1.2").
                    guard isJoiner(glue) || (previousIsNumber && after.number) else { break }
                    end = chunk.index(after: afterIndex)
                    hasLetter = hasLetter || after.letter
                    previousIsNumber = after.number
                }
                emitWord(chunk[index..<end], hasLetter: hasLetter, into: &result)
                index = end
            } else {
                if isEmoji(character) {
                    result.append(Token(text: emojiKey(character), kind: .emoji))
                } else if !isSpace(character) {
                    result.append(Token(text: String(character), kind: .punctuation))
                }
                index = chunk.index(after: index)
            }
        }
    }

    private static func emitWord(_ raw: Substring, hasLetter: Bool, into result: inout [Token]) {
        guard hasLetter else {
            result.append(Token(text: String(raw), kind: .number))
            return
        }
        var word = raw.lowercased()
        if word.utf8.contains(0xE2) {
            word = String(word.map { $0 == "’" ? "'" : $0 })  // typographic apostrophe, as phones type it
        }
        // Split a leading elision ("l'", "dell'") so the noun behind it is a word of its own.
        if let apostrophe = word.firstIndex(of: "'") {
            let head = String(word[..<apostrophe])
            let tail = String(word[word.index(after: apostrophe)...])
            if elisions.contains(head), !tail.isEmpty, tail != "t", tail != "s", tail != "ll", tail != "re", tail != "ve", tail != "d", tail != "m" {
                result.append(Token(text: head + "'", kind: .word))
                word = tail
            } else if tail == "s" {
                // English possessive or "it's": the stem carries the meaning.
                word = head
            }
        }
        if !word.isEmpty {
            result.append(Token(text: word, kind: .word))
        }
    }
}

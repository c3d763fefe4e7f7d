/// What a split-off unit of text is; code never competes with prose for the summary.
enum SegmentKind: Sendable, Equatable {
    case prose
    case code
}

/// One sentence or fenced code block as produced by the splitter.
struct Segment: Sendable, Equatable {
    let text: String
    let kind: SegmentKind
}

/// Chat-aware sentence splitting: lines, terminal punctuation, and the many dots that do not end sentences.
public enum SentenceSplitter {
    /// The sentences (and fenced code blocks, kept whole) of `text`, trimmed, in order.
    public static func sentences(in text: String) -> [String] {
        segments(in: text).map(\.text)
    }

    /// Abbreviations after which a dot never ends a sentence.
    static let fixedAbbreviations = Set<String>([
        "e.g", "i.e", "eg", "ie", "mr", "mrs", "ms", "dr", "prof", "vs", "st", "jr", "sr", "cf", "approx",
        "fig", "nr", "sra", "srta", "dra", "mme", "mlle", "z.b", "d.h", "u.a", "bzw", "ca", "vgl",
        "p.ex", "dott", "p.s", "a.m", "p.m", "u.s", "jan", "feb", "apr", "aug", "sept", "nov",
    ])

    /// Abbreviations that may also close a sentence; they do only when a capitalised word follows.
    static let ambiguousAbbreviations: Set<String> = ["etc", "inc", "ltd", "co", "corp", "usw", "ecc", "pp", "al"]

    private static let terminators: Set<Character> = [".", "!", "?", "…", "。", "！", "？", "‼", "⁉"]
    private static let closers: Set<Character> = ["\"", "'", ")", "]", "”", "’", "»", "*", "_"]

    static func segments(in text: String) -> [Segment] {
        let source = SplitSource(sanitize(text))
        var segments: [Segment] = []
        var proseStart = 0
        var index = 0
        let count = source.count
        while index < count {
            if source.isFence(at: index) {
                appendProse(source, from: proseStart, to: index, into: &segments)
                // The block runs to the closing fence, or to the end when someone forgot to close it.
                var end = index + 3
                while end < count, !source.isFence(at: end) { end += 1 }
                end = min(count, end + 3)
                let block = source.text(from: index, to: end).trimmingWhitespace()
                if !block.isEmpty { segments.append(Segment(text: block, kind: .code)) }
                index = end
                proseStart = end
            } else {
                index += 1
            }
        }
        appendProse(source, from: proseStart, to: count, into: &segments)
        return segments
    }

    /// Drops control characters (they would otherwise leak into summaries) and unifies line breaks.
    private static func sanitize(_ text: String) -> String {
        // Most messages are clean; checking bytes first avoids rebuilding them.
        let clean = text.unicodeScalars.allSatisfy { scalar in
            (scalar.value >= 0x20 && scalar.value != 0x7F && scalar.value < 0x80) || scalar.value == 0x0A
                || (scalar.value >= 0xA0 && scalar.properties.generalCategory != .format) || scalar.value == 0x200D
        }
        if clean { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            if let ascii = character.asciiValue, ascii >= 0x20, ascii != 0x7F {
                result.append(character)
            } else if character == "\r\n" || character == "\r" || character == "\n" || character == "\u{2028}" || character == "\u{2029}" {
                result.append("\n")
            } else if character == "\t" {
                result.append(" ")
            } else if let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1,
                      scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format && scalar.value != 0x200D {
                continue
            } else {
                result.append(character)
            }
        }
        return result
    }

    private static func appendProse(_ source: SplitSource, from start: Int, to end: Int, into segments: inout [Segment]) {
        var lineStart = start
        for index in start..<end where source[index] == "\n" {
            splitLine(source, from: lineStart, to: index, into: &segments)
            lineStart = index + 1
        }
        splitLine(source, from: lineStart, to: end, into: &segments)
    }

    private static let urlPrefixes: [[UInt8]] = ["http://", "https://", "ftp://", "www."].map { Array($0.utf8) }

    private static func isURLStart(_ source: SplitSource, at index: Int, end: Int) -> Bool {
        for prefix in urlPrefixes where index + prefix.count <= end {
            var matches = true
            for offset in 0..<prefix.count {
                guard let ascii = source[index + offset].asciiValue else {
                    matches = false
                    break
                }
                let lower = ascii >= 65 && ascii <= 90 ? ascii + 32 : ascii
                if lower != prefix[offset] {
                    matches = false
                    break
                }
            }
            if matches { return true }
        }
        return false
    }

    /// Splits one line (characters `lineStart..<lineEnd`); a line without terminal punctuation is a sentence by itself.
    private static func splitLine(_ source: SplitSource, from lineStart: Int, to lineEnd: Int, into segments: inout [Segment]) {
        var start = lineStart
        var index = lineStart
        var inInlineCode = false
        while index < lineEnd {
            let character = source[index]
            if character == "`" {
                inInlineCode.toggle()
                index += 1
                continue
            }
            if inInlineCode {
                index += 1
                continue
            }
            if index == lineStart || Tokenizer.isSpace(source[index - 1]), isURLStart(source, at: index, end: lineEnd) {
                // Skip the whole link, then give its trailing punctuation back to the sentence logic.
                var end = index
                while end < lineEnd, !Tokenizer.isSpace(source[end]) { end += 1 }
                while end > index, terminators.contains(source[end - 1]) || closers.contains(source[end - 1]) { end -= 1 }
                index = max(end, index + 1)
                continue
            }
            guard terminators.contains(character) else {
                index += 1
                continue
            }
            var runEnd = index
            while runEnd < lineEnd, terminators.contains(source[runEnd]) { runEnd += 1 }
            var closeEnd = runEnd
            while closeEnd < lineEnd, closers.contains(source[closeEnd]) { closeEnd += 1 }
            // A terminator glued to the next character (3.14, a.b/c.d, v1.2.3, e.g.) is not a boundary.
            guard closeEnd == lineEnd || Tokenizer.isSpace(source[closeEnd]) else {
                index = runEnd
                continue
            }
            if isBoundary(source, run: index..<runEnd, lineStart: lineStart, lineEnd: lineEnd, after: closeEnd) {
                let end = absorbTrailingEmoji(source, from: closeEnd, to: lineEnd)
                appendSentence(source, from: start, to: end, into: &segments)
                start = end
                index = end
            } else {
                index = runEnd
            }
        }
        if start < lineEnd {
            appendSentence(source, from: start, to: lineEnd, into: &segments)
        }
    }

    private static func isBoundary(_ source: SplitSource, run: Range<Int>, lineStart: Int, lineEnd: Int, after: Int) -> Bool {
        let nextWord = firstLetter(source, from: after, to: lineEnd)
        let runCharacters = run.map { source[$0] }
        let isEllipsis = runCharacters.contains("…") || runCharacters.count >= 2 && runCharacters.allSatisfy { $0 == "." }
        if isEllipsis {
            // "well... maybe" trails off mid-thought; only a capital (or the end) starts anew.
            guard let next = nextWord else { return true }
            return next.isUppercase
        }
        guard runCharacters == ["."] else { return true }
        var wordStart = run.lowerBound
        while wordStart > lineStart, !Tokenizer.isSpace(source[wordStart - 1]), source[wordStart - 1] != "(" { wordStart -= 1 }
        let word = source.text(from: wordStart, to: run.lowerBound).lowercased()
        if fixedAbbreviations.contains(word) { return false }
        if word.count == 1, let only = word.first, only.isLetter, source[run.lowerBound - 1].isUppercase {
            return false  // an initial such as "J. Smith"
        }
        if ambiguousAbbreviations.contains(word) {
            guard let next = nextWord else { return true }
            return next.isUppercase
        }
        return true
    }

    private static func firstLetter(_ source: SplitSource, from index: Int, to end: Int) -> Character? {
        var position = index
        while position < end {
            let character = source[position]
            let kind = Tokenizer.classify(character)
            if kind.letter || kind.number { return character }
            if !Tokenizer.isSpace(character), !closers.contains(character), character != "(", character != "\"" { return nil }
            position += 1
        }
        return nil
    }

    /// Emoji right after "Great!" belong to that sentence rather than starting a new one.
    private static func absorbTrailingEmoji(_ source: SplitSource, from index: Int, to lineEnd: Int) -> Int {
        var position = index
        var end = index
        while position < lineEnd {
            let character = source[position]
            if Tokenizer.isSpace(character) {
                position += 1
            } else if Tokenizer.isEmoji(character) {
                position += 1
                end = position
            } else {
                // Emoji followed by their own punctuation ("🇫🇷!") start the next sentence instead.
                return Tokenizer.isSpace(source[position - 1]) ? end : index
            }
        }
        return end
    }

    private static func appendSentence(_ source: SplitSource, from start: Int, to end: Int, into segments: inout [Segment]) {
        let text = source.text(from: start, to: end).trimmingWhitespace()
        if !text.isEmpty {
            segments.append(Segment(text: text, kind: .prose))
        }
    }
}

/// Characters for random access plus their string indices, so slices become substrings without re-encoding.
private struct SplitSource {
    let string: String
    let characters: [Character]
    let offsets: [String.Index]

    init(_ string: String) {
        self.string = string
        var characters: [Character] = []
        var offsets: [String.Index] = []
        characters.reserveCapacity(string.utf8.count)
        offsets.reserveCapacity(string.utf8.count + 1)
        var index = string.startIndex
        while index < string.endIndex {
            characters.append(string[index])
            offsets.append(index)
            index = string.index(after: index)
        }
        offsets.append(string.endIndex)
        self.characters = characters
        self.offsets = offsets
    }

    var count: Int { characters.count }

    subscript(position: Int) -> Character { characters[position] }

    func text(from start: Int, to end: Int) -> Substring {
        string[offsets[start]..<offsets[end]]
    }

    func isFence(at index: Int) -> Bool {
        index + 2 < count && characters[index] == "`" && characters[index + 1] == "`" && characters[index + 2] == "`"
    }
}

extension StringProtocol {
    /// Trims Unicode whitespace at both ends without needing Foundation.
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !Tokenizer.isSpace($0) }),
              let last = lastIndex(where: { !Tokenizer.isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}

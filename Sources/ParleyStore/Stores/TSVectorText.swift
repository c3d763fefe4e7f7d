/// Reads PostgreSQL's text form of a search tsvector (`'00ab…':1,3 '11cd…':2`) back into the message's
/// tokens in text order, the form `WindowRanker` scores.
enum TSVectorText {
    static let maximumPosition = 16_383

    /// Tokens by position; positions the vector does not hold (PostgreSQL keeps at most 256 per lexeme)
    /// stay 0, which no query token equals in practice. Lexemes that are not 16 hex digits are skipped.
    static func tokens(_ text: String) -> [UInt64] {
        var text = text
        return text.withUTF8 { tokens($0) }
    }

    /// `tokens(_:)` of UTF-8 bytes.
    static func tokens(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt64] {
        var placed: [(position: Int, token: UInt64)] = []
        var index = 0
        let count = bytes.count
        while index < count {
            // A lexeme: quoted hex digits.
            guard bytes[index] == UInt8(ascii: "'") else { index += 1; continue }
            index += 1
            var value: UInt64 = 0
            var digits = 0
            var valid = true
            while index < count, bytes[index] != UInt8(ascii: "'") {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value &<< 4 | UInt64(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value &<< 4 | UInt64(byte - UInt8(ascii: "a") + 10)
                default: valid = false
                }
                digits += 1
                index += 1
            }
            index += 1
            valid = valid && digits == 16
            // Its positions: `:1,3` (a weight letter may follow a position).
            guard index < count, bytes[index] == UInt8(ascii: ":") else { continue }
            index += 1
            var position = 0
            var tooLarge = false
            while index <= count {
                let byte = index < count ? bytes[index] : UInt8(ascii: " ")
                if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    position = position * 10 + Int(byte - UInt8(ascii: "0"))
                    // PostgreSQL positions stop at 16,383; anything larger is not one of its vectors.
                    if position > maximumPosition { tooLarge = true; position = 0 }
                } else if byte == UInt8(ascii: ",") || byte == UInt8(ascii: " ") {
                    if valid && !tooLarge && position > 0 { placed.append((position, value)) }
                    position = 0
                    tooLarge = false
                    if byte == UInt8(ascii: " ") { break }
                }
                index += 1
            }
        }
        guard let last = placed.map(\.position).max() else { return [] }
        var tokens = [UInt64](repeating: 0, count: last)
        for entry in placed { tokens[entry.position - 1] = entry.token }
        return tokens
    }
}

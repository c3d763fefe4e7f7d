import SQLKit

/// What PostgreSQL's posting lists hold for one message: each distinct token, and each pair of adjacent
/// tokens (a "bigram") so that a two-word phrase is one posting list instead of a check of every message
/// holding both words.
///
/// The same values are computed in SQL (`sqlUnigram`, `sqlBigram`) when postings are rebuilt from stored
/// tsvectors (migration 3) or removed with them, so the two must agree bit for bit.
enum PostingTerms {
    /// PostgreSQL keeps at most 256 positions of a lexeme and positions up to 16,383; tokens past either
    /// limit are left out of both the tsvector and the postings, so that what is stored can be rebuilt.
    static let occurrenceLimit = 256
    static let tokenLimit = 16_000

    /// The tokens as the tsvector keeps them: in text order, 0 where a token was left out.
    static func kept(_ tokens: [UInt64]) -> [UInt64] {
        var seen: [UInt64: Int] = [:]
        return tokens.prefix(tokenLimit).map { token in
            let count = seen[token, default: 0] + 1
            seen[token] = count
            return count > occurrenceLimit ? 0 : token
        }
    }

    /// A pair of adjacent tokens as one value. Tokens are already keyed hashes, so mixing them by a
    /// rotation and XOR is as unpredictable as they are, and it is cheap to repeat in SQL.
    static func bigram(_ first: UInt64, _ second: UInt64) -> UInt64 {
        first ^ (second << 17 | second >> 47)
    }

    /// Every posting term of a message's kept tokens.
    static func terms(_ kept: [UInt64]) -> Set<UInt64> {
        var terms = Set<UInt64>()
        terms.reserveCapacity(kept.count * 2)
        for (index, token) in kept.enumerated() where token != 0 {
            terms.insert(token)
            if index + 1 < kept.count, kept[index + 1] != 0 { terms.insert(bigram(token, kept[index + 1])) }
        }
        return terms
    }

    /// A tsvector literal of kept tokens, `0123…:1 4567…:2`, cast (never parsed as text) on the way in.
    static func tsvectorLiteral(_ kept: [UInt64]) -> String {
        var literal = ""
        literal.reserveCapacity(kept.count * 22)
        for (index, token) in kept.enumerated() where token != 0 {
            if !literal.isEmpty { literal.append(" ") }
            let hex = String(token, radix: 16)
            literal.append(String(repeating: "0", count: 16 - hex.utf8.count))
            literal.append(hex)
            literal.append(":")
            literal.append(String(index + 1))
        }
        return literal
    }

    /// SQL for a lexeme's term (the bits of its 16 hex digits as a signed 64-bit integer).
    static func sqlUnigram(_ lexeme: String) -> String {
        "CAST(CAST('x' || \(lexeme) AS BIT(64)) AS BIGINT)"
    }

    /// SQL for `bigram` of two lexemes; `>>` sign-extends on BIGINT, hence the mask.
    static func sqlBigram(_ first: String, _ second: String) -> String {
        let a = sqlUnigram(first)
        let b = sqlUnigram(second)
        return "(\(a) # ((\(b) << 17) | ((\(b) >> 47) & 131071)))"
    }

    /// `SELECT seq, term` of every posting of the `message_search` rows (alias `s`) that `condition`
    /// selects, rebuilt from their tsvectors.
    static func sqlPostings(where condition: SQLQueryString) -> SQLQueryString {
        let marker = "\u{0}"
        let parts = sqlPostings(whereText: marker).split(separator: marker, omittingEmptySubsequences: false).map(String.init)
        var query: SQLQueryString = "\(unsafeRaw: parts[0])"
        for part in parts.dropFirst() {
            query += condition
            query += "\(unsafeRaw: part)"
        }
        return query
    }

    /// `sqlPostings(where:)` with a condition of SQL text.
    static func sqlPostings(whereText condition: String) -> String {
        """
        SELECT s.seq AS seq, \(sqlUnigram("u.lexeme")) AS term FROM message_search s, unnest(s.tokens) u WHERE \(condition)
        UNION
        SELECT s.seq, \(sqlBigram("x.lexeme", "x.next")) FROM message_search s, LATERAL (
            SELECT y.lexeme, y.position, lead(y.lexeme) OVER (ORDER BY y.position) AS next,
                lead(y.position) OVER (ORDER BY y.position) AS next_position
            FROM (SELECT u.lexeme, p AS position FROM unnest(s.tokens) u, unnest(u.positions) p) y
        ) x
        WHERE \(condition) AND x.next_position = x.position + 1
        """
    }
}

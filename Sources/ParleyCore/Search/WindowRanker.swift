import Foundation

/// Okapi BM25 over a window of candidate documents, with document frequencies supplied by the caller.
///
/// SQLite's `bm25()` counts each query term's documents by walking its whole posting list, which in a
/// large room was most of a search's cost. Here the frequencies come from counts the store bounds (a term
/// in more documents than the bound is simply "very common"), and only the candidates are scored.
public struct WindowRanker: Sendable {
    /// One candidate: its search tokens in text order, as numbers (tokens are 64-bit hashes in hex, and
    /// comparing integers instead of substrings made scoring several times cheaper).
    public struct Candidate: Sendable {
        public let id: Int64
        public let tokens: [UInt64]

        public init(id: Int64, tokens: [UInt64]) {
            self.id = id
            self.tokens = tokens
        }

        /// From the index's token list: hex tokens separated by spaces (anything else is skipped).
        public init(id: Int64, tokenList: String) {
            var list = tokenList
            self.init(id: id, tokens: list.withUTF8 { WindowRanker.parseTokens($0) })
        }
    }

    static let k1 = 1.2
    static let b = 0.75

    /// Each required clause: its tokens (one for a word, several for a phrase) and how many documents of
    /// the collection hold it.
    let clauses: [(tokens: [UInt64], documentFrequency: Int)]
    let collectionSize: Int

    public init(clauses: [(tokens: [UInt64], documentFrequency: Int)], collectionSize: Int) {
        self.clauses = clauses
        self.collectionSize = max(collectionSize, 1)
    }

    /// Scores every candidate (always above 0) and returns the best `limit`, ties newest (highest id) first.
    public func best(_ candidates: [Candidate], limit: Int) -> [(id: Int64, score: Double)] {
        guard !candidates.isEmpty, limit > 0 else { return [] }
        let averageLength = Double(candidates.reduce(0) { $0 + $1.tokens.count }) / Double(candidates.count)
        let weights = clauses.map { clause -> Double in
            let n = Double(min(max(clause.documentFrequency, 1), collectionSize))
            let total = Double(collectionSize)
            return log(1 + (total - n + 0.5) / (n + 0.5))
        }
        let scored = candidates.map { candidate -> (id: Int64, score: Double) in
            let length = Double(candidate.tokens.count)
            let norm = Self.k1 * (1 - Self.b + Self.b * length / max(averageLength, 1))
            var score = 0.0
            for (clause, weight) in zip(clauses, weights) {
                let frequency = Double(Self.occurrences(of: clause.tokens, in: candidate.tokens))
                guard frequency > 0 else { continue }
                score += weight * frequency * (Self.k1 + 1) / (frequency + norm)
            }
            // Candidates all matched the query; a floor keeps every score positive.
            return (candidate.id, max(score, 1e-6))
        }
        return Array(scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.id > $1.id }.prefix(limit))
    }

    /// A token's number: its 16 hex digits; nil for anything else.
    public static func number(_ token: String) -> UInt64? {
        var token = token
        let tokens = token.withUTF8 { parseTokens($0) }
        return tokens.count == 1 && token.utf8.count == 16 ? tokens[0] : nil
    }

    static func parseTokens(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt64] {
        var tokens: [UInt64] = []
        tokens.reserveCapacity(bytes.count / 17 + 1)
        var value: UInt64 = 0
        var digits = 0
        var valid = true
        func finish() {
            if valid && digits == 16 { tokens.append(value) }
            value = 0
            digits = 0
            valid = true
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: " "): finish()
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value &<< 4 | UInt64(byte - UInt8(ascii: "0")); digits += 1
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value &<< 4 | UInt64(byte - UInt8(ascii: "a") + 10); digits += 1
            default: valid = false
            }
        }
        finish()
        return tokens
    }

    /// How often `phrase` occurs in `tokens` as consecutive tokens.
    public static func occurrences(of phrase: [UInt64], in tokens: [UInt64]) -> Int {
        guard let first = phrase.first, tokens.count >= phrase.count else { return 0 }
        var count = 0
        var index = 0
        while index + phrase.count <= tokens.count {
            if tokens[index] == first {
                var matches = true
                for offset in 1..<phrase.count where tokens[index + offset] != phrase[offset] {
                    matches = false
                    break
                }
                if matches { count += 1 }
            }
            index += 1
        }
        return count
    }
}

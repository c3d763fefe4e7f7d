import Crypto
import Foundation
import ParleySearchText

/// What the search index stores for one message: the room's marker token and the message's term tokens,
/// each a keyed hash (HMAC-SHA-256 truncated to 64 bits, hex) of a normalised term.
///
/// Hashing with a per-room key keeps words out of the database: someone reading it learns how often a
/// token occurs and where tokens repeat within a room, but not which words they stand for, and the same
/// word looks different in every room.
public struct SearchTokens: Sendable, Equatable {
    public let room: String
    public let terms: [String]

    public init(room: String, terms: [String]) {
        self.room = room
        self.terms = terms
    }
}

/// A query whose clauses are search tokens, ready for either engine's query syntax. Tokens are lower-case
/// hex, so nothing a user typed can reach the engine's syntax.
public struct HashedQuery: Sendable, Equatable {
    public let room: String
    /// Each clause is one token (a word) or several (a phrase).
    public let required: [[String]]
    public let excluded: [[String]]

    public init(room: String, required: [[String]], excluded: [[String]]) {
        self.room = room
        self.required = required
        self.excluded = excluded
    }

    /// FTS5 syntax: `h1 AND "h2 h3" NOT h4`. Term tokens are keyed per room, so they already select the
    /// room; the room token (whose posting list is the whole room) is only the base a query of exclusions
    /// alone subtracts from.
    public var fts5: String {
        let base = required.isEmpty ? [room] : required.map(Self.fts5Clause)
        var expression = base.joined(separator: " AND ")
        for clause in excluded { expression = "(\(expression)) NOT \(Self.fts5Clause(clause))" }
        return expression
    }

    /// PostgreSQL tsquery syntax: `h1 & (h2 <-> h3) & !h4`.
    public var tsquery: String {
        let positive = required.map { $0.count == 1 ? $0[0] : "(" + $0.joined(separator: " <-> ") + ")" }
        let negative = excluded.map { "!" + ($0.count == 1 ? $0[0] : "(" + $0.joined(separator: " <-> ") + ")") }
        return (positive + negative).joined(separator: " & ")
    }

    /// One clause in FTS5 syntax: a token, or a quoted phrase of tokens.
    public static func fts5Clause(_ clause: [String]) -> String {
        clause.count == 1 ? clause[0] : "\"" + clause.joined(separator: " ") + "\""
    }
}

/// Turns terms into search tokens with a room's search key.
public struct SearchHasher: Sendable {
    /// HMAC state with the key already absorbed: copying it per term skips the key set-up, which was
    /// half the cost of a token.
    private let keyed: HMAC<SHA256>

    /// The room's search key is derived from its first data key, so that key rotation leaves the index valid.
    public init(roomKey: SymmetricKey) {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: roomKey, info: Array("parley/search-index".utf8), outputByteCount: 32)
        self.keyed = HMAC<SHA256>(key: key)
    }

    public func token(_ normalizedTerm: String) -> String {
        var hmac = keyed
        var term = normalizedTerm
        term.withUTF8 { hmac.update(data: $0) }
        let mac = hmac.finalize()
        var hex = [UInt8]()
        hex.reserveCapacity(16)
        for byte in mac.prefix(8) {
            hex.append(Self.hexDigits[Int(byte >> 4)])
            hex.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The token every document of the room carries ('r' keeps it apart from term tokens, which are hex).
    public var roomToken: String { "r" + token("\u{0}room") }

    public func tokens(for text: String) -> SearchTokens {
        SearchTokens(room: roomToken, terms: TextNormalizer.terms(in: text).map { token($0.normalized) })
    }

    public func hash(_ query: SearchQuery) -> HashedQuery {
        func clause(_ clause: SearchQuery.Clause) -> [String] {
            switch clause {
            case .term(let term): [token(term)]
            case .phrase(let terms): terms.map(token)
            }
        }
        return HashedQuery(room: roomToken, required: query.required.map(clause), excluded: query.excluded.map(clause))
    }
}

/// Filters of a search request, validated.
public struct SearchFilters: Sendable, Equatable {
    public var messageType: MessageType?
    public var userID: String?
    public var from: Timestamp?
    public var to: Timestamp?

    public init(messageType: MessageType? = nil, userID: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil) {
        self.messageType = messageType
        self.userID = userID
        self.from = from
        self.to = to
    }
}

/// One match: the message and the engine's raw relevance (higher is better, > 0).
public struct SearchHit: Sendable, Equatable {
    public let messageID: String
    public let score: Double

    public init(messageID: String, score: Double) {
        self.messageID = messageID
        self.score = score
    }
}

/// The full-text index over server-readable messages (SQLite FTS5 or PostgreSQL tsvector).
public protocol SearchIndex: Sendable {
    /// Best matches first (ties newest first), and how many match in all (counted up to `countLimit`).
    /// Without filters, only the newest `rankWindow` matches are ranked.
    func search(
        roomID: String, query: HashedQuery, filters: SearchFilters, limit: Int, countLimit: Int, rankWindow: Int
    ) async throws -> (hits: [SearchHit], total: Int)
}

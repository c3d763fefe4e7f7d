import Foundation
import ParleySearchText
import Logging

/// The fields of `POST /chatrooms/{id}/search`, as received (dates already parsed by the HTTP layer; the
/// `user_id` filter is parsed here, among the other fields, so that all their errors are reported together).
public struct SearchRequest: Sendable {
    public var query: String?
    public var messageType: String?
    public var userID: String?
    public var dateFrom: Timestamp?
    public var dateTo: Timestamp?
    public var limit: Int?

    public init(query: String?, messageType: String? = nil, userID: String? = nil, dateFrom: Timestamp? = nil, dateTo: Timestamp? = nil, limit: Int? = nil) {
        self.query = query
        self.messageType = messageType
        self.userID = userID
        self.dateFrom = dateFrom
        self.dateTo = dateTo
        self.limit = limit
    }
}

/// Where the match sits in the message text.
public struct SearchContextView: Encodable, Sendable, Equatable {
    public let before: String
    public let match: String
    public let after: String
}

/// One search result.
public struct SearchResultView: Encodable, Sendable {
    public let message: MessageView
    public let relevanceScore: Double
    public let matchedTerms: [String]
    @NullEncodable public var context: SearchContextView?

    enum CodingKeys: String, CodingKey {
        case message
        case relevanceScore = "relevance_score"
        case matchedTerms = "matched_terms"
        case context
    }
}

/// The search response body.
public struct SearchResponseView: Encodable, Sendable {
    public let results: [SearchResultView]
    public let totalResults: Int
    public let searchTimeMs: Int

    enum CodingKeys: String, CodingKey {
        case results
        case totalResults = "total_results"
        case searchTimeMs = "search_time_ms"
    }
}

/// Ranked full-text search in server-readable rooms (API.md §7).
public struct SearchService: Sendable {
    public static let limitRange = 1...100
    public static let defaultLimit = 20
    /// `total_results` is exact up to this many matches.
    public static let countLimit = 10_000
    /// A query without filters ranks the newest this many matches (API.md, Search).
    public static let rankWindow = 2_000

    let index: any SearchIndex
    let messages: MessageService
    let keyRing: KeyRing

    public init(index: any SearchIndex, messages: MessageService, keyRing: KeyRing) {
        self.index = index
        self.messages = messages
        self.keyRing = keyRing
    }

    public func search(in roomID: RoomID, _ request: SearchRequest, by identity: Identity) async throws -> SearchResponseView {
        let started = ContinuousClock.now
        var validator = Validator()
        let limit = validator.integer(request.limit, field: "limit", range: Self.limitRange) ?? Self.defaultLimit
        var filters = SearchFilters(from: request.dateFrom, to: request.dateTo)
        if let type = request.messageType {
            if let parsed = MessageType(rawValue: type), parsed != .system {
                filters.messageType = parsed
            } else {
                validator.fail("message_type", .validationInvalidValue, "message_type must be text, image or file")
            }
        }
        if let user = request.userID {
            if let id = UserID(parsing: user) { filters.userID = id.rawValue } else {
                validator.fail("user_id", .validationInvalidFormat, "user_id must be a UUID")
            }
        }
        if let from = filters.from, let to = filters.to, from > to {
            validator.fail("date_from", .validationInvalidValue, "date_from must not be after date_to")
        }
        let (room, _) = try await messages.access(roomID, identity, .view)
        guard !room.encryptionEnabled else {
            throw ParleyError(.searchUnavailableEncrypted, status: 422,
                              "This chatroom is end-to-end encrypted: the server cannot read its messages. Search your decrypted copy on the client.")
        }
        guard let text = request.query else {
            throw ParleyError.validation(.validationRequiredField, field: "query", "query is required")
        }
        try ControlCharacters.check(text.trimmingWhitespace(), field: "query")
        let query: SearchQuery
        do {
            query = try SearchQueryParser.parse(text)
        } catch {
            throw Self.describe(error)
        }
        try validator.check()

        let hasher = try await keyRing.searchHasher(roomID: room.id)
        let (hits, total) = try await index.search(roomID: room.id, query: hasher.hash(query), filters: filters, limit: limit, countLimit: Self.countLimit, rankWindow: Self.rankWindow)
        let stored = try await messages.store.messages(ids: hits.map(\.messageID), roomID: room.id)
        let views = Dictionary(try await messages.render(stored).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let best = hits.map(\.score).max() ?? 1
        let wanted = Set(query.required.flatMap { clause -> [String] in
            switch clause {
            case .term(let term): [term]
            case .phrase(let terms): terms
            }
        })
        let results = hits.compactMap { hit -> SearchResultView? in
            guard let view = views[hit.messageID] else { return nil }
            let messageText = view.content?.objectValue?["text"]?.stringValue ?? ""
            let snippet = SnippetBuilder.snippet(in: messageText, normalizedTerms: wanted)
            // Relative to the best hit, so the top result scores 1 and every score is above 0.
            let relevance = best > 0 ? max(hit.score / best, 0.0001) : 1
            return SearchResultView(
                message: view, relevanceScore: (relevance * 10_000).rounded() / 10_000,
                matchedTerms: SnippetBuilder.matchedWords(in: messageText, normalizedTerms: wanted),
                context: snippet.map { SearchContextView(before: $0.before, match: $0.match, after: $0.after) })
        }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        return SearchResponseView(results: results, totalResults: total, searchTimeMs: milliseconds)
    }

    static func describe(_ error: SearchQueryError) -> ParleyError {
        switch error {
        case .empty:
            return .validation(.validationRequiredField, field: "query", "query has no searchable words")
        case .onlyExclusions:
            return .validation(field: "query", "query needs at least one word to look for, not only -exclusions")
        case .tooLong(let limit):
            return .validation(.validationLengthExceeded, field: "query", "query must be at most \(limit) characters")
        case .tooManyTerms(let limit):
            return .validation(.validationLengthExceeded, field: "query", "query may have at most \(limit) words and phrases")
        }
    }
}

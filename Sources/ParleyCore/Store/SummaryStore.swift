/// Whether a summary was asked for or made by the server on its own.
public enum SummaryType: String, Sendable, Codable {
    case automatic
    case manual
}

/// A summary as stored: the readable parts (`payload`: text and keywords) sealed under the room key.
public struct StoredSummary: Sendable, Equatable {
    public var id: String
    public var roomID: String
    public var type: SummaryType
    public var payload: String
    public var keyVersion: Int?
    public var messageCount: Int
    public var startDate: Timestamp
    public var endDate: Timestamp
    public var participants: [String]
    public var sentimentScore: Double
    public var language: String
    public var provider: String
    public var createdAt: Timestamp

    public init(
        id: String, roomID: String, type: SummaryType, payload: String, keyVersion: Int?, messageCount: Int, startDate: Timestamp,
        endDate: Timestamp, participants: [String], sentimentScore: Double, language: String, provider: String, createdAt: Timestamp
    ) {
        self.id = id
        self.roomID = roomID
        self.type = type
        self.payload = payload
        self.keyVersion = keyVersion
        self.messageCount = messageCount
        self.startDate = startDate
        self.endDate = endDate
        self.participants = participants
        self.sentimentScore = sentimentScore
        self.language = language
        self.provider = provider
        self.createdAt = createdAt
    }
}

/// Persistence of summaries and of what automatic summaries have covered.
public protocol SummaryStore: Sendable {
    func insertSummary(_ summary: StoredSummary) async throws
    /// The newest summary of the room whose period overlaps [from, to] and whose type matches, if any.
    func latestSummary(roomID: String, type: SummaryType?, from: Timestamp?, to: Timestamp?) async throws -> StoredSummary?
    /// Non-deleted user messages of a room created in [from, to], the newest `limit` of them, oldest first.
    func summaryMessages(roomID: String, from: Timestamp, to: Timestamp, limit: Int) async throws -> [StoredMessage]
    /// Non-deleted user messages with seq in the range, the newest `limit` of them, oldest first.
    func summaryMessages(roomID: String, seqRange: ClosedRange<Int64>, limit: Int) async throws -> [StoredMessage]
    /// Claims the messages up to `seq` for an automatic summary; false when another claim got there first.
    func claimAutomaticSummary(roomID: String, from previous: Int64, to seq: Int64) async throws -> Bool
    /// The room's message count and automatic-summary settings and position; nil for a deleted room.
    func summaryProgress(roomID: String) async throws -> RoomProgress?
}

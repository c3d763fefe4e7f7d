/// One chat message as the summarizer sees it.
public struct ChatLine: Sendable, Equatable {
    /// The author's user id.
    public let speakerID: String
    /// The author's display name, used to attribute summary sentences.
    public let speakerName: String
    /// The message text as typed.
    public let text: String
    /// When the message was sent, in epoch milliseconds.
    public let timestamp: Int64

    /// Creates a chat line.
    public init(speakerID: String, speakerName: String, text: String, timestamp: Int64) {
        self.speakerID = speakerID
        self.speakerName = speakerName
        self.text = text
        self.timestamp = timestamp
    }
}

/// What the built-in summarizer produces.
public struct SummaryResult: Sendable, Equatable {
    /// The extractive summary: one `"<speakerName>: <sentence>"` per line, in chronological order.
    public let summaryText: String
    /// Lowercase keywords and key phrases, best first.
    public let keywords: [String]
    /// Overall mood in [-1, 1]; 0 is neutral.
    public let sentimentScore: Double
    /// ISO 639-1 code of the dominant language, or "und" when it cannot be told.
    public let language: String
    /// Distinct speaker ids in order of first appearance.
    public let participants: [String]
    /// How many messages were summarized.
    public let messageCount: Int

    /// Creates a summary result.
    public init(
        summaryText: String,
        keywords: [String],
        sentimentScore: Double,
        language: String,
        participants: [String],
        messageCount: Int
    ) {
        self.summaryText = summaryText
        self.keywords = keywords
        self.sentimentScore = sentimentScore
        self.language = language
        self.participants = participants
        self.messageCount = messageCount
    }
}

import ParleySummary

/// Writes the summary text of a conversation. The built-in summarizer always exists; an LLM provider may
/// be configured in front of it.
public protocol SummaryProvider: Sendable {
    /// The summary text, or nil to fall back to the built-in summarizer (timeout, error, unusable reply).
    func summarize(_ lines: [ChatLine], customPrompt: String?) async -> String?
    /// How summaries from this provider are labelled (`provider` in the API).
    var name: String { get }
}

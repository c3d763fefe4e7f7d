import ParleyCore

/// One message's entry in the search index, written in the transaction that stores or edits the message.
struct SearchIndexEntry: Sendable {
    let messageID: String
    let roomID: String
    let seq: Int64
    let tokens: SearchTokens
}

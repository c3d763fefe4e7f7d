/// What happened to one message of a batch insert.
public enum InsertOutcome: Sendable, Equatable {
    case stored(StoredMessage)
    /// The same sender already sent this `client_id` to the room within 24 hours: that message.
    case duplicate(StoredMessage)
    /// The room was deleted before the message could be stored.
    case roomGone
    /// The sender is no longer a member of the room.
    case notMember
}

/// A room's counters after a batch advanced it (for automatic summaries).
public struct RoomProgress: Sendable, Equatable {
    public let roomID: String
    public let lastSeq: Int64
    public let autoSummaryEnabled: Bool
    public let summaryThreshold: Int
    public let summarizedSeq: Int64

    public init(roomID: String, lastSeq: Int64, autoSummaryEnabled: Bool, summaryThreshold: Int, summarizedSeq: Int64) {
        self.roomID = roomID
        self.lastSeq = lastSeq
        self.autoSummaryEnabled = autoSummaryEnabled
        self.summaryThreshold = summaryThreshold
        self.summarizedSeq = summarizedSeq
    }
}

/// A stored reaction with its author's username.
public struct ReactionRecord: Sendable, Equatable {
    public let messageID: String
    public let view: ReactionView

    public init(messageID: String, view: ReactionView) {
        self.messageID = messageID
        self.view = view
    }
}

/// Messages together with what showing them needs, read in one go.
public struct MessagesForDisplay: Sendable {
    public var messages: [StoredMessage]
    /// Authors by user id; a deleted account is missing.
    public var authors: [String: PublicUserView]
    public var reactions: [String: [ReactionView]]
    public var attachments: [String: [AttachmentView]]

    public init(
        messages: [StoredMessage], authors: [String: PublicUserView], reactions: [String: [ReactionView]],
        attachments: [String: [AttachmentView]]
    ) {
        self.messages = messages
        self.authors = authors
        self.reactions = reactions
        self.attachments = attachments
    }
}

/// Persistence of messages, reactions and read positions.
public protocol MessageStore: Sendable {
    /// The room and the user's membership (nil when not a member), in one read.
    func roomAccess(roomID: String, userID: String) async throws -> (room: Room, membership: Membership?)?
    /// `roomAccess` and the user's account together, in one read (the send path needs both).
    func sendAccess(roomID: String, userID: String) async throws -> (room: Room, membership: Membership?, author: User?)?
    /// Stores a batch of messages in one transaction (group commit). Per room, `seq` is allocated in order
    /// of the batch, `created_at` never goes backwards, and `client_id` repeats within 24 hours resolve to
    /// the earlier message.
    func insert(_ batch: [NewMessage], idempotencyWindow: Int64) async throws -> (outcomes: [InsertOutcome], progress: [RoomProgress])
    func message(id: String, roomID: String) async throws -> StoredMessage?
    /// Messages by id (any order; missing ones left out).
    func messages(ids: [String], roomID: String) async throws -> [StoredMessage]
    /// Messages with `seq` in `range`, ascending or descending.
    func messages(roomID: String, seqRange: ClosedRange<Int64>, descending: Bool) async throws -> [StoredMessage]
    /// `messages(roomID:seqRange:descending:)` with authors, reactions and attachments, on one connection:
    /// authors come joined to the rows and reactions and attachments are looked up only for messages that
    /// have some, so a page usually costs one statement instead of four.
    func messagesForDisplay(roomID: String, seqRange: ClosedRange<Int64>, descending: Bool) async throws -> MessagesForDisplay
    /// The `seq` range of messages created after `after` and before `before` (both exclusive); nil when empty.
    func seqRange(roomID: String, after: Timestamp?, before: Timestamp?) async throws -> ClosedRange<Int64>?
    func reactions(messageIDs: [String]) async throws -> [ReactionRecord]
    // Edits, deletions and reactions take the `RoleRequirement` of the action and read the actor's role in
    // their own transaction (so a member removed or demoted after the service's check changes nothing).

    /// Replaces the content of a live message; returns it updated, or `.done(nil)` when missing or deleted.
    func edit(
        messageID: String, roomID: String, content: String, keyVersion: Int?, searchTokens: SearchTokens?, requirement: RoleRequirement,
        at time: Timestamp
    ) async throws -> Guarded<StoredMessage?>
    /// Turns a message into a tombstone (content and reactions removed); returns it and the storage keys of
    /// its files, or `.done(nil)` when missing or already deleted.
    func tombstone(
        messageID: String, roomID: String, requirement: RoleRequirement, at time: Timestamp
    ) async throws -> Guarded<(message: StoredMessage, fileKeys: [String])?>
    /// Adds `requirement.actorID`'s reaction; `.done(false)` when they already reacted with that emoji.
    func addReaction(messageID: String, roomID: String, emoji: String, requirement: RoleRequirement, at time: Timestamp) async throws -> Guarded<Bool>
    /// Removes `requirement.actorID`'s reaction; `.done(false)` when there was none.
    func removeReaction(messageID: String, roomID: String, emoji: String, requirement: RoleRequirement) async throws -> Guarded<Bool>
    /// Moves the read position forward to `seq`; false when it already was at or past it.
    func markRead(roomID: String, userID: String, seq: Int64, messageID: String, at time: Timestamp) async throws -> Bool
}

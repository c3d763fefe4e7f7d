import Foundation
import Logging
import ParleySummary
import Synchronization

/// A summary as the API shows it.
public struct SummaryView: Encodable, Sendable, Equatable {
    public let id: String
    public let chatroomID: String
    public let summaryText: String
    public let summaryType: SummaryType
    public let messageCount: Int
    public let startDate: Timestamp
    public let endDate: Timestamp
    public let participants: [String]
    public let keywords: [String]
    public let sentimentScore: Double
    public let language: String
    public let provider: String
    public let createdAt: Timestamp
    /// True when a member's `custom_prompt` shaped the text (an LLM provider used it), so readers of a
    /// broadcast summary know it is not the server's neutral account.
    public let customPrompt: Bool
    /// Who asked for a manual summary; null for automatic ones.
    @NullEncodable public var requestedBy: String?

    enum CodingKeys: String, CodingKey {
        case id
        case chatroomID = "chatroom_id"
        case summaryText = "summary_text"
        case summaryType = "summary_type"
        case messageCount = "message_count"
        case startDate = "start_date"
        case endDate = "end_date"
        case participants, keywords
        case sentimentScore = "sentiment_score"
        case language, provider
        case createdAt = "created_at"
        case customPrompt = "custom_prompt"
        case requestedBy = "requested_by"
    }
}

/// `data` of `summary_created`.
public struct SummaryCreatedPayload: Encodable, Sendable {
    public let chatroomID: String
    public let summary: SummaryView
    enum CodingKeys: String, CodingKey {
        case chatroomID = "chatroom_id"
        case summary
    }
}

/// Summaries of server-readable rooms (API.md §8): manual ones on request, automatic ones every
/// `summary_threshold` messages, in the background, at most one per room per `automaticInterval`.
public final class SummaryService: Sendable {
    public static let maximumMessages = 500
    public static let customPromptMaximum = 2000

    let summaries: any SummaryStore
    let rooms: any RoomStore
    let messages: MessageService
    let keyRing: KeyRing
    let broker: any Broker
    let provider: (any SummaryProvider)?
    /// Manual summaries per user and per room; nil: only the general rate limit applies.
    let quota: SummaryQuota?
    let builtin = Summarizer()
    let logger: Logger
    /// The shortest time between two automatic summaries of a room. A busy room crosses its threshold
    /// many times a second; one summary covering all of that is what a reader wants, and it keeps the
    /// summarizer from taking the CPU that delivery needs.
    let automaticInterval: Duration
    private let automaticState = Mutex(AutomaticState())
    /// Automatic summaries being made.
    /// Automatic summaries running, and rooms waiting for the interval to pass.
    private let tasks = Mutex(TaskSet())

    /// Which rooms have an automatic summary running, waiting for the interval, or made recently.
    private struct AutomaticState {
        var running: Set<String> = []
        var deferred: Set<String> = []
        var lastStarted: [String: ContinuousClock.Instant] = [:]
    }

    public init(
        summaries: any SummaryStore, rooms: any RoomStore, messages: MessageService, keyRing: KeyRing, broker: any Broker,
        provider: (any SummaryProvider)?, automaticInterval: Duration = .seconds(30), quota: SummaryQuota? = nil, logger: Logger
    ) {
        self.automaticInterval = automaticInterval
        self.quota = quota
        self.summaries = summaries
        self.rooms = rooms
        self.messages = messages
        self.keyRing = keyRing
        self.broker = broker
        self.provider = provider
        self.logger = logger
    }

    /// `POST /chatrooms/{id}/summary`.
    public func generate(in roomID: RoomID, from: Timestamp?, to: Timestamp?, customPrompt: String?, by identity: Identity) async throws -> SummaryView {
        let (room, _) = try await messages.access(roomID, identity, .view)
        try Self.requireReadable(room)
        var prompt: String?
        if let given = customPrompt?.trimmingWhitespace(), !given.isEmpty {
            guard given.count <= Self.customPromptMaximum else {
                throw ParleyError.validation(.validationLengthExceeded, field: "custom_prompt", "custom_prompt must be at most \(Self.customPromptMaximum) characters")
            }
            try ControlCharacters.check(given, field: "custom_prompt")
            prompt = given
        }
        let end = to ?? .now()
        let start = from ?? end.adding(seconds: -24 * 3600)
        guard start <= end else { throw ParleyError.validation(field: "date_from", "date_from must not be after date_to") }
        // Counted once the request is known to be valid and before any of the expensive work.
        try await quota?.admit(roomID: room.id, userID: identity.userID, now: .now())
        let stored = try await summaries.summaryMessages(roomID: room.id, from: start, to: end, limit: Self.maximumMessages)
        guard !stored.isEmpty else {
            throw ParleyError.validation(field: "date_from", "There are no messages to summarise in this period", details: ["reason": "no_messages"])
        }
        return try await make(.manual, for: room, from: stored, customPrompt: prompt, requestedBy: identity.userID)
    }

    /// `GET /chatrooms/{id}/summary`.
    public func latest(in roomID: RoomID, type: String?, from: Timestamp?, to: Timestamp?, by identity: Identity) async throws -> SummaryView {
        var kind: SummaryType?
        if let type {
            guard let parsed = SummaryType(rawValue: type) else {
                throw ParleyError.validation(field: "summary_type", "summary_type must be automatic or manual")
            }
            kind = parsed
        }
        let (room, _) = try await messages.access(roomID, identity, .view)
        try Self.requireReadable(room)
        guard let summary = try await summaries.latestSummary(roomID: room.id, type: kind, from: from, to: to) else {
            throw ParleyError.notFound(.resourceNotFound, "No summary matches; generate one with POST")
        }
        return try await view(of: summary)
    }

    /// Watches message batches and starts automatic summaries where a room crossed its threshold.
    public func observe(_ progress: [RoomProgress]) {
        for room in progress where room.autoSummaryEnabled && room.lastSeq - room.summarizedSeq >= Int64(room.summaryThreshold) {
            switch decide(room.roomID) {
            case .skip:
                continue
            case .start:
                track {
                    defer { _ = self.automaticState.withLock { $0.running.remove(room.roomID) } }
                    do {
                        try await self.automatic(room)
                    } catch {
                        self.logger.warning("Automatic summary failed", metadata: ["room": .string(room.roomID), "error": .string("\(error)")])
                    }
                }
            case .defer(let wait):
                // Too soon after the last one: look again when the interval has passed, so the messages
                // are summarised even if the room goes quiet meanwhile.
                track(deferred: true) {
                    let slept: Void? = try? await Task.sleep(for: wait)
                    _ = self.automaticState.withLock { $0.deferred.remove(room.roomID) }
                    guard slept != nil, let fresh = try? await self.summaries.summaryProgress(roomID: room.roomID) else { return }
                    self.observe([fresh])
                }
            }
        }
    }

    private enum AutomaticDecision {
        case start, skip
        case `defer`(Duration)
    }

    private func decide(_ roomID: String) -> AutomaticDecision {
        let now = ContinuousClock.now
        let interval = automaticInterval
        return automaticState.withLock { state in
            guard !state.running.contains(roomID), !state.deferred.contains(roomID) else { return .skip }
            if let last = state.lastStarted[roomID], now - last < interval {
                state.deferred.insert(roomID)
                return .defer(interval - (now - last))
            }
            if state.lastStarted.count > 10_000 { state.lastStarted = state.lastStarted.filter { now - $0.value < interval } }
            state.lastStarted[roomID] = now
            state.running.insert(roomID)
            return .start
        }
    }

    /// Runs `work` as a task that stays listed (for `stop`) until it ends, then removes itself: a finished
    /// task is not cancelled, so pruning by `isCancelled` kept one entry per summary for the process's life.
    private func track(deferred: Bool = false, _ work: @escaping @Sendable () async -> Void) {
        tasks.withLock { tasks in
            tasks.next += 1
            let token = tasks.next
            // Task creation only enqueues; the task takes the lock later, from its own context.
            let task = Task {
                await work()
                self.tasks.withLock { $0.remove(token) }
            }
            if deferred { tasks.waiting[token] = task } else { tasks.background[token] = task }
        }
    }

    private func automatic(_ progress: RoomProgress) async throws {
        guard try await summaries.claimAutomaticSummary(roomID: progress.roomID, from: progress.summarizedSeq, to: progress.lastSeq) else { return }
        guard let room = try await rooms.room(id: progress.roomID), !room.encryptionEnabled else { return }
        let stored = try await summaries.summaryMessages(
            roomID: room.id, seqRange: (progress.summarizedSeq + 1)...progress.lastSeq, limit: Self.maximumMessages)
        guard !stored.isEmpty else { return }
        _ = try await make(.automatic, for: room, from: stored, customPrompt: nil, requestedBy: nil)
    }

    private func make(
        _ type: SummaryType, for room: Room, from stored: [StoredMessage], customPrompt: String?, requestedBy: String?
    ) async throws -> SummaryView {
        let rendered = try await messages.render(stored)
        let lines = rendered.compactMap { view -> ChatLine? in
            guard let text = view.content?.objectValue?["text"]?.stringValue, !text.isEmpty else { return nil }
            return ChatLine(speakerID: view.userID, speakerName: view.displayName, text: text, timestamp: view.createdAt.milliseconds)
        }
        guard let first = rendered.first, let last = rendered.last else {
            throw ParleyError.validation(field: "date_from", "There are no messages to summarise in this period", details: ["reason": "no_messages"])
        }
        let analysis = builtin.summarize(lines)
        var text = analysis.summaryText
        var providerName = "builtin"
        // The built-in summarizer ignores a prompt: only a provider's text is shaped by it.
        var promptUsed = false
        if let provider, !lines.isEmpty, let written = await provider.summarize(lines, customPrompt: customPrompt) {
            text = written
            providerName = provider.name
            promptUsed = customPrompt != nil
        }
        let id = Identifiers.uuidV7()
        let payload = SummaryPayload(summaryText: text, keywords: analysis.keywords, customPrompt: promptUsed, requestedBy: requestedBy)
        let (sealed, version) = try await keyRing.seal(Array(try JSONEncoder().encode(payload)), roomID: room.id, context: Self.context(room.id, id))
        let summary = StoredSummary(
            id: id, roomID: room.id, type: type, payload: sealed, keyVersion: version, messageCount: rendered.count,
            startDate: first.createdAt, endDate: last.createdAt, participants: analysis.participants.isEmpty ? Self.participants(rendered) : analysis.participants,
            sentimentScore: analysis.sentimentScore, language: analysis.language, provider: providerName, createdAt: .now())
        try await summaries.insertSummary(summary)
        let view = SummaryView(
            id: id, chatroomID: room.id, summaryText: text, summaryType: type, messageCount: summary.messageCount,
            startDate: summary.startDate, endDate: summary.endDate, participants: summary.participants, keywords: payload.keywords,
            sentimentScore: summary.sentimentScore, language: summary.language, provider: providerName, createdAt: summary.createdAt,
            customPrompt: promptUsed, requestedBy: requestedBy)
        if let event = try? OutboundEvent.make(.summaryCreated, SummaryCreatedPayload(chatroomID: room.id, summary: view), to: .room(room.id)) {
            broker.publish(event)
        }
        return view
    }

    private func view(of summary: StoredSummary) async throws -> SummaryView {
        let json: [UInt8]
        if let version = summary.keyVersion {
            json = try await keyRing.open(summary.payload, version: version, roomID: summary.roomID, context: Self.context(summary.roomID, summary.id))
        } else {
            json = Array(summary.payload.utf8)
        }
        let payload = try JSONDecoder().decode(SummaryPayload.self, from: Data(json))
        return SummaryView(
            id: summary.id, chatroomID: summary.roomID, summaryText: payload.summaryText, summaryType: summary.type,
            messageCount: summary.messageCount, startDate: summary.startDate, endDate: summary.endDate, participants: summary.participants,
            keywords: payload.keywords, sentimentScore: summary.sentimentScore, language: summary.language, provider: summary.provider,
            createdAt: summary.createdAt, customPrompt: payload.customPrompt ?? false, requestedBy: payload.requestedBy)
    }

    /// Automatic summary tasks listed now, running or waiting (for tests).
    public var trackedTasks: Int { tasks.withLock { $0.count } }

    /// Waits for automatic summaries in progress (tests and shutdown).
    public func waitForBackgroundWork() async {
        for task in tasks.withLock({ Array($0.background.values) }) { await task.value }
    }

    /// Drops rooms waiting for their interval and waits for summaries in progress (shutdown).
    public func stop() async {
        let waiting = tasks.withLock { Array($0.waiting.values) }
        for task in waiting { task.cancel() }
        for task in waiting { await task.value }
        await waitForBackgroundWork()
    }

    private static func requireReadable(_ room: Room) throws {
        if room.encryptionEnabled {
            throw ParleyError(.summaryUnavailableEncrypted, status: 422,
                              "This chatroom is end-to-end encrypted: the server cannot read its messages to summarise them.")
        }
    }

    private static func participants(_ views: [MessageView]) -> [String] {
        var seen: [String] = []
        for view in views where !seen.contains(view.userID) { seen.append(view.userID) }
        return seen
    }

    static func context(_ roomID: String, _ id: String) -> String { "parley/summary/\(roomID)/\(id)" }
}

/// Tasks in flight, each listed under a token until it ends (a finished task is not cancelled, so pruning by
/// `isCancelled` had kept one entry per summary for the life of the process).
struct TaskSet {
    var next = 0
    var background: [Int: Task<Void, Never>] = [:]
    var waiting: [Int: Task<Void, Never>] = [:]

    mutating func remove(_ token: Int) {
        background.removeValue(forKey: token)
        waiting.removeValue(forKey: token)
    }

    var count: Int { background.count + waiting.count }
}

/// The sealed part of a stored summary. The last two fields came later: summaries stored before them
/// read as made without a prompt, requester unknown.
struct SummaryPayload: Codable {
    let summaryText: String
    let keywords: [String]
    var customPrompt: Bool?
    var requestedBy: String?
}

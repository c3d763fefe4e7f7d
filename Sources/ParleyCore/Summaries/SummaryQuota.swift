/// How many manual summaries may be asked for each hour, per user and per room.
///
/// A summary costs about a second of CPU for 500 messages, far more than any other request, so the general
/// per-minute rate alone would let one member keep a core busy. The user's count is checked first, so one
/// member spending their own quota does not use up the room's for everyone else.
public struct SummaryQuota: Sendable {
    public let perUserPerHour: Int
    public let perRoomPerHour: Int
    let counters: any RateLimitStore
    static let windowSeconds: Int64 = 3600

    public init(counters: any RateLimitStore, perUserPerHour: Int, perRoomPerHour: Int) {
        self.counters = counters
        self.perUserPerHour = perUserPerHour
        self.perRoomPerHour = perRoomPerHour
    }

    /// Counts one request; 429 `RATE_LIMIT_EXCEEDED` naming the exhausted scope when a quota is spent.
    func admit(roomID: String, userID: String, now: Timestamp) async throws {
        let user = await counters.hit(key: "summary-user:" + userID, limit: perUserPerHour, windowSeconds: Self.windowSeconds, now: now)
        guard user.allowed else { throw Self.refusal(user, scope: "summaries_user", of: "you") }
        let room = await counters.hit(key: "summary-room:" + roomID, limit: perRoomPerHour, windowSeconds: Self.windowSeconds, now: now)
        guard room.allowed else { throw Self.refusal(room, scope: "summaries_room", of: "this chatroom") }
    }

    private static func refusal(_ decision: RateLimitDecision, scope: String, of whom: String) -> ParleyError {
        ParleyError(
            .rateLimitExceeded, status: 429,
            "Summary limit reached: \(decision.limit) per hour for \(whom); retry after \(decision.retryAfter) seconds",
            details: ["limit": .int(decision.limit), "retry_after": .int(Int(decision.retryAfter)), "scope": .string(scope)])
    }
}

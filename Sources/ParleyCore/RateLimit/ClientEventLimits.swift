/// The WebSocket actions a client can take, each with its own per-user budget.
public enum ClientAction: String, Sendable, CaseIterable {
    case send = "send_message"
    case typing = "typing"
    case join = "join_chatroom"
    case read = "message_read"
}

/// Per-user budgets for every client event on the WebSocket: one for all frames together (malformed and
/// unknown ones included), and one per action that causes work for others or for the database.
///
/// Typing is limited because each state change fans out to every member of the room (4,000 start/stop
/// frames in 8 s became 4,000 indicators at each peer before this); joins because each may replay history.
public final class ClientEventLimits: Sendable {
    /// Rates of the per-action buckets (per second, burst).
    public struct Rates: Sendable {
        public var events: (perSecond: Int, burst: Int)
        public var sends: (perSecond: Int, burst: Int)
        public var typing: (perSecond: Int, burst: Int) = (5, 20)
        /// A client joins all its rooms on connect, so the burst is large; the rate is not.
        public var joins: (perSecond: Int, burst: Int) = (20, 200)
        public var reads: (perSecond: Int, burst: Int) = (20, 100)

        public init(events: (perSecond: Int, burst: Int), sends: (perSecond: Int, burst: Int)) {
            self.events = events
            self.sends = sends
        }
    }

    private let all: TokenBucketLimiter
    private let perAction: [ClientAction: TokenBucketLimiter]

    public init(_ rates: Rates) {
        all = TokenBucketLimiter(ratePerSecond: rates.events.perSecond, burst: rates.events.burst)
        perAction = [
            .send: TokenBucketLimiter(ratePerSecond: rates.sends.perSecond, burst: rates.sends.burst),
            .typing: TokenBucketLimiter(ratePerSecond: rates.typing.perSecond, burst: rates.typing.burst),
            .join: TokenBucketLimiter(ratePerSecond: rates.joins.perSecond, burst: rates.joins.burst),
            .read: TokenBucketLimiter(ratePerSecond: rates.reads.perSecond, burst: rates.reads.burst),
        ]
    }

    /// Counts any frame from `userID`; throws the rate-limit error when the user's overall budget is spent.
    public func admitFrame(from userID: String) throws(ParleyError) {
        guard all.take(userID) else { throw Self.refusal(scope: "websocket_events") }
    }

    /// Counts one `action` by `userID`; throws the rate-limit error when its budget is spent.
    public func admit(_ action: ClientAction, by userID: String) throws(ParleyError) {
        guard perAction[action]?.take(userID) ?? true else { throw Self.refusal(scope: action.rawValue) }
    }

    private static func refusal(scope: String) -> ParleyError {
        let message = scope == ClientAction.send.rawValue ? "Too many messages; slow down" : "Too many \(scope) events; slow down"
        return ParleyError(.rateLimitExceeded, status: 429, message, details: ["scope": .string(scope)])
    }
}

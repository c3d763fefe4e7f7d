import ParleyCore
import Synchronization

/// Counts live WebSocket connections per user; a user with at least one is online.
public final class PresenceTracker: PresenceReader {
    private let counts = Mutex<[String: Int]>([:])

    public init() {}

    public func onlineUsers(among userIDs: [String]) -> Set<String> {
        counts.withLock { counts in Set(userIDs.filter { (counts[$0] ?? 0) > 0 }) }
    }

    /// Records a new connection; returns true when it is the user's first.
    @discardableResult
    func connected(_ userID: String) -> Bool {
        counts.withLock { counts in
            counts[userID, default: 0] += 1
            return counts[userID] == 1
        }
    }

    /// Records a closed connection; returns true when it was the user's last.
    @discardableResult
    func disconnected(_ userID: String) -> Bool {
        counts.withLock { counts in
            let remaining = (counts[userID] ?? 1) - 1
            if remaining <= 0 {
                counts.removeValue(forKey: userID)
                return true
            }
            counts[userID] = remaining
            return false
        }
    }

    /// Open connections of a user.
    func connectionCount(_ userID: String) -> Int {
        counts.withLock { $0[userID] ?? 0 }
    }
}

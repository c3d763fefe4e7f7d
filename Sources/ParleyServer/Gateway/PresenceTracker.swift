import ParleyCore
import Synchronization

/// Who is online. A user is online from their first connection until the grace period after their last one
/// has passed; `user_online` and `user_offline` are announced only at those two moments, so a reconnect
/// within the grace period announces nothing.
public final class PresenceTracker: PresenceReader {
    typealias Announce = @Sendable (_ userID: String, _ username: String, _ online: Bool) -> Void

    private struct State {
        var connections: [String: Int] = [:]
        var leaving: [String: Task<Void, Never>] = [:]
    }

    private let state = Mutex(State())
    private let grace: Duration
    private let announce: Announce

    init(grace: Duration, announce: @escaping Announce) {
        // Announcements go to everyone who shares a room with the user.
        self.grace = grace
        self.announce = announce
    }

    public func onlineUsers(among userIDs: [String]) -> Set<String> {
        state.withLock { state in
            Set(userIDs.filter { (state.connections[$0] ?? 0) > 0 || state.leaving[$0] != nil })
        }
    }

    func connected(_ userID: String, username: String) {
        let (cameOnline, pending) = state.withLock { state -> (Bool, Task<Void, Never>?) in
            state.connections[userID, default: 0] += 1
            guard state.connections[userID] == 1 else { return (false, nil) }
            if let pending = state.leaving.removeValue(forKey: userID) { return (false, pending) }
            return (true, nil)
        }
        // Cancelled outside the lock: cancellation runs the task's handlers in this stack.
        pending?.cancel()
        if cameOnline { announce(userID, username, true) }
    }

    func disconnected(_ userID: String, username: String) {
        let grace = self.grace
        let replaced = state.withLock { state -> Task<Void, Never>? in
            let remaining = (state.connections[userID] ?? 1) - 1
            guard remaining <= 0 else {
                state.connections[userID] = remaining
                return nil
            }
            state.connections.removeValue(forKey: userID)
            let replaced = state.leaving[userID]
            state.leaving[userID] = Task {
                try? await Task.sleep(for: grace)
                guard !Task.isCancelled else { return }
                let wentOffline = self.state.withLock { state -> Bool in
                    guard (state.connections[userID] ?? 0) == 0, state.leaving[userID] != nil else { return false }
                    state.leaving.removeValue(forKey: userID)
                    return true
                }
                if wentOffline { self.announce(userID, username, false) }
            }
            return replaced
        }
        replaced?.cancel()
    }
}

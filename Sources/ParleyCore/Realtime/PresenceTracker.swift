import Synchronization

/// Who is online. A user is online from their first connection until the grace period after their last one
/// has passed; `user_online` and `user_offline` are announced only at those two moments, so a reconnect
/// within the grace period announces nothing. Announcements go to everyone who shares a room with the user.
public final class PresenceTracker: PresenceReader {
    private struct State {
        var connections: [String: Int] = [:]
        var leaving: [String: Task<Void, Never>] = [:]
    }

    private let state = Mutex(State())
    private let grace: Duration
    private let peers: any RoomStore
    private let broker: any Broker

    public init(grace: Duration, peers: any RoomStore, broker: any Broker) {
        self.grace = grace
        self.peers = peers
        self.broker = broker
    }

    public func onlineUsers(among userIDs: [String]) -> Set<String> {
        state.withLock { state in
            Set(userIDs.filter { (state.connections[$0] ?? 0) > 0 || state.leaving[$0] != nil })
        }
    }

    /// A connection of the user opened.
    public func connected(_ userID: String, username: String) {
        let (cameOnline, pending) = state.withLock { state -> (Bool, Task<Void, Never>?) in
            state.connections[userID, default: 0] += 1
            guard state.connections[userID] == 1 else { return (false, nil) }
            if let pending = state.leaving.removeValue(forKey: userID) { return (false, pending) }
            return (true, nil)
        }
        // Cancelled outside the lock: cancellation runs the task's handlers in this stack.
        pending?.cancel()
        if cameOnline { announce(userID, username, online: true) }
    }

    /// A connection of the user closed.
    public func disconnected(_ userID: String, username: String) {
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
                if wentOffline { self.announce(userID, username, online: false) }
            }
            return replaced
        }
        replaced?.cancel()
    }

    /// Reads the user's peers and publishes, off the caller's stack (never under the lock).
    private func announce(_ userID: String, _ username: String, online: Bool) {
        let peers = self.peers
        let broker = self.broker
        Task {
            guard let audience = try? await peers.roomPeers(of: userID), !audience.isEmpty else { return }
            if let event = try? OutboundEvent.make(
                online ? .userOnline : .userOffline, PresencePayload(userID: userID, username: username), to: .users(audience))
            {
                broker.publish(event)
            }
        }
    }
}

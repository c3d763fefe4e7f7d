import Synchronization

/// Who is typing where. A typing state ends on `typing_stop`, on sending a message, or by itself after the
/// expiry without a new `typing_start`; `publish` is called only when the state changes, never under the lock.
final class TypingTracker: Sendable {
    typealias Publish = @Sendable (_ roomID: String, _ user: Identity, _ username: String, _ isTyping: Bool) -> Void

    private struct Key: Hashable {
        let roomID: String
        let userID: String
    }

    private struct Entry {
        let token: Int
        let timer: Task<Void, Never>
    }

    private struct State {
        var active: [Key: Entry] = [:]
        var nextToken = 0
    }

    private let state = Mutex(State())
    private let expiry: Duration
    private let publish: Publish

    init(expiry: Duration, publish: @escaping Publish) {
        self.expiry = expiry
        self.publish = publish
    }

    func start(roomID: String, user: Identity, username: String) {
        let key = Key(roomID: roomID, userID: user.userID)
        let expiry = self.expiry
        let previous = state.withLock { state -> Entry? in
            state.nextToken += 1
            let token = state.nextToken
            let timer = Task {
                try? await Task.sleep(for: expiry)
                guard !Task.isCancelled else { return }
                self.end(key, user: user, username: username, onlyToken: token)
            }
            return state.active.updateValue(Entry(token: token, timer: timer), forKey: key)
        }
        // Cancelled outside the lock: cancellation runs the task's handlers in this stack.
        previous?.timer.cancel()
        if previous == nil { publish(roomID, user, username, true) }
    }

    func stop(roomID: String, user: Identity, username: String) {
        end(Key(roomID: roomID, userID: user.userID), user: user, username: username, onlyToken: nil)
    }

    private func end(_ key: Key, user: Identity, username: String, onlyToken: Int?) {
        let removed = state.withLock { state -> Entry? in
            guard let entry = state.active[key], onlyToken == nil || entry.token == onlyToken else { return nil }
            return state.active.removeValue(forKey: key)
        }
        guard let removed else { return }
        if onlyToken == nil { removed.timer.cancel() }
        publish(key.roomID, user, username, false)
    }
}

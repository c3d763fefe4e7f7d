import Synchronization

/// Recently granted send access: the room and the author's public profile per (room, sender), so that a
/// sender's later messages skip the access query (on PostgreSQL it was the largest per-message cost).
///
/// Nothing is trusted that could have changed: membership is checked again in the transaction that stores
/// each batch (a member removed since is refused there), profile changes drop the user's entries, a room
/// found gone drops the room's, and every entry expires after `lifetime` regardless. Room facts used when
/// sending (its id and whether it is end-to-end encrypted) never change.
public final class SendAccessCache: Sendable {
    private struct Key: Hashable {
        let room: String
        let user: String
    }

    private struct Entry {
        let room: Room
        let author: PublicUserView
        let expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[Key: Entry]>([:])
    private let lifetime: Duration
    private let capacity: Int

    public init(lifetime: Duration = .seconds(30), capacity: Int = 100_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func lookup(room roomID: String, user userID: String) -> (Room, PublicUserView)? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[Key(room: roomID, user: userID)], entry.expires > now else { return nil }
            return (entry.room, entry.author)
        }
    }

    func remember(_ room: Room, author: PublicUserView, user userID: String) {
        let entry = Entry(room: room, author: author, expires: ContinuousClock.now + lifetime)
        entries.withLock { entries in
            // Bounded: when full, start over rather than track recency for a cache this cheap to refill.
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[Key(room: room.id, user: userID)] = entry
        }
    }

    /// Drops a user's entries (their profile changed).
    public func forget(user userID: String) {
        entries.withLock { entries in entries = entries.filter { $0.key.user != userID } }
    }

    /// Drops a room's entries (it is gone).
    public func forget(room roomID: String) {
        entries.withLock { entries in entries = entries.filter { $0.key.room != roomID } }
    }

    /// Drops one sender's entry for a room (no longer a member).
    func forget(room roomID: String, user userID: String) {
        _ = entries.withLock { $0.removeValue(forKey: Key(room: roomID, user: userID)) }
    }
}

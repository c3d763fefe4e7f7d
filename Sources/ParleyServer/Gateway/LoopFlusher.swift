import NIOCore
import Synchronization

/// Flushes, once per event-loop tick, every connection of that loop that was written to during the tick:
/// a burst of events costs one flush (one syscall) per connection rather than one per event, and one task
/// per loop rather than one per connection.
final class LoopFlusher: @unchecked Sendable {
    private let eventLoop: any EventLoop
    // Loop-confined: touched only on `eventLoop`.
    private var dirty: [ObjectIdentifier: WebSocketConnection] = [:]

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Marks a connection for flushing at the end of the current tick (call on the loop).
    func markDirty(_ connection: WebSocketConnection) {
        if dirty.isEmpty {
            eventLoop.execute { self.flushAll() }
        }
        dirty[ObjectIdentifier(connection)] = connection
    }

    private func flushAll() {
        let connections = dirty
        dirty.removeAll(keepingCapacity: true)
        for connection in connections.values { connection.flush() }
    }

    private static let flushers = Mutex<[ObjectIdentifier: LoopFlusher]>([:])

    /// The flusher of `eventLoop`, created on first use.
    static func `for`(_ eventLoop: any EventLoop) -> LoopFlusher {
        flushers.withLock { flushers in
            if let existing = flushers[ObjectIdentifier(eventLoop)] { return existing }
            let flusher = LoopFlusher(eventLoop: eventLoop)
            flushers[ObjectIdentifier(eventLoop)] = flusher
            return flusher
        }
    }
}

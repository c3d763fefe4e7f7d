import NIOCore
import Synchronization

/// Keeps time for the WebSocket connections of one event loop: one repeating timer per loop sends pings,
/// cuts off peers that stopped answering and enforces close deadlines.
///
/// A timer per connection made closing many connections quadratic: NIO cancels a scheduled task by
/// searching its queue, so n cancellations over n queued timers cost O(n²). The timer runs only while the
/// loop has connections.
final class LoopKeeper: @unchecked Sendable {
    private let eventLoop: any EventLoop
    private let tick: TimeAmount
    // Loop-confined: touched only on `eventLoop`.
    private var connections: [ObjectIdentifier: WebSocketConnection] = [:]
    private var timer: RepeatedTask?

    init(eventLoop: any EventLoop, tick: TimeAmount) {
        self.eventLoop = eventLoop
        self.tick = tick
    }

    /// Starts keeping time for a connection (call on the loop).
    func add(_ connection: WebSocketConnection) {
        eventLoop.preconditionInEventLoop()
        connections[ObjectIdentifier(connection)] = connection
        if timer == nil {
            timer = eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { [weak self] _ in self?.fire() }
        }
    }

    /// Stops keeping time for a connection that has gone (call on the loop).
    func remove(_ connection: WebSocketConnection) {
        eventLoop.preconditionInEventLoop()
        guard connections.removeValue(forKey: ObjectIdentifier(connection)) != nil, connections.isEmpty else { return }
        timer?.cancel()
        timer = nil
    }

    private func fire() {
        let now = NIODeadline.now()
        for connection in Array(connections.values) { connection.keepTime(now: now) }
    }
}

/// The keepers of one gateway, one per event loop, created on first use.
final class LoopKeepers: Sendable {
    private let keepers = Mutex<[ObjectIdentifier: LoopKeeper]>([:])
    private let tick: TimeAmount

    /// `tick` is how often each loop looks at its connections; ping and close timings are rounded up to it.
    init(tick: TimeAmount) {
        self.tick = tick
    }

    func keeper(for eventLoop: any EventLoop) -> LoopKeeper {
        keepers.withLock { keepers in
            if let existing = keepers[ObjectIdentifier(eventLoop)] { return existing }
            let keeper = LoopKeeper(eventLoop: eventLoop, tick: tick)
            keepers[ObjectIdentifier(eventLoop)] = keeper
            return keeper
        }
    }
}

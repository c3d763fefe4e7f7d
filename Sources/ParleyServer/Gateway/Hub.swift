import Foundation
import Logging
import NIOCore
import NIOWebSocket
import ParleyCore
import Prometheus
import Synchronization

/// Delivers events to connections: room subscriptions, per-room ordering by `seq`, catch-up hand-over and
/// fan-out grouped by event loop.
///
/// Message events of a room pass a sequencer: an event whose `seq` is ahead of the next expected one waits
/// until the missing ones arrive or are read back from the database, so every subscriber sees `seq` order.
/// Each subscription remembers the last `seq` it was given, which removes duplicates across a catch-up.
final class Hub: Sendable {
    typealias GapReader = @Sendable (_ roomID: String, _ range: ClosedRange<Int64>) async -> [OutboundEvent]

    struct Subscription {
        let connection: WebSocketConnection
        var deliveredSeq: Int64
        /// While catching up, live events wait here and are released after the replay.
        var buffer: [OutboundEvent]?
    }

    struct RoomState {
        var subscribers: [String: Subscription] = [:]
        var nextSeq: Int64?
        var pending: [Int64: OutboundEvent] = [:]
        var gapFillScheduled = false
    }

    struct State {
        var rooms: [String: RoomState] = [:]
        var connections: [String: WebSocketConnection] = [:]
        var connectionsByUser: [String: Set<String>] = [:]
        var roomsByConnection: [String: Set<String>] = [:]
        /// Joins between `prepareJoin` and `beginSubscription`, by room: ticket → user.
        var pendingJoins: [String: [Int: String]] = [:]
        var nextTicket = 0
    }

    private let state = Mutex(State())
    private let metrics: ParleyMetrics
    private let logger: Logger
    private let gapReader: GapReader
    private let gapDelay: Duration
    /// Events a catching-up subscription may hold before it is closed as too slow.
    private let catchUpBufferLimit: Int

    init(metrics: ParleyMetrics, logger: Logger, gapDelay: Duration = .milliseconds(50), catchUpBufferLimit: Int = 10_000, gapReader: @escaping GapReader) {
        self.metrics = metrics
        self.logger = logger
        self.gapDelay = gapDelay
        self.catchUpBufferLimit = catchUpBufferLimit
        self.gapReader = gapReader
    }

    // MARK: Connections

    /// Registers a connection unless its user already has `limit` of them.
    func register(_ connection: WebSocketConnection, limit: Int) -> Bool {
        state.withLock { state in
            let existing = state.connectionsByUser[connection.identity.userID, default: []]
            guard existing.count < limit else { return false }
            state.connections[connection.id] = connection
            state.connectionsByUser[connection.identity.userID, default: []].insert(connection.id)
            return true
        }
    }

    /// Forgets a closed connection and its subscriptions; returns the user's remaining connection count.
    @discardableResult
    func unregister(_ connection: WebSocketConnection) -> Int {
        state.withLock { state in
            guard state.connections.removeValue(forKey: connection.id) != nil else {
                return state.connectionsByUser[connection.identity.userID]?.count ?? 0
            }
            for roomID in state.roomsByConnection.removeValue(forKey: connection.id) ?? [] {
                Self.removeSubscription(connection.id, from: roomID, in: &state)
            }
            // Edited in place: copying the set out and back would cost O(n) per close for a user with n connections.
            let userID = connection.identity.userID
            state.connectionsByUser[userID]?.remove(connection.id)
            let remaining = state.connectionsByUser[userID]?.count ?? 0
            if remaining == 0 { state.connectionsByUser[userID] = nil }
            return remaining
        }
    }

    /// Connections matching a predicate (for closing revoked sessions).
    func connections(where predicate: (WebSocketConnection) -> Bool) -> [WebSocketConnection] {
        state.withLock { $0.connections.values.filter(predicate) }
    }

    var connectionCount: Int { state.withLock { $0.connections.count } }

    func isSubscribed(_ connection: WebSocketConnection, to roomID: String) -> Bool {
        state.withLock { $0.rooms[roomID]?.subscribers[connection.id] != nil }
    }

    // MARK: Subscriptions

    /// A join in progress: it exists before the membership is read, so that a removal published in between
    /// cancels it (see `beginSubscription`).
    struct JoinTicket: Sendable {
        fileprivate let roomID: String
        fileprivate let token: Int
    }

    /// Why a subscription could not begin.
    enum JoinRefusal: Error {
        /// The user was removed from the room (or the room was deleted) while the join read its access.
        case removed
        /// This connection is already replaying this room; one catch-up at a time.
        case catchUpInProgress
    }

    /// Announces a join before its access check: a removal applied after this call cancels the ticket.
    func prepareJoin(_ connection: WebSocketConnection, roomID: String) -> JoinTicket {
        state.withLock { state in
            state.nextTicket += 1
            state.pendingJoins[roomID, default: [:]][state.nextTicket] = connection.identity.userID
            return JoinTicket(roomID: roomID, token: state.nextTicket)
        }
    }

    /// Withdraws a ticket whose join failed before subscribing.
    func abandonJoin(_ ticket: JoinTicket) {
        state.withLock { state in Self.removeTicket(ticket, in: &state) }
    }

    /// Subscribes in catch-up mode: live events are held until `finishCatchUp`. `lastSeq` is the room's
    /// latest `seq` read after `prepareJoin`; the subscription starts after `afterSeq`, or after `lastSeq`.
    ///
    /// Refused when a removal cancelled the ticket since `prepareJoin` (the access read may predate the
    /// removal's commit, but its unsubscribe effect came after the ticket), or while this connection is still
    /// replaying the room.
    func beginSubscription(_ connection: WebSocketConnection, ticket: JoinTicket, lastSeq: Int64, afterSeq: Int64?) throws(JoinRefusal) {
        try state.withLock { state throws(JoinRefusal) in
            let roomID = ticket.roomID
            guard state.pendingJoins[roomID]?[ticket.token] != nil else { throw .removed }
            Self.removeTicket(ticket, in: &state)
            var room = state.rooms[roomID] ?? RoomState()
            if room.subscribers[connection.id]?.buffer != nil { throw .catchUpInProgress }
            if room.nextSeq == nil { room.nextSeq = lastSeq + 1 }
            room.subscribers[connection.id] = Subscription(connection: connection, deliveredSeq: afterSeq ?? lastSeq, buffer: [])
            state.rooms[roomID] = room
            state.roomsByConnection[connection.id, default: []].insert(roomID)
        }
    }

    /// Queues replayed messages for the connection and advances its position; false when the subscription
    /// has ended (left, removed, or closed), so the replay stops.
    func deliverCatchUp(_ connection: WebSocketConnection, roomID: String, events: [(seq: Int64, frame: ByteBuffer)]) -> Bool {
        state.withLock { state in
            guard var subscription = state.rooms[roomID]?.subscribers[connection.id] else { return false }
            var fanOut = FanOut()
            for event in events where event.seq > subscription.deliveredSeq {
                fanOut.add(connection, event.frame)
                subscription.deliveredSeq = event.seq
            }
            state.rooms[roomID]?.subscribers[connection.id] = subscription
            // Queued on the loop under the lock, so these frames keep their place before later live events.
            fanOut.submit(metrics: metrics, acceptedAt: 0)
            return true
        }
    }

    /// Ends catch-up: releases held live events that the replay did not cover, then goes live.
    func finishCatchUp(_ connection: WebSocketConnection, roomID: String) {
        state.withLock { state in
            guard var subscription = state.rooms[roomID]?.subscribers[connection.id] else { return }
            var fanOut = FanOut()
            for event in subscription.buffer ?? [] {
                if let seq = event.seq {
                    guard seq > subscription.deliveredSeq else { continue }
                    subscription.deliveredSeq = seq
                }
                fanOut.add(connection, event.frame)
            }
            subscription.buffer = nil
            state.rooms[roomID]?.subscribers[connection.id] = subscription
            fanOut.submit(metrics: metrics, acceptedAt: 0)
        }
    }

    /// Ends a catch-up that failed part-way: the subscription is dropped rather than left holding events.
    func abortCatchUp(_ connection: WebSocketConnection, roomID: String) {
        state.withLock { state in
            guard state.rooms[roomID]?.subscribers[connection.id]?.buffer != nil else { return }
            Self.removeSubscription(connection.id, from: roomID, in: &state)
            state.roomsByConnection[connection.id]?.remove(roomID)
        }
    }

    func unsubscribe(_ connection: WebSocketConnection, from roomID: String) {
        state.withLock { state in
            Self.removeSubscription(connection.id, from: roomID, in: &state)
            state.roomsByConnection[connection.id]?.remove(roomID)
        }
    }

    private static func removeTicket(_ ticket: JoinTicket, in state: inout State) {
        state.pendingJoins[ticket.roomID]?.removeValue(forKey: ticket.token)
        if state.pendingJoins[ticket.roomID]?.isEmpty == true { state.pendingJoins.removeValue(forKey: ticket.roomID) }
    }

    private static func removeSubscription(_ connectionID: String, from roomID: String, in state: inout State) {
        state.rooms[roomID]?.subscribers.removeValue(forKey: connectionID)
        if state.rooms[roomID]?.subscribers.isEmpty == true { state.rooms.removeValue(forKey: roomID) }
    }

    // MARK: Delivery

    /// Receives every published event (attached to the broker).
    func receive(_ event: OutboundEvent) {
        var fanOut = FanOut()
        state.withLock { state in
            switch event.audience {
            case .users(let userIDs):
                for userID in userIDs where userID != event.excludedUserID {
                    for connectionID in state.connectionsByUser[userID] ?? [] {
                        if let connection = state.connections[connectionID] { fanOut.add(connection, event.frame) }
                    }
                }
            case .room(let roomID):
                if var room = state.rooms[roomID] {
                    let ready = sequence(event, in: &room, roomID: roomID)
                    for item in ready { dispatch(item, roomID: roomID, in: &room, state: &state, fanOut: &fanOut) }
                    state.rooms[roomID] = room
                } else if let origin = event.origin, let connection = state.connections[origin.connectionID] {
                    fanOut.add(connection, origin.frame)
                }
            case .connection(let connectionID):
                if let connection = state.connections[connectionID] { fanOut.add(connection, event.frame) }
            }
            for effect in event.effects { apply(effect, to: &state) }
            // Submitted while the lock is held, so that per-loop task order follows event order.
            fanOut.submit(metrics: metrics, acceptedAt: event.acceptedAt)
        }
    }

    /// Orders message events by `seq`; returns those ready for delivery.
    private func sequence(_ event: OutboundEvent, in room: inout RoomState, roomID: String) -> [OutboundEvent] {
        guard let seq = event.seq, let next = room.nextSeq else { return [event] }
        if seq < next { return [event] }
        if seq > next {
            room.pending[seq] = event
            if !room.gapFillScheduled {
                room.gapFillScheduled = true
                scheduleGapFill(roomID: roomID, from: next, before: seq)
            }
            return []
        }
        var ready = [event]
        var upcoming = seq + 1
        while let waiting = room.pending.removeValue(forKey: upcoming) {
            ready.append(waiting)
            upcoming += 1
        }
        room.nextSeq = upcoming
        return ready
    }

    private func dispatch(_ event: OutboundEvent, roomID: String, in room: inout RoomState, state: inout State, fanOut: inout FanOut) {
        var originDelivered = false
        var overflowed: [String] = []
        for (connectionID, var subscription) in room.subscribers {
            if let excluded = event.excludedUserID, subscription.connection.identity.userID == excluded { continue }
            let frame = (event.origin?.connectionID == connectionID ? event.origin?.frame : nil) ?? event.frame
            if event.origin?.connectionID == connectionID { originDelivered = true }
            if let seq = event.seq {
                guard seq > subscription.deliveredSeq else { continue }
            }
            if subscription.buffer != nil {
                // Held until the replay ends; the position advances only when it is really delivered, so the
                // replay still sends everything older than the held events.
                subscription.buffer!.append(OutboundEvent(audience: event.audience, name: event.name, frame: frame, seq: event.seq))
                if subscription.buffer!.count > catchUpBufferLimit {
                    // Closed by a task on its loop, never here under the lock; its held events are let go now.
                    fanOut.close(subscription.connection, code: .unknown(1013), reason: "too far behind; reconnect and resume with after_seq")
                    overflowed.append(connectionID)
                    continue
                }
            } else {
                fanOut.add(subscription.connection, frame)
                if let seq = event.seq { subscription.deliveredSeq = seq }
            }
            room.subscribers[connectionID] = subscription
        }
        for connectionID in overflowed {
            room.subscribers.removeValue(forKey: connectionID)
            state.roomsByConnection[connectionID]?.remove(roomID)
        }
        if !originDelivered, let origin = event.origin, let connection = state.connections[origin.connectionID] {
            fanOut.add(connection, origin.frame)
        }
    }

    private func apply(_ effect: HubEffect, to state: inout State) {
        switch effect {
        case .unsubscribe(let userID, let roomID):
            state.pendingJoins[roomID] = state.pendingJoins[roomID]?.filter { $0.value != userID }
            if state.pendingJoins[roomID]?.isEmpty == true { state.pendingJoins.removeValue(forKey: roomID) }
            for connectionID in state.connectionsByUser[userID] ?? [] {
                Self.removeSubscription(connectionID, from: roomID, in: &state)
                state.roomsByConnection[connectionID]?.remove(roomID)
            }
        case .dropRoom(let roomID):
            state.pendingJoins.removeValue(forKey: roomID)
            for connectionID in state.rooms.removeValue(forKey: roomID)?.subscribers.keys ?? [:].keys {
                state.roomsByConnection[connectionID]?.remove(roomID)
            }
        }
    }

    /// Reads missing messages back from the database when a gap did not close by itself.
    private func scheduleGapFill(roomID: String, from low: Int64, before high: Int64) {
        let delay = gapDelay
        Task {
            try? await Task.sleep(for: delay)
            let stillMissing = state.withLock { state -> ClosedRange<Int64>? in
                guard let room = state.rooms[roomID], let next = room.nextSeq, let first = room.pending.keys.min(), next < first else {
                    state.rooms[roomID]?.gapFillScheduled = false
                    return nil
                }
                return next...(first - 1)
            }
            guard let range = stillMissing else { return }
            logger.debug("Filling a delivery gap from the database", metadata: ["room": .string(roomID), "from": "\(range.lowerBound)", "to": "\(range.upperBound)"])
            let fetched = await gapReader(roomID, range)
            receiveGapFill(roomID: roomID, fetched: fetched)
        }
    }

    private func receiveGapFill(roomID: String, fetched: [OutboundEvent]) {
        var fanOut = FanOut()
        state.withLock { state in
            guard var room = state.rooms[roomID] else { return }
            room.gapFillScheduled = false
            for event in fetched.sorted(by: { ($0.seq ?? 0) < ($1.seq ?? 0) }) where event.seq != nil {
                room.pending[event.seq!] = room.pending[event.seq!] ?? event
            }
            // Whatever cannot be found will never come: skip ahead rather than stall the room.
            if let next = room.nextSeq, room.pending[next] == nil, let first = room.pending.keys.min() {
                logger.warning("Skipping unrecoverable sequence gap", metadata: ["room": .string(roomID), "from": "\(next)", "to": "\(first - 1)"])
                room.nextSeq = first
            }
            var ready: [OutboundEvent] = []
            while let next = room.nextSeq, let event = room.pending.removeValue(forKey: next) {
                ready.append(event)
                room.nextSeq = next + 1
            }
            for event in ready { dispatch(event, roomID: roomID, in: &room, state: &state, fanOut: &fanOut) }
            if let first = room.pending.keys.min(), let next = room.nextSeq, next < first {
                room.gapFillScheduled = true
                scheduleGapFill(roomID: roomID, from: next, before: first)
            }
            state.rooms[roomID] = room
            fanOut.submit(metrics: metrics, acceptedAt: 0)
        }
    }
}

/// Writes gathered per event loop: one task per loop per event, each writing to its connections and
/// sharing one flush per connection. Built under the hub's lock and submitted there (submitting only queues
/// tasks), so per-loop order follows event order; nothing touches a connection in the lock's stack.
struct FanOut {
    enum Action {
        case frame(ByteBuffer)
        case close(WebSocketErrorCode, String)
    }

    private var groups: [ObjectIdentifier: (loop: any EventLoop, items: [(WebSocketConnection, Action)])] = [:]
    private var frames = 0

    mutating func add(_ connection: WebSocketConnection, _ frame: ByteBuffer) {
        append(connection, .frame(frame))
        frames += 1
    }

    mutating func close(_ connection: WebSocketConnection, code: WebSocketErrorCode, reason: String) {
        append(connection, .close(code, reason))
    }

    private mutating func append(_ connection: WebSocketConnection, _ action: Action) {
        let key = ObjectIdentifier(connection.eventLoop)
        if groups[key] == nil { groups[key] = (connection.eventLoop, []) }
        groups[key]!.items.append((connection, action))
    }

    func submit(metrics: ParleyMetrics, acceptedAt: UInt64) {
        for (_, group) in groups {
            let items = group.items
            group.loop.execute {
                for (connection, action) in items {
                    switch action {
                    case .frame(let frame): connection.write(frame)
                    case .close(let code, let reason): connection.closeOnLoop(code: code, reason: reason)
                    }
                }
                if acceptedAt > 0 {
                    let elapsed = DispatchTime.now().uptimeNanoseconds &- acceptedAt
                    metrics.deliveryLatency.recordNanoseconds(Int64(elapsed))
                }
            }
        }
        if frames > 0 { metrics.eventsDelivered.increment(by: Int64(frames)) }
    }
}

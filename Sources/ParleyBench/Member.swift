import NIOCore
import Synchronization

/// One logical member of a room: its current WebSocket, every `seq` it has received across reconnects,
/// and where its current connection's catch-up ends. A churned member reconnects and resumes with
/// `after_seq` = the last seq it saw.
final class Member: Sendable {
    let index: Int
    let roomIndex: Int
    let roomID: String
    let user: BenchUser
    private let stats: DeliveryStats

    /// Everything that changes, behind one lock (frames arrive on the event loop, sends come from the ticker).
    private struct State {
        var seqs = SeqSet()
        var connection: WebSocketClient?
        /// Bumped at every disconnect and connect: frames of an older connection are ignored, so that
        /// the tail of a closing socket does not count as duplicates of the catch-up.
        var generation = 0
        var joined = false
        var everJoined = false
        /// `last_seq` at the first join: the member expects every seq after it.
        var baseSeq: Int64 = -1
        /// On a resumed connection, seqs up to the join's `last_seq` are replays.
        var catchUpThrough: Int64 = -1
        var lastSeqOnConnection: Int64 = -1
        /// Sends on the current connection not yet answered (acknowledgement or error).
        var outstanding = 0
        /// Sends left unanswered when their connection was closed: the server may or may not store them.
        var abandoned = 0
    }

    private let state = Mutex(State())

    init(index: Int, roomIndex: Int, roomID: String, user: BenchUser, stats: DeliveryStats) {
        self.index = index
        self.roomIndex = roomIndex
        self.roomID = roomID
        self.user = user
        self.stats = stats
    }

    /// Opens a connection and asks to join the room (resuming after the last seq seen, if any). The join
    /// is confirmed later by `chatroom_joined` (counted in `stats.joins`).
    func connect(to target: BenchTarget) async throws {
        let (generation, resumeAfter) = state.withLock { state -> (Int, Int64?) in
            state.generation += 1
            state.joined = false
            state.lastSeqOnConnection = -1
            state.abandoned += state.outstanding
            state.outstanding = 0
            // The last seq seen: the newest message received, or the room's position at the first join.
            return (state.generation, state.everJoined ? max(state.seqs.highest, state.baseSeq) : nil)
        }
        let client = try await target.connect(user, delegate: MemberLink(member: self, generation: generation))
        let current = state.withLock { state -> Bool in
            guard state.generation == generation else { return false }
            state.connection = client
            return true
        }
        guard current else {
            client.close()
            return
        }
        client.send(MessageFactory.join(roomID: roomID, afterSeq: resumeAfter))
    }

    /// Detaches the current connection (its remaining frames are ignored) and starts closing it.
    func disconnect() {
        let client = state.withLock { state -> WebSocketClient? in
            state.generation += 1
            state.joined = false
            state.abandoned += state.outstanding
            state.outstanding = 0
            defer { state.connection = nil }
            return state.connection
        }
        client?.close()
    }

    /// Sends on the current connection if it has joined; false otherwise.
    func send(_ frame: ByteBuffer) -> Bool {
        let client = state.withLock { state -> WebSocketClient? in
            guard state.joined, let connection = state.connection else { return nil }
            state.outstanding += 1
            return connection
        }
        guard let client else { return false }
        client.send(frame)
        return true
    }

    var isJoined: Bool { state.withLock { $0.joined } }

    var connection: WebSocketClient? { state.withLock { $0.connection } }

    /// (sends awaiting an answer on the current connection, sends abandoned with a closed connection).
    var sendsPending: (outstanding: Int, abandoned: Int) { state.withLock { ($0.outstanding, $0.abandoned) } }

    /// (first expected seq − 1, highest seq received, distinct seqs received after the base).
    func progress() -> (base: Int64, highest: Int64, seqs: SeqSet) {
        state.withLock { ($0.baseSeq, $0.seqs.highest, $0.seqs) }
    }

    fileprivate func received(_ text: ByteBuffer, generation: Int) {
        let frame = FrameScanner.scan(text)
        switch frame.event {
        case .messageReceived:
            let now = Clock.now()
            /// How a message frame counts.
            enum Kind { case stale, fresh, duplicate, catchUp, catchUpDuplicate }
            let (kind, outOfOrder) = state.withLock { state -> (Kind, Bool) in
                guard state.generation == generation else { return (.stale, false) }
                if frame.hasRequestID { state.outstanding = max(0, state.outstanding - 1) }
                let replay = state.catchUpThrough >= 0 && frame.seq <= state.catchUpThrough
                let outOfOrder = !replay && frame.seq >= 0 && frame.seq < state.lastSeqOnConnection
                if frame.seq > state.lastSeqOnConnection { state.lastSeqOnConnection = frame.seq }
                let fresh = state.seqs.insert(frame.seq)
                if replay { return (fresh ? .catchUp : .catchUpDuplicate, false) }
                return (fresh ? .fresh : .duplicate, outOfOrder)
            }
            if kind == .stale { return }
            stats.deliveries.add()
            if frame.seq < 0 { stats.withoutSeq.add() }
            if outOfOrder { stats.outOfOrder.add() }
            switch kind {
            case .fresh, .catchUp: stats.unique.add()
            case .duplicate, .catchUpDuplicate: stats.duplicates.add()
            case .stale: break
            }
            if frame.clientTag != UInt8(ascii: "b") { stats.foreign.add() }
            if frame.hasRequestID {
                stats.acks.add()
                if frame.sentAt > 0, stats.inWindow(frame.sentAt) { stats.ackLatency.record(nanoseconds: now &- frame.sentAt) }
            }
            if kind == .catchUp || kind == .catchUpDuplicate {
                stats.catchUp.add()
            } else if frame.sentAt > 0, stats.inWindow(frame.sentAt) {
                stats.latency.record(nanoseconds: now &- frame.sentAt)
            }
        case .chatroomJoined:
            let counted = state.withLock { state -> Bool in
                guard state.generation == generation else { return false }
                state.joined = true
                if state.everJoined {
                    state.catchUpThrough = frame.lastSeq
                } else {
                    state.everJoined = true
                    state.baseSeq = frame.lastSeq
                    state.catchUpThrough = -1
                }
                return true
            }
            if counted { stats.joins.add() }
        case .error:
            stats.recordError(text)
            if frame.hasRequestID {
                state.withLock { state in
                    if state.generation == generation { state.outstanding = max(0, state.outstanding - 1) }
                }
            }
        case .other:
            break
        }
    }

    fileprivate func closed(_ client: WebSocketClient, generation: Int) {
        let current = state.withLock { state -> Bool in
            guard state.generation == generation else { return false }
            state.joined = false
            state.connection = nil
            state.abandoned += state.outstanding
            state.outstanding = 0
            return true
        }
        if current, !client.closeRequested.load(ordering: .relaxed) { stats.unexpectedCloses.add() }
    }
}

/// The delegate of one connection of a member: tags its frames with the connection's generation.
private final class MemberLink: WebSocketDelegate {
    let member: Member
    let generation: Int

    init(member: Member, generation: Int) {
        self.member = member
        self.generation = generation
    }

    func received(_ text: ByteBuffer, on connection: WebSocketClient) {
        member.received(text, generation: generation)
    }

    func closed(_ connection: WebSocketClient) {
        member.closed(connection, generation: generation)
    }
}

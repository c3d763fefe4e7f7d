import NIOCore
import Synchronization

/// Sends `count` messages on one connection as fast as acknowledgements allow: up to `window` are
/// unacknowledged at a time, and each acknowledgement (or error answer) sends the next one from the
/// connection's event loop. Used to fill rooms and to measure durable inserts.
final class PipelinedSender: WebSocketDelegate {
    let id: Int
    let count: Int
    let window: Int
    private let make: @Sendable (_ number: Int) -> ByteBuffer
    private let latency: LatencyRecorder?
    private let errorSamples: ErrorSamples

    /// Progress of the sender, behind one lock.
    private struct State {
        var connection: WebSocketClient?
        var next = 0
        var acked = 0
        var errors = 0
        /// Numbers of the acknowledged messages (client ids `<tag>:<id>:<number>`).
        var ackedNumbers = SeqSet()
        var duplicateAcks = 0
        var finishedAt: UInt64?
        var lastProgress = Clock.now()
        var unexpectedClose = false
    }

    private let state = Mutex(State())

    init(id: Int, count: Int, window: Int, latency: LatencyRecorder?, errorSamples: ErrorSamples, make: @escaping @Sendable (Int) -> ByteBuffer) {
        self.id = id
        self.count = count
        self.window = max(window, 1)
        self.latency = latency
        self.errorSamples = errorSamples
        self.make = make
    }

    /// Starts sending on `connection` (whose delegate this sender is).
    func start(on connection: WebSocketClient) {
        connection.eventLoop.execute {
            let frames = self.state.withLock { state -> [ByteBuffer] in
                state.connection = connection
                state.lastProgress = Clock.now()
                if self.count == 0 { state.finishedAt = Clock.now() }
                var frames: [ByteBuffer] = []
                while state.next < min(self.window, self.count) {
                    frames.append(self.make(state.next))
                    state.next += 1
                }
                return frames
            }
            for frame in frames { connection.write(frame) }
            connection.flush()
        }
    }

    func received(_ text: ByteBuffer, on connection: WebSocketClient) {
        let frame = FrameScanner.scan(text)
        guard frame.hasRequestID, frame.event == .messageReceived || frame.event == .error else { return }
        let now = Clock.now()
        if frame.event == .error { errorSamples.add(String(buffer: text)) }
        let nextNumber = state.withLock { state -> Int? in
            if frame.event == .messageReceived {
                state.acked += 1
                if frame.sender == id, frame.number >= 0, !state.ackedNumbers.insert(Int64(frame.number)) { state.duplicateAcks += 1 }
            } else {
                state.errors += 1
            }
            state.lastProgress = now
            if state.acked + state.errors >= count, state.finishedAt == nil { state.finishedAt = now }
            guard state.next < count else { return nil }
            defer { state.next += 1 }
            return state.next
        }
        if frame.event == .messageReceived, frame.sentAt > 0 { latency?.record(nanoseconds: now &- frame.sentAt) }
        if let nextNumber { connection.write(make(nextNumber)) }
    }

    func readBatchComplete(on connection: WebSocketClient) {
        connection.flush()
    }

    func closed(_ connection: WebSocketClient) {
        state.withLock { state in
            if !connection.closeRequested.load(ordering: .relaxed) { state.unexpectedClose = true }
        }
    }

    var acked: Int { state.withLock { $0.acked } }
    var errors: Int { state.withLock { $0.errors } }
    var duplicateAcks: Int { state.withLock { $0.duplicateAcks } }
    var ackedNumbers: SeqSet { state.withLock { $0.ackedNumbers } }
    var finishedAt: UInt64? { state.withLock { $0.finishedAt } }
    var unexpectedClose: Bool { state.withLock { $0.unexpectedClose } }
    /// Seconds since the last acknowledgement or error.
    var idleSeconds: Double { Clock.seconds(since: state.withLock { $0.lastProgress }) }
    var isDone: Bool { state.withLock { $0.finishedAt != nil || $0.unexpectedClose } }

    func close() {
        state.withLock { $0.connection }?.close()
    }

    /// Waits until every sender is done, or one has heard nothing for `stall` seconds; true when all finished.
    static func waitForAll(_ senders: [PipelinedSender], stall: Double = 30, report: (@Sendable () -> Void)? = nil) async -> Bool {
        var lastReport = Clock.now()
        while true {
            if senders.allSatisfy(\.isDone) { return senders.allSatisfy { $0.finishedAt != nil } }
            if senders.contains(where: { !$0.isDone && $0.idleSeconds > stall }) { return false }
            if let report, Clock.seconds(since: lastReport) >= 2 {
                report()
                lastReport = Clock.now()
            }
            await Clock.sleep(0.02)
        }
    }
}

import NIOCore
import Synchronization

/// What the members of a run received, shared by all of them. Latencies count only messages sent inside
/// the measured window (warm-up excluded); the counters count everything.
final class DeliveryStats: Sendable {
    private let windowStart = Atomic<UInt64>(UInt64.max)
    private let windowEnd = Atomic<UInt64>(UInt64.max)
    /// Every message frame received (live, replayed and duplicates).
    let deliveries = Counter()
    /// Distinct (member, seq) pairs.
    let unique = Counter()
    let duplicates = Counter()
    /// A seq lower than one already received on the same connection, outside a catch-up.
    let outOfOrder = Counter()
    /// Messages replayed by a catch-up (`after_seq`); not in the latency figures.
    let catchUp = Counter()
    let acks = Counter()
    /// Messages received that the bench did not send (system messages, other clients).
    let foreign = Counter()
    let errors = Counter()
    /// Message frames in which no `seq` was found (a scanner or protocol problem).
    let withoutSeq = Counter()
    let errorSamples = ErrorSamples()
    let joins = Counter()
    let unexpectedCloses = Counter()
    let latency = LatencyRecorder()
    let ackLatency = LatencyRecorder()

    /// Messages sent in `start..<end` (monotonic nanoseconds) count in the latency figures.
    func setWindow(start: UInt64, end: UInt64) {
        windowStart.store(start, ordering: .relaxed)
        windowEnd.store(end, ordering: .relaxed)
    }

    @inline(__always)
    func inWindow(_ sentAt: UInt64) -> Bool {
        sentAt >= windowStart.load(ordering: .relaxed) && sentAt < windowEnd.load(ordering: .relaxed)
    }

    /// Counts an `error` event and keeps its text for the report.
    func recordError(_ text: ByteBuffer) {
        errors.add()
        errorSamples.add(String(buffer: text))
    }
}

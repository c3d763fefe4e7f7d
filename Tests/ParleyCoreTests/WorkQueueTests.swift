import ParleyCore
import Synchronization
import Testing

@Suite("Work queue")
struct WorkQueueTests {
    /// What a consumer saw: the batches in the order it was handed them.
    final class Seen: Sendable {
        private let batches = Mutex<[[Int]]>([])
        func record(_ batch: [Int]) { batches.withLock { $0.append(batch) } }
        var all: [[Int]] { batches.withLock { $0 } }
    }

    @Test("items queued before the consumer starts come in order, in batches of at most the maximum", .timeLimit(.minutes(1)))
    func batchesInOrder() async {
        let queue = WorkQueue<Int>(maximumBatch: 4)
        for item in 0..<10 { #expect(queue.append(item)) }
        queue.close()
        let seen = Seen()
        await queue.run { seen.record($0) }
        #expect(seen.all == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        #expect(queue.count == 0)
    }

    @Test("a waiting consumer wakes for items appended later, and items appended during a batch form the next", .timeLimit(.minutes(1)))
    func wakesAndGathers() async {
        let queue = WorkQueue<Int>()
        let seen = Seen()
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let (release, releaseContinuation) = AsyncStream<Void>.makeStream()
        let consumer = Task {
            var releases = release.makeAsyncIterator()
            await queue.run { batch in
                seen.record(batch)
                if batch == [1] {
                    // Hold the first batch until the next items are queued behind it.
                    startedContinuation.yield()
                    _ = await releases.next()
                }
            }
        }
        // The consumer is parked on an empty queue; this wakes it.
        queue.append(1)
        var starts = started.makeAsyncIterator()
        _ = await starts.next()
        queue.append(contentsOf: [2, 3])
        queue.append(4)
        releaseContinuation.yield()
        queue.close()
        await consumer.value
        #expect(seen.all == [[1], [2, 3, 4]])
    }

    @Test("after close, appends are refused and the consumer returns once the accepted items are processed", .timeLimit(.minutes(1)))
    func closeRefusesAndDrains() async {
        let queue = WorkQueue<Int>(maximumBatch: 2)
        queue.append(contentsOf: [1, 2, 3])
        queue.close()
        #expect(queue.isClosed)
        #expect(!queue.append(4))
        #expect(!queue.append(contentsOf: [5, 6]))
        #expect(queue.count == 3)
        let seen = Seen()
        await queue.run { seen.record($0) }
        #expect(seen.all == [[1, 2], [3]])
    }

    @Test("cancelling the consumer closes the queue and still hands over what was accepted", .timeLimit(.minutes(1)))
    func cancellationDrains() async {
        let queue = WorkQueue<Int>()
        let seen = Seen()
        let consumer = Task { await queue.run { seen.record($0) } }
        queue.append(contentsOf: [7, 8])
        consumer.cancel()
        await consumer.value
        #expect(queue.isClosed)
        #expect(!queue.append(9))
        // Whether 7 and 8 came in one batch or two depends on timing; both came, in order, and nothing else.
        #expect(seen.all.flatMap { $0 } == [7, 8])
    }
}

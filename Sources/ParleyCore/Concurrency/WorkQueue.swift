import DequeModule
import Synchronization

/// A first-in first-out queue of work with one consumer: producers append without waiting, and `run`
/// hands the items to a processor in order, at most `maximumBatch` at a time, one batch after another.
///
/// `close()` stops intake: later appends are refused (the producer answers its caller), and `run` returns
/// once everything accepted before the close has been processed. The consumer is a task the caller owns
/// (a lifecycle service in the server), so no work outlives its owner unseen.
public final class WorkQueue<Item: Sendable>: Sendable {
    private struct State {
        var items: Deque<Item> = []
        var closed = false
        var consuming = false
        /// The consumer, parked while the queue is empty and open.
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    /// The most items one batch holds.
    public let maximumBatch: Int

    public init(maximumBatch: Int = .max) {
        precondition(maximumBatch > 0, "a batch holds at least one item")
        self.maximumBatch = maximumBatch
    }

    /// Items accepted and not yet handed to the processor.
    public var count: Int { state.withLock { $0.items.count } }

    /// Whether `close()` was called.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Appends one item; false (and nothing queued) once the queue is closed.
    @discardableResult
    public func append(_ item: Item) -> Bool {
        append(contentsOf: [item])
    }

    /// Appends items, keeping their order; false (and nothing queued) once the queue is closed.
    @discardableResult
    public func append(contentsOf items: [Item]) -> Bool {
        let (accepted, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.closed else { return (false, nil) }
            state.items.append(contentsOf: items)
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        // Resumed outside the lock: the consumer takes the lock again as soon as it runs.
        waiter?.resume()
        return accepted
    }

    /// Refuses further items; `run` returns after processing those already accepted.
    public func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Processes batches until the queue is closed and empty. One consumer at a time; cancelling it closes
    /// the queue, and what was accepted is still handed to `process`, so no producer is left unanswered.
    public func run(_ process: ([Item]) async -> Void) async {
        let alreadyConsumed = state.withLock { state -> Bool in
            defer { state.consuming = true }
            return state.consuming
        }
        precondition(!alreadyConsumed, "a WorkQueue has one consumer")
        await withTaskCancellationHandler {
            while let batch = await next() { await process(batch) }
        } onCancel: {
            close()
        }
    }

    /// The next batch, waiting while the queue is empty and open; nil once it is closed and empty.
    private func next() async -> [Item]? {
        while true {
            let batch = state.withLock { state -> [Item]? in
                guard !state.items.isEmpty else { return nil }
                let count = min(maximumBatch, state.items.count)
                defer { state.items.removeFirst(count) }
                return Array(state.items.prefix(count))
            }
            if let batch { return batch }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if !state.items.isEmpty || state.closed { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
            if state.withLock({ $0.closed && $0.items.isEmpty }) { return nil }
        }
    }
}

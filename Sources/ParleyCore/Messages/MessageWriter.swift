import Logging
import Synchronization

/// Group commit for messages: concurrent sends queue here and are stored many per transaction, so that one
/// fsync acknowledges a whole batch. Nothing waits on a timer: while one batch commits, the next one gathers.
///
/// After a batch commits, each stored message's `onStored` runs in batch order (per room, `seq` order)
/// before any sender is resumed, which is where the message is published.
///
/// Messages are stored while `run()` runs (the server runs it as a lifecycle service). `finish()` refuses
/// later sends with `SERVICE_UNAVAILABLE`; `run()` returns once every message queued before it is answered.
public final class MessageWriter: Sendable {
    public typealias StoredHandler = @Sendable (StoredMessage) -> Void
    public typealias ProgressHandler = @Sendable (_ progress: [RoomProgress], _ storedCount: Int) -> Void

    public typealias Completion = @Sendable (Result<InsertOutcome, any Error>) -> Void

    private struct Pending: Sendable {
        let message: NewMessage
        let onStored: StoredHandler
        let completion: Completion
    }

    private let store: any MessageStore
    private let queue: WorkQueue<Pending>
    private let progressHandler = Mutex<ProgressHandler?>(nil)
    private let logger: Logger
    /// `client_id` repeats within this window (milliseconds) return the earlier message.
    public static let idempotencyWindow: Int64 = 24 * 3_600_000

    public init(store: any MessageStore, maximumBatch: Int = 512, logger: Logger) {
        self.store = store
        self.queue = WorkQueue(maximumBatch: maximumBatch)
        self.logger = logger
    }

    /// Called after each batch with the rooms it advanced (automatic summaries watch this).
    public func onProgress(_ handler: @escaping ProgressHandler) {
        progressHandler.withLock { $0 = handler }
    }

    /// Stores a message durably; returns once its transaction committed.
    public func write(_ message: NewMessage, onStored: @escaping StoredHandler) async throws -> InsertOutcome {
        try await withCheckedThrowingContinuation { continuation in
            submit(message, onStored: onStored) { continuation.resume(with: $0) }
        }
    }

    /// Queues a message without waiting: messages submitted one after another get increasing `seq` in
    /// their room. `completion` runs once the transaction committed or failed, or at once with
    /// `SERVICE_UNAVAILABLE` after `finish()`.
    public func submit(_ message: NewMessage, onStored: @escaping StoredHandler, completion: @escaping Completion) {
        if !queue.append(Pending(message: message, onStored: onStored, completion: completion)) {
            completion(.failure(ParleyError.unavailable("The server is shutting down; the message was not stored. Send it again after reconnecting.")))
        }
    }

    /// Stores queued messages, batch after batch, until `finish()` was called and every message queued
    /// before it is stored or failed. Cancelling it finishes the writer the same way.
    public func run() async {
        await queue.run { batch in await commit(batch) }
    }

    /// Refuses further messages; `run()` returns once the queued ones are answered.
    public func finish() {
        queue.close()
    }

    private func commit(_ batch: [Pending]) async {
        do {
            let (outcomes, progress) = try await store.insert(batch.map(\.message), idempotencyWindow: Self.idempotencyWindow)
            for (pending, outcome) in zip(batch, outcomes) {
                if case .stored(let message) = outcome { pending.onStored(message) }
            }
            for (pending, outcome) in zip(batch, outcomes) { pending.completion(.success(outcome)) }
            let storedCount = outcomes.count { if case .stored = $0 { true } else { false } }
            if let handler = progressHandler.withLock({ $0 }) { handler(progress, storedCount) }
        } catch {
            guard batch.count > 1 else {
                batch[0].completion(.failure(error))
                return
            }
            // One bad message must not fail its neighbours: retry them one by one.
            logger.warning("Message batch failed; retrying individually", metadata: ["size": "\(batch.count)", "error": "\(error)"])
            for pending in batch { await commit([pending]) }
        }
    }
}

import Logging
import ParleyCore
import SQLKit
import Synchronization

/// Writes PostgreSQL posting lists (`message_terms`) after the messages they index have committed.
///
/// A message has about thirty postings; written in the transaction every sender waits for, they were over
/// half of its time (docs/BENCHMARKS.md, e.). Here they follow in their own transactions, one at a time and
/// in commit order, while the next batch of messages is stored. Each transaction also moves the rooms'
/// watermarks (`search_watermarks`: postings are written through that `seq`), so that after a crash
/// `recover()` rebuilds exactly the missing postings from the stored tsvectors.
///
/// Readers that need a message's postings — search, edits and deletions — call `flush()` first, which
/// waits for the postings of every batch committed before it: a search sees every acknowledged message.
///
/// Postings are written while `run()` runs (a lifecycle service in the server); `finish()` lets it write what
/// is queued and return. Jobs handed over after that are left to `recover()` at the next start.
final class PostingWriter: Sendable {
    /// The postings of one committed batch in one room: messages with `seq` in `after + 1 ... through`.
    struct Job: Sendable {
        let roomID: String
        let after: Int64
        let through: Int64
        var terms: [Int64]
        var seqs: [Int64]
    }

    private struct State {
        /// Jobs handed over and jobs written so far; a flush waits for the count at its call.
        var enqueued = 0
        var written = 0
        var waiters: [(ticket: Int, id: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var nextWaiterID = 0
        /// Flushes whose timeout (or cancellation) came before they registered: they must not register.
        var expired: Set<Int> = []
    }

    private let backend: any SQLBackend
    private let logger: Logger
    private let state = Mutex(State())
    /// Every queued job goes into the next transaction, as one batch.
    private let queue = WorkQueue<Job>()
    /// How long a flush waits before going on with what is written (the database may be down).
    private let flushTimeout: Duration

    init(backend: any SQLBackend, logger: Logger, flushTimeout: Duration = .seconds(5)) {
        self.backend = backend
        self.logger = logger
        self.flushTimeout = flushTimeout
    }

    /// Hands over committed batches' postings; they are written in the order handed over.
    func enqueue(_ jobs: [Job]) {
        guard !jobs.isEmpty else { return }
        guard queue.append(contentsOf: jobs) else {
            // Finished (shutting down): the messages are stored and the watermarks stay behind them, so the
            // next start rebuilds these postings.
            logger.notice("Search postings left for the next start", metadata: ["jobs": "\(jobs.count)"])
            return
        }
        // Counted after the append: a flush that reads the count between the two did not see these jobs
        // handed over, and need not wait for them.
        state.withLock { $0.enqueued += jobs.count }
    }

    /// Writes queued postings until `finish()` and the queue is empty.
    func run() async {
        await queue.run { jobs in
            await writeRetrying(jobs)
            let resumed = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.written += jobs.count
                let ready = state.waiters.filter { $0.ticket <= state.written }
                state.waiters.removeAll { $0.ticket <= state.written }
                return ready.map(\.continuation)
            }
            for continuation in resumed { continuation.resume() }
        }
    }

    /// Refuses further jobs; `run()` returns once the queued ones are written.
    func finish() {
        queue.close()
    }

    /// Returns once the postings of every job handed over before the call are written (or after
    /// `flushTimeout` while the database refuses them).
    func flush() async {
        let (ticket, id) = state.withLock { state -> (Int, Int) in
            state.nextWaiterID += 1
            return (state.enqueued, state.nextWaiterID)
        }
        let timeout = flushTimeout
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let done = self.state.withLock { state -> Bool in
                        if state.expired.remove(id) != nil || state.written >= ticket { return true }
                        state.waiters.append((ticket, id, continuation))
                        return false
                    }
                    if done { continuation.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                // Also reached at once when the caller is cancelled: the waiter, registered or not yet, is let go,
                // since the task group waits for both children and the waiter does not watch cancellation.
                let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                        if state.written < ticket { state.expired.insert(id) }
                        return nil
                    }
                    return state.waiters.remove(at: index).continuation
                }
                if let waiter {
                    self.logger.warning("Search postings are behind; going on without them")
                    waiter.resume()
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Rebuilds the postings of rooms whose watermark is behind their last message (a crash between a
    /// batch's commit and its postings), before the server takes traffic.
    func recover() async throws {
        let behind = try await backend.read { database in
            try await database.raw("""
                SELECT r.id, r.last_seq FROM rooms r LEFT JOIN search_watermarks w ON w.room_id = r.id
                WHERE r.last_seq > COALESCE(w.seq, 0)
                """).all().map { (try $0.string("id"), try $0.int64("last_seq")) }
        }
        guard !behind.isEmpty else { return }
        logger.notice("Rebuilding search postings after an unclean stop", metadata: ["rooms": "\(behind.count)"])
        // A job with no postings past its watermark: `write` rebuilds the whole gap from the tsvectors.
        try await write(behind.map { Job(roomID: $0.0, after: $0.1, through: $0.1, terms: [], seqs: []) })
    }

    /// Writes `jobs`, trying again while the database refuses. Once finishing, it gives up after a few
    /// attempts: the watermarks stay behind, and the next start rebuilds the postings.
    private func writeRetrying(_ jobs: [Job]) async {
        var failures = 0
        while true {
            do {
                try await write(jobs)
                return
            } catch {
                // The messages are stored, their postings must follow.
                failures += 1
                if queue.isClosed, failures >= 3 {
                    logger.warning("Writing search postings failed at shutdown; the next start rebuilds them", metadata: ["error": "\(String(reflecting: error))"])
                    return
                }
                logger.warning("Writing search postings failed; retrying", metadata: ["error": "\(String(reflecting: error))", "attempt": "\(failures)"])
                try? await Task.sleep(for: .milliseconds(min(5_000, 50 << min(failures, 7))))
            }
        }
    }

    /// One transaction for all `jobs`: per room, the postings past its watermark (rebuilt from the tsvectors
    /// where a job is missing), then the watermark moved to the room's last job.
    private func write(_ jobs: [Job]) async throws {
        var byRoom: [String: Job] = [:]
        for job in jobs {
            guard var merged = byRoom[job.roomID] else {
                byRoom[job.roomID] = job
                continue
            }
            merged.terms += job.terms
            merged.seqs += job.seqs
            byRoom[job.roomID] = Job(
                roomID: job.roomID, after: min(merged.after, job.after), through: max(merged.through, job.through),
                terms: merged.terms, seqs: merged.seqs)
        }
        let merged = byRoom
        let roomIDs = merged.keys.sorted()
        try await backend.transaction { database in
            // KEY SHARE lets the rooms' message batches go on (they update last_seq, not the key) and holds
            // back their deletion, which takes the room's row first and then removes its postings.
            let rows = try await database.raw("""
                SELECT r.id, COALESCE(w.seq, 0) AS indexed FROM rooms r LEFT JOIN search_watermarks w ON w.room_id = r.id
                WHERE r.id IN (\(binds: roomIDs)) ORDER BY r.id FOR KEY SHARE OF r
                """).all()
            var terms: [Int64] = []
            var seqs: [Int64] = []
            var moved: [(roomID: String, seq: Int64)] = []
            for row in rows {
                let roomID = try row.string("id")
                let indexed = try row.int64("indexed")
                guard let job = merged[roomID], job.through > indexed else { continue }
                if indexed < job.after {
                    // Postings no job carries (lost in a crash): rebuilt from the stored tsvectors, after
                    // removing any that were written, so that this can run twice.
                    let gap: SQLQueryString = "s.room_id = \(bind: roomID) AND s.seq > \(bind: indexed) AND s.seq <= \(bind: job.after)"
                    try await database.raw("""
                        DELETE FROM message_terms p USING (\(PostingTerms.sqlPostings(where: gap))) old
                        WHERE p.term = old.term AND p.seq = old.seq
                        """).run()
                    try await database.raw("""
                        INSERT INTO message_terms (term, seq) SELECT term, seq FROM (\(PostingTerms.sqlPostings(where: gap))) rebuilt
                        """).run()
                }
                for (term, seq) in zip(job.terms, job.seqs) where seq > indexed {
                    terms.append(term)
                    seqs.append(seq)
                }
                moved.append((roomID, job.through))
            }
            try await SQLStore.insertPostings(terms: terms, seqs: seqs, in: database)
            for (roomID, seq) in moved {
                try await database.raw("""
                    INSERT INTO search_watermarks (room_id, seq) VALUES (\(bind: roomID), \(bind: seq))
                    ON CONFLICT (room_id) DO UPDATE SET seq = excluded.seq
                    """).run()
            }
        }
    }
}

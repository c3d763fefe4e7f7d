import Foundation
import Synchronization

/// Fires `action(k, due)` for k = 0, 1, 2 … at `due = start + k / rate`, from a thread of its own, whatever the calls
/// cause: the schedule follows the clock and never waits for replies (open loop). Late ticks fire at once,
/// in order, and their lateness is recorded.
final class OpenLoopTicker: Sendable {
    private let interval: Double
    private let action: @Sendable (_ tick: UInt64, _ due: UInt64) -> Void
    private let stopped = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let finished = Mutex<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private let maxLag = Atomic<UInt64>(0)
    private let fired = Atomic<UInt64>(0)

    /// Largest delay between a tick's due time and its firing, in nanoseconds.
    var maxLagNanoseconds: UInt64 { maxLag.load(ordering: .relaxed) }
    /// Ticks fired so far.
    var ticks: UInt64 { fired.load(ordering: .relaxed) }

    /// `rate` ticks per second; `action` must return quickly (hand work off rather than do it).
    init(rate: Double, action: @escaping @Sendable (_ tick: UInt64, _ due: UInt64) -> Void) {
        self.interval = 1e9 / max(rate, 1e-9)
        self.action = action
    }

    /// Starts ticking now; stops by itself at `until` (monotonic nanoseconds) if given.
    func start(until deadline: UInt64? = nil) {
        started.store(true, ordering: .relaxed)
        let thread = Thread { [self] in
            run(deadline: deadline)
            done.signal()
        }
        thread.name = "open-loop-ticker"
        thread.start()
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    /// Stops and waits until the thread has ended, so no tick fires afterwards.
    func stopAndWait() async {
        stop()
        // A ticker never started has no thread to wait for.
        guard started.load(ordering: .relaxed) else { return }
        let alreadyFinished = finished.withLock { $0 }
        if alreadyFinished { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.done.wait()
                self.done.signal()
                continuation.resume()
            }
        }
    }

    private func run(deadline: UInt64?) {
        defer { finished.withLock { $0 = true } }
        let start = Clock.now()
        var tick: UInt64 = 0
        while !stopped.load(ordering: .relaxed) {
            let due = start + UInt64(Double(tick) * interval)
            if let deadline, due >= deadline { return }
            var now = Clock.now()
            if now < due {
                let wait = due - now
                // Sleep most of the wait; the last stretch is short enough for the scheduler's accuracy.
                var request = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
                nanosleep(&request, nil)
                continue
            }
            now = Clock.now()
            let lag = now - due
            if lag > maxLag.load(ordering: .relaxed) { maxLag.store(lag, ordering: .relaxed) }
            action(tick, due)
            fired.add(1, ordering: .relaxed)
            tick += 1
        }
    }
}

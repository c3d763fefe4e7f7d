import Synchronization

/// A value behind a lock that escaping closures and tasks can share (a `Mutex` alone cannot be captured).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try mutex.withLock { try body(&$0) }
    }

    var value: Value { mutex.withLock { $0 } }
}

/// A shared integer counter.
final class Counter: Sendable {
    private let atomic: Atomic<Int>

    init(_ value: Int = 0) {
        atomic = Atomic(value)
    }

    @inline(__always)
    func add(_ amount: Int = 1) {
        atomic.add(amount, ordering: .relaxed)
    }

    /// Adds one and returns the value before.
    func next() -> Int {
        atomic.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    var value: Int { atomic.load(ordering: .relaxed) }

    func store(_ value: Int) {
        atomic.store(value, ordering: .relaxed)
    }

    /// Raises the value to `candidate` if it is larger.
    func raise(to candidate: Int) {
        var current = atomic.load(ordering: .relaxed)
        while candidate > current {
            let (exchanged, original) = atomic.compareExchange(expected: current, desired: candidate, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}

/// The first few error messages of a run, for the report.
final class ErrorSamples: Sendable {
    private let samples = Mutex<[String]>([])
    private let limit: Int

    init(limit: Int = 5) {
        self.limit = limit
    }

    func add(_ message: String) {
        samples.withLock { if $0.count < limit { $0.append(String(message.prefix(300))) } }
    }

    var all: [String] { samples.withLock { $0 } }
}

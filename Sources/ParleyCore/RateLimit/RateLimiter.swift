import Synchronization

/// The outcome of counting one request against a limit.
public struct RateLimitDecision: Sendable, Equatable {
    public let allowed: Bool
    public let limit: Int
    public let remaining: Int
    /// When the current window ends (unix seconds, `X-RateLimit-Reset`).
    public let resetAt: Int64
    /// Seconds to wait before retrying, when refused (`Retry-After`).
    public let retryAfter: Int64
}

/// Where request counts live. The in-memory store serves one node; a cluster-wide store (a shared broker or
/// database) can conform later without touching the middleware.
public protocol RateLimitStore: Sendable {
    /// Counts one hit for `key` in a fixed window of `windowSeconds` and decides whether it is within `limit`.
    func hit(key: String, limit: Int, windowSeconds: Int64, now: Timestamp) async -> RateLimitDecision
}

/// Fixed-window counters in process memory. A key's window opens at its first hit and lasts
/// `windowSeconds` (so a burst never straddles two windows by accident of the wall clock); stale windows are
/// swept periodically.
public final class InMemoryRateLimitStore: RateLimitStore {
    private struct Window {
        var start: Int64
        var count: Int
        /// Each window keeps its own length: one store serves limits of different windows (a minute for
        /// requests, an hour for uploads), and a sweep by the caller's length would reset the longer ones.
        var lengthMillis: Int64
    }

    private struct State {
        var windows: [String: Window] = [:]
        var lastSweep: Int64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func hit(key: String, limit: Int, windowSeconds: Int64, now: Timestamp) async -> RateLimitDecision {
        let nowMillis = now.milliseconds
        let windowMillis = windowSeconds * 1000
        let (count, start) = state.withLock { state -> (Int, Int64) in
            if nowMillis - state.lastSweep >= 60_000 {
                state.windows = state.windows.filter { nowMillis - $0.value.start < $0.value.lengthMillis }
                state.lastSweep = nowMillis
            }
            var window = state.windows[key] ?? Window(start: nowMillis, count: 0, lengthMillis: windowMillis)
            if nowMillis - window.start >= windowMillis { window = Window(start: nowMillis, count: 0, lengthMillis: windowMillis) }
            window.count += 1
            state.windows[key] = window
            return (window.count, window.start)
        }
        let resetAt = (start + windowMillis + 999) / 1000
        let allowed = count <= limit
        return RateLimitDecision(
            allowed: allowed, limit: limit, remaining: max(0, limit - count), resetAt: resetAt,
            retryAfter: allowed ? 0 : max(1, (start + windowMillis - nowMillis + 999) / 1000)
        )
    }
}

/// A token bucket per key, for bursty streams such as WebSocket sends (rate per second with a burst).
///
/// A bucket that has refilled is the same as none, so buckets full again are swept once per refill period:
/// the table stays as large as the keys active lately, and reconnecting does not reset a bucket.
public final class TokenBucketLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updatedMillis: Int64
    }

    private struct State {
        var buckets: [String: Bucket] = [:]
        var lastSweepMillis: Int64 = 0
    }

    private let ratePerSecond: Double
    private let burst: Double
    private let state = Mutex(State())

    public init(ratePerSecond: Int, burst: Int) {
        self.ratePerSecond = Double(max(1, ratePerSecond))
        self.burst = Double(max(1, burst))
    }

    /// Takes one token for `key`; false when the bucket is empty.
    public func take(_ key: String, now: Timestamp = .now()) -> Bool {
        let nowMillis = now.milliseconds
        return state.withLock { state in
            let refillMillis = Int64(burst / ratePerSecond * 1000)
            if nowMillis - state.lastSweepMillis > refillMillis {
                state.buckets = state.buckets.filter { nowMillis - $0.value.updatedMillis < refillMillis }
                state.lastSweepMillis = nowMillis
            }
            var bucket = state.buckets[key] ?? Bucket(tokens: burst, updatedMillis: nowMillis)
            let elapsed = Double(max(0, nowMillis - bucket.updatedMillis)) / 1000
            bucket.tokens = min(burst, bucket.tokens + elapsed * ratePerSecond)
            bucket.updatedMillis = nowMillis
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            state.buckets[key] = bucket
            return allowed
        }
    }

    /// Keys holding a bucket now (for tests of the sweep).
    public var trackedKeys: Int { state.withLock { $0.buckets.count } }
}

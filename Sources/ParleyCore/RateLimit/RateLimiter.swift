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
            if nowMillis - state.lastSweep >= windowMillis {
                state.windows = state.windows.filter { nowMillis - $0.value.start < windowMillis }
                state.lastSweep = nowMillis
            }
            var window = state.windows[key] ?? Window(start: nowMillis, count: 0)
            if nowMillis - window.start >= windowMillis { window = Window(start: nowMillis, count: 0) }
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
public final class TokenBucketLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updatedMillis: Int64
    }

    private let ratePerSecond: Double
    private let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    public init(ratePerSecond: Int, burst: Int) {
        self.ratePerSecond = Double(max(1, ratePerSecond))
        self.burst = Double(max(1, burst))
    }

    /// Takes one token for `key`; false when the bucket is empty.
    public func take(_ key: String, now: Timestamp = .now()) -> Bool {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updatedMillis: now.milliseconds)
            let elapsed = Double(max(0, now.milliseconds - bucket.updatedMillis)) / 1000
            bucket.tokens = min(burst, bucket.tokens + elapsed * ratePerSecond)
            bucket.updatedMillis = now.milliseconds
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[key] = bucket
            return allowed
        }
    }

    /// Forgets a key (when its last connection closes) so the table does not grow without bound.
    public func forget(_ key: String) {
        _ = buckets.withLock { $0.removeValue(forKey: key) }
    }
}

import ParleyCore
import Testing

@Suite("Rate limiters")
struct RateLimiterTests {
    @Test("a fixed window counts from the first hit and resets after it")
    func fixedWindow() async {
        let store = InMemoryRateLimitStore()
        let start = Timestamp(milliseconds: 1_000_500)
        for index in 1...3 {
            let decision = await store.hit(key: "k", limit: 3, windowSeconds: 60, now: start.adding(seconds: Int64(index)))
            #expect(decision.allowed && decision.remaining == 3 - index)
        }
        let refused = await store.hit(key: "k", limit: 3, windowSeconds: 60, now: start.adding(seconds: 10))
        #expect(!refused.allowed && refused.retryAfter == 51 && refused.resetAt == 1062)
        #expect(await store.hit(key: "other", limit: 3, windowSeconds: 60, now: start.adding(seconds: 10)).allowed)
        #expect(await store.hit(key: "k", limit: 3, windowSeconds: 60, now: start.adding(seconds: 61)).allowed)
    }

    @Test("a token bucket allows its burst, then its rate")
    func tokenBucket() {
        let bucket = TokenBucketLimiter(ratePerSecond: 10, burst: 30)
        let start = Timestamp(milliseconds: 0)
        for _ in 0..<30 { #expect(bucket.take("u", now: start)) }
        #expect(!bucket.take("u", now: start))
        #expect(bucket.take("u", now: start.adding(milliseconds: 100)))
        #expect(!bucket.take("u", now: start.adding(milliseconds: 100)))
        #expect(bucket.take("v", now: start))
    }

    @Test("an hourly window survives the sweeps of a minute window in the same store")
    func windowsOfDifferentLengths() async {
        let store = InMemoryRateLimitStore()
        let start = Timestamp(milliseconds: 5_000_000)
        for _ in 0..<2 { #expect(await store.hit(key: "upload:u", limit: 2, windowSeconds: 3600, now: start).allowed) }
        // Requests under a one-minute limit two minutes later sweep stale windows.
        #expect(await store.hit(key: "ip:a", limit: 60, windowSeconds: 60, now: start.adding(seconds: 120)).allowed)
        #expect(await store.hit(key: "ip:a", limit: 60, windowSeconds: 60, now: start.adding(seconds: 200)).allowed)
        #expect(!(await store.hit(key: "upload:u", limit: 2, windowSeconds: 3600, now: start.adding(seconds: 240)).allowed))
        #expect(await store.hit(key: "upload:u", limit: 2, windowSeconds: 3600, now: start.adding(seconds: 3601)).allowed)
    }

    @Test("buckets are swept once they have refilled, so the table holds only keys active lately")
    func tokenBucketSweep() {
        let bucket = TokenBucketLimiter(ratePerSecond: 10, burst: 20)
        let start = Timestamp(milliseconds: 1_000_000)
        for _ in 0..<20 { #expect(bucket.take("drained", now: start)) }
        for index in 0..<1000 { _ = bucket.take("k\(index)", now: start) }
        #expect(bucket.trackedKeys == 1001)
        // Refilling takes 2 s: a sweep before then keeps the drained bucket drained.
        _ = bucket.take("other", now: start.adding(milliseconds: 1900))
        #expect(bucket.trackedKeys == 1002)
        // Past a refill period every untouched bucket is full again, and gone.
        _ = bucket.take("late", now: start.adding(milliseconds: 4500))
        #expect(bucket.trackedKeys == 1)
    }
}

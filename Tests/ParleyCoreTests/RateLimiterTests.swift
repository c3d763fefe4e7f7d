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
}

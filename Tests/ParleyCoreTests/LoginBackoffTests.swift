import ParleyCore
import Testing

@Suite("Login backoff")
struct LoginBackoffTests {
    private let start = Timestamp(milliseconds: 1_800_000_000_000)

    private func at(_ seconds: Int64) -> Timestamp { start.adding(seconds: seconds) }

    @Test("an address waits after its failures for an account, twice as long after each further failure, up to the cap")
    func exponential() {
        let backoff = LoginBackoff(settings: LoginBackoffSettings(failuresPerAddress: 3, failuresPerAccount: 1000, initialDelay: 2, maximumDelay: 10))
        for _ in 0..<2 { backoff.recordFailure(account: "a", address: "x", now: at(0)) }
        #expect(backoff.check(account: "a", address: "x", now: at(0)) == .allowed)
        backoff.recordFailure(account: "a", address: "x", now: at(0))
        #expect(backoff.check(account: "a", address: "x", now: at(0)) == .refused(retryAfter: 2))
        #expect(backoff.check(account: "a", address: "y", now: at(0)) == .allowed)
        #expect(backoff.check(account: "b", address: "x", now: at(0)) == .allowed)
        #expect(backoff.check(account: "a", address: "x", now: at(2)) == .allowed)
        backoff.recordFailure(account: "a", address: "x", now: at(2))
        #expect(backoff.check(account: "a", address: "x", now: at(2)) == .refused(retryAfter: 4))
        backoff.recordFailure(account: "a", address: "x", now: at(6))
        #expect(backoff.check(account: "a", address: "x", now: at(6)) == .refused(retryAfter: 8))
        backoff.recordFailure(account: "a", address: "x", now: at(14))
        #expect(backoff.check(account: "a", address: "x", now: at(14)) == .refused(retryAfter: 10))
    }

    @Test("failures are forgotten a window after the last one, and a success forgives its address only")
    func forgetting() {
        let backoff = LoginBackoff(settings: LoginBackoffSettings(failuresPerAddress: 2, failuresPerAccount: 3, window: 60))
        backoff.recordFailure(account: "a", address: "x", now: at(0))
        backoff.recordFailure(account: "a", address: "x", now: at(61 + 1))
        // The first failure is out of the window: one failure, no wait.
        #expect(backoff.check(account: "a", address: "x", now: at(62)) == .allowed)
        backoff.recordFailure(account: "a", address: "x", now: at(62))
        #expect(backoff.check(account: "a", address: "x", now: at(62)) == .refused(retryAfter: 1))
        backoff.recordSuccess(account: "a", address: "x")
        #expect(backoff.check(account: "a", address: "x", now: at(62)) == .allowed)
        // The account's count survived the success: one more failure anywhere holds back unknown addresses.
        backoff.recordFailure(account: "a", address: "z", now: at(63))
        #expect(backoff.check(account: "a", address: "w", now: at(63)) == .refusedUnlessKnown(retryAfter: 1))
    }

    @Test("failures for an account from many addresses hold back every address, as refusedUnlessKnown")
    func perAccount() {
        let backoff = LoginBackoff(settings: LoginBackoffSettings(failuresPerAddress: 5, failuresPerAccount: 4, initialDelay: 30))
        for index in 0..<4 { backoff.recordFailure(account: "a", address: "10.0.0.\(index)", now: at(0)) }
        #expect(backoff.check(account: "a", address: "10.0.0.99", now: at(1)) == .refusedUnlessKnown(retryAfter: 29))
        #expect(backoff.check(account: "b", address: "10.0.0.99", now: at(1)) == .allowed)
        #expect(backoff.check(account: "a", address: "10.0.0.99", now: at(30)) == .allowed)
    }

    @Test("past its capacity the backoff tracks no new keys instead of growing")
    func bounded() {
        let backoff = LoginBackoff(settings: LoginBackoffSettings(failuresPerAddress: 1, failuresPerAccount: 1000), maximumEntries: 2)
        for index in 0..<3 { backoff.recordFailure(account: "a\(index)", address: "x", now: at(0)) }
        #expect(backoff.check(account: "a0", address: "x", now: at(0)) == .refused(retryAfter: 1))
        #expect(backoff.check(account: "a2", address: "x", now: at(0)) == .allowed)
    }
}

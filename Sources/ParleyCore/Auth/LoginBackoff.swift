import Synchronization

/// Limits of the per-account login backoff (docs/API.md, "Login backoff").
public struct LoginBackoffSettings: Sendable, Equatable {
    /// Failed logins for one account from one address before that address must wait.
    public var failuresPerAddress: Int
    /// Failed logins for one account from all addresses together before addresses that never logged in to it
    /// must wait. Looser than the per-address limit; addresses that did log in are exempt.
    public var failuresPerAccount: Int
    /// Seconds a run of failures is remembered after its last failure.
    public var window: Int64
    /// The first wait, seconds; each further failure doubles it.
    public var initialDelay: Int64
    /// The longest wait, seconds.
    public var maximumDelay: Int64
    /// An address that opened a session for the account within this many seconds counts as the owner's.
    public var knownAddressAge: Int64

    public init(
        failuresPerAddress: Int = 5, failuresPerAccount: Int = 20, window: Int64 = 900, initialDelay: Int64 = 1,
        maximumDelay: Int64 = 900, knownAddressAge: Int64 = 30 * 86_400
    ) {
        self.failuresPerAddress = failuresPerAddress
        self.failuresPerAccount = failuresPerAccount
        self.window = window
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.knownAddressAge = knownAddressAge
    }
}

/// Whether a login attempt may check its password now.
public enum LoginBackoffDecision: Sendable, Equatable {
    case allowed
    /// This address failed too often for this account: wait, whoever you are.
    case refused(retryAfter: Int64)
    /// The account failed too often from everywhere: wait, unless the address logged in to it before.
    case refusedUnlessKnown(retryAfter: Int64)
}

/// Failed-login counters per (account, address) and per account, with exponential waits.
///
/// Keyed so that an attacker cannot lock the owner out: the strict limit is per (account, address), so
/// failures elsewhere do not hold back the owner's address; the looser per-account limit only holds back
/// addresses that never logged in to the account. Memory is bounded: quiet entries are swept, and past
/// `maximumEntries` new keys are not tracked (the other counter of the attempt still is).
public final class LoginBackoff: Sendable {
    private struct Counter {
        var failures = 0
        var lastFailure: Int64 = 0
        var blockedUntil: Int64 = 0
    }

    private struct State {
        var pairs: [String: Counter] = [:]
        var accounts: [String: Counter] = [:]
        var lastSweep: Int64 = 0
    }

    public let settings: LoginBackoffSettings
    private let maximumEntries: Int
    private let state = Mutex(State())

    public init(settings: LoginBackoffSettings = LoginBackoffSettings(), maximumEntries: Int = 100_000) {
        self.settings = settings
        self.maximumEntries = maximumEntries
    }

    public func check(account: String, address: String, now: Timestamp) -> LoginBackoffDecision {
        let nowMillis = now.milliseconds
        let (pairUntil, accountUntil) = state.withLock { state in
            (state.pairs[Self.pairKey(account, address)]?.blockedUntil ?? 0, state.accounts[account]?.blockedUntil ?? 0)
        }
        if pairUntil > nowMillis { return .refused(retryAfter: Self.seconds(until: pairUntil, from: nowMillis)) }
        if accountUntil > nowMillis { return .refusedUnlessKnown(retryAfter: Self.seconds(until: accountUntil, from: nowMillis)) }
        return .allowed
    }

    public func recordFailure(account: String, address: String, now: Timestamp) {
        let nowMillis = now.milliseconds
        let settings = self.settings
        state.withLock { state in
            sweep(&state, now: nowMillis)
            Self.fail(&state.pairs, Self.pairKey(account, address), threshold: settings.failuresPerAddress, settings: settings, now: nowMillis, capacity: maximumEntries)
            Self.fail(&state.accounts, account, threshold: settings.failuresPerAccount, settings: settings, now: nowMillis, capacity: maximumEntries)
        }
    }

    /// A correct password from this address: its own run of failures is forgiven. The account's count is
    /// kept, so that the owner logging in does not reopen the door for an attacker elsewhere.
    public func recordSuccess(account: String, address: String) {
        _ = state.withLock { $0.pairs.removeValue(forKey: Self.pairKey(account, address)) }
    }

    private static func fail(
        _ counters: inout [String: Counter], _ key: String, threshold: Int, settings: LoginBackoffSettings, now: Int64, capacity: Int
    ) {
        guard counters[key] != nil || counters.count < capacity else { return }
        var counter = counters[key] ?? Counter()
        if now - counter.lastFailure > settings.window * 1000, counter.blockedUntil <= now { counter = Counter() }
        counter.failures += 1
        counter.lastFailure = now
        if counter.failures >= threshold {
            let doublings = min(counter.failures - threshold, 30)
            let delay = min(settings.maximumDelay, settings.initialDelay << doublings)
            counter.blockedUntil = now + max(1, delay) * 1000
        }
        counters[key] = counter
    }

    /// Drops counters whose failures are older than the window and whose wait is over, at most once a minute.
    private func sweep(_ state: inout State, now: Int64) {
        guard now - state.lastSweep >= 60_000 else { return }
        state.lastSweep = now
        let window = settings.window * 1000
        let live: (Counter) -> Bool = { now - $0.lastFailure <= window || $0.blockedUntil > now }
        state.pairs = state.pairs.filter { live($0.value) }
        state.accounts = state.accounts.filter { live($0.value) }
    }

    private static func pairKey(_ account: String, _ address: String) -> String { account + "\u{0}" + address }

    private static func seconds(until: Int64, from now: Int64) -> Int64 { max(1, (until - now + 999) / 1000) }
}

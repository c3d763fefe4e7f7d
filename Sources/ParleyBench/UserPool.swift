/// Users registered for a run, shared by its scenarios and registered on first need (bcrypt makes each
/// registration cost tens of milliseconds, so runs register few users and open many connections per user).
actor UserPool {
    private let api: ParleyAPI
    private var registered: [(user: BenchUser, obtained: UInt64)] = []
    /// Access tokens last 30 minutes; older ones are renewed by logging in again.
    private let tokenRenewal: UInt64 = 20 * 60 * 1_000_000_000

    init(api: ParleyAPI) {
        self.api = api
    }

    /// The first `count` users, registering the missing ones and renewing old tokens.
    func users(_ count: Int) async throws -> [BenchUser] {
        if registered.count < count {
            let missing = count - registered.count
            let started = Clock.now()
            let more = try await api.registerUsers(missing, startingAt: registered.count)
            let now = Clock.now()
            registered += more.map { ($0, now) }
            Log.progress("registered \(missing) user(s) in \(fixed(Clock.seconds(since: started))) s")
        }
        let now = Clock.now()
        for index in 0..<count where now - registered[index].obtained > tokenRenewal {
            registered[index] = (try await api.login(registered[index].user), Clock.now())
        }
        return registered.prefix(count).map(\.user)
    }
}

import Synchronization

/// What ended: some sessions (logout), or every session of a user (deactivation).
public enum Revocation: Sendable, Equatable {
    case sessions([String])
    case user(String)
}

/// Tells interested parties (the WebSocket gateway) that sessions ended, so that their live connections close.
public final class SessionRevocations: Sendable {
    public typealias Listener = @Sendable (Revocation) async -> Void
    private let listeners = Mutex<[Listener]>([])

    public init() {}

    public func addListener(_ listener: @escaping Listener) {
        listeners.withLock { $0.append(listener) }
    }

    func notify(_ revocation: Revocation) async {
        for listener in listeners.withLock({ $0 }) { await listener(revocation) }
    }
}

import Hummingbird
import NIOCore
import ParleyCore
import Synchronization

/// Per-request state shared by the middleware chain. Request contexts are values copied from middleware to
/// middleware; this reference lets an inner layer (authentication, rate limiting) tell an outer one
/// (logging, response headers) what it decided.
public final class RequestState: Sendable {
    private let storage: Mutex<Storage>

    struct Storage {
        var requestID: String
        var authentication: Result<Identity, ParleyError>?
        var rateLimit: RateLimitDecision?
    }

    init(requestID: String) {
        self.storage = Mutex(Storage(requestID: requestID))
    }

    /// The id in `X-Request-ID`: the caller's, when it sent an acceptable one, else generated.
    public internal(set) var requestID: String {
        get { storage.withLock { $0.requestID } }
        set { storage.withLock { $0.requestID = newValue } }
    }

    var authentication: Result<Identity, ParleyError>? {
        get { storage.withLock { $0.authentication } }
        set { storage.withLock { $0.authentication = newValue } }
    }

    var rateLimit: RateLimitDecision? {
        get { storage.withLock { $0.rateLimit } }
        set { storage.withLock { $0.rateLimit = newValue } }
    }
}

/// The request context of every Parley route.
public struct ParleyRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var state: RequestState

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.state = RequestState(requestID: Identifiers.uuid())
    }

    /// The authenticated caller, or the 401/403 error explaining why there is none.
    public func requireIdentity() throws -> Identity {
        switch state.authentication {
        case .success(let identity): return identity
        case .failure(let error): throw error
        case nil: throw ParleyError.authenticationRequired
        }
    }

    /// The client's IP address as text, for per-IP limits.
    public var clientIP: String {
        remoteAddress?.ipAddress ?? "unknown"
    }

    /// Upload routes raise this per route; JSON bodies are read with their own limit.
    public var maxUploadSize: Int { 12 * 1024 * 1024 }
}

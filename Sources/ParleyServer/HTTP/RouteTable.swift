import HTTPTypes
import Hummingbird
import Synchronization

/// Every route Parley registers, by method and path template. It answers 405 for a known path with another
/// method, and lets a test check the OpenAPI document against what is really routed.
public final class RouteTable: Sendable {
    public struct Entry: Sendable, Hashable {
        public let method: HTTPRequest.Method
        /// Template with `{name}` parameters, as in OpenAPI.
        public let path: String
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    public var all: [Entry] { entries.withLock { $0 } }

    func record(_ method: HTTPRequest.Method, _ path: String) {
        entries.withLock { $0.append(Entry(method: method, path: path)) }
    }

    /// The methods registered for templates matching `path`; empty when the path is unknown.
    func methods(matching path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return entries.withLock { entries in
            entries.filter { entry in
                let template = entry.path.split(separator: "/", omittingEmptySubsequences: true)
                guard template.count == segments.count else { return false }
                return zip(template, segments).allSatisfy { pattern, segment in
                    pattern.hasPrefix("{") || pattern == segment
                }
            }.map(\.method)
        }
    }
}

/// Registers routes on a router and in the route table at once; Hummingbird reads the same `{name}`
/// templates the table records.
struct Routes {
    let router: Router<ParleyRequestContext>
    let table: RouteTable

    func on(
        _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request, ParleyRequestContext) async throws -> Response
    ) {
        table.record(method, path)
        router.on(RouterPath(path), method: method, use: handler)
    }
}

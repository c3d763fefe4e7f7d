import Foundation
import NIOCore
import NIOHTTP1

/// A user registered for a run; connections and requests act as this user.
struct BenchUser: Sendable {
    let id: String
    let username: String
    let password: String
    let token: String
}

/// A call that the server refused or answered unexpectedly.
struct APIError: Error, CustomStringConvertible {
    let description: String

    init(_ what: String, _ result: HTTPResult) {
        description = "\(what): HTTP \(result.status) \(result.snippet)"
    }

    init(_ description: String) {
        self.description = description
    }
}

/// The REST calls the scenarios make (registration, rooms, messages, search), each checked for success.
struct ParleyAPI: Sendable {
    let http: HTTPClient
    /// Distinguishes this run's usernames and room names from earlier runs against the same server.
    let runID: String

    init(http: HTTPClient) {
        self.http = http
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        runID = String((0..<6).map { _ in letters.randomElement()! })
    }

    /// Whether `GET /health` answers 200.
    func isHealthy() async -> Bool {
        (try? await http.request(.GET, "/health", timeout: .seconds(5)).status) == 200
    }

    func register(index: Int) async throws -> BenchUser {
        let username = "pb_\(runID)_\(index)"
        let password = "bench-password-\(runID)"
        let result = try await http.request(.POST, "/auth/register", json: [
            "username": username, "email": "\(username)@bench.example.com", "password": password, "display_name": "Bench \(index)",
        ])
        guard result.status == 201, let data = result.jsonObject()?["data"] as? [String: Any],
              let token = data["access_token"] as? String, let user = data["user"] as? [String: Any], let id = user["id"] as? String
        else { throw APIError("register \(username)", result) }
        return BenchUser(id: id, username: username, password: password, token: token)
    }

    /// Registers `count` users, a few at a time (bcrypt makes each take tens of milliseconds).
    func registerUsers(_ count: Int, startingAt first: Int = 0) async throws -> [BenchUser] {
        try await concurrently(count, limit: 4) { index in try await register(index: first + index) }
    }

    /// A fresh access token for `user` (tokens last 30 minutes; long runs log in again).
    func login(_ user: BenchUser) async throws -> BenchUser {
        let result = try await http.request(.POST, "/auth/login", json: ["username": user.username, "password": user.password])
        guard result.isSuccess, let data = result.jsonObject()?["data"] as? [String: Any], let token = data["access_token"] as? String else {
            throw APIError("login \(user.username)", result)
        }
        return BenchUser(id: user.id, username: user.username, password: user.password, token: token)
    }

    /// Creates a public, server-readable room and returns its id.
    func createRoom(name: String, by user: BenchUser) async throws -> String {
        let result = try await http.request(.POST, "/chatrooms", json: [
            "name": name, "is_private": false, "encryption_enabled": false, "max_members": 10_000,
        ], token: user.token)
        guard result.status == 201, let data = result.jsonObject()?["data"] as? [String: Any],
              let room = data["chatroom"] as? [String: Any], let id = room["id"] as? String
        else { throw APIError("create room \(name)", result) }
        return id
    }

    func join(room: String, as user: BenchUser) async throws {
        let result = try await http.request(.POST, "/chatrooms/\(room)/join", json: [:], token: user.token)
        // 409 means already a member (a creator, or a re-run against a reused room): fine.
        guard result.isSuccess || result.status == 409 else { throw APIError("join room \(room)", result) }
    }

    /// The room's latest `seq` (0 when empty), from the newest history page.
    func lastSeq(room: String, as user: BenchUser) async throws -> Int64 {
        let result = try await http.request(.GET, "/chatrooms/\(room)/messages?page=1&limit=1", token: user.token)
        guard result.isSuccess, let data = result.jsonObject()?["data"] as? [String: Any], let messages = data["messages"] as? [[String: Any]]
        else { throw APIError("read room \(room)", result) }
        return (messages.first?["seq"] as? NSNumber)?.int64Value ?? 0
    }

    /// One page of messages after `afterSeq`, oldest first: (seq, client_id) of each, and whether more follow.
    func page(room: String, afterSeq: Int64, limit: Int, as user: BenchUser) async throws -> (messages: [(seq: Int64, clientID: String?)], hasMore: Bool) {
        let result = try await http.request(.GET, "/chatrooms/\(room)/messages?after_seq=\(afterSeq)&limit=\(limit)", token: user.token)
        guard result.isSuccess, let data = result.jsonObject()?["data"] as? [String: Any], let messages = data["messages"] as? [[String: Any]]
        else { throw APIError("read room \(room) after \(afterSeq)", result) }
        let pagination = data["pagination"] as? [String: Any]
        let rows = messages.map { message in
            ((message["seq"] as? NSNumber)?.int64Value ?? -1, message["client_id"] as? String)
        }
        return (rows, (pagination?["has_more"] as? Bool) ?? false)
    }

    /// `GET /metrics` as text.
    func metrics() async throws -> String {
        let result = try await http.request(.GET, "/metrics")
        guard result.isSuccess else { throw APIError("metrics", result) }
        return String(buffer: result.body)
    }
}

/// Runs `work(0..<count)` with at most `limit` calls in flight; results keep their index order.
func concurrently<T: Sendable>(_ count: Int, limit: Int, _ work: @escaping @Sendable (Int) async throws -> T) async throws -> [T] {
    guard count > 0 else { return [] }
    return try await withThrowingTaskGroup(of: (Int, T).self) { group in
        var results = [T?](repeating: nil, count: count)
        var next = 0
        while next < min(limit, count) {
            let index = next
            group.addTask { (index, try await work(index)) }
            next += 1
        }
        while let (index, value) = try await group.next() {
            results[index] = value
            if next < count {
                let index = next
                group.addTask { (index, try await work(index)) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}

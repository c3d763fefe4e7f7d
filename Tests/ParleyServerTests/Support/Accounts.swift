import Foundation
import ParleyCore
import ParleyTestSupport

/// A registered user as tests hold it.
struct TestUser: Sendable {
    let id: String
    let username: String
    let email: String
    let password: String
    let accessToken: String
    let refreshToken: String
}

extension TestServer {
    /// Registers a user with a unique name and returns its tokens.
    func register(_ prefix: String = "user", displayName: String? = nil) async throws -> TestUser {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let username = "\(prefix)_\(suffix)"
        let email = "\(username)@example.com"
        let password = "password-\(suffix)"
        let response = try await request(.POST, "/auth/register", json: [
            "username": .string(username), "email": .string(email), "password": .string(password),
            "display_name": .string(displayName ?? prefix.capitalized),
        ])
        guard response.status == 201, let id = response.data["user"]["id"].stringValue,
            let access = response.data["access_token"].stringValue, let refresh = response.data["refresh_token"].stringValue
        else { throw TestFailure("registration failed: \(response.status) \(response.text)") }
        return TestUser(id: id, username: username, email: email, password: password, accessToken: access, refreshToken: refresh)
    }

    /// Logs in again, opening a second session.
    func login(_ user: TestUser) async throws -> TestUser {
        let response = try await request(.POST, "/auth/login", json: ["username": .string(user.username), "password": .string(user.password)])
        guard response.status == 200, let access = response.data["access_token"].stringValue,
            let refresh = response.data["refresh_token"].stringValue
        else { throw TestFailure("login failed: \(response.status) \(response.text)") }
        return TestUser(id: user.id, username: user.username, email: user.email, password: user.password, accessToken: access, refreshToken: refresh)
    }
}

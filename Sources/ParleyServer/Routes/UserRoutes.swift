import Hummingbird
import ParleyCore

/// `/users/me`: the caller's profile.
struct UserRoutes {
    let users: UserService
    let jsonLimit: Int

    struct UpdateBody: Decodable {
        let displayName: String?
        let avatarURL: Patch<String>
        let publicKey: Patch<String>

        enum CodingKeys: String, CodingKey {
            case displayName = "display_name"
            case avatarURL = "avatar_url"
            case publicKey = "public_key"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            displayName = try container.decodeIfPresent(String.self, forKey: .displayName)
            avatarURL = try container.decode(Patch<String>.self, forKey: .avatarURL)
            publicKey = try container.decode(Patch<String>.self, forKey: .publicKey)
        }
    }

    func register(on routes: Routes) {
        routes.on(.get, "/users/me") { _, context in
            let user = try await users.profile(of: try context.requireIdentity())
            return try .envelope(ProfileView(user), message: "Profile retrieved")
        }
        routes.on(.put, "/users/me") { request, context in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(UpdateBody.self, limit: jsonLimit)
            let user = try await users.updateProfile(
                of: identity, displayName: body.displayName, avatarURL: body.avatarURL.update, publicKey: body.publicKey.update)
            return try .envelope(ProfileView(user), message: "Profile updated")
        }
    }
}

/// The caller's own profile (`GET`/`PUT /users/me`).
public struct UserService: Sendable {
    private let users: any UserStore
    private let files: FileService?
    /// Told about profile changes, so that new messages carry the new profile.
    private let sendAccess: SendAccessCache?

    public init(users: any UserStore, files: FileService? = nil, sendAccess: SendAccessCache? = nil) {
        self.users = users
        self.files = files
        self.sendAccess = sendAccess
    }

    public func profile(of identity: Identity) async throws -> User {
        guard let user = try await users.user(id: identity.userID) else {
            throw ParleyError.notFound(.authUserNotFound, "User account not found")
        }
        return user
    }

    /// Validates and applies a profile update. `avatarURL`/`publicKey` given as `.some(nil)` or empty clear the field.
    public func updateProfile(of identity: Identity, displayName: String?, avatarURL: String??, publicKey: String??) async throws -> User {
        var validator = Validator()
        var changes = ProfileChanges()
        if let displayName {
            changes.displayName = validator.text(displayName, field: "display_name", required: true, length: AccountRules.displayNameLength)
        }
        if let avatarURL {
            let trimmed = avatarURL?.trimmingWhitespace() ?? ""
            if trimmed.isEmpty {
                changes.avatarURL = .some(nil)
            } else if AccountRules.isValidHTTPURL(trimmed) {
                changes.avatarURL = .some(trimmed)
            } else {
                validator.fail("avatar_url", .validationInvalidFormat, "avatar_url must be an absolute http or https URL")
            }
        }
        if let publicKey {
            let trimmed = publicKey?.trimmingWhitespace() ?? ""
            if trimmed.isEmpty {
                changes.publicKey = .some(nil)
            } else if !ControlCharacters.found(in: trimmed, allowing: .tabsAndNewlines), PublicKeyValidator.isValidRSAPublicKey(trimmed) {
                changes.publicKey = .some(trimmed)
            } else {
                validator.fail("public_key", .validationInvalidFormat, "public_key must be an RSA public key in PEM form (at least 2048 bits)")
            }
        }
        try validator.check()
        if changes.isEmpty { return try await profile(of: identity) }
        // An avatar URL set by hand replaces an uploaded avatar, whose file is then removed.
        if changes.avatarURL != nil { try await files?.forgetAvatar(of: identity.userID) }
        guard let updated = try await users.updateProfile(userID: identity.userID, changes: changes, at: .now()) else {
            throw ParleyError.notFound(.authUserNotFound, "User account not found")
        }
        sendAccess?.forget(user: identity.userID)
        return updated
    }
}

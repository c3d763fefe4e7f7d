import Foundation
import ParleyCore
import SQLKit

extension SQLStore: UserStore {
    static let userColumns = """
        id, username, email, password_hash, display_name, avatar_url, avatar_file_id, public_key, is_verified, \
        is_active, created_at, updated_at, last_login
        """

    /// The user columns of table alias `alias`, each renamed with `prefix`, for joins.
    static func userColumns(_ alias: String, prefix: String) -> String {
        userColumns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { "\(alias).\($0) AS \(prefix)\($0)" }.joined(separator: ", ")
    }

    static func decodeUser(_ row: any SQLRow) throws -> User {
        try decodeUser(row, prefix: "")
    }

    static func decodeUser(_ row: any SQLRow, prefix: String) throws -> User {
        User(
            id: try row.string(prefix + "id"), username: try row.string(prefix + "username"), email: try row.string(prefix + "email"),
            passwordHash: try row.string(prefix + "password_hash"), displayName: try row.string(prefix + "display_name"),
            avatarURL: try row.optionalString(prefix + "avatar_url"), avatarFileID: try row.optionalString(prefix + "avatar_file_id"),
            publicKey: try row.optionalString(prefix + "public_key"), isVerified: try row.bool(prefix + "is_verified"),
            isActive: try row.bool(prefix + "is_active"), createdAt: try row.timestamp(prefix + "created_at"),
            updatedAt: try row.timestamp(prefix + "updated_at"), lastLogin: try row.optionalTimestamp(prefix + "last_login")
        )
    }

    public func createUser(_ user: User) async throws {
        do {
            try await backend.transaction { database in
                try await database.raw("""
                    INSERT INTO users (id, username, username_key, email, email_key, password_hash, display_name,
                        avatar_url, avatar_file_id, public_key, is_verified, is_active, created_at, updated_at, last_login)
                    VALUES (\(bind: user.id), \(bind: user.username), \(bind: user.username.lowercased()),
                        \(bind: user.email), \(bind: user.email.lowercased()), \(bind: user.passwordHash),
                        \(bind: user.displayName), \(bind: user.avatarURL), \(bind: user.avatarFileID),
                        \(bind: user.publicKey), \(bind: user.isVerified.sqlFlag), \(bind: user.isActive.sqlFlag),
                        \(bind: user.createdAt.milliseconds), \(bind: user.updatedAt.milliseconds),
                        \(bind: user.lastLogin?.milliseconds))
                    """).run()
            }
        } catch {
            if let violation = backend.uniqueViolation(in: error) {
                throw StoreError.duplicate(field: violation.contains("email") ? "email" : "username")
            }
            throw error
        }
    }

    public func user(id: String) async throws -> User? {
        try await backend.read { database in
            try await database.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE id = \(bind: id)")
                .first().map(Self.decodeUser)
        }
    }

    public func user(login: String) async throws -> User? {
        let key = login.lowercased()
        return try await backend.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.userColumns) FROM users
                WHERE username_key = \(bind: key) OR email_key = \(bind: key)
                ORDER BY CASE WHEN username_key = \(bind: key) THEN 0 ELSE 1 END
                LIMIT 1
                """).first().map(Self.decodeUser)
        }
    }

    public func users(ids: [String]) async throws -> [User] {
        guard !ids.isEmpty else { return [] }
        let unique = Array(Set(ids))
        return try await backend.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE id IN (\(binds: unique))
                """).all().map(Self.decodeUser)
        }
    }

    public func updateProfile(userID: String, changes: ProfileChanges, at time: Timestamp) async throws -> User? {
        try await backend.transaction { database in
            guard let row = try await database.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE id = \(bind: userID)").first()
            else { return nil }
            var user = try Self.decodeUser(row)
            if let displayName = changes.displayName { user.displayName = displayName }
            if let avatarURL = changes.avatarURL { user.avatarURL = avatarURL }
            if let publicKey = changes.publicKey { user.publicKey = publicKey }
            user.updatedAt = time
            try await database.raw("""
                UPDATE users SET display_name = \(bind: user.displayName), avatar_url = \(bind: user.avatarURL),
                    public_key = \(bind: user.publicKey), updated_at = \(bind: time.milliseconds)
                WHERE id = \(bind: userID)
                """).run()
            return user
        }
    }

    public func recordLogin(userID: String, at time: Timestamp) async throws {
        try await backend.transaction { database in
            try await database.raw("UPDATE users SET last_login = \(bind: time.milliseconds) WHERE id = \(bind: userID)").run()
        }
    }

    public func setActive(userID: String, isActive: Bool, at time: Timestamp) async throws -> Bool {
        try await backend.transaction { database in
            try await database.raw("""
                UPDATE users SET is_active = \(bind: isActive.sqlFlag), updated_at = \(bind: time.milliseconds)
                WHERE id = \(bind: userID) RETURNING id
                """).first() != nil
        }
    }
}

/// The events that produce system messages, and their text.
public enum SystemEvent: Sendable, Equatable {
    case memberJoined(PublicUserView)
    case memberLeft(PublicUserView)
    case memberRemoved(PublicUserView, by: PublicUserView)
    case roleChanged(PublicUserView, role: RoomRole, by: PublicUserView)
    case settingsChanged(by: PublicUserView, fields: [String], newName: String?)

    /// The user the message is attributed to (the one who acted).
    public var actor: PublicUserView {
        switch self {
        case .memberJoined(let user), .memberLeft(let user): user
        case .memberRemoved(_, let by), .roleChanged(_, _, let by): by
        case .settingsChanged(let by, _, _): by
        }
    }

    /// The content object clients receive: readable text plus machine-readable fields.
    public var content: JSONValue {
        switch self {
        case .memberJoined(let user):
            ["event": "member_joined", "user_id": .string(user.id), "text": .string("\(user.displayName) joined")]
        case .memberLeft(let user):
            ["event": "member_left", "user_id": .string(user.id), "text": .string("\(user.displayName) left")]
        case .memberRemoved(let user, let by):
            ["event": "member_removed", "user_id": .string(user.id), "actor_id": .string(by.id),
             "text": .string("\(by.displayName) removed \(user.displayName)")]
        case .roleChanged(let user, let role, let by):
            ["event": "role_changed", "user_id": .string(user.id), "actor_id": .string(by.id), "role": .string(role.rawValue),
             "text": .string(role == .owner ? "\(user.displayName) is now the owner" : "\(by.displayName) made \(user.displayName) a \(role.rawValue)")]
        case .settingsChanged(let by, let fields, let newName):
            ["event": "settings_changed", "actor_id": .string(by.id), "fields": .array(fields.map { .string($0) }),
             "text": .string(newName.map { "\(by.displayName) renamed the room to \($0)" } ?? "\(by.displayName) changed the room settings")]
        }
    }
}

/// Something a user may try to do in a room.
public enum RoomAction: Sendable, Equatable, CustomStringConvertible {
    /// GET the room, its history, search, summaries and files.
    case view
    case send
    case react
    case markRead
    case editOwnMessage
    case deleteOwnMessage
    case deleteOthersMessage
    case updateSettings
    case createInvite
    case changeRole
    /// Remove a member whose role is `targetRole`.
    case removeMember(targetRole: RoomRole)
    case deleteRoom

    public var description: String {
        switch self {
        case .view: "view"
        case .send: "send"
        case .react: "react"
        case .markRead: "mark read"
        case .editOwnMessage: "edit own message"
        case .deleteOwnMessage: "delete own message"
        case .deleteOthersMessage: "delete others' messages"
        case .updateSettings: "update settings"
        case .createInvite: "create invite"
        case .changeRole: "change roles"
        case .removeMember(let role): "remove a \(role.rawValue)"
        case .deleteRoom: "delete the room"
        }
    }
}

/// The permission table of API.md §3, the only place that answers "may this role do this".
public enum RoomPolicy {
    /// Returns normally when `role` (nil for a non-member) may perform `action` in `room`; otherwise throws
    /// the exact 403 the API prescribes.
    public static func authorize(_ action: RoomAction, role: RoomRole?, in room: Room) throws(ParleyError) {
        guard let role else {
            throw ParleyError.forbidden(.chatroomAccessDenied, "You are not a member of this chatroom")
        }
        switch action {
        case .view, .send, .react, .markRead, .editOwnMessage, .deleteOwnMessage:
            return
        case .deleteOthersMessage:
            if role == .member { throw ParleyError.forbidden(.messageDeleteDenied, "Only moderators and the owner can delete others' messages") }
        case .updateSettings:
            if role == .member { throw ParleyError.forbidden(.resourceAccessDenied, "Only moderators and the owner can change room settings") }
        case .createInvite:
            if role == .member && room.isPrivate {
                throw ParleyError.forbidden(.resourceAccessDenied, "Only moderators and the owner can invite to a private room")
            }
        case .changeRole:
            if role != .owner { throw ParleyError.forbidden(.resourceAccessDenied, "Only the owner can change roles") }
        case .removeMember(let targetRole):
            switch role {
            case .owner: return
            case .moderator where targetRole == .member: return
            case .moderator: throw ParleyError.forbidden(.resourceAccessDenied, "Moderators can remove members only")
            case .member: throw ParleyError.forbidden(.resourceAccessDenied, "Only moderators and the owner can remove members")
            }
        case .deleteRoom:
            if role != .owner { throw ParleyError.forbidden(.chatroomOwnerRequired, "Only the owner can delete the chatroom") }
        }
    }

    /// The roles that may perform `action` in `room`, for the store to check again in the transaction that
    /// performs it. For `.removeMember` the table covers every target role (the associated role is ignored),
    /// because the target's role is read again in that transaction too.
    public static func requirement(_ action: RoomAction, actorID: String, in room: Room) -> RoleRequirement {
        var grants: [RoomRole: Set<RoomRole>] = [:]
        for role in RoomRole.allCases {
            let targets: Set<RoomRole>
            if case .removeMember = action {
                targets = Set(RoomRole.allCases.filter { allows(.removeMember(targetRole: $0), role: role, in: room) })
            } else {
                targets = allows(action, role: role, in: room) ? Set(RoomRole.allCases) : []
            }
            if !targets.isEmpty { grants[role] = targets }
        }
        return RoleRequirement(actorID: actorID, grants: grants)
    }

    /// The value of a write guarded by `requirement(action, ...)`, or the 403 this policy gives for the roles
    /// the store found in its transaction (the same error as a refusal before the write).
    static func granted<Value: Sendable>(_ result: Guarded<Value>, _ action: RoomAction, in room: Room) throws(ParleyError) -> Value {
        switch result {
        case .done(let value):
            return value
        case .refused(let actorRole, let targetRole):
            var checked = action
            if case .removeMember = action, let targetRole { checked = .removeMember(targetRole: targetRole) }
            try authorize(checked, role: actorRole, in: room)
            // The store's table comes from this policy, so this is not reached; refuse all the same.
            throw ParleyError.forbidden(.resourceAccessDenied, "You may no longer \(action)")
        }
    }

    /// Whether the action is allowed (for listings that show capabilities).
    public static func allows(_ action: RoomAction, role: RoomRole?, in room: Room) -> Bool {
        (try? authorize(action, role: role, in: room)) != nil
    }
}

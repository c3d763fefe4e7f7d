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

    /// Whether the action is allowed (for listings that show capabilities).
    public static func allows(_ action: RoomAction, role: RoomRole?, in room: Room) -> Bool {
        (try? authorize(action, role: role, in: room)) != nil
    }
}

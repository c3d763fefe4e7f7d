import ParleyCore
import Testing

/// The permission table of API.md §3, cell by cell.
@Suite("Room permission table")
struct RoomPolicyTests {
    static let publicRoom = Room(
        id: "r", name: "n", description: nil, ownerID: "o", isPrivate: false, maxMembers: 10, memberCount: 3,
        encryptionEnabled: true, autoSummaryEnabled: true, summaryThreshold: 50, createdAt: Timestamp(milliseconds: 0),
        updatedAt: Timestamp(milliseconds: 0))
    static var privateRoom: Room {
        var room = publicRoom
        room.isPrivate = true
        return room
    }

    /// nil means allowed; otherwise the error code.
    static let table: [(RoomAction, Room, [RoomRole?: String?])] = [
        (.view, publicRoom, [.owner: nil, .moderator: nil, .member: nil, nil: "CHATROOM_ACCESS_DENIED"]),
        (.send, publicRoom, [.owner: nil, .moderator: nil, .member: nil, nil: "CHATROOM_ACCESS_DENIED"]),
        (.react, publicRoom, [.owner: nil, .moderator: nil, .member: nil, nil: "CHATROOM_ACCESS_DENIED"]),
        (.markRead, publicRoom, [.owner: nil, .moderator: nil, .member: nil, nil: "CHATROOM_ACCESS_DENIED"]),
        (.editOwnMessage, publicRoom, [.owner: nil, .moderator: nil, .member: nil, nil: "CHATROOM_ACCESS_DENIED"]),
        (.deleteOwnMessage, publicRoom, [.owner: nil, .moderator: nil, .member: nil, nil: "CHATROOM_ACCESS_DENIED"]),
        (.deleteOthersMessage, publicRoom, [.owner: nil, .moderator: nil, .member: "MESSAGE_DELETE_DENIED", nil: "CHATROOM_ACCESS_DENIED"]),
        (.updateSettings, publicRoom, [.owner: nil, .moderator: nil, .member: "RESOURCE_ACCESS_DENIED", nil: "CHATROOM_ACCESS_DENIED"]),
        (.createInvite, publicRoom, [.owner: nil, .moderator: nil, .member: nil, nil: "CHATROOM_ACCESS_DENIED"]),
        (.createInvite, privateRoom, [.owner: nil, .moderator: nil, .member: "RESOURCE_ACCESS_DENIED", nil: "CHATROOM_ACCESS_DENIED"]),
        (.changeRole, publicRoom, [.owner: nil, .moderator: "RESOURCE_ACCESS_DENIED", .member: "RESOURCE_ACCESS_DENIED", nil: "CHATROOM_ACCESS_DENIED"]),
        (.removeMember(targetRole: .member), publicRoom, [.owner: nil, .moderator: nil, .member: "RESOURCE_ACCESS_DENIED", nil: "CHATROOM_ACCESS_DENIED"]),
        (.removeMember(targetRole: .moderator), publicRoom, [.owner: nil, .moderator: "RESOURCE_ACCESS_DENIED", .member: "RESOURCE_ACCESS_DENIED", nil: "CHATROOM_ACCESS_DENIED"]),
        (.deleteRoom, publicRoom, [.owner: nil, .moderator: "CHATROOM_OWNER_REQUIRED", .member: "CHATROOM_OWNER_REQUIRED", nil: "CHATROOM_ACCESS_DENIED"]),
    ]

    @Test("every cell", arguments: 0..<table.count)
    func cell(index: Int) {
        let (action, room, expectations) = Self.table[index]
        for role in [RoomRole.owner, .moderator, .member, nil] {
            let expected = expectations[role] ?? "missing"
            do {
                try RoomPolicy.authorize(action, role: role, in: room)
                #expect(expected == nil, "\(action) by \(role?.rawValue ?? "non-member") was allowed")
            } catch {
                #expect(error.code.rawValue == expected, "\(action) by \(role?.rawValue ?? "non-member")")
                #expect(error.status == 403)
            }
        }
    }
}

import Hummingbird
import ParleyCore

/// `/chatrooms/*`: rooms, membership, roles and invitations.
struct RoomRoutes {
    let rooms: RoomService
    let jsonLimit: Int

    struct CreateBody: Decodable {
        let name: String?
        let description: String?
        let isPrivate: Bool?
        let maxMembers: Int?
        let encryptionEnabled: Bool?
        let autoSummaryEnabled: Bool?
        let summaryThreshold: Int?

        enum CodingKeys: String, CodingKey {
            case name, description
            case isPrivate = "is_private"
            case maxMembers = "max_members"
            case encryptionEnabled = "encryption_enabled"
            case autoSummaryEnabled = "auto_summary_enabled"
            case summaryThreshold = "summary_threshold"
        }
    }

    struct UpdateBody: Decodable {
        let name: String?
        let description: Patch<String>
        let maxMembers: Int?
        let autoSummaryEnabled: Bool?
        let summaryThreshold: Int?
        let encryptionEnabled: Bool?

        enum CodingKeys: String, CodingKey {
            case name, description
            case maxMembers = "max_members"
            case autoSummaryEnabled = "auto_summary_enabled"
            case summaryThreshold = "summary_threshold"
            case encryptionEnabled = "encryption_enabled"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            description = try container.decode(Patch<String>.self, forKey: .description)
            maxMembers = try container.decodeIfPresent(Int.self, forKey: .maxMembers)
            autoSummaryEnabled = try container.decodeIfPresent(Bool.self, forKey: .autoSummaryEnabled)
            summaryThreshold = try container.decodeIfPresent(Int.self, forKey: .summaryThreshold)
            encryptionEnabled = try container.decodeIfPresent(Bool.self, forKey: .encryptionEnabled)
        }
    }

    struct InviteBody: Decodable {
        let maxUses: Int?
        let expiresInHours: Int?
        enum CodingKeys: String, CodingKey {
            case maxUses = "max_uses"
            case expiresInHours = "expires_in_hours"
        }
    }

    struct RoleBody: Decodable {
        let role: String?
    }

    struct RoomPayload: Encodable { let chatroom: RoomView }
    struct ListPayload<Item: Encodable>: Encodable {
        let chatrooms: [Item]
        let pagination: PaginationView
    }
    struct DetailsPayload: Encodable {
        let chatroom: RoomView
        let members: [MemberView]
        let userRole: RoomRole
        enum CodingKeys: String, CodingKey {
            case chatroom, members
            case userRole = "user_role"
        }
    }
    struct InvitationPayload: Encodable { let invitation: InvitationView }
    struct JoinPayload: Encodable { let chatroom: JoinedRoomView }
    struct MemberPayload: Encodable { let member: MemberView }
    struct LeavePayload: Encodable {
        let chatroomID: String
        let roomDeleted: Bool
        let newOwnerID: String?
        enum CodingKeys: String, CodingKey {
            case chatroomID = "chatroom_id"
            case roomDeleted = "room_deleted"
            case newOwnerID = "new_owner_id"
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(chatroomID, forKey: .chatroomID)
            try container.encode(roomDeleted, forKey: .roomDeleted)
            try container.encode(newOwnerID, forKey: .newOwnerID)
        }
    }
    struct RemovedPayload: Encodable {
        let chatroomID: String
        let userID: String
        enum CodingKeys: String, CodingKey {
            case chatroomID = "chatroom_id"
            case userID = "user_id"
        }
    }

    func register(on routes: Routes) {
        routes.on(.get, "/chatrooms") { request, context in
            let identity = try context.requireIdentity()
            let page = try request.pageRequest(defaultLimit: RoomRules.defaultListLimit, limitRange: RoomRules.listLimitRange)
            let result = try await rooms.list(for: identity, search: try request.textQuery("search"), page: page)
            return try .envelope(ListPayload(chatrooms: result.items, pagination: PaginationView(result)), message: "Chatrooms retrieved")
        }
        routes.on(.post, "/chatrooms") { request, context in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(CreateBody.self, limit: jsonLimit)
            let room = try await rooms.create(RoomCreation(
                name: body.name, description: body.description, isPrivate: body.isPrivate, maxMembers: body.maxMembers,
                encryptionEnabled: body.encryptionEnabled, autoSummaryEnabled: body.autoSummaryEnabled,
                summaryThreshold: body.summaryThreshold), by: identity)
            return try .envelope(RoomPayload(chatroom: RoomView(room)), status: .created, message: "Chatroom created")
        }
        routes.on(.get, "/chatrooms/discover") { request, context in
            let identity = try context.requireIdentity()
            let page = try request.pageRequest(defaultLimit: RoomRules.defaultListLimit, limitRange: RoomRules.listLimitRange)
            let result = try await rooms.discover(for: identity, search: try request.textQuery("search"), page: page)
            return try .envelope(ListPayload(chatrooms: result.items, pagination: PaginationView(result)), message: "Public chatrooms retrieved")
        }
        routes.on(.get, "/chatrooms/{chatroom_id}") { _, context in
            let identity = try context.requireIdentity()
            let details = try await rooms.details(of: try IncomingIDs.room(context.path("chatroom_id")), for: identity)
            return try .envelope(DetailsPayload(chatroom: RoomView(details.room), members: details.members, userRole: details.role), message: "Chatroom retrieved")
        }
        routes.on(.put, "/chatrooms/{chatroom_id}") { request, context in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(UpdateBody.self, limit: jsonLimit)
            if body.encryptionEnabled != nil {
                throw ParleyError.validation(field: "encryption_enabled", "encryption_enabled is fixed when the chatroom is created")
            }
            let room = try await rooms.update(try IncomingIDs.room(context.path("chatroom_id")), with: RoomChanges(
                name: body.name, description: body.description.update, maxMembers: body.maxMembers,
                autoSummaryEnabled: body.autoSummaryEnabled, summaryThreshold: body.summaryThreshold), by: identity)
            return try .envelope(RoomPayload(chatroom: RoomView(room)), message: "Chatroom updated")
        }
        routes.on(.delete, "/chatrooms/{chatroom_id}") { _, context in
            let identity = try context.requireIdentity()
            let roomID = try IncomingIDs.room(context.path("chatroom_id"))
            try await rooms.delete(roomID, by: identity)
            return try .envelope(["chatroom_id": roomID.rawValue], message: "Chatroom deleted")
        }
        routes.on(.post, "/chatrooms/{chatroom_id}/invite") { request, context in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(InviteBody.self, limit: jsonLimit, allowEmpty: true)
            let invitation = try await rooms.invite(
                to: try IncomingIDs.room(context.path("chatroom_id")), maxUses: body.maxUses, expiresInHours: body.expiresInHours, by: identity)
            return try .envelope(InvitationPayload(invitation: invitation), status: .created, message: "Invitation created")
        }
        routes.on(.post, "/chatrooms/join/{invite_code}") { _, context in
            let room = try await rooms.join(code: context.path("invite_code"), by: try context.requireIdentity())
            return try .envelope(JoinPayload(chatroom: room), message: "Joined chatroom")
        }
        routes.on(.post, "/chatrooms/{chatroom_id}/join") { _, context in
            let identity = try context.requireIdentity()
            let room = try await rooms.joinPublic(try IncomingIDs.room(context.path("chatroom_id")), by: identity)
            return try .envelope(JoinPayload(chatroom: room), message: "Joined chatroom")
        }
        routes.on(.post, "/chatrooms/{chatroom_id}/leave") { _, context in
            let identity = try context.requireIdentity()
            let roomID = try IncomingIDs.room(context.path("chatroom_id"))
            let result = try await rooms.leave(roomID, by: identity)
            return try .envelope(
                LeavePayload(chatroomID: roomID.rawValue, roomDeleted: result.roomDeleted, newOwnerID: result.newOwnerID),
                message: result.roomDeleted ? "Left chatroom; it had no members left and was deleted" : "Left chatroom")
        }
        routes.on(.put, "/chatrooms/{chatroom_id}/members/{user_id}") { request, context in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(RoleBody.self, limit: jsonLimit)
            let roomID = try IncomingIDs.room(context.path("chatroom_id"))
            let member = try await rooms.setRole(
                of: try IncomingIDs.member(context.path("user_id")), in: roomID, to: body.role, by: identity)
            return try .envelope(MemberPayload(member: member), message: "Member updated")
        }
        routes.on(.delete, "/chatrooms/{chatroom_id}/members/{user_id}") { _, context in
            let identity = try context.requireIdentity()
            let roomID = try IncomingIDs.room(context.path("chatroom_id"))
            let userID = try IncomingIDs.member(context.path("user_id"))
            try await rooms.removeMember(userID, from: roomID, by: identity)
            return try .envelope(RemovedPayload(chatroomID: roomID.rawValue, userID: userID.rawValue), message: "Member removed")
        }
    }
}

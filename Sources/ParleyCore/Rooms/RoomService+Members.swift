import Foundation

/// The result of leaving a room.
public struct LeaveResult: Sendable {
    public let roomDeleted: Bool
    public let newOwnerID: String?
}

extension RoomService {
    // MARK: Invitations and joining

    public func invite(to roomID: RoomID, maxUses: Int?, expiresInHours: Int?, by identity: Identity) async throws -> InvitationView {
        var validator = Validator()
        let uses = validator.integer(maxUses, field: "max_uses", range: RoomRules.maxUsesRange) ?? 1
        let hours = validator.integer(expiresInHours, field: "expires_in_hours", range: RoomRules.expiresInHoursRange) ?? 24
        try validator.check()
        let (room, _) = try await access(roomID, identity, .createInvite)
        let now = Timestamp.now()
        let invitation = Invitation(
            id: Identifiers.uuid(), roomID: room.id, code: Base64URL.encode(SecureRandom.bytes(12)), createdBy: identity.userID,
            maxUses: uses, expiresAt: now.adding(seconds: Int64(hours) * 3600), createdAt: now)
        try RoomPolicy.granted(
            try await rooms.createInvitation(invitation, requirement: RoomPolicy.requirement(.createInvite, actorID: identity.userID, in: room)),
            .createInvite, in: room)
        return InvitationView(invitation, url: Self.inviteURL(base: publicBaseURL, code: invitation.code))
    }

    /// `POST /chatrooms/join/{code}`.
    public func join(code: String, by identity: Identity) async throws -> JoinedRoomView {
        let trimmed = code.trimmingWhitespace()
        // A code with control characters names no invitation (and PostgreSQL refuses 0x00 in a parameter).
        guard !trimmed.isEmpty, trimmed.utf8.count <= 64, !ControlCharacters.found(in: trimmed), let invitation = try await rooms.invitation(code: trimmed) else {
            throw Self.invalidInvitation("not_found")
        }
        return try await join(roomID: invitation.roomID, invitation: invitation, identity: identity)
    }

    /// `POST /chatrooms/{id}/join`: public rooms only.
    public func joinPublic(_ roomID: RoomID, by identity: Identity) async throws -> JoinedRoomView {
        guard let room = try await rooms.room(id: roomID.rawValue) else {
            throw ParleyError.notFound(.chatroomNotFound, "Chatroom not found")
        }
        if room.isPrivate, try await rooms.membership(roomID: room.id, userID: identity.userID) == nil {
            throw ParleyError.forbidden(.chatroomAccessDenied, "This chatroom is private; join it with an invitation")
        }
        return try await join(roomID: room.id, invitation: nil, identity: identity)
    }

    private func join(roomID: String, invitation: Invitation?, identity: Identity) async throws -> JoinedRoomView {
        guard let room = try await rooms.room(id: roomID) else {
            throw invitation == nil ? ParleyError.notFound(.chatroomNotFound, "Chatroom not found") : Self.invalidInvitation("not_found")
        }
        let user = try await users.publicUser(identity.userID)
        try await warmKey(for: room)
        // An invitation admits only while its creator may still make it (see RoomStore.join).
        let guarded = invitation.map { (id: $0.id, creator: RoomPolicy.requirement(.createInvite, actorID: $0.createdBy, in: room)) }
        let outcome = try await rooms.join(
            roomID: room.id, user: user, invitation: guarded, at: .now(), makeMessage: systemMessageFactory(for: room))
        switch outcome {
        case .alreadyMember(let room, let membership):
            return JoinedRoomView(room: room, role: membership.role)
        case .joined(let room, let membership, let message):
            publish(.userJoined, UserJoinedPayload(chatroomID: room.id, user: user), to: .room(room.id))
            publishSystemMessage(message, event: .memberJoined(user))
            return JoinedRoomView(room: room, role: membership.role)
        case .roomFull:
            throw ParleyError.conflict(.chatroomFull, "Chatroom is at maximum capacity", details: ["max_members": .int(room.maxMembers)])
        case .invitationInvalid(let reason):
            throw Self.invalidInvitation(reason)
        case .roomNotFound:
            throw invitation == nil ? ParleyError.notFound(.chatroomNotFound, "Chatroom not found") : Self.invalidInvitation("not_found")
        }
    }

    // MARK: Leaving, removal and roles

    public func leave(_ roomID: RoomID, by identity: Identity) async throws -> LeaveResult {
        let (room, _) = try await access(roomID, identity, .view)
        let user = try await users.publicUser(identity.userID)
        return try await depart(room: room, user: user, remover: nil)
    }

    public func removeMember(_ userID: UserID, from roomID: RoomID, by identity: Identity) async throws {
        let (room, _) = try await access(roomID, identity, .view)
        let targetID = userID.rawValue
        guard let target = try await rooms.membership(roomID: room.id, userID: targetID) else {
            throw ParleyError.notFound(.resourceNotFound, "That user is not a member of this chatroom")
        }
        guard targetID != identity.userID else {
            throw ParleyError.validation(field: "user_id", "Use POST /chatrooms/{id}/leave to leave a chatroom")
        }
        let actorRole = try await rooms.membership(roomID: room.id, userID: identity.userID)?.role
        try RoomPolicy.authorize(.removeMember(targetRole: target.role), role: actorRole, in: room)
        let remover = try await users.publicUser(identity.userID)
        let user = try await users.publicUser(targetID)
        // Both roles are read again in the departure's transaction; what was read here may be stale by then.
        let requirement = RoomPolicy.requirement(.removeMember(targetRole: target.role), actorID: identity.userID, in: room)
        _ = try await depart(room: room, user: user, remover: (remover, requirement))
    }

    public func setRole(of userID: UserID, in roomID: RoomID, to roleName: String?, by identity: Identity) async throws -> MemberView {
        let (room, _) = try await access(roomID, identity, .changeRole)
        guard let roleName else { throw ParleyError.validation(.validationRequiredField, field: "role", "role is required") }
        guard let role = RoomRole(rawValue: roleName) else {
            throw ParleyError.validation(field: "role", "role must be owner, moderator or member")
        }
        let targetID = userID.rawValue
        guard try await rooms.membership(roomID: room.id, userID: targetID) != nil else {
            throw ParleyError.notFound(.resourceNotFound, "That user is not a member of this chatroom")
        }
        guard targetID != identity.userID else {
            throw ParleyError.validation(field: "user_id", "The owner keeps the owner role until giving it to another member")
        }
        let actor = try await users.publicUser(identity.userID)
        try await warmKey(for: room)
        let result = try await rooms.setRole(
            roomID: room.id, target: targetID, role: role, actor: actor,
            requirement: RoomPolicy.requirement(.changeRole, actorID: identity.userID, in: room), at: .now(),
            makeMessage: systemMessageFactory(for: room))
        guard let outcome = try RoomPolicy.granted(result, .changeRole, in: room) else {
            throw ParleyError.notFound(.resourceNotFound, "That user is not a member of this chatroom")
        }
        for change in outcome.changes {
            publish(.memberUpdated, MemberUpdatedPayload(
                chatroomID: room.id, userID: change.member.user.id, role: change.member.membership.role,
                previousRole: change.previousRole, updatedBy: identity.userID), to: .room(room.id))
        }
        if let message = outcome.messages.first, let changed = outcome.changes.first {
            publishSystemMessage(message, event: .roleChanged(changed.member.user, role: role, by: actor))
        }
        var member = outcome.changes.first?.member
        if member == nil { member = try await rooms.members(roomID: room.id).first { $0.user.id == targetID } }
        guard let member else { throw ParleyError.notFound(.resourceNotFound, "That user is not a member of this chatroom") }
        return MemberView(member, isOnline: !presence.onlineUsers(among: [targetID]).isEmpty)
    }

    private func depart(
        room: Room, user: PublicUserView, remover guarded: (user: PublicUserView, requirement: RoleRequirement)?
    ) async throws -> LeaveResult {
        try await warmKey(for: room)
        let result = try await rooms.depart(
            roomID: room.id, user: user, remover: guarded, at: .now(), makeMessage: systemMessageFactory(for: room))
        // A refusal comes only with a remover: the 403 the policy gives for the roles read in the transaction.
        guard let outcome = try RoomPolicy.granted(result, .removeMember(targetRole: .member), in: room) else {
            throw guarded == nil
                ? ParleyError.forbidden(.chatroomAccessDenied, "You are not a member of this chatroom")
                : ParleyError.notFound(.resourceNotFound, "That user is not a member of this chatroom")
        }
        let remover = guarded?.user
        guard outcome.room != nil else {
            keyRing.forget(roomID: room.id)
            await blobs.delete(keys: outcome.deletedFileKeys)
            publish(.chatroomDeleted, ChatroomDeletedPayload(chatroomID: room.id, deletedBy: nil), to: .users([user.id]),
                    effects: [.dropRoom(roomID: room.id)])
            return LeaveResult(roomDeleted: true, newOwnerID: nil)
        }
        publish(.userLeft, UserLeftPayload(chatroomID: room.id, userID: user.id, removedBy: remover?.id), to: .room(room.id),
                effects: [.unsubscribe(userID: user.id, roomID: room.id)])
        if remover != nil {
            // The removed user may not be subscribed; tell every connection of theirs.
            publish(.userLeft, UserLeftPayload(chatroomID: room.id, userID: user.id, removedBy: remover?.id), to: .users([user.id]))
        }
        let departure: SystemEvent = remover.map { .memberRemoved(user, by: $0) } ?? .memberLeft(user)
        if let first = outcome.messages.first { publishSystemMessage(first, event: departure) }
        if let newOwner = outcome.newOwner {
            publish(.memberUpdated, MemberUpdatedPayload(
                chatroomID: room.id, userID: newOwner.user.id, role: .owner,
                previousRole: outcome.newOwnerPreviousRole ?? .member, updatedBy: user.id), to: .room(room.id))
            if outcome.messages.count > 1 { publishSystemMessage(outcome.messages[1], event: .roleChanged(newOwner.user, role: .owner, by: user)) }
        }
        return LeaveResult(roomDeleted: false, newOwnerID: outcome.newOwner?.user.id)
    }

    static func invalidInvitation(_ reason: String) -> ParleyError {
        let message = switch reason {
        case "expired": "This invitation has expired"
        case "exhausted": "This invitation has been used up"
        default: "This invitation does not exist"
        }
        return ParleyError(.chatroomInviteInvalid, status: 400, message, details: ["reason": .string(reason)])
    }

    static func inviteURL(base: String, code: String) -> String { "\(base)/chatrooms/join/\(code)" }
}

import ParleyCore

extension OpenAPIDocument {
    private static let s = Schema.self
    private static let roomID = path("chatroom_id")
    private static let messageID = path("message_id")
    private static let validation: [ErrorCode] = [.validationRequiredField, .validationInvalidFormat, .validationLengthExceeded, .validationInvalidValue]
    private static let roomErrors: [Int: [ErrorCode]] = [403: [.chatroomAccessDenied], 404: [.chatroomNotFound, .authUserNotFound]]

    private static let pageParameters = [
        query("page", s.integer(minimum: 1, maximum: 1_000_000)), query("limit", s.integer(minimum: 1, maximum: 100)),
        query("search", s.string(maxLength: 200), description: "Case-insensitive part of the room name"),
    ]

    private static func merged(_ base: [Int: [ErrorCode]], _ extra: [Int: [ErrorCode]]) -> [Int: [ErrorCode]] {
        base.merging(extra) { $0 + $1 }
    }

    private static func data(_ properties: [String: JSONValue]) -> JSONValue { s.object(properties) }

    /// Every operation: method, path template, description.
    static var operations: [(String, String, Operation)] {
        let auth = authOperations + userOperations + fileOperations + serviceOperations
        return auth + roomOperations + messageOperations
    }

    private static var authOperations: [(String, String, Operation)] {
        [
            ("post", "/auth/register", Operation(
                summary: "Register an account and open a session", tag: "auth", authenticated: false,
                jsonBody: s.object([
                    "username": s.string(minLength: 3, maxLength: 50, pattern: "^[A-Za-z0-9_.-]+$"), "email": s.string(format: "email", maxLength: 254),
                    "password": s.string(minLength: 8, maxLength: 128), "display_name": s.string(minLength: 1, maxLength: 100),
                    "public_key": s.string(maxLength: 16384),
                ], required: ["username", "email", "password", "display_name"]),
                success: (201, s.ref("AuthResult")), errors: [409: [.resourceAlreadyExists], 422: validation])),
            ("post", "/auth/login", Operation(
                summary: "Log in with username or email", tag: "auth", authenticated: false,
                jsonBody: s.object(["username": s.string(minLength: 1, maxLength: 254), "password": s.string(minLength: 1, maxLength: 1024)]),
                success: (200, s.ref("AuthResult")),
                errors: [401: [.authInvalidCredentials], 403: [.authUserInactive], 422: validation])),
            ("post", "/auth/refresh", Operation(
                summary: "Get a new access token", tag: "auth", authenticated: false,
                jsonBody: s.object(["refresh_token": s.string(minLength: 1, maxLength: 512)]),
                success: (200, s.ref("RefreshResult")),
                errors: [401: [.authRefreshTokenInvalid], 403: [.authUserInactive], 422: validation])),
            ("post", "/auth/logout", Operation(summary: "End this session", tag: "auth", success: (200, nil))),
            ("get", "/auth/sessions", Operation(
                summary: "The caller's active sessions; current marks this one", tag: "auth",
                success: (200, data(["sessions": s.array(s.ref("Session"))])))),
            ("delete", "/auth/sessions/{session_id}", Operation(
                summary: "End one of the caller's sessions (its tokens stop working, its sockets close)", tag: "auth",
                parameters: [path("session_id")], success: (200, nil), errors: [404: [.resourceNotFound]])),
            ("delete", "/auth/sessions", Operation(
                summary: "End every other session of the caller (scope=others is required)", tag: "auth",
                parameters: [query("scope", s.string(values: ["others"]))],
                success: (200, data(["revoked_count": s.integer(minimum: 0)])), errors: [422: validation])),
        ]
    }

    private static var userOperations: [(String, String, Operation)] {
        [
            ("get", "/users/me", Operation(summary: "The caller's profile", tag: "users", success: (200, s.ref("Profile")), errors: [404: [.authUserNotFound]])),
            ("put", "/users/me", Operation(
                summary: "Update the caller's profile", tag: "users",
                jsonBody: s.object([
                    "display_name": s.string(minLength: 1, maxLength: 100), "avatar_url": s.nullable(s.string(format: "uri", maxLength: 2048)),
                    "public_key": s.nullable(s.string(maxLength: 16384)),
                ], required: []),
                success: (200, s.ref("Profile")), errors: [404: [.authUserNotFound], 422: validation])),
            ("post", "/users/me/avatar", Operation(
                summary: "Upload an avatar (JPEG, PNG or GIF, at most 5 MB)", tag: "users",
                multipartBody: s.object(["file": s.string(format: "binary")]),
                success: (200, s.ref("Profile")),
                errors: [400: [.validationInvalidFormat], 404: [.authUserNotFound], 413: [.fileTooLarge, .resourceLimitExceeded],
                         422: [.fileTypeNotAllowed, .validationRequiredField, .validationInvalidValue]])),
        ]
    }

    private static var fileOperations: [(String, String, Operation)] {
        [
            ("post", "/upload/file", Operation(
                summary: "Upload a file to a chatroom (at most 10 MB)", tag: "files",
                multipartBody: s.object(["file": s.string(format: "binary"), "chatroom_id": s.uuid]),
                success: (201, data(["file": s.ref("File")])),
                errors: [400: [.validationInvalidFormat], 403: [.chatroomAccessDenied], 404: [.chatroomNotFound],
                         413: [.fileTooLarge, .resourceLimitExceeded],
                         422: [.fileTypeNotAllowed, .validationRequiredField, .validationInvalidValue, .validationInvalidFormat]])),
            ("get", "/files/{file_id}", Operation(
                summary: "Download a file (members of its room only); supports Range", tag: "files", parameters: [path("file_id")],
                success: (200, nil), errors: [403: [.chatroomAccessDenied], 404: [.fileNotFound], 416: [.validationInvalidValue]],
                rawSuccess: (200, "application/octet-stream", "The file's bytes, with its Content-Type"),
                extraSuccess: [(206, "application/octet-stream", "The requested range")])),
            ("get", "/avatars/{file_id}", Operation(
                summary: "An avatar image (public)", tag: "users", authenticated: false, parameters: [path("file_id")],
                success: (200, nil), errors: [404: [.fileNotFound], 416: [.validationInvalidValue]],
                rawSuccess: (200, "image/*", "The image"), extraSuccess: [(206, "image/*", "The requested range")])),
        ]
    }

    private static var serviceOperations: [(String, String, Operation)] {
        [
            ("get", "/health", Operation(
                summary: "Health of the server and its database", tag: "service", authenticated: false,
                success: (200, s.ref("Health")), errors: [503: [.serviceUnavailable]])),
            ("get", "/metrics", Operation(
                summary: "Prometheus metrics", tag: "service", authenticated: false, success: (200, nil),
                rawSuccess: (200, "text/plain", "Prometheus text exposition format"))),
            ("get", "/openapi.json", Operation(
                summary: "This document", tag: "service", authenticated: false, success: (200, nil),
                rawSuccess: (200, "application/json", "The OpenAPI 3.1 document (not wrapped in the envelope)"))),
            ("get", "/ws", Operation(
                summary: "WebSocket endpoint (see docs/API.md); a plain GET explains why it was not upgraded", tag: "realtime",
                parameters: [query("token", s.string(maxLength: 4096), description: "Access token (or Sec-WebSocket-Protocol: bearer.<token>)")],
                success: (101, nil), errors: [400: [.validationInvalidFormat]],
                rawSuccess: (101, "application/octet-stream", "Switching protocols to WebSocket"))),
        ]
    }

    private static var roomOperations: [(String, String, Operation)] {
        let roomBody: [String: JSONValue] = [
            "name": s.string(minLength: 1, maxLength: 100), "description": s.nullable(s.string(maxLength: 500)),
            "max_members": s.integer(minimum: 2, maximum: 10_000), "auto_summary_enabled": s.boolean,
            "summary_threshold": s.integer(minimum: 10, maximum: 1000),
        ]
        var createBody = roomBody
        createBody["is_private"] = s.boolean
        createBody["encryption_enabled"] = s.boolean
        createBody["description"] = s.string(maxLength: 500)
        return [
            ("get", "/chatrooms", Operation(
                summary: "The caller's chatrooms, most recently active first", tag: "chatrooms", parameters: pageParameters,
                success: (200, data(["chatrooms": s.array(s.ref("RoomListItem")), "pagination": s.ref("RoomPagination")])),
                errors: [422: validation])),
            ("post", "/chatrooms", Operation(
                summary: "Create a chatroom", tag: "chatrooms", jsonBody: s.object(createBody, required: ["name"]),
                success: (201, data(["chatroom": s.ref("Room")])), errors: [422: validation])),
            ("get", "/chatrooms/discover", Operation(
                summary: "Public chatrooms", tag: "chatrooms", parameters: pageParameters,
                success: (200, data(["chatrooms": s.array(s.ref("DiscoverItem")), "pagination": s.ref("RoomPagination")])),
                errors: [422: validation])),
            ("get", "/chatrooms/{chatroom_id}", Operation(
                summary: "A chatroom with its members", tag: "chatrooms", parameters: [roomID],
                success: (200, data(["chatroom": s.ref("Room"), "members": s.array(s.ref("Member")), "user_role": s.string(values: OpenAPISchemas.roleValues)])),
                errors: roomErrors)),
            ("put", "/chatrooms/{chatroom_id}", Operation(
                summary: "Change settings (owner and moderators)", tag: "chatrooms", parameters: [roomID],
                jsonBody: s.object(roomBody, required: []), success: (200, data(["chatroom": s.ref("Room")])),
                errors: merged(roomErrors, [403: [.resourceAccessDenied], 422: validation]))),
            ("delete", "/chatrooms/{chatroom_id}", Operation(
                summary: "Delete the chatroom and everything in it (owner)", tag: "chatrooms", parameters: [roomID],
                success: (200, data(["chatroom_id": s.uuid])), errors: merged(roomErrors, [403: [.chatroomOwnerRequired]]))),
            ("post", "/chatrooms/{chatroom_id}/invite", Operation(
                summary: "Create an invitation", tag: "chatrooms", parameters: [roomID],
                jsonBody: s.object(["max_uses": s.integer(minimum: 1, maximum: 100_000), "expires_in_hours": s.integer(minimum: 1, maximum: 720)], required: []),
                bodyOptional: true, success: (201, data(["invitation": s.ref("Invitation")])),
                errors: merged(roomErrors, [403: [.resourceAccessDenied], 422: validation]))),
            ("post", "/chatrooms/join/{invite_code}", Operation(
                summary: "Join with an invitation code", tag: "chatrooms", parameters: [path("invite_code", s.string(minLength: 1, maxLength: 64))],
                success: (200, data(["chatroom": s.ref("JoinedRoom")])),
                errors: [400: [.chatroomInviteInvalid], 404: [.chatroomNotFound, .authUserNotFound], 409: [.chatroomFull]])),
            ("post", "/chatrooms/{chatroom_id}/join", Operation(
                summary: "Join a public chatroom", tag: "chatrooms", parameters: [roomID],
                success: (200, data(["chatroom": s.ref("JoinedRoom")])), errors: merged(roomErrors, [409: [.chatroomFull]]))),
            ("post", "/chatrooms/{chatroom_id}/leave", Operation(
                summary: "Leave the chatroom", tag: "chatrooms", parameters: [roomID],
                success: (200, data(["chatroom_id": s.uuid, "room_deleted": s.boolean, "new_owner_id": s.nullable(s.uuid)])),
                errors: roomErrors)),
            ("put", "/chatrooms/{chatroom_id}/members/{user_id}", Operation(
                summary: "Change a member's role; owner transfers ownership (owner only)", tag: "chatrooms", parameters: [roomID, path("user_id")],
                jsonBody: s.object(["role": s.string(values: OpenAPISchemas.roleValues)]),
                success: (200, data(["member": s.ref("Member")])),
                errors: merged(roomErrors, [403: [.resourceAccessDenied], 404: [.resourceNotFound], 422: validation]))),
            ("delete", "/chatrooms/{chatroom_id}/members/{user_id}", Operation(
                summary: "Remove a member (owner, or a moderator removing a member)", tag: "chatrooms", parameters: [roomID, path("user_id")],
                success: (200, data(["chatroom_id": s.uuid, "user_id": s.uuid])),
                errors: merged(roomErrors, [403: [.resourceAccessDenied], 404: [.resourceNotFound], 422: [.validationInvalidValue]]))),
            ("post", "/chatrooms/{chatroom_id}/search", Operation(
                summary: "Ranked full-text search (server-readable rooms)", tag: "search", parameters: [roomID],
                jsonBody: s.object([
                    "query": s.string(maxLength: 500), "message_type": s.string(values: ["text", "image", "file"]), "user_id": s.uuid,
                    "date_from": s.dateTime, "date_to": s.dateTime, "limit": s.integer(minimum: 1, maximum: 100),
                ], required: ["query"]),
                success: (200, data(["results": s.array(s.ref("SearchResult")), "total_results": s.integer(minimum: 0), "search_time_ms": s.integer(minimum: 0)])),
                errors: merged(roomErrors, [422: validation + [.searchUnavailableEncrypted]]))),
            ("get", "/chatrooms/{chatroom_id}/summary", Operation(
                summary: "The newest summary matching the filters", tag: "summaries",
                parameters: [roomID, query("date_from", s.dateTime), query("date_to", s.dateTime), query("summary_type", s.string(values: ["automatic", "manual"]))],
                success: (200, data(["summary": s.ref("Summary")])),
                errors: merged(roomErrors, [404: [.resourceNotFound], 422: validation + [.summaryUnavailableEncrypted]]))),
            ("post", "/chatrooms/{chatroom_id}/summary", Operation(
                summary: "Generate a summary (default: the last 24 hours)", tag: "summaries", parameters: [roomID],
                jsonBody: s.object(["date_from": s.dateTime, "date_to": s.dateTime, "custom_prompt": s.string(maxLength: 2000)], required: []),
                bodyOptional: true, success: (201, data(["summary": s.ref("Summary")])),
                errors: merged(roomErrors, [422: validation + [.summaryUnavailableEncrypted]]))),
        ]
    }

    private static var messageOperations: [(String, String, Operation)] {
        let messageErrors = merged(roomErrors, [422: validation + [.messageTooLong, .messageEncryptionFailed]])
        return [
            ("get", "/chatrooms/{chatroom_id}/messages", Operation(
                summary: "History: newest first, or oldest first after after_seq", tag: "messages",
                parameters: [
                    roomID, query("page", s.integer(minimum: 1, maximum: 1_000_000)), query("limit", s.integer(minimum: 1, maximum: 100)),
                    query("before", s.dateTime), query("after", s.dateTime), query("after_seq", s.integer(minimum: 0)),
                ],
                success: (200, data(["messages": s.array(s.ref("Message")), "pagination": s.ref("HistoryPagination")])),
                errors: merged(roomErrors, [422: validation]))),
            ("post", "/chatrooms/{chatroom_id}/messages", Operation(
                summary: "Send a message (same as the WebSocket send_message); 200 when client_id repeats", tag: "messages", parameters: [roomID],
                jsonBody: s.object([
                    "content": s.ref("MessageContent"), "message_type": s.string(values: ["text", "image", "file"]),
                    "reply_to": s.nullable(s.string(maxLength: 64)), "client_id": s.string(maxLength: 64),
                    "attachments": s.array(s.string(maxLength: 64), maxItems: 10),
                ], required: ["content"]),
                success: (201, data(["message": s.ref("Message")])), alsoSuccess: [200],
                errors: messageErrors)),
            ("put", "/chatrooms/{chatroom_id}/messages/{message_id}", Operation(
                summary: "Edit one's own message", tag: "messages", parameters: [roomID, messageID],
                jsonBody: s.object(["content": s.ref("MessageContent")]), success: (200, data(["message": s.ref("Message")])),
                errors: merged(messageErrors, [403: [.messageEditDenied], 404: [.messageNotFound]]))),
            ("delete", "/chatrooms/{chatroom_id}/messages/{message_id}", Operation(
                summary: "Delete a message (own; moderators and the owner any)", tag: "messages", parameters: [roomID, messageID],
                success: (200, data(["message": s.ref("Message")])),
                errors: merged(roomErrors, [403: [.messageDeleteDenied], 404: [.messageNotFound]]))),
            ("post", "/chatrooms/{chatroom_id}/messages/{message_id}/reactions", Operation(
                summary: "React to a message; 200 when the reaction existed", tag: "messages", parameters: [roomID, messageID],
                jsonBody: s.object(["emoji": s.string(minLength: 1, maxLength: 32)]),
                success: (201, data(["message_id": s.string(), "reaction": s.ref("Reaction")])), alsoSuccess: [200],
                errors: merged(roomErrors, [404: [.messageNotFound], 422: validation]))),
            ("delete", "/chatrooms/{chatroom_id}/messages/{message_id}/reactions", Operation(
                summary: "Remove one's reaction (emoji in the body or ?emoji=)", tag: "messages",
                parameters: [roomID, messageID, query("emoji", s.string(minLength: 1, maxLength: 32))],
                jsonBody: s.object(["emoji": s.string(minLength: 1, maxLength: 32)], required: []), bodyOptional: true,
                success: (200, data(["chatroom_id": s.uuid, "message_id": s.string(), "user_id": s.uuid, "emoji": s.string()])),
                errors: merged(roomErrors, [404: [.messageNotFound, .resourceNotFound], 422: validation]))),
        ]
    }
}

import ParleyCore

/// The component schemas: every object the API returns or accepts.
enum OpenAPISchemas {
    static let roleValues = RoomRole.allCases.map(\.rawValue)

    static var all: [String: JSONValue] {
        let s = Schema.self
        return [
            "Profile": s.object([
                "id": s.uuid, "username": s.string(), "email": s.string(), "display_name": s.string(),
                "avatar_url": s.nullable(s.string()), "public_key": s.nullable(s.string()), "is_verified": s.boolean,
                "created_at": s.dateTime, "last_login": s.nullable(s.dateTime),
            ]),
            "PublicUser": s.object([
                "id": s.uuid, "username": s.string(), "display_name": s.string(), "avatar_url": s.nullable(s.string()),
            ]),
            "AuthResult": s.object([
                "user": s.ref("Profile"), "access_token": s.string(), "refresh_token": s.string(), "expires_in": s.integer(),
                "token_type": s.string(values: ["Bearer"]),
            ]),
            "RefreshResult": s.object(
                ["access_token": s.string(), "expires_in": s.integer(), "token_type": s.string(values: ["Bearer"]), "refresh_token": s.string()],
                required: ["access_token", "expires_in", "token_type"]),
            "Session": s.object([
                "id": s.uuid, "created_at": s.dateTime, "last_used_at": s.dateTime, "expires_at": s.dateTime,
                "user_agent": s.nullable(s.string()), "ip_address": s.nullable(s.string()), "current": s.boolean,
            ]),
            "Room": s.object([
                "id": s.uuid, "name": s.string(), "description": s.nullable(s.string()), "owner_id": s.uuid, "is_private": s.boolean,
                "max_members": s.integer(), "member_count": s.integer(), "encryption_enabled": s.boolean,
                "auto_summary_enabled": s.boolean, "summary_threshold": s.integer(), "last_seq": s.integer(minimum: 0),
                "created_at": s.dateTime, "updated_at": s.dateTime,
            ]),
            "Member": s.object([
                "user_id": s.uuid, "username": s.string(), "display_name": s.string(), "avatar_url": s.nullable(s.string()),
                "role": s.string(values: roleValues), "joined_at": s.dateTime, "last_read_at": s.nullable(s.dateTime),
                "last_read_seq": s.integer(minimum: 0), "is_online": s.boolean,
            ]),
            "LastMessage": s.object([
                "id": s.string(), "seq": s.integer(), "content": s.anyValue, "message_type": s.string(values: MessageType.allCases.map(\.rawValue)),
                "user_id": s.uuid, "username": s.string(), "created_at": s.dateTime,
            ]),
            "RoomListItem": s.object([
                "id": s.uuid, "name": s.string(), "description": s.nullable(s.string()), "is_private": s.boolean,
                "encryption_enabled": s.boolean, "member_count": s.integer(), "last_message": s.nullable(s.ref("LastMessage")),
                "unread_count": s.integer(minimum: 0), "role": s.string(values: roleValues), "joined_at": s.dateTime, "last_seq": s.integer(),
            ]),
            "DiscoverItem": s.object([
                "id": s.uuid, "name": s.string(), "description": s.nullable(s.string()), "member_count": s.integer(),
                "max_members": s.integer(), "encryption_enabled": s.boolean, "is_member": s.boolean, "created_at": s.dateTime,
            ]),
            "RoomPagination": s.object([
                "page": s.integer(minimum: 1), "limit": s.integer(minimum: 1), "total": s.integer(minimum: 0), "pages": s.integer(minimum: 0),
                "has_more": s.boolean,
            ]),
            "Invitation": s.object([
                "id": s.uuid, "chatroom_id": s.uuid, "invite_code": s.string(), "invite_url": s.string(), "max_uses": s.integer(minimum: 1),
                "current_uses": s.integer(minimum: 0), "expires_at": s.dateTime, "created_at": s.dateTime,
            ]),
            "JoinedRoom": s.object([
                "id": s.uuid, "name": s.string(), "description": s.nullable(s.string()), "member_count": s.integer(),
                "role": s.string(values: roleValues), "is_private": s.boolean, "encryption_enabled": s.boolean, "last_seq": s.integer(),
            ]),
            "Attachment": s.object([
                "id": s.string(), "filename": s.string(), "file_type": s.string(), "file_size": s.integer(minimum: 0),
                "encrypted_url": s.string(), "thumbnail_url": s.nullable(s.string()),
            ]),
            "Reaction": s.object(["user_id": s.uuid, "username": s.string(), "emoji": s.string(), "created_at": s.dateTime]),
            "Message": s.object([
                "id": s.string(), "chatroom_id": s.uuid, "seq": s.integer(minimum: 1), "user_id": s.uuid, "username": s.string(),
                "display_name": s.string(), "avatar_url": s.nullable(s.string()), "content": s.anyValue,
                "message_type": s.string(values: MessageType.allCases.map(\.rawValue)), "reply_to": s.nullable(s.string()),
                "client_id": s.nullable(s.string()), "attachments": s.array(s.ref("Attachment")), "reactions": s.array(s.ref("Reaction")),
                "edited_at": s.nullable(s.dateTime), "deleted_at": s.nullable(s.dateTime), "created_at": s.dateTime,
            ]),
            "MessageContent": [
                "description": "End-to-end rooms: {encrypted_data, iv, key_version}. Server-readable rooms: {text}.",
                "oneOf": [
                    s.object([
                        "encrypted_data": s.string(minLength: 1, maxLength: 90_000), "iv": s.string(minLength: 1, maxLength: 64),
                        "key_version": s.integer(minimum: 1, maximum: 1_000_000),
                    ]),
                    s.object(["text": s.string(minLength: 1, maxLength: 4000)]),
                ],
            ],
            "HistoryPagination": s.object([
                "page": s.integer(minimum: 1), "limit": s.integer(minimum: 1), "total": s.integer(minimum: 0), "has_more": s.boolean,
            ]),
            "File": s.object([
                "id": s.string(), "chatroom_id": s.nullable(s.uuid), "filename": s.string(), "file_type": s.string(),
                "file_size": s.integer(minimum: 0), "encrypted_url": s.string(), "thumbnail_url": s.nullable(s.string()),
                "upload_date": s.dateTime,
            ]),
            "SearchResult": s.object([
                "message": s.ref("Message"), "relevance_score": s.number(minimum: 0, maximum: 1),
                "matched_terms": s.array(s.string()),
                "context": s.nullable(s.object(["before": s.string(), "match": s.string(), "after": s.string()])),
            ]),
            "Summary": s.object([
                "id": s.string(), "chatroom_id": s.uuid, "summary_text": s.string(), "summary_type": s.string(values: ["automatic", "manual"]),
                "message_count": s.integer(minimum: 0), "start_date": s.dateTime, "end_date": s.dateTime, "participants": s.array(s.uuid),
                "keywords": s.array(s.string()), "sentiment_score": s.number(minimum: -1, maximum: 1), "language": s.string(),
                "provider": s.string(), "created_at": s.dateTime, "custom_prompt": s.boolean, "requested_by": s.nullable(s.uuid),
            ]),
            "Health": s.object([
                "status": s.string(values: ["healthy", "unhealthy"]), "timestamp": s.dateTime, "version": s.string(),
                "services": ["type": "object", "additionalProperties": s.string(values: ["healthy", "unhealthy"])],
            ]),
            "Error": s.object([
                "success": ["const": false],
                "error": s.object([
                    "code": s.string(values: ErrorCode.allCases.map(\.rawValue)), "message": s.string(),
                    "details": ["type": "object"],
                ]),
            ]),
        ]
    }
}

import Hummingbird
import ParleyCore

/// `/chatrooms/{id}/messages/*`: history, sending, editing, deleting and reactions over REST — the same
/// service calls as the WebSocket events.
struct MessageRoutes {
    let messages: MessageService
    let jsonLimit: Int

    struct SendBody: Decodable {
        let content: JSONValue?
        let messageType: String?
        let replyTo: String?
        let clientID: String?
        let attachments: [String]?

        enum CodingKeys: String, CodingKey {
            case content
            case messageType = "message_type"
            case replyTo = "reply_to"
            case clientID = "client_id"
            case attachments
        }
    }

    struct EditBody: Decodable {
        let content: JSONValue?
    }

    struct ReactionBody: Decodable {
        let emoji: String?
    }

    struct MessagePayload: Encodable { let message: MessageView }
    struct HistoryPayload: Encodable {
        struct Pagination: Encodable {
            let page: Int
            let limit: Int
            let total: Int
            let hasMore: Bool
            enum CodingKeys: String, CodingKey {
                case page, limit, total
                case hasMore = "has_more"
            }
        }
        let messages: [MessageView]
        let pagination: Pagination
    }
    struct ReactionPayload: Encodable {
        let messageID: String
        let reaction: ReactionView
        enum CodingKeys: String, CodingKey {
            case messageID = "message_id"
            case reaction
        }
    }

    func register(on routes: Routes) {
        routes.on(.get, "/chatrooms/{chatroom_id}/messages") { request, context in
            let identity = try context.requireIdentity()
            let page = try request.pageRequest(defaultLimit: MessageRules.defaultHistoryLimit, limitRange: MessageRules.historyLimitRange)
            let afterSeq = try request.integerQuery("after_seq", range: 0...Int(Int64.max >> 1))
            let query = HistoryQuery(
                page: page, before: try request.timestampQuery("before"), after: try request.timestampQuery("after"),
                afterSeq: afterSeq.map(Int64.init))
            let result = try await messages.history(of: try IncomingIDs.room(context.path("chatroom_id")), query: query, for: identity)
            return try .envelope(HistoryPayload(
                messages: result.messages,
                pagination: .init(page: result.page, limit: result.limit, total: result.total, hasMore: result.hasMore)),
                message: "Messages retrieved")
        }
        routes.on(.post, "/chatrooms/{chatroom_id}/messages") { request, context in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(SendBody.self, limit: jsonLimit)
            let result = try await messages.send(SendInput(
                roomID: try IncomingIDs.room(context.path("chatroom_id")), content: body.content, messageType: body.messageType, replyTo: body.replyTo,
                clientID: body.clientID, attachments: body.attachments), by: identity)
            return try .envelope(MessagePayload(message: result.message), status: result.duplicate ? .ok : .created,
                                 message: result.duplicate ? "Already sent; this is the stored message" : "Message sent")
        }
        routes.on(.put, "/chatrooms/{chatroom_id}/messages/{message_id}") { request, context in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(EditBody.self, limit: jsonLimit)
            let roomID = try IncomingIDs.room(context.path("chatroom_id"))
            let view = try await messages.edit(try IncomingIDs.message(context.path("message_id")), in: roomID, content: body.content, by: identity)
            return try .envelope(MessagePayload(message: view), message: "Message edited")
        }
        routes.on(.delete, "/chatrooms/{chatroom_id}/messages/{message_id}") { _, context in
            let identity = try context.requireIdentity()
            let roomID = try IncomingIDs.room(context.path("chatroom_id"))
            let view = try await messages.delete(try IncomingIDs.message(context.path("message_id")), in: roomID, by: identity)
            return try .envelope(MessagePayload(message: view), message: "Message deleted")
        }
        routes.on(.post, "/chatrooms/{chatroom_id}/messages/{message_id}/reactions") { request, context in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(ReactionBody.self, limit: jsonLimit)
            let roomID = try IncomingIDs.room(context.path("chatroom_id"))
            let messageID = try IncomingIDs.message(context.path("message_id"))
            let (reaction, added) = try await messages.react(to: messageID, in: roomID, emoji: body.emoji, by: identity)
            return try .envelope(ReactionPayload(messageID: messageID.rawValue, reaction: reaction), status: added ? .created : .ok,
                                 message: added ? "Reaction added" : "Reaction already present")
        }
        routes.on(.delete, "/chatrooms/{chatroom_id}/messages/{message_id}/reactions") { request, context in
            let identity = try context.requireIdentity()
            // The emoji may come as a JSON body or, for clients that send no body with DELETE, as ?emoji=.
            var emoji = request.uri.queryParameters.get("emoji")
            if emoji == nil { emoji = try await request.decodeJSON(ReactionBody.self, limit: jsonLimit, allowEmpty: true).emoji }
            let roomID = try IncomingIDs.room(context.path("chatroom_id"))
            let removed = try await messages.unreact(to: try IncomingIDs.message(context.path("message_id")), in: roomID, emoji: emoji, by: identity)
            return try .envelope(removed, message: "Reaction removed")
        }
    }
}

import Hummingbird
import ParleyCore

/// `POST /chatrooms/{id}/search`.
struct SearchRoutes {
    let search: SearchService
    let jsonLimit: Int

    struct Body: Decodable {
        let query: String?
        let messageType: String?
        let userID: String?
        let dateFrom: Timestamp?
        let dateTo: Timestamp?
        let limit: Int?

        enum CodingKeys: String, CodingKey {
            case query
            case messageType = "message_type"
            case userID = "user_id"
            case dateFrom = "date_from"
            case dateTo = "date_to"
            case limit
        }
    }

    func register(on routes: Routes) {
        routes.on(.post, "/chatrooms/{chatroom_id}/search") { request, context in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(Body.self, limit: jsonLimit)
            let result = try await search.search(in: try IncomingIDs.room(context.path("chatroom_id")), SearchRequest(
                query: body.query, messageType: body.messageType, userID: body.userID, dateFrom: body.dateFrom, dateTo: body.dateTo,
                limit: body.limit), by: identity)
            return try .envelope(result, message: "Search complete")
        }
    }
}

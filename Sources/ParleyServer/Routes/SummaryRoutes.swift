import Hummingbird
import ParleyCore

/// `GET` and `POST /chatrooms/{id}/summary`.
struct SummaryRoutes {
    let summaries: SummaryService
    let jsonLimit: Int

    struct Body: Decodable {
        let dateFrom: Timestamp?
        let dateTo: Timestamp?
        let customPrompt: String?

        enum CodingKeys: String, CodingKey {
            case dateFrom = "date_from"
            case dateTo = "date_to"
            case customPrompt = "custom_prompt"
        }
    }

    struct Payload: Encodable { let summary: SummaryView }

    func register(on routes: Routes) {
        routes.on(.get, "/chatrooms/{chatroom_id}/summary") { request, context in
            let identity = try context.requireIdentity()
            let type = try request.textQuery("summary_type")
            let from = try request.timestampQuery("date_from")
            let to = try request.timestampQuery("date_to")
            let summary = try await summaries.latest(
                in: try IncomingIDs.room(context.path("chatroom_id")), type: type, from: from, to: to, by: identity)
            return try .envelope(Payload(summary: summary), message: "Summary retrieved")
        }
        routes.on(.post, "/chatrooms/{chatroom_id}/summary") { request, context in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(Body.self, limit: jsonLimit, allowEmpty: true)
            let summary = try await summaries.generate(
                in: try IncomingIDs.room(context.path("chatroom_id")), from: body.dateFrom, to: body.dateTo, customPrompt: body.customPrompt, by: identity)
            return try .envelope(Payload(summary: summary), status: .created, message: "Summary generated")
        }
    }
}

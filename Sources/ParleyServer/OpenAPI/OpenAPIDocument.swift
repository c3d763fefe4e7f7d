import ParleyCore

/// The OpenAPI 3.1 description of every REST endpoint, served at `GET /openapi.json`. A test checks it
/// against the router's route table both ways.
enum OpenAPIDocument {
    /// One documented operation.
    struct Operation {
        var summary: String
        var tag: String
        var authenticated = true
        var parameters: [JSONValue] = []
        var jsonBody: JSONValue?
        var multipartBody: JSONValue?
        var bodyOptional = false
        var success: (status: Int, data: JSONValue?)
        /// Other statuses answered with the same success envelope.
        var alsoSuccess: [Int] = []
        var errors: [Int: [ErrorCode]] = [:]
        var rawSuccess: (status: Int, contentType: String, description: String)?
        var extraSuccess: [(status: Int, contentType: String, description: String)] = []
    }

    static func document(version: String) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for (method, path, operation) in operations {
            paths[path, default: [:]][method] = render(operation)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Parley", "version": .string(version),
                "description": "Real-time chat server. Every JSON response is an envelope. The WebSocket protocol on GET /ws is described in docs/API.md.",
            ],
            "paths": .object(paths.mapValues { .object($0) }),
            "components": [
                "schemas": .object(OpenAPISchemas.all),
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]],
            ],
        ]
    }

    /// Method and template of every documented operation.
    static var documentedRoutes: [(method: String, path: String)] {
        operations.map { ($0.0.uppercased(), $0.1) }
    }

    // MARK: Rendering

    private static func render(_ operation: Operation) -> JSONValue {
        var object: [String: JSONValue] = ["summary": .string(operation.summary), "tags": [.string(operation.tag)]]
        object["security"] = operation.authenticated ? [["bearer": []]] : []
        if !operation.parameters.isEmpty { object["parameters"] = .array(operation.parameters) }
        if let body = operation.jsonBody {
            object["requestBody"] = ["required": .bool(!operation.bodyOptional), "content": ["application/json": ["schema": body]]]
        } else if let body = operation.multipartBody {
            object["requestBody"] = ["required": true, "content": ["multipart/form-data": ["schema": body]]]
        }
        var responses: [String: JSONValue] = [:]
        if let raw = operation.rawSuccess {
            responses[String(raw.status)] = ["description": .string(raw.description), "content": [.init(raw.contentType): ["schema": [:]]]]
        } else {
            for status in [operation.success.status] + operation.alsoSuccess {
                responses[String(status)] = ["description": "Success", "content": ["application/json": ["schema": successEnvelope(operation.success.data)]]]
            }
        }
        for extra in operation.extraSuccess {
            responses[String(extra.status)] = ["description": .string(extra.description), "content": [.init(extra.contentType): ["schema": [:]]]]
        }
        var errors = operation.errors
        errors[500, default: []].append(.internalError)
        errors[429, default: []].append(.rateLimitExceeded)
        if operation.authenticated {
            errors[401, default: []] += [.authTokenInvalid, .authTokenExpired]
            errors[403, default: []].append(.authUserInactive)
        }
        if operation.jsonBody != nil {
            errors[400, default: []].append(.validationInvalidFormat)
            errors[413, default: []].append(.resourceLimitExceeded)
        }
        for (status, codes) in errors {
            let unique = Array(Set(codes.map(\.rawValue))).sorted()
            responses[String(status)] = [
                "description": .string("Error: " + unique.joined(separator: ", ")),
                "content": ["application/json": ["schema": errorEnvelope(unique)]],
            ]
        }
        object["responses"] = .object(responses)
        return .object(object)
    }

    /// Every success envelope carries an object `data` (`{}` when there is nothing to return) and a
    /// `message` (API.md §15).
    private static func successEnvelope(_ data: JSONValue?) -> JSONValue {
        let properties: [String: JSONValue] = [
            "success": ["const": true], "message": Schema.string(), "data": data ?? Schema.object([:], required: [], additional: false),
        ]
        return ["type": "object", "properties": .object(properties), "required": ["success", "data", "message"]]
    }

    private static func errorEnvelope(_ codes: [String]) -> JSONValue {
        [
            "type": "object", "required": ["success", "error"],
            "properties": [
                "success": ["const": false],
                "error": Schema.object([
                    "code": Schema.string(values: codes), "message": Schema.string(), "details": ["type": "object"],
                ]),
            ],
        ]
    }

    // MARK: Parameters

    static func path(_ name: String, _ schema: JSONValue = Schema.uuid) -> JSONValue {
        ["name": .string(name), "in": "path", "required": true, "schema": schema]
    }

    static func query(_ name: String, _ schema: JSONValue, description: String? = nil) -> JSONValue {
        var parameter: [String: JSONValue] = ["name": .string(name), "in": "query", "required": false, "schema": schema]
        if let description { parameter["description"] = .string(description) }
        return .object(parameter)
    }
}

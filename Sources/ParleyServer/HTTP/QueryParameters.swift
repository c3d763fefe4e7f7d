import Hummingbird
import ParleyCore

extension Request {
    /// `page` and `limit` from the query, validated: out of range or not a number is 422, never clamped.
    func pageRequest(defaultLimit: Int, limitRange: ClosedRange<Int>) throws -> PageRequest {
        let page = try integerQuery("page", range: 1...1_000_000) ?? 1
        let limit = try integerQuery("limit", range: limitRange) ?? defaultLimit
        return PageRequest(page: page, limit: limit)
    }

    /// An optional integer query parameter within `range`.
    func integerQuery(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text = uri.queryParameters.get(name) else { return nil }
        guard let value = Int(text) else {
            throw ParleyError.validation(.validationInvalidFormat, field: name, "\(name) must be a whole number")
        }
        guard range.contains(value) else {
            throw ParleyError.validation(field: name, "\(name) must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// An optional RFC 3339 datetime query parameter.
    func timestampQuery(_ name: String) throws -> Timestamp? {
        guard let text = uri.queryParameters.get(name) else { return nil }
        guard let value = Timestamp(rfc3339: text) else {
            throw ParleyError.validation(.validationInvalidFormat, field: name, "\(name) must be an RFC 3339 datetime such as 2026-11-29T18:22:10Z")
        }
        return value
    }

    /// An optional text query parameter, trimmed; nil when empty.
    func textQuery(_ name: String, maxLength: Int = 200) throws -> String? {
        guard let text = uri.queryParameters.get(name)?.trimmingWhitespace(), !text.isEmpty else { return nil }
        guard text.count <= maxLength else {
            throw ParleyError.validation(.validationLengthExceeded, field: name, "\(name) must be at most \(maxLength) characters")
        }
        return text
    }
}

extension ParleyRequestContext {
    /// A path parameter that the router guarantees to exist.
    func path(_ name: String) -> String {
        parameters.get(name) ?? ""
    }
}

/// The seed's pagination object for room lists.
struct PaginationView: Encodable {
    let page: Int
    let limit: Int
    let total: Int
    let pages: Int
    let hasMore: Bool

    enum CodingKeys: String, CodingKey {
        case page, limit, total, pages
        case hasMore = "has_more"
    }

    init<Item>(_ page: Page<Item>) {
        self.page = page.request.page
        self.limit = page.request.limit
        self.total = page.total
        self.pages = page.pages
        self.hasMore = page.hasMore
    }
}

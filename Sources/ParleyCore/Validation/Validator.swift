/// One broken field rule.
public struct FieldViolation: Sendable, Equatable {
    public let field: String
    public let code: ErrorCode
    public let message: String

    public init(field: String, code: ErrorCode, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}

/// Collects field violations so that one 422 response names every broken field.
public struct Validator: Sendable {
    public private(set) var violations: [FieldViolation] = []

    public init() {}

    public mutating func fail(_ field: String, _ code: ErrorCode, _ message: String) {
        violations.append(FieldViolation(field: field, code: code, message: message))
    }

    /// Trims and checks a text field's length in characters and its control characters (refused unless
    /// `controls` allows them); returns the trimmed value when valid.
    public mutating func text(
        _ value: String?, field: String, required: Bool, length: ClosedRange<Int>, trim: Bool = true,
        controls: ControlCharacters.Allowance = .none
    ) -> String? {
        guard let raw = value else {
            if required { fail(field, .validationRequiredField, "\(field) is required") }
            return nil
        }
        let text = trim ? raw.trimmingWhitespace() : raw
        let count = text.count
        if count == 0 && required {
            fail(field, .validationRequiredField, "\(field) is required")
            return nil
        }
        if count > length.upperBound {
            fail(field, .validationLengthExceeded, "\(field) must be at most \(length.upperBound) characters")
            return nil
        }
        if count < length.lowerBound {
            fail(field, .validationInvalidValue, "\(field) must be at least \(length.lowerBound) characters")
            return nil
        }
        if ControlCharacters.found(in: text, allowing: controls) {
            fail(field, .validationInvalidValue, ControlCharacters.message(field: field, allowing: controls))
            return nil
        }
        return text
    }

    /// Checks an optional integer against a range; returns it when valid.
    public mutating func integer(_ value: Int?, field: String, required: Bool = false, range: ClosedRange<Int>) -> Int? {
        guard let value else {
            if required { fail(field, .validationRequiredField, "\(field) is required") }
            return nil
        }
        guard range.contains(value) else {
            fail(field, .validationInvalidValue, "\(field) must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return value
    }

    /// Throws the 422 error describing every violation, if there is any.
    public func check() throws(ParleyError) {
        guard let first = violations.first else { return }
        if violations.count == 1 {
            throw ParleyError.validation(first.code, field: first.field, first.message)
        }
        let fields = violations.map { JSONValue.string($0.field) }
        let errors = violations.map { violation -> JSONValue in
            ["field": .string(violation.field), "code": .string(violation.code.rawValue), "message": .string(violation.message)]
        }
        throw ParleyError.validation(
            first.code, field: first.field, "\(violations.count) fields are invalid: " + violations.map(\.field).joined(separator: ", "),
            details: ["fields": .array(fields), "errors": .array(errors)]
        )
    }
}

extension String {
    /// The string without leading and trailing white space and newlines.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }
}

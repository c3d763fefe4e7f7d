/// The control-character rule for text clients send (API.md §15): U+0000-U+001F and U+007F are refused
/// with a 422 naming the field, never stored cut short (SQLite ended a room name at U+0000) nor passed to
/// PostgreSQL, which refuses 0x00 in text with an error that surfaced as a 500.
public enum ControlCharacters {
    /// Which control characters a field may hold.
    public enum Allowance: Sendable {
        /// None: names, identifiers, queries, emoji.
        case none
        /// Tab, line feed and carriage return: message text and room descriptions.
        case tabsAndNewlines
    }

    /// Whether `text` holds a control character that `allowance` does not let through.
    public static func found(in text: String, allowing allowance: Allowance = .none) -> Bool {
        // In UTF-8 these characters are single bytes below 0x80 that no multi-byte sequence contains.
        text.utf8.contains { byte in
            guard byte < 0x20 || byte == 0x7F else { return false }
            if allowance == .tabsAndNewlines, byte == 0x09 || byte == 0x0A || byte == 0x0D { return false }
            return true
        }
    }

    /// Throws a 422 naming `field` when `text` holds a control character `allowance` refuses.
    public static func check(
        _ text: String, field: String, allowing allowance: Allowance = .none, code: ErrorCode = .validationInvalidValue
    ) throws(ParleyError) {
        guard found(in: text, allowing: allowance) else { return }
        throw ParleyError.validation(code, field: field, message(field: field, allowing: allowance))
    }

    static func message(field: String, allowing allowance: Allowance) -> String {
        switch allowance {
        case .none: return "\(field) must not contain control characters"
        case .tabsAndNewlines: return "\(field) must not contain control characters other than tab, line feed and carriage return"
        }
    }
}

/// The field rules of accounts (API.md §2).
public enum AccountRules {
    public static let usernameLength = 3...50
    public static let passwordLength = 8...128
    public static let displayNameLength = 1...100
    public static let emailMaximumLength = 254
    public static let avatarURLMaximumLength = 2048

    public static func isValidUsername(_ username: String) -> Bool {
        username.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || scalar == "_" || scalar == "." || scalar == "-")
        }
    }

    /// A pragmatic address check: one `@`, a dot-atom local part and a domain of at least two labels.
    public static func isValidEmail(_ email: String) -> Bool {
        guard email.utf8.count <= emailMaximumLength else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let local = parts[0]
        let domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64, !local.hasPrefix("."), !local.hasSuffix("."),
            !local.contains("..")
        else { return false }
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~.-".unicodeScalars)
        guard local.unicodeScalars.allSatisfy({ localAllowed.contains($0) }) else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                label.unicodeScalars.allSatisfy({ scalar in
                    scalar.isASCII
                        && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                            || ("0"..."9").contains(scalar) || scalar == "-")
                })
            else { return false }
        }
        return labels.last!.count >= 2
    }

    /// An absolute http(s) URL without white space or control characters.
    public static func isValidHTTPURL(_ text: String) -> Bool {
        guard text.utf8.count <= avatarURLMaximumLength else { return false }
        let lower = text.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return false }
        let rest = lower.drop(while: { $0 != "/" }).dropFirst(2)
        guard let host = rest.split(separator: "/", maxSplits: 1).first, !host.isEmpty else { return false }
        return !text.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }
    }
}

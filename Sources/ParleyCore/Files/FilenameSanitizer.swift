/// Makes a client's file name safe to store and to send back in `Content-Disposition`.
public enum FilenameSanitizer {
    public static let maximumLength = 200

    /// The last path component, without control or separator characters, trimmed, at most 200 characters;
    /// "file" when nothing is left.
    public static func sanitize(_ name: String?) -> String {
        guard let name else { return "file" }
        let lastComponent = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(String.UnicodeScalarView(lastComponent.unicodeScalars.filter { scalar in
            !(scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                || scalar == "\"" || scalar == ":" || scalar == "*" || scalar == "?" || scalar == "<" || scalar == ">" || scalar == "|"
                || scalar.properties.generalCategory == .format)
        })).trimmingWhitespace()
        var result = cleaned.drop(while: { $0 == "." }).description
        if result.count > maximumLength {
            let ext = fileExtension(result).map { "." + $0 } ?? ""
            result = String(result.prefix(maximumLength - ext.count)) + ext
        }
        return result.isEmpty ? "file" : result
    }

    /// The lower-cased extension of a name, without the dot.
    public static func fileExtension(_ name: String) -> String? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...].lowercased()
        return ext.isEmpty || ext.count > 10 ? nil : ext
    }
}

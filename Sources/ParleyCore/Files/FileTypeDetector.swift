/// A file type Parley accepts in server-readable rooms, recognised by its bytes.
public enum DetectedFileType: String, Sendable, CaseIterable {
    case jpeg = "image/jpeg"
    case png = "image/png"
    case gif = "image/gif"
    case webp = "image/webp"
    case pdf = "application/pdf"
    case text = "text/plain"
    case mp3 = "audio/mpeg"
    case mp4 = "video/mp4"
    case webm = "video/webm"
    case ogg = "audio/ogg"
    case zip = "application/zip"

    /// File name extensions that agree with the type.
    public var extensions: Set<String> {
        switch self {
        case .jpeg: ["jpg", "jpeg", "jpe", "jfif"]
        case .png: ["png"]
        case .gif: ["gif"]
        case .webp: ["webp"]
        case .pdf: ["pdf"]
        case .text: ["txt", "text", "md", "markdown", "csv", "log", "json"]
        case .mp3: ["mp3"]
        case .mp4: ["mp4", "m4v", "m4a"]
        case .webm: ["webm"]
        case .ogg: ["ogg", "oga", "ogv", "opus"]
        case .zip: ["zip"]
        }
    }

    /// Other media types a client may claim for this type (besides `rawValue`).
    var claimAliases: Set<String> {
        switch self {
        case .jpeg: ["image/jpg", "image/pjpeg"]
        case .text: ["text/markdown", "text/csv", "application/json"]
        case .mp3: ["audio/mp3"]
        case .mp4: ["audio/mp4", "video/quicktime"]
        case .webm: ["audio/webm"]
        case .ogg: ["video/ogg", "application/ogg", "audio/opus"]
        case .zip: ["application/x-zip-compressed"]
        default: []
        }
    }

    public var isImage: Bool { self == .jpeg || self == .png || self == .gif || self == .webp }
}

/// Recognises file types from their first bytes (magic numbers) and checks text files as a whole.
public enum FileTypeDetector {
    /// How many leading bytes `detect` needs.
    public static let sniffLength = 64

    /// The type the leading bytes announce; text is decided by the caller's full-file check.
    public static func detect(prefix: [UInt8]) -> DetectedFileType? {
        func starts(_ bytes: [UInt8], at offset: Int = 0) -> Bool {
            prefix.count >= offset + bytes.count && Array(prefix[offset..<(offset + bytes.count)]) == bytes
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts(Array("OggS".utf8)) { return .ogg }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if starts(Array("ftyp".utf8), at: 4) { return .mp4 }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) {
            // Matroska and WebM share the EBML header; the DocType says which.
            let window = prefix.prefix(sniffLength)
            return contains(Array("webm".utf8), in: Array(window)) ? .webm : nil
        }
        if starts(Array("ID3".utf8)) { return .mp3 }
        if prefix.count >= 2, prefix[0] == 0xFF, (prefix[1] & 0xE0) == 0xE0, (prefix[1] & 0x06) != 0 { return .mp3 }
        return nil
    }

    /// Whether `extension` (lower-case, no dot; nil when the name has none) agrees with `type`.
    public static func name(extension ext: String?, agreesWith type: DetectedFileType) -> Bool {
        guard let ext, !ext.isEmpty else { return true }
        return type.extensions.contains(ext)
    }

    /// Whether a claimed media type agrees with `type`; generic or missing claims agree with anything.
    public static func claim(_ claimed: String?, agreesWith type: DetectedFileType) -> Bool {
        guard let claimed = claimed?.split(separator: ";").first.map({ String($0).trimmingWhitespace().lowercased() }), !claimed.isEmpty,
            claimed != "application/octet-stream", claimed != "binary/octet-stream"
        else { return true }
        return claimed == type.rawValue || type.claimAliases.contains(claimed)
    }

    private static func contains(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle {
            return true
        }
        return false
    }
}

/// Checks, chunk by chunk, that a stream is UTF-8 text without NUL or other binary control bytes.
public struct TextValidator: Sendable {
    private var pending = 0
    public private(set) var isText = true

    public init() {}

    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        guard isText else { return }
        for byte in bytes {
            if pending > 0 {
                guard byte & 0xC0 == 0x80 else { isText = false; return }
                pending -= 1
            } else if byte < 0x80 {
                // Text may hold tabs, newlines and form feeds, but no other control bytes.
                if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D && byte != 0x0C { isText = false; return }
            } else if byte & 0xE0 == 0xC0, byte >= 0xC2 {
                pending = 1
            } else if byte & 0xF0 == 0xE0 {
                pending = 2
            } else if byte & 0xF8 == 0xF0, byte <= 0xF4 {
                pending = 3
            } else {
                isText = false
                return
            }
        }
    }

    /// True when everything fed was complete UTF-8 text.
    public var isCompleteText: Bool { isText && pending == 0 }
}

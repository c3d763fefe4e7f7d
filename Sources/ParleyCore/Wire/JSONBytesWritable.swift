/// A value that writes its own JSON bytes, exactly as `ByteJSONEncoder` would write its `Encodable` form
/// (keys sorted by their UTF-8 bytes, explicit nulls kept), without building the encoder's node tree.
///
/// Messages are most of every history page, search result and catch-up; writing them directly halved the
/// time spent encoding those responses (docs/BENCHMARKS.md, d.). Tests compare each conformance's bytes
/// with its `Encodable` form's.
public protocol JSONBytesWritable: Encodable {
    func writeJSON(to output: inout [UInt8]) throws
}

/// The pieces JSON output is made of, shared by `ByteJSONEncoder` and the `JSONBytesWritable` types.
enum JSONBytes {
    static let hex = Array("0123456789abcdef".utf8)

    static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Most strings need no escaping: copied whole.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            output.append(contentsOf: text.utf8)
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// A finite number's text; whole numbers without a fractional part, as JSONEncoder writes them.
    static func number(_ value: Double) throws -> String {
        guard value.isFinite else { throw JSONEncodingError(description: "\(value) cannot be written as JSON") }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// `"key":`, after the object's `{` or the previous member's `,`. Keys are Parley's own snake_case
    /// names and never need escaping.
    static func key(_ key: StaticString, first: Bool = false, to output: inout [UInt8]) {
        output.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        output.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { output.append(contentsOf: $0) }
        output.append(UInt8(ascii: "\""))
        output.append(UInt8(ascii: ":"))
    }

    static func write(_ text: String?, to output: inout [UInt8]) {
        if let text { writeString(text, to: &output) } else { output.append(contentsOf: "null".utf8) }
    }

    static func write(_ number: Int64, to output: inout [UInt8]) {
        output.append(contentsOf: String(number).utf8)
    }

    static func write(_ time: Timestamp?, to output: inout [UInt8]) {
        write(time?.rfc3339, to: &output)
    }

    static func write<T: JSONBytesWritable>(_ items: [T], to output: inout [UInt8]) throws {
        output.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            try item.writeJSON(to: &output)
        }
        output.append(UInt8(ascii: "]"))
    }
}

extension JSONValue: JSONBytesWritable {
    public func writeJSON(to output: inout [UInt8]) throws {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): output.append(contentsOf: String(value).utf8)
        case .double(let value): output.append(contentsOf: try JSONBytes.number(value).utf8)
        case .string(let value): JSONBytes.writeString(value, to: &output)
        case .array(let items): try JSONBytes.write(items, to: &output)
        case .object(let fields):
            output.append(UInt8(ascii: "{"))
            let keys = fields.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONBytes.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                try fields[key]!.writeJSON(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}

extension ReactionView: JSONBytesWritable {
    public func writeJSON(to output: inout [UInt8]) throws {
        JSONBytes.key("created_at", first: true, to: &output)
        JSONBytes.write(createdAt, to: &output)
        JSONBytes.key("emoji", to: &output)
        JSONBytes.writeString(emoji, to: &output)
        JSONBytes.key("user_id", to: &output)
        JSONBytes.writeString(userID, to: &output)
        JSONBytes.key("username", to: &output)
        JSONBytes.writeString(username, to: &output)
        output.append(UInt8(ascii: "}"))
    }
}

extension AttachmentView: JSONBytesWritable {
    public func writeJSON(to output: inout [UInt8]) throws {
        JSONBytes.key("encrypted_url", first: true, to: &output)
        JSONBytes.writeString(encryptedURL, to: &output)
        JSONBytes.key("file_size", to: &output)
        JSONBytes.write(Int64(fileSize), to: &output)
        JSONBytes.key("file_type", to: &output)
        JSONBytes.writeString(fileType, to: &output)
        JSONBytes.key("filename", to: &output)
        JSONBytes.writeString(filename, to: &output)
        JSONBytes.key("id", to: &output)
        JSONBytes.writeString(id, to: &output)
        JSONBytes.key("thumbnail_url", to: &output)
        JSONBytes.write(thumbnailURL, to: &output)
        output.append(UInt8(ascii: "}"))
    }
}

extension MessageView: JSONBytesWritable {
    public func writeJSON(to output: inout [UInt8]) throws {
        JSONBytes.key("attachments", first: true, to: &output)
        try JSONBytes.write(attachments, to: &output)
        JSONBytes.key("avatar_url", to: &output)
        JSONBytes.write(avatarURL, to: &output)
        JSONBytes.key("chatroom_id", to: &output)
        JSONBytes.writeString(chatroomID, to: &output)
        JSONBytes.key("client_id", to: &output)
        JSONBytes.write(clientID, to: &output)
        JSONBytes.key("content", to: &output)
        if let content { try content.writeJSON(to: &output) } else { output.append(contentsOf: "null".utf8) }
        JSONBytes.key("created_at", to: &output)
        JSONBytes.write(createdAt, to: &output)
        JSONBytes.key("deleted_at", to: &output)
        JSONBytes.write(deletedAt, to: &output)
        JSONBytes.key("display_name", to: &output)
        JSONBytes.writeString(displayName, to: &output)
        JSONBytes.key("edited_at", to: &output)
        JSONBytes.write(editedAt, to: &output)
        JSONBytes.key("id", to: &output)
        JSONBytes.writeString(id, to: &output)
        JSONBytes.key("message_type", to: &output)
        JSONBytes.writeString(messageType.rawValue, to: &output)
        JSONBytes.key("reactions", to: &output)
        try JSONBytes.write(reactions, to: &output)
        JSONBytes.key("reply_to", to: &output)
        JSONBytes.write(replyTo, to: &output)
        JSONBytes.key("seq", to: &output)
        JSONBytes.write(seq, to: &output)
        JSONBytes.key("user_id", to: &output)
        JSONBytes.writeString(userID, to: &output)
        JSONBytes.key("username", to: &output)
        JSONBytes.writeString(username, to: &output)
        output.append(UInt8(ascii: "}"))
    }
}

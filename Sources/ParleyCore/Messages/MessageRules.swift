import Foundation

/// Message field rules (API.md §4 and §5).
public enum MessageRules {
    public static let textMaximum = 4000
    public static let encryptedDataMaximumBytes = 64 * 1024
    public static let clientIDMaximum = 64
    public static let emojiMaximum = 32
    public static let historyLimitRange = 1...100
    public static let defaultHistoryLimit = 50
    public static let attachmentsMaximum = 10

    /// The refusal of attachments that name no file the sender may attach (unknown, someone else's, another
    /// room's, already attached, or not an id at all).
    public static func unclaimableAttachments(_ ids: [String]) -> ParleyError {
        ParleyError.validation(
            field: "attachments", "attachments must be files you uploaded to this chatroom and not yet attached",
            details: ["invalid": .array(ids.map { .string($0) })])
    }

    /// Validates `content` for the room's mode and returns its canonical form:
    /// `{"encrypted_data", "iv", "key_version"}` in end-to-end rooms, `{"text"}` in server-readable ones.
    public static func content(_ content: JSONValue?, for room: Room, allowEmptyText: Bool = false) throws(ParleyError) -> JSONValue {
        guard let content, content != .null else {
            throw ParleyError.validation(.validationRequiredField, field: "content", "content is required")
        }
        guard case .object(let fields) = content else {
            throw ParleyError.validation(.validationInvalidFormat, field: "content", "content must be an object")
        }
        if room.encryptionEnabled {
            if fields["text"] != nil {
                throw encryptionFailed("This chatroom is end-to-end encrypted: send {encrypted_data, iv, key_version}, never plaintext")
            }
            guard let data = fields["encrypted_data"]?.stringValue, let iv = fields["iv"]?.stringValue,
                let keyVersion = fields["key_version"]?.intValue
            else { throw encryptionFailed("content must be {encrypted_data: base64, iv: base64, key_version: integer}") }
            guard let decoded = Data(base64Encoded: data), !decoded.isEmpty else {
                throw encryptionFailed("encrypted_data must be non-empty base64")
            }
            guard decoded.count <= encryptedDataMaximumBytes else {
                throw ParleyError(.messageTooLong, status: 422, "encrypted_data must decode to at most \(encryptedDataMaximumBytes) bytes",
                                  details: ["field": "content.encrypted_data", "limit_bytes": .int(encryptedDataMaximumBytes)])
            }
            guard let ivBytes = Data(base64Encoded: iv), ivBytes.count == 12 else {
                throw encryptionFailed("iv must be base64 of 12 bytes (an AES-GCM nonce)")
            }
            guard keyVersion >= 1 else { throw encryptionFailed("key_version must be an integer of at least 1") }
            return ["encrypted_data": .string(data), "iv": .string(iv), "key_version": .int(keyVersion)]
        }
        if fields["encrypted_data"] != nil || fields["iv"] != nil {
            throw encryptionFailed("This chatroom is server-readable: send {text}; the server encrypts it at rest")
        }
        guard let raw = fields["text"] else { throw encryptionFailed("content must be {text: string} in this chatroom") }
        guard let text = raw.stringValue else {
            throw ParleyError.validation(.validationInvalidFormat, field: "content.text", "content.text must be a string")
        }
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty && !allowEmptyText {
            throw ParleyError.validation(.validationRequiredField, field: "content.text", "content.text must not be empty")
        }
        guard trimmed.count <= textMaximum else {
            throw ParleyError(.messageTooLong, status: 422, "content.text must be at most \(textMaximum) characters",
                              details: ["field": "content.text", "limit": .int(textMaximum)])
        }
        try ControlCharacters.check(trimmed, field: "content.text", allowing: .tabsAndNewlines)
        return ["text": .string(trimmed)]
    }

    /// A message type a client may send (system messages are the server's).
    public static func clientType(_ name: String?) throws(ParleyError) -> MessageType {
        guard let name else { return .text }
        guard let type = MessageType(rawValue: name), type != .system else {
            throw ParleyError.validation(field: "message_type", "message_type must be text, image or file")
        }
        return type
    }

    /// A valid emoji field: 1 to 32 characters, no white space or control characters.
    public static func emoji(_ value: String?) throws(ParleyError) -> String {
        guard let value else { throw ParleyError.validation(.validationRequiredField, field: "emoji", "emoji is required") }
        let trimmed = value.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw ParleyError.validation(.validationRequiredField, field: "emoji", "emoji is required") }
        guard trimmed.count <= emojiMaximum else {
            throw ParleyError.validation(.validationLengthExceeded, field: "emoji", "emoji must be at most \(emojiMaximum) characters")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ParleyError.validation(.validationInvalidFormat, field: "emoji", "emoji must not contain spaces or control characters")
        }
        return trimmed
    }

    private static func encryptionFailed(_ message: String) -> ParleyError {
        ParleyError(.messageEncryptionFailed, status: 422, message, details: ["field": "content"])
    }
}

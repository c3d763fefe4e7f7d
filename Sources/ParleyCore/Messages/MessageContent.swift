import Foundation

/// Turns content objects into their stored form and back, per room mode (API.md §4).
///
/// End-to-end rooms store the client's triple as canonical JSON, untouched in meaning. Server-readable rooms
/// store the content object sealed under the room key, bound to the message id, so the database never holds
/// message text.
public struct MessageContentCodec: Sendable {
    public let keyRing: KeyRing

    public init(keyRing: KeyRing) {
        self.keyRing = keyRing
    }

    /// The stored form of `content` for a message of `room`.
    public func store(_ content: JSONValue, messageID: String, in room: Room) async throws -> (content: String, keyVersion: Int?) {
        let json = try Self.canonicalJSON(content)
        if room.encryptionEnabled { return (String(decoding: json, as: UTF8.self), nil) }
        let (sealed, version) = try await keyRing.seal(json, roomID: room.id, context: Self.context(roomID: room.id, messageID: messageID))
        return (sealed, version)
    }

    /// The content object of a stored message; nil when deleted.
    public func content(of message: StoredMessage) async throws -> JSONValue? {
        guard let stored = message.content else { return nil }
        let json: [UInt8]
        if let version = message.contentKeyVersion {
            json = try await keyRing.open(stored, version: version, roomID: message.roomID, context: Self.context(roomID: message.roomID, messageID: message.id))
        } else {
            json = Array(stored.utf8)
        }
        return try JSONParser.parse(json)
    }

    /// Compact, keys sorted: the same value always gives the same bytes. Written by the one JSON writer
    /// (`JSONValue.writeJSON`), so stored content and what clients receive agree (`2.0` is `2` in both).
    static func canonicalJSON(_ value: JSONValue) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(128)
        try value.writeJSON(to: &output)
        return output
    }

    static func context(roomID: String, messageID: String) -> String { "parley/message/\(roomID)/\(messageID)" }
}

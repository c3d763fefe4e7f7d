import Foundation

/// Identifier generation: random UUIDs for users, rooms and invitations; time-sortable UUIDv7 for messages,
/// files and summaries so that their ids order like their creation times.
public enum Identifiers {
    /// A random (version 4) UUID, lower-case and hyphenated.
    public static func uuid() -> String { UUID().uuidString.lowercased() }

    /// A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits.
    public static func uuidV7(at time: Timestamp = .now()) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let ms = UInt64(max(0, time.milliseconds))
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: ms >> (8 * (5 - UInt64(index)))) }
        var generator = SystemRandomNumberGenerator()
        for index in 6..<16 { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return format(bytes)
    }

    /// Whether `text` is a canonical lower-case hyphenated UUID (any version).
    public static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            switch index {
            case 8, 13, 18, 23:
                if byte != UInt8(ascii: "-") { return false }
            default:
                let isDigit = byte >= 48 && byte <= 57
                let isLowerHex = byte >= 97 && byte <= 102
                if !(isDigit || isLowerHex) { return false }
            }
        }
        return true
    }

    /// The canonical (lower-case) text of a UUID given in any case, or nil when it is not a UUID. Only
    /// `ParleyID(parsing:)` calls this: ids are parsed once, where they enter.
    static func canonicalUUID(_ text: String) -> String? {
        // The common case, already canonical, is returned as it is, without a copy.
        if isUUID(text) { return text }
        guard text.utf8.count == 36 else { return nil }
        let lowered = text.lowercased()
        return isUUID(lowered) ? lowered : nil
    }

    private static func format(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

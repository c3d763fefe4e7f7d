import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a receiver needs from a server event, found by scanning the frame's bytes rather than parsing its
/// JSON: at 100,000 frames a second a full parse would cost more than the server's own work.
struct ScannedFrame {
    /// The events a receiver tells apart.
    enum Event {
        case messageReceived, chatroomJoined, error, other
    }

    var event = Event.other
    /// `seq` of a message, -1 when absent.
    var seq: Int64 = -1
    /// `last_seq` of `chatroom_joined`, -1 when absent.
    var lastSeq: Int64 = -1
    /// The send time the bench wrote at the start of the message text, 0 when absent.
    var sentAt: UInt64 = 0
    /// The frame answers one of this connection's requests (`request_id` present): an acknowledgement.
    var hasRequestID = false
    /// Parts of a bench client id `<tag>:<sender>:<number>`; -1 when the message is not the bench's.
    var sender = -1
    var number = -1
    var clientTag: UInt8 = 0
}

/// Byte-level scanning of server frames. Keys are matched with their closing quote and colon (`"seq":`),
/// which cannot occur inside a JSON string value, where quotes are escaped.
enum FrameScanner {
    private static let eventKey: StaticString = "event\":\""
    private static let seqKey: StaticString = "seq\":"
    private static let lastSeqKey: StaticString = "last_seq\":"
    private static let textKey: StaticString = "text\":\""
    private static let clientIDKey: StaticString = "client_id\":\""
    private static let requestIDKey: StaticString = "request_id\":\""
    private static let messageReceived: StaticString = "message_received\""
    private static let chatroomJoined: StaticString = "chatroom_joined\""
    private static let error: StaticString = "error\""

    static func scan(_ buffer: ByteBuffer) -> ScannedFrame {
        buffer.withUnsafeReadableBytes { scan($0) }
    }

    static func scan(_ raw: UnsafeRawBufferPointer) -> ScannedFrame {
        var frame = ScannedFrame()
        guard let base = raw.baseAddress, raw.count > 0 else { return frame }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let count = raw.count
        var index = 0
        while index < count {
            guard let found = memchr(base + index, 0x22, count - index) else { break }
            let quote = UnsafeRawPointer(found) - base
            let key = quote + 1
            index = key
            guard key < count else { break }
            switch bytes[key] {
            case UInt8(ascii: "e"):
                if let value = match(eventKey, bytes, count, at: key) {
                    if match(messageReceived, bytes, count, at: value) != nil {
                        frame.event = .messageReceived
                    } else if match(chatroomJoined, bytes, count, at: value) != nil {
                        frame.event = .chatroomJoined
                    } else if match(error, bytes, count, at: value) != nil {
                        frame.event = .error
                    }
                    index = value
                }
            case UInt8(ascii: "s"):
                if let value = match(seqKey, bytes, count, at: key), frame.seq < 0 {
                    let (number, end) = integer(bytes, count, at: value)
                    frame.seq = Int64(number)
                    index = end
                }
            case UInt8(ascii: "l"):
                if let value = match(lastSeqKey, bytes, count, at: key) {
                    let (number, end) = integer(bytes, count, at: value)
                    frame.lastSeq = Int64(number)
                    index = end
                }
            case UInt8(ascii: "t"):
                if let value = match(textKey, bytes, count, at: key), frame.sentAt == 0 {
                    let (number, end) = integer(bytes, count, at: value)
                    frame.sentAt = UInt64(max(number, 0))
                    index = end
                }
            case UInt8(ascii: "c"):
                if let value = match(clientIDKey, bytes, count, at: key) {
                    index = clientID(bytes, count, at: value, into: &frame)
                }
            case UInt8(ascii: "r"):
                if let value = match(requestIDKey, bytes, count, at: key) {
                    frame.hasRequestID = true
                    index = value
                }
            default:
                break
            }
        }
        return frame
    }

    /// The index just past `pattern` when it occurs at `position`.
    @inline(__always)
    private static func match(_ pattern: StaticString, _ bytes: UnsafePointer<UInt8>, _ count: Int, at position: Int) -> Int? {
        let length = pattern.utf8CodeUnitCount
        guard position + length <= count, memcmp(bytes + position, pattern.utf8Start, length) == 0 else { return nil }
        return position + length
    }

    /// Leading decimal digits at `position` (0 when none) and the index after them.
    @inline(__always)
    private static func integer(_ bytes: UnsafePointer<UInt8>, _ count: Int, at position: Int) -> (Int, Int) {
        var value = 0
        var index = position
        while index < count, index - position < 19 {
            let digit = Int(bytes[index]) - 48
            guard digit >= 0, digit <= 9 else { break }
            value = value * 10 + digit
            index += 1
        }
        return (value, index)
    }

    /// Parses `<tag>:<sender>:<number>"` into the frame; returns where scanning continues.
    private static func clientID(_ bytes: UnsafePointer<UInt8>, _ count: Int, at position: Int, into frame: inout ScannedFrame) -> Int {
        guard position + 2 < count, bytes[position + 1] == UInt8(ascii: ":") else { return position }
        let tag = bytes[position]
        let (sender, senderEnd) = integer(bytes, count, at: position + 2)
        guard senderEnd > position + 2, senderEnd < count, bytes[senderEnd] == UInt8(ascii: ":") else { return position }
        let (number, numberEnd) = integer(bytes, count, at: senderEnd + 1)
        guard numberEnd > senderEnd + 1, numberEnd < count, bytes[numberEnd] == UInt8(ascii: "\"") else { return position }
        frame.clientTag = tag
        frame.sender = sender
        frame.number = number
        return numberEnd
    }
}

import NIOCore

/// Builds client frames: `join_chatroom`, and `send_message` whose text starts with the send time in
/// nanoseconds (so that any receiver in this process can compute the latency) and is padded to a size.
struct MessageFactory: Sendable {
    let roomID: String
    /// Length of the message text in bytes.
    let textBytes: Int
    private let padding: [UInt8]

    init(roomID: String, textBytes: Int) {
        self.roomID = roomID
        self.textBytes = max(textBytes, 21)
        // Words rather than one long run, so that the text looks like text to the server's indexer.
        let words = "lorem ipsum dolor amet consectetur adipiscing elit sed eiusmod tempor incididunt labore dolore magna aliqua "
        var padding: [UInt8] = []
        while padding.count < self.textBytes { padding += Array(words.utf8) }
        self.padding = padding
    }

    /// `send_message` with client id `<tag>:<sender>:<number>` and request id `<sender>.<number>`.
    func send(sender: Int, number: Int, tag: String = "b", sentAt: UInt64 = Clock.now()) -> ByteBuffer {
        let stamp = String(sentAt)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(textBytes + roomID.utf8.count + 160)
        buffer.writeStaticString("{\"event\":\"send_message\",\"data\":{\"chatroom_id\":\"")
        buffer.writeString(roomID)
        buffer.writeStaticString("\",\"content\":{\"text\":\"")
        buffer.writeString(stamp)
        buffer.writeStaticString(" ")
        let rest = max(textBytes - stamp.utf8.count - 1, 0)
        buffer.writeBytes(padding[0..<rest])
        buffer.writeStaticString("\"},\"client_id\":\"")
        buffer.writeString("\(tag):\(sender):\(number)")
        buffer.writeStaticString("\"},\"request_id\":\"")
        buffer.writeString("\(sender).\(number)")
        buffer.writeStaticString("\"}")
        return buffer
    }

    /// `send_message` with a given text (plain words: nothing in it needs JSON escaping).
    func send(text: String, sender: Int, number: Int, tag: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(text.utf8.count + roomID.utf8.count + 160)
        buffer.writeStaticString("{\"event\":\"send_message\",\"data\":{\"chatroom_id\":\"")
        buffer.writeString(roomID)
        buffer.writeStaticString("\",\"content\":{\"text\":\"")
        buffer.writeString(text)
        buffer.writeStaticString("\"},\"client_id\":\"")
        buffer.writeString("\(tag):\(sender):\(number)")
        buffer.writeStaticString("\"},\"request_id\":\"")
        buffer.writeString("\(sender).\(number)")
        buffer.writeStaticString("\"}")
        return buffer
    }

    /// `join_chatroom`, resuming after `afterSeq` when given.
    static func join(roomID: String, afterSeq: Int64? = nil) -> ByteBuffer {
        if let afterSeq {
            return ByteBuffer(string: "{\"event\":\"join_chatroom\",\"data\":{\"chatroom_id\":\"\(roomID)\",\"after_seq\":\(afterSeq)}}")
        }
        return ByteBuffer(string: "{\"event\":\"join_chatroom\",\"data\":{\"chatroom_id\":\"\(roomID)\"}}")
    }
}

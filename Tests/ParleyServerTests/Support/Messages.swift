import Foundation
import ParleyCore
import ParleyTestSupport

/// An end-to-end content triple as a client would produce it (random bytes standing in for ciphertext).
func sealedContent(_ marker: String = "", size: Int = 48) -> JSONValue {
    var bytes = Array(marker.utf8)
    while bytes.count < size { bytes.append(UInt8.random(in: 0...255)) }
    let iv = (0..<12).map { _ in UInt8.random(in: 0...255) }
    return ["encrypted_data": .string(Data(bytes).base64EncodedString()), "iv": .string(Data(iv).base64EncodedString()), "key_version": 1]
}

extension TestServer {
    /// Sends a message over REST and returns the stored message object.
    @discardableResult
    func post(_ content: JSONValue, to room: String, by user: TestUser, clientID: String? = nil, replyTo: String? = nil) async throws -> JSONValue {
        var body: [String: JSONValue] = ["content": content]
        if let clientID { body["client_id"] = .string(clientID) }
        if let replyTo { body["reply_to"] = .string(replyTo) }
        let response = try await request(.POST, "/chatrooms/\(room)/messages", json: .object(body), token: user.accessToken)
        guard response.status == 201 || response.status == 200 else { throw TestFailure("send failed: \(response.status) \(response.text)") }
        return response.data["message"]
    }
}

extension TestSocket {
    /// Subscribes to a room and returns `chatroom_joined`.
    @discardableResult
    func join(_ room: String, afterSeq: Int? = nil) async throws -> JSONValue {
        var data: [String: JSONValue] = ["chatroom_id": .string(room)]
        if let afterSeq { data["after_seq"] = .int(afterSeq) }
        send("join_chatroom", .object(data))
        let frame = try await next()
        guard frame["event"].stringValue == "chatroom_joined" else { throw TestFailure("expected chatroom_joined, got \(frame)") }
        return frame["data"]
    }

    /// Collects `count` message_received events (ignoring other events) and returns their messages.
    func messages(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [JSONValue] {
        var collected: [JSONValue] = []
        let deadline = ContinuousClock.now + timeout
        while collected.count < count {
            let frame = try await next("message_received", timeout: deadline - ContinuousClock.now)
            collected.append(frame["data"]["message"])
        }
        return collected
    }
}

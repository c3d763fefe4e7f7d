/// The name of every event the server sends on the WebSocket (API.md §6), in one place: services, the hub
/// and the gateway name events by case, so a misspelt name cannot reach the wire.
public enum ServerEvent: String, Sendable, CaseIterable {
    case messageReceived = "message_received"
    case messageEdited = "message_edited"
    case messageDeleted = "message_deleted"
    case reactionAdded = "reaction_added"
    case reactionRemoved = "reaction_removed"
    case readReceipt = "read_receipt"
    case typingIndicator = "typing_indicator"
    case userOnline = "user_online"
    case userOffline = "user_offline"
    case userJoined = "user_joined"
    case userLeft = "user_left"
    case memberUpdated = "member_updated"
    case chatroomJoined = "chatroom_joined"
    case chatroomUpdated = "chatroom_updated"
    case chatroomDeleted = "chatroom_deleted"
    case summaryCreated = "summary_created"
    case error
}

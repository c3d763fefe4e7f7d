import Foundation
import NIOCore
import Synchronization

/// Who should receive an event.
public enum Audience: Sendable, Equatable {
    /// Connections subscribed to the room (`join_chatroom`).
    case room(String)
    /// Every connection of these users.
    case users(Set<String>)
    /// One connection, by id: an answer to something it sent (a repeated send, a refused one).
    case connection(String)
}

/// What the hub does after delivering an event, besides delivering it.
public enum HubEffect: Sendable, Equatable {
    /// The user is no longer a member: their connections stop receiving the room's events.
    case unsubscribe(userID: String, roomID: String)
    /// The room is gone: every subscription to it ends.
    case dropRoom(roomID: String)
}

/// A server event ready for delivery: the complete WebSocket text frame, encoded once for every recipient.
public struct OutboundEvent: Sendable {
    public let audience: Audience
    public let name: ServerEvent
    public let frame: ByteBuffer
    /// For `message_received`: the room sequence number that orders delivery and de-duplicates catch-up.
    public let seq: Int64?
    /// Monotonic time at which the send was accepted on this node (0 when unknown), for the latency metric.
    public let acceptedAt: UInt64
    public let effects: [HubEffect]
    /// The connection that sent the message and the frame it gets instead (its acknowledgement, carrying
    /// its `request_id`); it receives it even when not subscribed to the room.
    public let origin: (connectionID: String, frame: ByteBuffer)?
    /// Connections that must not receive the event (a user's own typing indicator).
    public let excludedUserID: String?

    public init(
        audience: Audience, name: ServerEvent, frame: ByteBuffer, seq: Int64? = nil, acceptedAt: UInt64 = 0, effects: [HubEffect] = [],
        origin: (connectionID: String, frame: ByteBuffer)? = nil, excludedUserID: String? = nil
    ) {
        self.audience = audience
        self.name = name
        self.frame = frame
        self.seq = seq
        self.acceptedAt = acceptedAt
        self.effects = effects
        self.origin = origin
        self.excludedUserID = excludedUserID
    }

    /// Encodes `{"event": name, "data": data}` once.
    public static func make<Payload: Encodable>(
        _ name: ServerEvent, _ data: Payload, to audience: Audience, seq: Int64? = nil, acceptedAt: UInt64 = 0, effects: [HubEffect] = []
    ) throws -> OutboundEvent {
        OutboundEvent(audience: audience, name: name, frame: try EventFrame.encode(name, data), seq: seq, acceptedAt: acceptedAt, effects: effects)
    }

    /// The same event, not delivered to `userID`'s own connections.
    public func excluding(_ userID: String) -> OutboundEvent {
        OutboundEvent(audience: audience, name: name, frame: frame, seq: seq, acceptedAt: acceptedAt, effects: effects, origin: origin, excludedUserID: userID)
    }
}

/// The `{"event", "data", "request_id"?}` frame format of the WebSocket protocol.
///
/// Frames are written with `event` first and every object's keys sorted, so the same event is always the
/// same bytes: clients can dispatch on a prefix, and logs and tests compare frames directly. The data is
/// written by `ByteJSONEncoder` (messages write their own bytes), as REST bodies are.
public enum EventFrame {
    public static func encode<Payload: Encodable>(_ name: ServerEvent, _ data: Payload, requestID: String? = nil) throws -> ByteBuffer {
        assemble(string(name.rawValue), try ByteJSONEncoder.encode(data), requestID: requestID.map(string))
    }

    /// The frame for everyone and the same frame carrying the sender's `request_id`, encoding the data once.
    public static func encodePair<Payload: Encodable>(_ name: ServerEvent, _ data: Payload, requestID: String?) throws -> (plain: ByteBuffer, answer: ByteBuffer) {
        let nameJSON = string(name.rawValue)
        let payload = try ByteJSONEncoder.encode(data)
        return (assemble(nameJSON, payload, requestID: nil), assemble(nameJSON, payload, requestID: requestID.map(string)))
    }

    private static func string(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        JSONBytes.writeString(text, to: &output)
        return output
    }

    private static func assemble(_ name: [UInt8], _ payload: [UInt8], requestID: [UInt8]?) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(payload.count + name.count + (requestID?.count ?? 0) + 40)
        buffer.writeStaticString(#"{"event":"#)
        buffer.writeBytes(name)
        buffer.writeStaticString(#","data":"#)
        buffer.writeBytes(payload)
        if let requestID {
            buffer.writeStaticString(#","request_id":"#)
            buffer.writeBytes(requestID)
        }
        buffer.writeStaticString("}")
        return buffer
    }
}

/// Carries events between the services that produce them and the hub that delivers them.
///
/// In-process today; a cross-node implementation (publishing to a shared broker and attaching the local hub
/// as a subscriber) can replace it without touching routes, services or the hub.
public protocol Broker: Sendable {
    func publish(_ event: OutboundEvent)
    /// Registers the local receiver. Events published on any node reach every attached receiver.
    func attach(_ receiver: @escaping @Sendable (OutboundEvent) -> Void)
}

/// The single-node broker: publishing hands the event straight to the attached receivers.
public final class InProcessBroker: Broker {
    private let receivers = Mutex<[@Sendable (OutboundEvent) -> Void]>([])

    public init() {}

    public func publish(_ event: OutboundEvent) {
        for receiver in receivers.withLock({ $0 }) { receiver(event) }
    }

    public func attach(_ receiver: @escaping @Sendable (OutboundEvent) -> Void) {
        receivers.withLock { $0.append(receiver) }
    }
}

/// Who is online, as the realtime gateway knows it.
public protocol PresenceReader: Sendable {
    func onlineUsers(among userIDs: [String]) -> Set<String>
}

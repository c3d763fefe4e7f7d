import Logging
import NIOCore

extension RealtimeService {
    /// `send_message` from a connection. Every answer travels one route, the broker to the hub: the stored
    /// message's room event carries the sender's acknowledgement (`OutboundEvent.origin`), and a repeat or a
    /// refusal is published to the sending connection alone. So an answer never overtakes the events the hub
    /// has already queued for that connection, and a cross-node broker carries answers like any event.
    ///
    /// Validated here, then queued without waiting for the commit: awaited in turn, a connection's sends are
    /// stored in the order they arrived and many of them share one commit.
    public func send(_ input: SendInput, by identity: Identity, username: String, origin: SendOrigin, acceptedAt: UInt64) async {
        let prepared: PreparedSend
        do {
            prepared = try await messages.prepareSend(input, by: identity, origin: origin, acceptedAt: acceptedAt)
        } catch {
            answer(error, to: origin)
            return
        }
        if let roomID = input.roomID { typing.stop(roomID: roomID.rawValue, user: identity, username: username) }
        messages.submit(prepared) { result in
            switch result {
            case .success(let sent) where sent.duplicate:
                // Nothing was broadcast for a repeat: acknowledge it to the sender alone.
                answer(.messageReceived, MessagePayload(message: sent.message), to: origin)
            case .success:
                break
            case .failure(let error):
                answer(error, to: origin)
            }
        }
    }

    /// Publishes an `error` answer; errors that are not Parley's own are logged and answered as internal.
    func answer(_ error: any Error, to origin: SendOrigin) {
        guard let error = error as? ParleyError else {
            logger.error("Sending a message failed", metadata: ["error": .string(String(reflecting: error))])
            answer(.error, ErrorEventPayload(.internalError(requestID: origin.requestID)), to: origin)
            return
        }
        answer(.error, ErrorEventPayload(error), to: origin)
    }

    private func answer<Payload: Encodable>(_ name: ServerEvent, _ payload: Payload, to origin: SendOrigin) {
        do {
            let frame = try EventFrame.encode(name, payload, requestID: origin.requestID)
            broker.publish(OutboundEvent(audience: .connection(origin.connectionID), name: name, frame: frame))
        } catch {
            logger.error("Could not encode an answer", metadata: ["event": .string(name.rawValue), "error": .string("\(error)")])
        }
    }
}

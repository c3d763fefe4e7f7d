import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
import ParleyCore
import ServiceLifecycle
import Synchronization

/// The server's child channel: HTTP/1.1, with an upgrade to Parley's WebSocket gateway on `GET /ws`.
///
/// The upgrade is decided before any response is written: a request with a valid token becomes a
/// WebSocket; any other request (a bad token included) continues as plain HTTP to the router, whose
/// `GET /ws` route answers with the 401 envelope. NIO's upgrader looks at the first request only; an upgrade
/// on a later request of a kept-alive connection is taken by `KeepAliveUpgradeHandler`.
struct ParleyChannel: ServerChildChannel, HTTPChannelHandler {
    /// What a connection turned out to be once its first request was read.
    enum Negotiated: Sendable {
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case webSocket(WebSocketConnection)
        /// An upgrade request that was refused; NIO has consumed it, so it is answered here.
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, ParleyError)
    }

    /// The child channel and the negotiation still in progress (it completes when the first request arrives).
    struct Value: ServerChildChannelValue {
        let negotiation: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    /// What the upgrade check decided, carried from `shouldUpgrade` to the pipeline setup.
    private final class Decision: Sendable {
        let identity = Mutex<(Identity, String)?>(nil)
        let refusal = Mutex<ParleyError?>(nil)
    }

    let responder: HTTPChannelHandler.Responder
    let gateway: Gateway
    let users: any UserStore
    let addressCap: AddressConnectionCap
    let timeouts: HTTPTimeoutHandler.Timeouts
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard addressCap.admit(channel) else {
            // Closed before a byte is read: one address may not take every socket the process can open.
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(ChannelError.inappropriateOperationForState)
        }
        do {
            let decision = Decision()
            let timeoutHandler = HTTPTimeoutHandler(timeouts: timeouts)
            let lateUpgrade = KeepAliveUpgradeHandler(gateway: gateway, users: users, timeoutHandler: timeoutHandler, logger: logger)
            let gateway = self.gateway
            let users = self.users
            let upgrader = NIOTypedWebSocketServerUpgrader<Negotiated>(
                maxFrameSize: gateway.settings.maxMessageBytes,
                shouldUpgrade: { channel, head in
                    let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
                    promise.completeWithTask {
                        switch await gateway.authorizeUpgrade(head, users: users) {
                        case .success(let accepted):
                            decision.identity.withLock { $0 = (accepted.identity, accepted.username) }
                            var headers = HTTPHeaders()
                            if let subprotocol = accepted.subprotocol { headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol) }
                            return headers
                        case .failure(let error):
                            decision.refusal.withLock { $0 = error }
                            return nil
                        }
                    }
                    return promise.futureResult
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard let (identity, username) = decision.identity.withLock({ $0 }) else { throw ChannelError.inappropriateOperationForState }
                        let connection = try gateway.makeConnection(on: channel, identity: identity, username: username, logger: logger)
                        // WebSocket connections keep time with pings from here on; later requests are not HTTP.
                        channel.pipeline.syncOperations.removeHandler(timeoutHandler, promise: nil)
                        channel.pipeline.syncOperations.removeHandler(lateUpgrade, promise: nil)
                        try channel.pipeline.syncOperations.addHandler(connection)
                        return Negotiated.webSocket(connection)
                    }
                }
            )
            let upgradeConfiguration = NIOTypedHTTPServerUpgradeConfiguration<Negotiated>(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(CloseAfterResponseHandler())
                        try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
                        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        if let refusal = decision.refusal.withLock({ $0 }) { return Negotiated.refused(asyncChannel, refusal) }
                        return Negotiated.http(asyncChannel)
                    }
                }
            )
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<Negotiated>(upgradeConfiguration: upgradeConfiguration)
            configuration.enablePipelining = false
            configuration.enableErrorHandling = false
            configuration.enableResponseHeaderValidation = false
            let negotiation = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(timeoutHandler, position: .after(decoder))
            try channel.pipeline.syncOperations.addHandler(lateUpgrade, position: .after(timeoutHandler))
            return channel.eventLoop.makeSucceededFuture(Value(negotiation: negotiation, channel: channel))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
    }

    func handle(value: Value, logger: Logger) async {
        let negotiated: Negotiated
        do {
            negotiated = try await value.negotiation.get()
        } catch {
            logger.debug("Connection ended before its first request", metadata: ["error": .string("\(error)")])
            value.channel.close(promise: nil)
            return
        }
        switch negotiated {
        case .http(let asyncChannel):
            await handleHTTP(asyncChannel: asyncChannel, logger: logger)
        case .refused(let asyncChannel, let error):
            await refuse(asyncChannel, with: error, logger: logger)
        case .webSocket(let connection):
            // Graceful shutdown closes every connection at once through `GatewayShutdown`; a handler per
            // connection here would make shutting down (and each close) cost more with every connection.
            gateway.serve(connection)
            try? await connection.closed.get()
        }
    }

    /// Answers a refused upgrade with the error envelope and closes the connection.
    private func refuse(_ asyncChannel: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, with error: ParleyError, logger: Logger) async {
        let response = Response.error(error)
        let body = (try? JSONCoding.encode(ErrorEnvelope(error))) ?? ByteBuffer()
        var fields = response.headers
        fields[.connection] = "close"
        fields[.contentLength] = String(body.readableBytes)
        fields[.requestID] = Identifiers.uuid()
        let head = HTTPResponse(status: response.status, headerFields: fields)
        do {
            try await asyncChannel.executeThenClose { _, outbound in
                try await outbound.write(contentsOf: [.head(head), .body(body), .end(nil)])
            }
        } catch {
            logger.debug("Could not answer a refused WebSocket upgrade", metadata: ["error": .string("\(error)")])
        }
    }
}

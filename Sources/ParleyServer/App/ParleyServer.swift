import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ParleyCore
import ParleyStore
import Prometheus
import ServiceLifecycle
import UnixSignals

/// A configured Parley: storage opened and migrated, services wired, routes built.
///
/// `serve(configuration:logger:)` serves until SIGTERM/SIGINT; tests run `makeServices()` in a service group
/// of their own, and commands use `make` and `shutdown()` (the database pool then starts on first use).
public final class ParleyServer: Sendable {
    public let configuration: ParleyConfiguration
    public let store: SQLStore
    public let metrics: ParleyMetrics
    public let routeTable: RouteTable
    public let auth: AuthService
    let users: UserService
    let files: FileService
    let rooms: RoomService
    let messages: MessageService
    let search: SearchService
    let summaries: SummaryService
    let writer: MessageWriter
    let keyRing: KeyRing
    let broker: any Broker
    let presence: PresenceTracker
    let gateway: Gateway
    let blobs: FileBlobStore
    let rateLimits: any RateLimitStore
    /// Open connections per remote address, shared by every connection the application accepts.
    let addressCap: AddressConnectionCap
    let logger: Logger

    private init(
        configuration: ParleyConfiguration, store: SQLStore, metrics: ParleyMetrics, auth: AuthService, keyRing: KeyRing,
        blobs: FileBlobStore, logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.metrics = metrics
        self.routeTable = RouteTable()
        self.auth = auth
        let sendAccess = SendAccessCache()
        let files = FileService(
            files: store, messages: store, blobs: blobs, keyRing: keyRing, publicBaseURL: configuration.publicBaseURL,
            sendAccess: sendAccess, unattachedLifetime: configuration.unattachedFileTTL, logger: logger)
        self.files = files
        self.users = UserService(users: store, files: files, sendAccess: sendAccess)
        self.keyRing = keyRing
        self.blobs = blobs
        self.logger = logger
        let rateLimits = InMemoryRateLimitStore()
        self.rateLimits = rateLimits
        self.addressCap = AddressConnectionCap(limit: configuration.connectionsPerAddress, exempt: configuration.connectionCapExemptAddresses)
        let broker = InProcessBroker()
        self.broker = broker
        let presence = PresenceTracker(grace: .milliseconds(Int64(configuration.presenceGrace * 1000)), peers: store, broker: broker)
        self.presence = presence
        self.rooms = RoomService(
            rooms: store, users: store, keyRing: keyRing, broker: broker, presence: presence, blobs: blobs,
            publicBaseURL: configuration.publicBaseURL, logger: logger)
        let writer = MessageWriter(store: store, logger: logger)
        self.writer = writer
        let messages = MessageService(
            store: store, users: store, writer: writer, keyRing: keyRing, broker: broker, blobs: blobs, attachments: store,
            accessCache: sendAccess, logger: logger)
        self.messages = messages
        var provider: (any SummaryProvider)?
        if let base = configuration.llmBaseURL, let model = configuration.llmModel {
            provider = OpenAICompatibleProvider(
                baseURL: base, model: model, apiKey: configuration.llmAPIKey,
                timeout: .milliseconds(Int64(configuration.llmTimeoutSeconds * 1000)), logger: logger)
        }
        let summaries = SummaryService(
            summaries: store, rooms: store, messages: messages, keyRing: keyRing, broker: broker, provider: provider,
            automaticInterval: .milliseconds(Int64(configuration.autoSummaryInterval * 1000)),
            quota: SummaryQuota(
                counters: rateLimits, perUserPerHour: configuration.summariesPerUserPerHour,
                perRoomPerHour: configuration.summariesPerRoomPerHour),
            logger: logger)
        self.summaries = summaries
        writer.onProgress { progress, stored in
            metrics.messagesStored.increment(by: Int64(stored))
            summaries.observe(progress)
        }
        self.search = SearchService(index: store, messages: messages, keyRing: keyRing)
        let realtime = RealtimeService(
            messages: messages, broker: broker, presence: presence, typingExpiry: .milliseconds(Int64(configuration.typingExpiry * 1000)),
            logger: logger)
        self.gateway = Gateway(auth: auth, realtime: realtime, broker: broker, configuration: configuration, metrics: metrics, logger: logger)
    }

    /// Validates the configuration, prepares the data directory and secrets, opens and migrates the database.
    public static func make(configuration: ParleyConfiguration, logger: Logger) async throws -> ParleyServer {
        try await make(configuration: configuration, logger: logger, database: nil)
    }

    /// A database opened for `serve`, whose pool a lifecycle service runs, with the metrics its queries feed.
    struct Database: Sendable {
        let backend: any SQLBackend
        let metrics: ParleyMetrics
    }

    /// `make` on `database` when given; otherwise on a database opened here.
    static func make(configuration: ParleyConfiguration, logger: Logger, database: Database?) async throws -> ParleyServer {
        try configuration.validate()
        let dataDirectory = try DataDirectory(path: configuration.dataDirectory)
        let jwtSecret = try configuration.jwtSecret ?? dataDirectory.secret(named: "jwt-secret", byteCount: 48)
        let masterKey = try configuration.masterKey ?? dataDirectory.secret(named: "master-key", byteCount: 32)
        let blobs: FileBlobStore
        do {
            blobs = try FileBlobStore(root: dataDirectory.file("files"))
        } catch {
            throw ConfigurationError("cannot create \(dataDirectory.file("files")); check PARLEY_DATA_DIR permissions")
        }
        let metrics = database?.metrics ?? ParleyMetrics()
        let backend: any SQLBackend
        if let database {
            backend = database.backend
        } else {
            backend = try await SQLStore.connect(configuration.effectiveDatabase, logger: logger, observer: Self.queryObserver(metrics))
        }
        let store = try await SQLStore.open(backend: backend, logger: logger)
        let keyRing = KeyRing(masterKey: masterKey, store: store)
        // A wrong master key would make every server-readable message unreadable: refuse to start instead.
        let wrapping = try await store.masterKeyIDs()
        if !wrapping.isEmpty, !wrapping.contains(keyRing.masterKeyID) {
            await store.shutdown()
            throw ConfigurationError(
                "the master key (PARLEY_MASTER_KEY or master-key in the data directory) is not the one that encrypted this database's rooms; restore the original key")
        }
        let auth = AuthService(
            users: store, sessions: store, signer: TokenSigner(secret: jwtSecret),
            hasher: PasswordHasher(cost: configuration.bcryptCost),
            settings: AuthSettings(
                accessTokenTTL: configuration.accessTokenTTL, refreshTokenTTL: configuration.refreshTokenTTL,
                rotateRefreshTokens: configuration.rotateRefreshTokens, bcryptCost: configuration.bcryptCost,
                refreshReuseGrace: configuration.refreshReuseGrace),
            revocations: SessionRevocations(),
            loginBackoff: LoginBackoff(settings: LoginBackoffSettings(
                failuresPerAddress: configuration.loginFailuresPerAddress, failuresPerAccount: configuration.loginFailuresPerAccount,
                window: configuration.loginFailureWindow, initialDelay: configuration.loginBackoffInitial,
                maximumDelay: configuration.loginBackoffMaximum, knownAddressAge: configuration.loginKnownAddressAge))
        )
        return ParleyServer(
            configuration: configuration, store: store, metrics: metrics, auth: auth,
            keyRing: keyRing, blobs: blobs, logger: logger)
    }

    /// Builds the router with every middleware and route.
    func makeRouter() -> Router<ParleyRequestContext> {
        let router = Router(context: ParleyRequestContext.self)
        router.add(middleware: ObservabilityMiddleware(metrics: metrics, routes: routeTable, logger: logger))
        router.add(middleware: AuthenticationMiddleware(auth: auth))
        router.add(middleware: RateLimitMiddleware(store: rateLimits, limitPerMinute: configuration.rateLimitPerMinute, metrics: metrics))
        let routes = Routes(router: router, table: routeTable)
        let jsonLimit = configuration.maxJSONBodyBytes
        AuthRoutes(auth: auth, jsonLimit: jsonLimit).register(on: routes)
        UserRoutes(users: users, jsonLimit: jsonLimit).register(on: routes)
        RoomRoutes(rooms: rooms, jsonLimit: jsonLimit).register(on: routes)
        MessageRoutes(messages: messages, jsonLimit: jsonLimit).register(on: routes)
        SearchRoutes(search: search, jsonLimit: jsonLimit).register(on: routes)
        SummaryRoutes(summaries: summaries, jsonLimit: jsonLimit).register(on: routes)
        FileRoutes(files: files, users: users, quota: rateLimits, uploadsPerHour: configuration.uploadsPerHour).register(on: routes)
        WebSocketRoutes(gateway: gateway).register(on: routes)
        let store = self.store
        OpenAPIRoutes().register(on: routes)
        HealthRoutes(probes: { ["database": await store.ping()] }, metrics: metrics).register(on: routes)
        return router
    }

    /// The Hummingbird application: HTTP routes plus the WebSocket upgrade on `/ws`.
    func makeApplication(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let gateway = self.gateway
        let users = self.store
        let logger = self.logger
        let addressCap = self.addressCap
        let timeouts = HTTPTimeoutHandler.Timeouts(
            header: .milliseconds(Int64(configuration.httpHeaderTimeout * 1000)),
            body: .milliseconds(Int64(configuration.httpBodyTimeout * 1000)),
            idle: .milliseconds(Int64(configuration.httpIdleTimeout * 1000)))
        return Application(
            router: makeRouter(),
            server: HTTPServerBuilder { responder in
                ParleyChannel(responder: responder, gateway: gateway, users: users, addressCap: addressCap, timeouts: timeouts, logger: logger)
            },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// The services that serve Parley, in service-group order: automatic summaries, the search postings
    /// writer, the message writer, the application, what closes the WebSocket connections when graceful
    /// shutdown begins, and the expiry of unattached uploads. A group shuts down in reverse order: the expiry
    /// stops, the sockets close, the HTTP server stops taking requests, then the message writer answers every
    /// queued send, the postings of its last batches are written and summaries in progress end; the database
    /// closes after the group (`DatabaseClient` in `serve`, `shutdown()` otherwise).
    public func makeServices(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> [any Service] {
        let store = self.store
        let writer = self.writer
        return [
            SummaryJobs(summaries: summaries),
            BackgroundWork(description: "PostingWriter", work: { await store.runBackgroundWork() }, finish: { store.finishBackgroundWork() }),
            BackgroundWork(description: "MessageWriter", work: { await writer.run() }, finish: { writer.finish() }),
            makeApplication(onRunning: onRunning), GatewayShutdown(gateway: gateway),
            FileExpiry(files: files, interval: .seconds(configuration.fileExpiryInterval), logger: logger),
        ]
    }

    private static func queryObserver(_ metrics: ParleyMetrics) -> ObservedBackend.Observer {
        { kind, duration in metrics.recordQuery(kind: kind, duration: duration) }
    }

    /// A failure while opening the database or building the server, before anything was served.
    public struct StartFailure: Error {
        public let underlying: any Error
    }

    /// Serves until SIGTERM or SIGINT. The database pool is the first lifecycle service, so it runs before the
    /// migrations and closes last: at shutdown the sockets close, the HTTP server stops, the writers answer
    /// every queued send and write their last postings, summaries in progress end, then the pool closes.
    public static func serve(configuration: ParleyConfiguration, logger: Logger) async throws {
        try configuration.validate()
        let metrics = ParleyMetrics()
        let backend: any SQLBackend
        do {
            // The data directory holds the SQLite file: it must exist before the database opens.
            _ = try DataDirectory(path: configuration.dataDirectory)
            backend = try await SQLStore.connect(
                configuration.effectiveDatabase, logger: logger, observer: queryObserver(metrics), runByLifecycle: true)
        } catch {
            throw StartFailure(underlying: error)
        }
        let serving = ServingParley(configuration: configuration, database: Database(backend: backend, metrics: metrics), logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: DatabaseClient(backend: backend)), .init(service: serving)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

extension ParleyServer {
    /// Migration versions recorded in the database.
    public func appliedMigrations() async throws -> [Int] {
        try await Migrator(backend: store.backend, logger: logger).appliedVersions()
    }

    /// Rewraps every room key and master-wrapped file key under `newMasterKey` (server stopped). When the
    /// current key lives in the data directory, the new one replaces it there; otherwise the caller must
    /// set `PARLEY_MASTER_KEY` to it before the next start.
    public func rotateMasterKey(to newMasterKey: [UInt8]) async throws -> (rooms: Int, files: Int, storedInDataDirectory: Bool) {
        let counts = try await keyRing.rewrapAll(to: newMasterKey, fileContext: FileService.keyContext(fileID:roomID:))
        guard configuration.masterKey == nil else { return (counts.rooms, counts.files, false) }
        try DataDirectory(path: configuration.dataDirectory).replaceSecret(named: "master-key", with: newMasterKey)
        return (counts.rooms, counts.files, true)
    }

    /// Adds a new data key version to a server-readable room; new content is sealed with it.
    public func rotateRoomKey(roomID: String) async throws -> Int {
        guard let room = try await store.room(id: try IncomingIDs.room(roomID).rawValue) else {
            throw ParleyError.notFound(.chatroomNotFound, "Chatroom not found")
        }
        guard !room.encryptionEnabled else {
            throw ParleyError.validation(field: "chatroom_id", "End-to-end rooms have no server key; their keys belong to the clients")
        }
        return try await keyRing.rotate(roomID: room.id)
    }

    /// Finishes background summaries and closes the database (for tests and commands that do not `serve`).
    public func shutdown() async {
        await summaries.stop()
        await store.shutdown()
    }
}

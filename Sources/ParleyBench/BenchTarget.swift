import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Options saying which server to load: one at `--url`, or one this run starts from `--server-binary`.
struct ServerOptions: ParsableArguments {
    @Option(help: "A running server to load, e.g. http://127.0.0.1:8000 (otherwise the bench starts one).")
    var url: String?

    @Option(help: "The parley binary to start (default: ./.build-release/release/parley, then ./.build/release/parley, then ./.build/debug/parley).")
    var serverBinary: String?

    @Option(help: "PARLEY_DATABASE_URL for the server the bench starts (default: SQLite in a temporary data directory).")
    var databaseURL: String?

    @Option(help: "With --url: the server's process id, to report its CPU and memory.")
    var serverPID: Int32?

    @Option(help: "WebSocket connections the server allows per user (default: what the bench configured, or 1000 with --url).")
    var connectionsPerUser: Int?
}

/// Where scenarios send their load: the server's address, its process when this run started it, and the
/// event-loop group, HTTP client and API shared by every scenario of the run.
final class BenchTarget: Sendable {
    let group: MultiThreadedEventLoopGroup
    let host: String
    let port: Int
    let server: ServerProcess?
    let serverPID: Int32?
    let http: HTTPClient
    let api: ParleyAPI
    /// The per-user connection limit that plans spread connections across users against.
    let connectionsPerUser: Int
    /// Open files allowed to this process (and to a server it starts, which inherits it).
    let fileLimit: Int

    private init(
        group: MultiThreadedEventLoopGroup, host: String, port: Int, server: ServerProcess?, serverPID: Int32?, connectionsPerUser: Int,
        fileLimit: Int
    ) {
        self.group = group
        self.host = host
        self.port = port
        self.server = server
        self.serverPID = serverPID
        self.connectionsPerUser = connectionsPerUser
        self.fileLimit = fileLimit
        http = HTTPClient(group: group, host: host, port: port, maxConnections: 64)
        api = ParleyAPI(http: http)
    }

    /// Raises the file limit for `connections` sockets, then connects to or starts the server.
    static func make(_ options: ServerOptions, connections: Int) async throws -> BenchTarget {
        let fileLimit = FileLimit.raise(wanted: max(connections * 2 + 4096, 65_536))
        if fileLimit < connections + 512 {
            Log.progress("warning: the open-file limit is \(fileLimit), too low for \(connections) connections")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        do {
            if let url = options.url {
                guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host else {
                    throw ValidationError("--url must look like http://127.0.0.1:8000")
                }
                let target = BenchTarget(
                    group: group, host: host == "localhost" ? "127.0.0.1" : host, port: components.port ?? 80, server: nil,
                    serverPID: options.serverPID, connectionsPerUser: options.connectionsPerUser ?? 1000, fileLimit: fileLimit)
                guard await target.api.isHealthy() else { throw APIError("GET \(url)/health did not answer 200") }
                return target
            }
            guard let binary = ServerProcess.locateBinary(options.serverBinary) else {
                throw APIError(options.serverBinary.map { "no executable server binary at \($0)" }
                    ?? "no server binary found; build parley or pass --server-binary or --url")
            }
            if ServerProcess.isDebugBuild(binary) {
                Log.progress("warning: \(binary) is a debug build; its figures are meaningless (correctness checks still hold)")
            }
            Log.progress("starting \(binary)")
            let server = try await ServerProcess.start(binary: binary, databaseURL: options.databaseURL, group: group)
            ServerRegistry.add(server.pid)
            Log.progress("server pid \(server.pid) healthy on 127.0.0.1:\(server.port)")
            return BenchTarget(
                group: group, host: "127.0.0.1", port: server.port, server: server, serverPID: server.pid,
                connectionsPerUser: options.connectionsPerUser ?? (server.limitsClamped ? 1000 : 100_000), fileLimit: fileLimit)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// The server's CPU and memory now, when its process is known.
    func serverSample() -> ProcessSample? {
        serverPID.map { ProcessSample.take(pid: $0) }
    }

    func benchSample() -> ProcessSample {
        ProcessSample.take(pid: ProcessStats.selfPID)
    }

    /// `/ws?token=…` for `user`.
    func webSocketPath(_ user: BenchUser) -> String {
        "/ws?token=\(user.token)"
    }

    /// Opens a WebSocket as `user`.
    func connect(_ user: BenchUser, delegate: (any WebSocketDelegate)?, from source: SocketAddress? = nil) async throws -> WebSocketClient {
        try await WebSocketClient.connect(
            group: group, host: host, port: port, path: webSocketPath(user), from: source, delegate: delegate)
    }

    /// What the report says about the server under test.
    var description: Report {
        var report = Report()
        report.set("url", "http://\(host):\(port)")
        if let server {
            report.set("server_binary", server.binary)
            report.set("server_build", ServerProcess.isDebugBuild(server.binary) ? "debug" : "release")
            report.set("server_limits_clamped", server.limitsClamped)
        }
        report.set("server_pid", serverPID.map(Int.init))
        report.set("open_file_limit", fileLimit)
        return report
    }

    /// Stops a server this run started and releases the event loops.
    func shutdown() async {
        http.shutdown()
        if let server {
            Log.progress("stopping the server (pid \(server.pid))")
            await server.stop()
            ServerRegistry.remove(server.pid)
        }
        try? await group.shutdownGracefully()
    }
}

/// Servers this process started, so that an interrupted run does not leave them behind.
enum ServerRegistry {
    private static let pids = Mutex<Set<Int32>>([])
    private static let installed = Mutex(false)
    /// Written once, under `installed`, only to keep the sources alive.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    static func add(_ pid: Int32) {
        pids.withLock { _ = $0.insert(pid) }
    }

    static func remove(_ pid: Int32) {
        pids.withLock { _ = $0.remove(pid) }
    }

    /// On SIGINT or SIGTERM: terminate the servers, then exit.
    static func installSignalHandlers() {
        guard installed.withLock({ done in defer { done = true }; return !done }) else { return }
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                let running = pids.withLock { $0 }
                for pid in running { kill(pid, SIGTERM) }
                Log.progress("interrupted; stopped \(running.count) server(s)")
                exit(130)
            }
            source.resume()
            sources.append(source)
        }
    }
}

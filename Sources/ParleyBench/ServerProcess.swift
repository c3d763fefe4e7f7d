import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A Parley server started by this run: its own port and temporary data directory, output in a log file
/// there, stopped with SIGTERM at the end.
final class ServerProcess: Sendable {
    let pid: Int32
    let port: Int
    let binary: String
    let dataDirectory: String
    let logPath: String
    /// Whether the server refused the bench's limits and runs with the largest it accepts instead.
    let limitsClamped: Bool

    private init(pid: Int32, port: Int, binary: String, dataDirectory: String, logPath: String, limitsClamped: Bool) {
        self.pid = pid
        self.port = port
        self.binary = binary
        self.dataDirectory = dataDirectory
        self.logPath = logPath
        self.limitsClamped = limitsClamped
    }

    /// The binary to run: `explicit`, else the first of the usual build locations that exists.
    static func locateBinary(_ explicit: String?) -> String? {
        if let explicit { return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil }
        let candidates = [
            "./.build-release/release/parley", "./.build/release/parley",
            // Debug builds work for checking correctness; their figures mean nothing.
            "./.build/debug/parley",
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether `binary` looks like a debug build (by its path).
    static func isDebugBuild(_ binary: String) -> Bool {
        binary.contains("/debug/") || binary.split(separator: "/").last?.contains("debug") == true
    }

    /// The bench's limits: effectively none, so the bench measures the server rather than its throttles.
    private static let generousLimits: [String: String] = [
        "PARLEY_RATE_LIMIT_PER_MINUTE": "100000000", "PARLEY_UPLOADS_PER_HOUR": "1000000",
        "PARLEY_WS_CONNECTIONS_PER_USER": "100000", "PARLEY_WS_SENDS_PER_SECOND": "100000000", "PARLEY_WS_SEND_BURST": "100000000",
        "PARLEY_WS_EVENTS_PER_SECOND": "100000000", "PARLEY_WS_EVENT_BURST": "100000000",
        // The idle scenario opens 10,000 connections from each of several loopback addresses.
        "PARLEY_CONNECTIONS_PER_ADDRESS": "0",
    ]

    /// The master key of servers the bench starts on an external database (32 bytes, base64; test use only).
    static let benchMasterKey = "cGFybGV5LWJlbmNoLW1hc3Rlci1rZXktMzItYnl0ZXM="

    /// Lower limits for an older server that refuses the bench's (it exits with code 78 above its maxima).
    static let acceptedLimits: [String: String] = [
        "PARLEY_RATE_LIMIT_PER_MINUTE": "1000000", "PARLEY_UPLOADS_PER_HOUR": "1000000",
        "PARLEY_WS_CONNECTIONS_PER_USER": "1000", "PARLEY_WS_SENDS_PER_SECOND": "1000000", "PARLEY_WS_SEND_BURST": "1000000",
        "PARLEY_WS_EVENTS_PER_SECOND": "1000000", "PARLEY_WS_EVENT_BURST": "1000000", "PARLEY_CONNECTIONS_PER_ADDRESS": "0",
    ]

    /// The server exited at once because a limit was above what it accepts.
    private struct LimitsRefused: Error {
        let message: String
    }

    /// Starts the server and waits until `GET /health` answers 200. The bench's limits are tried first;
    /// a server that refuses them is started again with the largest values it accepts.
    static func start(binary: String, databaseURL: String?, group: any EventLoopGroup) async throws -> ServerProcess {
        do {
            return try await launch(binary: binary, databaseURL: databaseURL, limits: generousLimits, clamped: false, group: group)
        } catch let refused as LimitsRefused {
            Log.progress("the server refused the requested limits (\(refused.message)); starting it with the largest it accepts")
            return try await launch(binary: binary, databaseURL: databaseURL, limits: acceptedLimits, clamped: true, group: group)
        }
    }

    private static func launch(
        binary: String, databaseURL: String?, limits: [String: String], clamped: Bool, group: any EventLoopGroup
    ) async throws -> ServerProcess {
        let port = try await freePort(group: group)
        let directory = NSTemporaryDirectory() + "parley-bench-\(getpid())-\(port)-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PARLEY_") }
        environment["PARLEY_HOST"] = "127.0.0.1"
        environment["PARLEY_PORT"] = String(port)
        environment["PARLEY_DATA_DIR"] = directory
        environment["PARLEY_LOG_LEVEL"] = "warning"
        if let databaseURL {
            environment["PARLEY_DATABASE_URL"] = databaseURL
            // The data directory (and the master key the server would generate there) is new every run, but
            // the database outlives it: a fixed key lets later runs open the rooms earlier runs stored.
            environment["PARLEY_MASTER_KEY"] = benchMasterKey
        }
        environment.merge(limits) { _, new in new }
        let logPath = directory + "/server.log"
        let pid = try spawn(binary, environment: environment, log: logPath)
        let server = ServerProcess(pid: pid, port: port, binary: binary, dataDirectory: directory, logPath: logPath, limitsClamped: clamped)
        let http = HTTPClient(group: group, host: "127.0.0.1", port: port, maxConnections: 1)
        defer { http.shutdown() }
        let api = ParleyAPI(http: http)
        let started = Clock.now()
        while Clock.seconds(since: started) < 180 {
            if let status = server.exitStatus() {
                let log = server.logTail().trimmingCharacters(in: .whitespacesAndNewlines)
                server.removeDataDirectory()
                if status == 78, !clamped, log.contains("must be a whole number between") { throw LimitsRefused(message: log) }
                throw APIError("the server exited with status \(status) before it was healthy: \(log)")
            }
            if await api.isHealthy() { return server }
            await Clock.sleep(0.1)
        }
        await server.stop()
        throw APIError("the server did not become healthy within 180 s: \(server.logTail())")
    }

    /// A port that was free a moment ago on 127.0.0.1.
    private static func freePort(group: any EventLoopGroup) async throws -> Int {
        let channel = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        guard port > 0 else { throw APIError("no free port found") }
        return port
    }

    private static func spawn(_ binary: String, environment: [String: String], log: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = [binary]
        let environmentLines = environment.map { "\($0.key)=\($0.value)" }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environmentLines.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, binary, &actions, nil, &argv, &envp)
        guard status == 0 else { throw APIError("cannot start \(binary): \(String(cString: strerror(status)))") }
        return pid
    }

    /// The exit status if the process has ended (reaping it), else nil.
    func exitStatus() -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return result < 0 ? -1 : nil }
        // WIFEXITED / WEXITSTATUS, written out because the C macros do not import.
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// The end of the server's log, for error messages.
    func logTail(_ characters: Int = 600) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return String(text.suffix(characters))
    }

    /// SIGTERM, up to 20 s for a graceful exit, then SIGKILL; removes the data directory.
    func stop() async {
        if exitStatus() == nil {
            kill(pid, SIGTERM)
            let started = Clock.now()
            while exitStatus() == nil {
                if Clock.seconds(since: started) > 20 {
                    Log.progress("the server did not exit within 20 s of SIGTERM; killing it")
                    kill(pid, SIGKILL)
                    await Clock.sleep(0.2)
                    _ = exitStatus()
                    break
                }
                await Clock.sleep(0.05)
            }
            Log.progress("the server exited \(fixed(Clock.seconds(since: started))) s after SIGTERM")
        }
        removeDataDirectory()
    }

    private func removeDataDirectory() {
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    func sample() -> ProcessSample {
        ProcessSample.take(pid: pid)
    }
}

import NIOCore
import Synchronization

/// Parameters of `idle`.
struct IdleParameters: Sendable {
    var connections = 20_000
    var users = 20
    /// Seconds the connections are held open before memory is read and they are closed.
    var hold = 5.0
    /// Connections per source address (127.0.0.1, .2, …); each address has its own ephemeral ports.
    var connectionsPerAddress = 20_000
    /// Connection attempts in flight at once during the ramp.
    var concurrency = 128
}

/// Counts what idle connections see: they join nothing, so anything but presence events is unexpected.
private final class IdleWatcher: WebSocketDelegate {
    let frames = Counter()
    let unexpectedCloses = Counter()

    func received(_ text: ByteBuffer, on connection: WebSocketClient) {
        frames.add()
    }

    func closed(_ connection: WebSocketClient) {
        if !connection.closeRequested.load(ordering: .relaxed) { unexpectedCloses.add() }
    }
}

/// `idle`: ramps up many WebSocket connections that join nothing, and measures what each costs the server.
enum IdleScenario {
    static func run(_ parameters: IdleParameters, on target: BenchTarget, users pool: UserPool) async throws -> Report {
        var report = Report()
        // Each connection is a file in this process and in the server (which inherited this limit when the
        // bench started it): beyond the limit, attempts fail or hang, so the ramp stops short of it.
        let count = min(parameters.connections, max(target.fileLimit - 256, 1))
        if count < parameters.connections {
            Log.progress("idle: the open-file limit (\(target.fileLimit)) allows \(count) of the \(parameters.connections) connections requested")
        }
        let userCount = max(parameters.users, (count + target.connectionsPerUser - 1) / max(target.connectionsPerUser, 1))
        let addresses = max(1, (count + parameters.connectionsPerAddress - 1) / max(parameters.connectionsPerAddress, 1))
        report.set("connections_requested", parameters.connections)
        report.set("connections_attempted", count)
        report.set("users", userCount)
        report.set("source_addresses", addresses)
        report.set("open_file_limit_sufficient", target.fileLimit >= parameters.connections + 256)
        let users = try await pool.users(userCount)

        // Let the server settle after registration before reading its baseline memory.
        await Clock.sleep(1)
        let serverBefore = target.serverSample()
        let benchBefore = target.benchSample()
        let watcher = IdleWatcher()
        let opened = Locked<[WebSocketClient]>([])
        let failures = Counter()
        let failureSamples = ErrorSamples()
        let next = Counter()
        let started = Clock.now()
        Log.progress("idle: opening \(count) connections from \(addresses) source address(es) as \(userCount) users")

        // A fixed number of workers each take the next index until all are done: bounded attempts in flight.
        let progress = Task {
            while !Task.isCancelled {
                await Clock.sleep(2)
                let done = opened.withLock { $0.count }
                Log.progress("idle: \(done) open, \(failures.value) failed, \(Int(Double(done) / Clock.seconds(since: started))) conn/s")
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<min(parameters.concurrency, max(count, 1)) {
                group.addTask {
                    while true {
                        let index = next.next()
                        guard index < count else { return }
                        let source = try? SocketAddress(ipAddress: "127.0.0.\(1 + index % addresses)", port: 0)
                        do {
                            let client = try await target.connect(users[index % users.count], delegate: watcher, from: source)
                            opened.withLock { $0.append(client) }
                        } catch {
                            failures.add()
                            failureSamples.add(String(describing: error))
                        }
                    }
                }
            }
        }
        progress.cancel()
        let rampSeconds = Clock.seconds(since: started)
        let clients = opened.withLock { $0 }
        Log.progress("idle: \(clients.count) open after \(fixed(rampSeconds)) s; holding \(parameters.hold) s")
        await Clock.sleep(parameters.hold)
        let serverAfter = target.serverSample()
        let benchAfter = target.benchSample()
        let stillOpen = clients.filter { $0.channel.isActive }.count

        report.set("connections_opened", clients.count)
        report.set("failures", failures.value)
        report.set("failure_samples", failureSamples.all)
        report.set("connect_seconds", rampSeconds)
        report.set("connect_rate_per_second", Double(clients.count) / max(rampSeconds, 1e-9))
        report.set("hold_seconds", parameters.hold)
        report.set("still_open_after_hold", stillOpen)
        report.set("unexpected_closes", watcher.unexpectedCloses.value)
        report.set("frames_received", watcher.frames.value)
        report.set("server_rss_before_bytes", serverBefore?.rssBytes)
        report.set("server_rss_after_bytes", serverAfter?.rssBytes)
        if let before = serverBefore?.rssBytes, let after = serverAfter?.rssBytes, !clients.isEmpty {
            let perConnection = Double(after - before) / Double(clients.count)
            report.set("rss_per_connection_bytes", perConnection)
            report.set("rss_per_connection_kb", perConnection / 1024)
        }
        report.set("server_cpu_seconds_during_ramp_and_hold", serverAfter.flatMap { after in serverBefore.flatMap { after.cpuSeconds(since: $0) } })
        report.set("bench_rss_before_bytes", benchBefore.rssBytes)
        report.set("bench_rss_bytes", benchAfter.rssBytes)

        Log.progress("idle: closing \(clients.count) connections")
        for client in clients { client.close() }
        let closing = Clock.now()
        for client in clients {
            _ = try? await client.closeFuture.get()
            if Clock.seconds(since: closing) > 30 { break }
        }
        report.set("close_seconds", Clock.seconds(since: closing))
        return report
    }
}

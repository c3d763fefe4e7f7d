/// Parameters of `inserts`.
struct InsertsParameters: Sendable {
    var concurrency = [1, 8, 32]
    /// Messages per concurrency level.
    var count = 5000
    /// Unacknowledged messages allowed per sender.
    var window = 64
    var messageBytes = 200
    var databaseURL: String?
}

/// `inserts`: durable message inserts by 1, 8, 32… concurrent WebSocket senders, each keeping up to
/// `window` messages unacknowledged (an acknowledgement means the message is stored); then every
/// acknowledged message is read back through `after_seq` pages and checked.
enum InsertsScenario {
    static func run(_ parameters: InsertsParameters, on target: BenchTarget, users pool: UserPool) async throws -> Report {
        var report = Report()
        let database = parameters.databaseURL.map { $0.hasPrefix("postgres") ? "postgresql" : "sqlite" } ?? (target.server == nil ? "unknown" : "sqlite")
        report.set("database", database)
        report.set("sender_kind", "websocket")
        report.set("window_per_sender", parameters.window)
        report.set("count_per_level", parameters.count)
        report.set("message_bytes", parameters.messageBytes)
        var levels: [JSON] = []
        var totals = (errors: 0, missing: 0, duplicates: 0, failures: 0)
        for concurrency in parameters.concurrency where concurrency > 0 {
            let level = try await runLevel(concurrency, parameters: parameters, target: target, pool: pool)
            for (key, value) in level.fields {
                if case .int(let count) = value {
                    switch key {
                    case "errors": totals.errors += count
                    case "missing": totals.missing += count
                    case "duplicates": totals.duplicates += count
                    case "verification_failures": totals.failures += count
                    default: break
                    }
                }
            }
            levels.append(.object(level))
        }
        report.set("levels", JSON.array(levels))
        report.set("errors", totals.errors)
        report.set("missing", totals.missing)
        report.set("duplicates", totals.duplicates)
        report.set("verification_failures", totals.failures)
        return report
    }

    private static func runLevel(_ concurrency: Int, parameters: InsertsParameters, target: BenchTarget, pool: UserPool) async throws -> Report {
        let user = try await pool.users(1)[0]
        let roomID = try await target.api.createRoom(name: "bench inserts \(target.api.runID) x\(concurrency)", by: user)
        let factory = MessageFactory(roomID: roomID, textBytes: parameters.messageBytes)
        let latency = LatencyRecorder()
        let errorSamples = ErrorSamples()
        let total = parameters.count
        let senders = (0..<concurrency).map { index in
            PipelinedSender(
                id: index, count: total / concurrency + (index < total % concurrency ? 1 : 0), window: parameters.window,
                latency: latency, errorSamples: errorSamples
            ) { number in factory.send(sender: index, number: number) }
        }
        var clients: [WebSocketClient] = []
        for sender in senders { clients.append(try await target.connect(user, delegate: sender)) }
        Log.progress("inserts: \(total) messages with \(concurrency) sender(s), \(parameters.window) in flight each")
        let started = Clock.now()
        let serverBefore = target.serverSample()
        let benchBefore = target.benchSample()
        for (sender, client) in zip(senders, clients) { sender.start(on: client) }
        let complete = await PipelinedSender.waitForAll(senders, stall: 30) {
            Log.progress("inserts x\(concurrency): \(senders.reduce(0) { $0 + $1.acked })/\(total) acknowledged")
        }
        let serverAfter = target.serverSample()
        let benchAfter = target.benchSample()
        let finished = senders.compactMap(\.finishedAt).max() ?? Clock.now()
        let seconds = Double(finished &- started) / 1e9
        for client in clients { client.close() }
        let acked = senders.reduce(0) { $0 + $1.acked }
        let errors = senders.reduce(0) { $0 + $1.errors }

        var report = Report()
        report.set("concurrency", concurrency)
        report.set("room", roomID)
        report.set("sent", total)
        report.set("acknowledged", acked)
        report.set("errors", errors + (complete ? 0 : 1) + senders.filter(\.unexpectedClose).count)
        report.set("completed", complete)
        report.set("seconds", seconds)
        report.set("inserts_per_second", Double(acked) / max(seconds, 1e-9))
        report.merge(latency.summary("ack_latency"))
        let serverCPU = serverAfter.flatMap { after in serverBefore.flatMap { after.cpuSeconds(since: $0) } }
        report.set("server_cpu_percent", serverAfter.flatMap { after in serverBefore.flatMap { after.cpuPercent(since: $0) } })
        report.set("server_cpu_ms_per_insert", serverCPU.flatMap { acked > 0 ? $0 / Double(acked) * 1000 : nil })
        report.set("bench_cpu_percent", benchAfter.cpuPercent(since: benchBefore))
        report.set("duplicate_acks", senders.reduce(0) { $0 + $1.duplicateAcks })
        report.set("error_samples", errorSamples.all)
        Log.progress("inserts x\(concurrency): \(acked) in \(fixed(seconds, 2)) s = \(Int(Double(acked) / max(seconds, 1e-9)))/s; verifying")
        report.merge(try await verify(roomID: roomID, senders: senders, user: pool.users(1)[0], api: target.api))
        return report
    }

    /// Reads the room back in `after_seq` pages: every acknowledged client id must be there exactly once,
    /// and the seqs must run from 1 without gaps.
    private static func verify(roomID: String, senders: [PipelinedSender], user: BenchUser, api: ParleyAPI) async throws -> Report {
        var found = [SeqSet](repeating: SeqSet(), count: senders.count)
        var duplicates = 0
        var gaps = 0
        var previous: Int64 = 0
        var read = 0
        var unacknowledgedStored = 0
        var foreign = 0
        var cursor: Int64 = 0
        let acked = senders.map(\.ackedNumbers)
        while true {
            let page = try await api.page(room: roomID, afterSeq: cursor, limit: 100, as: user)
            for message in page.messages {
                read += 1
                if message.seq != previous + 1 { gaps += Int(max(0, message.seq - previous - 1)) + (message.seq <= previous ? 1 : 0) }
                previous = max(previous, message.seq)
                let parts = message.clientID?.split(separator: ":") ?? []
                guard parts.count == 3, parts[0] == "b", let sender = Int(parts[1]), let number = Int64(parts[2]), sender < senders.count else {
                    foreign += 1
                    continue
                }
                if !found[sender].insert(number) { duplicates += 1 }
                if !acked[sender].contains(number) { unacknowledgedStored += 1 }
            }
            guard page.hasMore, let last = page.messages.last else { break }
            cursor = last.seq
        }
        var missing = 0
        var verified = 0
        for (index, numbers) in acked.enumerated() {
            // Acknowledged numbers are below the sender's count; check each one against what was read.
            for number in 0..<Int64(senders[index].count) where numbers.contains(number) {
                if found[index].contains(number) { verified += 1 } else { missing += 1 }
            }
        }
        var report = Report()
        report.set("read_back", read)
        report.set("verified", verified)
        report.set("missing", missing)
        report.set("duplicates", duplicates)
        report.set("seq_gaps", gaps)
        report.set("stored_without_ack", unacknowledgedStored)
        report.set("other_messages", foreign)
        report.set("verification_failures", missing + duplicates + gaps)
        return report
    }
}

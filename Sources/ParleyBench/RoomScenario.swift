/// Parameters of `room`.
struct RoomParameters: Sendable {
    var members = 100
    var senders = 10
    /// Messages per second offered, in total.
    var rate = 1000.0
    var duration = 20.0
    var warmup = 5.0
    var messageBytes = 200
    /// Member connections per registered user.
    var membersPerUser = 10
    /// Longest wait after the last send for outstanding deliveries.
    var drainTimeout = 60.0
}

/// Counter values and process samples at one instant.
struct Snapshot {
    let time: UInt64
    let deliveries: Int
    let acks: Int
    let sent: Int
    let server: ProcessSample?
    let bench: ProcessSample

    init(_ target: BenchTarget, stats: DeliveryStats, sent: Int) {
        time = Clock.now()
        deliveries = stats.deliveries.value
        acks = stats.acks.value
        self.sent = sent
        server = target.serverSample()
        bench = target.benchSample()
    }
}

/// `room`: one room, M subscribed members, S of them sending on an open-loop schedule; fan-out throughput,
/// loss, duplicates and send→receive latency.
enum RoomScenario {
    static func run(_ parameters: RoomParameters, on target: BenchTarget, users pool: UserPool) async throws -> Report {
        let memberCount = max(parameters.members, 1)
        let senderCount = min(max(parameters.senders, 1), memberCount)
        let perUser = max(1, min(parameters.membersPerUser, target.connectionsPerUser))
        let userCount = (memberCount + perUser - 1) / perUser
        var report = Report()
        report.set("members", memberCount)
        report.set("senders", senderCount)
        report.set("users", userCount)
        report.set("offered_rate_per_second", parameters.rate)
        report.set("message_bytes", parameters.messageBytes)
        report.set("warmup_seconds", parameters.warmup)
        report.set("duration_seconds", parameters.duration)

        let users = try await pool.users(userCount)
        let roomID = try await RoomFixture.createRooms(1, membersPerRoom: userCount, users: users, api: target.api, label: "room")[0]
        let stats = DeliveryStats()
        let members = (0..<memberCount).map { Member(index: $0, roomIndex: 0, roomID: roomID, user: users[$0 % userCount], stats: stats) }
        let connectFailures = await RoomFixture.connect(members, to: target, stats: stats)
        report.set("connect_failures", connectFailures)
        guard connectFailures == 0 else {
            await RoomFixture.closeAll(members)
            report.set("error", "\(connectFailures) member connection(s) failed to connect or join: \(stats.errorSamples.all)")
            return report
        }

        // Senders are spread over the members (and so over users and event loops).
        let senders = (0..<senderCount).map { members[$0 * memberCount / senderCount] }
        let factory = MessageFactory(roomID: roomID, textBytes: parameters.messageBytes)
        let sent = Counter()
        let skipped = Counter()
        let ticker = OpenLoopTicker(rate: parameters.rate) { tick, _ in
            let sender = Int(tick % UInt64(senderCount))
            let frame = factory.send(sender: sender, number: Int(tick / UInt64(senderCount)))
            if senders[sender].send(frame) { sent.add() } else { skipped.add() }
        }
        let start = Clock.now()
        let windowStart = start + UInt64(parameters.warmup * 1e9)
        let windowEnd = windowStart + UInt64(parameters.duration * 1e9)
        stats.setWindow(start: windowStart, end: windowEnd)
        Log.progress("room: \(senderCount) senders at \(parameters.rate) msg/s to \(memberCount) members; warm-up \(parameters.warmup) s, measuring \(parameters.duration) s")
        ticker.start(until: windowEnd)
        await Clock.sleep(until: windowStart)
        let first = Snapshot(target, stats: stats, sent: sent.value)
        let progress = Task {
            while !Task.isCancelled {
                await Clock.sleep(5)
                Log.progress("room: sent \(sent.value), acked \(stats.acks.value), delivered \(stats.deliveries.value)")
            }
        }
        await Clock.sleep(until: windowEnd)
        let last = Snapshot(target, stats: stats, sent: sent.value)
        await ticker.stopAndWait()
        progress.cancel()

        // Drain: wait until every acknowledged message reached every member, or nothing moves any more.
        let drainStart = Clock.now()
        var lastChange = Clock.now()
        var lastCount = -1
        var drained = false
        while Clock.seconds(since: drainStart) < parameters.drainTimeout {
            let acked = stats.acks.value
            let unique = stats.unique.value
            if acked + stats.errors.value >= sent.value, unique >= acked * memberCount {
                drained = true
                break
            }
            if unique + acked != lastCount {
                lastCount = unique + acked
                lastChange = Clock.now()
            } else if Clock.seconds(since: lastChange) > 10 {
                break
            }
            await Clock.sleep(0.05)
        }
        let drainSeconds = Clock.seconds(since: drainStart)
        await RoomFixture.closeAll(members)

        let window = Double(last.time - first.time) / 1e9
        let acked = stats.acks.value
        let expected = acked * memberCount
        let unique = stats.unique.value
        let windowDeliveries = last.deliveries - first.deliveries
        report.set("sent", sent.value)
        report.set("sends_skipped_not_connected", skipped.value)
        report.set("acknowledged", acked)
        report.set("unacknowledged", sent.value - acked - stats.errors.value)
        report.set("achieved_send_rate_per_second", Double(last.sent - first.sent) / window)
        report.set("deliveries_expected", expected)
        report.set("deliveries_received", unique)
        report.set("loss", max(0, expected - unique))
        report.set("duplicates", stats.duplicates.value)
        report.set("out_of_order", stats.outOfOrder.value)
        report.set("foreign_messages", stats.foreign.value)
        report.set("deliveries_in_window", windowDeliveries)
        report.set("deliveries_per_second", Double(windowDeliveries) / window)
        report.set("acks_per_second", Double(last.acks - first.acks) / window)
        report.merge(stats.latency.summary("latency"))
        report.merge(stats.ackLatency.summary("ack_latency"))
        report.set("frames_without_seq", stats.withoutSeq.value)
        report.set("error_events", stats.errors.value)
        report.set("unexpected_closes", stats.unexpectedCloses.value)
        report.set("errors", stats.errors.value + stats.withoutSeq.value + stats.unexpectedCloses.value + skipped.value)
        report.set("error_samples", stats.errorSamples.all)
        report.merge(cpuFigures(first: first, last: last, deliveries: windowDeliveries))
        report.set("scheduler_max_lag_ms", Double(ticker.maxLagNanoseconds) / 1e6)
        report.set("drain_seconds", drainSeconds)
        report.set("drain_complete", drained)
        return report
    }

    /// Server and bench CPU over the window, and server CPU per 1,000 deliveries.
    static func cpuFigures(first: Snapshot, last: Snapshot, deliveries: Int) -> Report {
        var report = Report()
        let serverCPU = last.server.flatMap { after in first.server.flatMap { after.cpuSeconds(since: $0) } }
        report.set("server_cpu_seconds", serverCPU)
        report.set("server_cpu_percent", last.server.flatMap { after in first.server.flatMap { after.cpuPercent(since: $0) } })
        report.set("server_cpu_seconds_per_1000_deliveries", serverCPU.flatMap { deliveries > 0 ? $0 / Double(deliveries) * 1000 : nil })
        report.set("bench_cpu_percent", last.bench.cpuPercent(since: first.bench))
        report.set("server_rss_bytes", last.server?.rssBytes)
        report.set("bench_rss_bytes", last.bench.rssBytes)
        return report
    }
}

/// Parameters of `rooms`.
struct RoomsParameters: Sendable {
    var rooms = 1000
    var membersPerRoom = 10
    /// Messages per second sent by each member.
    var ratePerMember = 0.05
    /// Connections closed and reopened per second.
    var churn = 20.0
    var duration = 20.0
    var warmup = 5.0
    var messageBytes = 200
    var drainTimeout = 60.0
}

/// `rooms`: many small rooms, a low per-member send rate, and connection churn: every churned member
/// reconnects and resumes with `after_seq`, and in the end every member must hold every seq of its room
/// after its first join, exactly once.
enum RoomsScenario {
    static func run(_ parameters: RoomsParameters, on target: BenchTarget, users pool: UserPool) async throws -> Report {
        let roomCount = max(parameters.rooms, 1)
        let perRoom = max(parameters.membersPerRoom, 1)
        let total = roomCount * perRoom
        // Distinct users within a room, and enough of them that no user nears the per-user connection limit:
        // a churned connection is reopened before the server has necessarily noticed the old one closing.
        let usable = max(1, target.connectionsPerUser * 4 / 5)
        let userCount = max(perRoom, (total + usable - 1) / usable)
        let offered = Double(total) * parameters.ratePerMember
        var report = Report()
        report.set("rooms", roomCount)
        report.set("members_per_room", perRoom)
        report.set("connections", total)
        report.set("users", userCount)
        report.set("rate_per_member_per_second", parameters.ratePerMember)
        report.set("offered_rate_per_second", offered)
        report.set("churn_requested_per_second", parameters.churn)
        report.set("message_bytes", parameters.messageBytes)
        report.set("warmup_seconds", parameters.warmup)
        report.set("duration_seconds", parameters.duration)

        let users = try await pool.users(userCount)
        let rooms = try await RoomFixture.createRooms(roomCount, membersPerRoom: perRoom, users: users, api: target.api, label: "rooms")
        let stats = DeliveryStats()
        var members: [Member] = []
        members.reserveCapacity(total)
        for room in 0..<roomCount {
            for slot in 0..<perRoom {
                members.append(Member(
                    index: members.count, roomIndex: room, roomID: rooms[room], user: users[(room + slot) % userCount], stats: stats))
            }
        }
        let connectFailures = await RoomFixture.connect(members, to: target, stats: stats)
        report.set("connect_failures", connectFailures)
        guard connectFailures == 0 else {
            await RoomFixture.closeAll(members)
            report.set("error", "\(connectFailures) member connection(s) failed to connect or join: \(stats.errorSamples.all)")
            return report
        }

        let factories = rooms.map { MessageFactory(roomID: $0, textBytes: parameters.messageBytes) }
        let everyone = members
        let sent = Counter()
        let skipped = Counter()
        let sender = OpenLoopTicker(rate: max(offered, 0.001)) { tick, _ in
            let member = everyone[Int(tick % UInt64(total))]
            let frame = factories[member.roomIndex].send(sender: member.index, number: Int(tick / UInt64(total)))
            // A member caught mid-churn has no joined connection: its turn passes (not an error).
            if member.send(frame) { sent.add() } else { skipped.add() }
        }
        let churned = Counter()
        let churnSkipped = Counter()
        let reconnectFailures = Counter()
        let reconnecting = Counter()
        let churner = OpenLoopTicker(rate: max(parameters.churn, 0.001)) { _, _ in
            let member = everyone[Int.random(in: 0..<total)]
            guard member.isJoined else {
                churnSkipped.add()
                return
            }
            member.disconnect()
            reconnecting.add()
            Task {
                do {
                    try await member.connect(to: target)
                    churned.add()
                } catch {
                    reconnectFailures.add()
                    stats.errorSamples.add("reconnect: \(error)")
                }
                reconnecting.add(-1)
            }
        }

        let start = Clock.now()
        let windowStart = start + UInt64(parameters.warmup * 1e9)
        let windowEnd = windowStart + UInt64(parameters.duration * 1e9)
        stats.setWindow(start: windowStart, end: windowEnd)
        Log.progress("rooms: \(total) members in \(roomCount) rooms, \(fixed(offered)) msg/s, churn \(parameters.churn)/s; warm-up \(parameters.warmup) s, measuring \(parameters.duration) s")
        sender.start(until: windowEnd)
        if parameters.churn > 0 { churner.start(until: windowEnd) }
        await Clock.sleep(until: windowStart)
        let first = Snapshot(target, stats: stats, sent: sent.value)
        let churnedAtStart = churned.value
        let catchUpAtStart = stats.catchUp.value
        let progress = Task {
            while !Task.isCancelled {
                await Clock.sleep(5)
                Log.progress("rooms: sent \(sent.value), delivered \(stats.deliveries.value), churned \(churned.value), replayed \(stats.catchUp.value)")
            }
        }
        await Clock.sleep(until: windowEnd)
        let last = Snapshot(target, stats: stats, sent: sent.value)
        let churnedAtEnd = churned.value
        let catchUpAtEnd = stats.catchUp.value
        await sender.stopAndWait()
        await churner.stopAndWait()
        progress.cancel()

        // Let reconnects finish and deliveries settle, then check every member's seqs.
        let drainStart = Clock.now()
        while reconnecting.value > 0, Clock.seconds(since: drainStart) < parameters.drainTimeout {
            await Clock.sleep(0.05)
        }
        // First every send on a live connection must be answered (the server may be far behind); then every
        // member must hold every seq of its room, with nothing arriving for half a second.
        var lastAcks = stats.acks.value
        var ackProgress = Clock.now()
        while members.contains(where: { $0.sendsPending.outstanding > 0 }), Clock.seconds(since: drainStart) < parameters.drainTimeout {
            await Clock.sleep(0.1)
            if stats.acks.value != lastAcks {
                lastAcks = stats.acks.value
                ackProgress = Clock.now()
            } else if Clock.seconds(since: ackProgress) > 10 {
                break
            }
        }
        var audit = Audit.of(members, rooms: roomCount)
        var lastDeliveries = stats.deliveries.value
        var quietSince = Clock.now()
        while Clock.seconds(since: drainStart) < parameters.drainTimeout {
            await Clock.sleep(0.1)
            let deliveries = stats.deliveries.value
            if deliveries != lastDeliveries {
                lastDeliveries = deliveries
                quietSince = Clock.now()
            }
            audit = Audit.of(members, rooms: roomCount)
            let quiet = Clock.seconds(since: quietSince)
            if audit.missing == 0, audit.unjoined == 0, quiet >= 0.5 { break }
            if quiet > 5 { break }
        }
        let pending = members.reduce((outstanding: 0, abandoned: 0)) { sum, member in
            let pending = member.sendsPending
            return (sum.outstanding + pending.outstanding, sum.abandoned + pending.abandoned)
        }
        let drainSeconds = Clock.seconds(since: drainStart)
        await RoomFixture.closeAll(members)

        let window = Double(last.time - first.time) / 1e9
        let windowDeliveries = last.deliveries - first.deliveries
        report.set("sent", sent.value)
        report.set("sends_skipped_while_reconnecting", skipped.value)
        report.set("acknowledged", stats.acks.value)
        report.set("stored", audit.stored)
        report.set("sent_not_stored", sent.value - audit.stored)
        report.set("sends_abandoned_by_churn", pending.abandoned)
        report.set("sends_unanswered_at_end", pending.outstanding)
        report.set("achieved_send_rate_per_second", Double(last.sent - first.sent) / window)
        report.set("churn_completed", churned.value)
        report.set("churn_achieved_per_second", Double(churnedAtEnd - churnedAtStart) / window)
        report.set("churn_skipped_not_joined", churnSkipped.value)
        report.set("reconnect_failures", reconnectFailures.value)
        report.set("members_not_joined_at_end", audit.unjoined)
        report.set("deliveries_total", stats.deliveries.value)
        report.set("deliveries_in_window", windowDeliveries)
        report.set("deliveries_per_second", Double(windowDeliveries) / window)
        report.set("catch_up_deliveries", stats.catchUp.value)
        report.set("catch_up_deliveries_in_window", catchUpAtEnd - catchUpAtStart)
        report.set("deliveries_expected", audit.expected)
        report.set("deliveries_received", audit.received)
        report.set("gaps", audit.missing)
        report.set("loss", audit.missing)
        report.set("members_with_gaps", audit.membersWithGaps)
        report.set("duplicates", stats.duplicates.value)
        report.set("out_of_order", stats.outOfOrder.value)
        report.set("foreign_messages", stats.foreign.value)
        report.merge(stats.latency.summary("latency"))
        report.merge(stats.ackLatency.summary("ack_latency"))
        report.set("frames_without_seq", stats.withoutSeq.value)
        report.set("error_events", stats.errors.value)
        report.set("unexpected_closes", stats.unexpectedCloses.value)
        report.set("errors", stats.errors.value + stats.withoutSeq.value + stats.unexpectedCloses.value + reconnectFailures.value + audit.unjoined + pending.outstanding)
        report.set("error_samples", stats.errorSamples.all)
        report.merge(RoomScenario.cpuFigures(first: first, last: last, deliveries: windowDeliveries))
        report.set("scheduler_max_lag_ms", Double(sender.maxLagNanoseconds) / 1e6)
        report.set("drain_seconds", drainSeconds)
        report.set("drain_complete", audit.missing == 0 && audit.unjoined == 0)
        return report
    }

    /// Every member's seqs against its room's latest seq.
    struct Audit {
        var expected = 0
        var received = 0
        var missing = 0
        var membersWithGaps = 0
        var unjoined = 0
        /// Messages stored in the rooms since the members joined (latest seq − first join's seq, summed).
        var stored = 0

        static func of(_ members: [Member], rooms: Int) -> Audit {
            let progress = members.map { $0.progress() }
            var latest = [Int64](repeating: 0, count: rooms)
            for (member, state) in zip(members, progress) { latest[member.roomIndex] = max(latest[member.roomIndex], state.highest) }
            var audit = Audit()
            var base = [Int64](repeating: -1, count: rooms)
            for (member, state) in zip(members, progress) where state.base >= 0 {
                base[member.roomIndex] = base[member.roomIndex] < 0 ? state.base : min(base[member.roomIndex], state.base)
            }
            for room in 0..<rooms where base[room] >= 0 { audit.stored += Int(max(0, latest[room] - base[room])) }
            for (member, state) in zip(members, progress) {
                if !member.isJoined { audit.unjoined += 1 }
                guard state.base >= 0, latest[member.roomIndex] > state.base else { continue }
                let range = (state.base + 1)...latest[member.roomIndex]
                let absent = state.seqs.missing(in: range)
                audit.expected += range.count
                audit.received += range.count - absent
                audit.missing += absent
                if absent > 0 { audit.membersWithGaps += 1 }
            }
            return audit
        }
    }
}

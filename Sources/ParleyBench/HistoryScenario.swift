import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Parameters of `history`.
struct HistoryParameters: Sendable {
    var messages = 1_000_000
    /// Requests per second offered in each query phase.
    var rate = 200.0
    var duration = 20.0
    var warmup = 5.0
    /// A room filled earlier (on a server that kept running): skips the fill.
    var room: String?
    /// Connections filling the room, and unacknowledged sends allowed on each.
    var fillConnections = 4
    var fillWindow = 256
    /// Requests allowed in flight before further ones are shed (counted, not sent).
    var maxOutstanding = 2000
}

/// Outcome counters of one open-loop query phase.
private final class PhaseStats: Sendable {
    let latency = LatencyRecorder()
    let issued = Counter()
    let completedInWindow = Counter()
    let errors = Counter()
    let shed = Counter()
    let inFlight = Counter()
    let resultTotal = Counter()
    let emptyResults = Counter()
    let errorSamples = ErrorSamples()
}

/// `history`: fills one server-readable room with Zipf-distributed words, then measures history pages
/// and, in a separate phase, ranked search, each at a fixed open-loop request rate.
enum HistoryScenario {
    static func run(_ parameters: HistoryParameters, on target: BenchTarget, users pool: UserPool) async throws -> Report {
        var report = Report()
        let vocabulary = Vocabulary()
        var user = try await pool.users(1)[0]
        let roomID: String
        let messageCount: Int
        if let existing = parameters.room {
            roomID = existing
            try await target.api.join(room: roomID, as: user)
            messageCount = Int(try await target.api.lastSeq(room: roomID, as: user))
            report.set("room", roomID)
            report.set("filled_by_this_run", false)
            Log.progress("history: reusing room \(roomID) with \(messageCount) messages")
        } else {
            roomID = try await target.api.createRoom(name: "bench history \(target.api.runID)", by: user)
            report.set("room", roomID)
            report.set("filled_by_this_run", true)
            let fill = try await fillRoom(roomID, messages: parameters.messages, parameters: parameters, vocabulary: vocabulary, user: user, target: target)
            report.merge(fill)
            messageCount = Int(try await target.api.lastSeq(room: roomID, as: user))
            Log.progress("history: room \(roomID) holds \(messageCount) messages (reuse it with --url http://\(target.host):\(target.port) --room \(roomID) while that server runs)")
        }
        report.set("messages_in_room", messageCount)
        report.set("vocabulary_words", vocabulary.words.count)
        report.set("offered_rate_per_second", parameters.rate)
        report.set("warmup_seconds", parameters.warmup)
        report.set("duration_seconds", parameters.duration)
        guard messageCount > 0 else {
            report.set("error", "the room has no messages")
            return report
        }

        user = try await pool.users(1)[0]
        let token = user.token
        let pages = max(1, messageCount / 50)
        report.merge(await phase("history", parameters: parameters, target: target) { generator in
            if Bool.random(using: &generator) {
                let page = Int.random(in: 1...pages, using: &generator)
                return (.GET, "/chatrooms/\(roomID)/messages?page=\(page)&limit=50", nil)
            }
            let after = Int.random(in: 0..<messageCount, using: &generator)
            return (.GET, "/chatrooms/\(roomID)/messages?after_seq=\(after)&limit=100", nil)
        } token: { token })

        user = try await pool.users(1)[0]
        let searchToken = user.token
        // Phrases are cut from texts the fill wrote (a reused room is assumed filled the same way).
        let fillers = max(1, min(parameters.fillConnections, messageCount))
        report.merge(await phase("search", parameters: parameters, target: target) { generator in
            let query = searchQuery(vocabulary, fillers: fillers, perFiller: messageCount / fillers, using: &generator)
            let body = try? JSONSerialization.data(withJSONObject: ["query": query, "limit": 20])
            return (.POST, "/chatrooms/\(roomID)/search", body.map { ByteBuffer(data: $0) })
        } token: { searchToken })
        let problems = ["history_errors", "search_errors"].compactMap { key -> Int? in
            if case .int(let count) = report.value(key) { return count }
            return nil
        }
        report.set("errors", problems.reduce(0, +))
        return report
    }

    /// A query of 1–3 words by frequency; some are quoted phrases taken from message-like text, some
    /// exclude a word.
    static func searchQuery(_ vocabulary: Vocabulary, fillers: Int, perFiller: Int, using generator: inout SplitMix64) -> String {
        let kind = Int.random(in: 0..<10, using: &generator)
        switch kind {
        case 0..<5:
            return vocabulary.text(words: Int.random(in: 1...3, using: &generator), using: &generator)
        case 5..<8:
            // Adjacent words of a text the fill could have written, so that phrases can match.
            let text = vocabulary.messageText(
                sender: Int.random(in: 0..<max(fillers, 1), using: &generator), number: Int.random(in: 0..<max(perFiller, 1), using: &generator))
            let words = text.split(separator: " ")
            let first = Int.random(in: 0..<(words.count - 1), using: &generator)
            return "\"\(words[first]) \(words[first + 1])\""
        default:
            return "\(vocabulary.word(using: &generator)) -\(vocabulary.word(using: &generator))"
        }
    }

    /// Fills the room over WebSocket, several connections each keeping a window of unacknowledged sends.
    private static func fillRoom(
        _ roomID: String, messages: Int, parameters: HistoryParameters, vocabulary: Vocabulary, user: BenchUser, target: BenchTarget
    ) async throws -> Report {
        let connections = max(1, min(parameters.fillConnections, messages))
        let factory = MessageFactory(roomID: roomID, textBytes: 0)
        let errorSamples = ErrorSamples()
        let senders = (0..<connections).map { index in
            PipelinedSender(
                id: index, count: messages / connections + (index < messages % connections ? 1 : 0), window: parameters.fillWindow,
                latency: nil, errorSamples: errorSamples
            ) { number in
                factory.send(text: vocabulary.messageText(sender: index, number: number), sender: index, number: number, tag: "f")
            }
        }
        var clients: [WebSocketClient] = []
        for sender in senders { clients.append(try await target.connect(user, delegate: sender)) }
        let started = Clock.now()
        Log.progress("history: filling room \(roomID) with \(messages) messages over \(connections) connections")
        for (sender, client) in zip(senders, clients) { sender.start(on: client) }
        let complete = await PipelinedSender.waitForAll(senders, stall: 60) {
            let acked = senders.reduce(0) { $0 + $1.acked }
            Log.progress("history: filled \(acked)/\(messages), \(Int(Double(acked) / Clock.seconds(since: started))) msg/s")
        }
        let seconds = Clock.seconds(since: started)
        for client in clients { client.close() }
        let acked = senders.reduce(0) { $0 + $1.acked }
        let errors = senders.reduce(0) { $0 + $1.errors }
        Log.progress("history: filled \(acked) messages in \(fixed(seconds)) s (\(Int(Double(acked) / seconds)) msg/s)")
        guard complete, errors == 0 else {
            throw APIError("filling the room stalled or failed: \(acked) acknowledged, \(errors) errors \(errorSamples.all)")
        }
        var report = Report()
        report.set("fill_messages", acked)
        report.set("fill_seconds", seconds)
        report.set("fill_rate_per_second", Double(acked) / seconds)
        return report
    }

    /// One open-loop phase: `warmup + duration` seconds of requests at `rate`, latency measured from each
    /// request's scheduled time (so queueing behind a slow server counts), warm-up excluded.
    private static func phase(
        _ name: String, parameters: HistoryParameters, target: BenchTarget,
        request: @escaping @Sendable (inout SplitMix64) -> (HTTPMethod, String, ByteBuffer?), token: @escaping @Sendable () -> String
    ) async -> Report {
        let stats = PhaseStats()
        let start = Clock.now()
        let windowStart = start + UInt64(parameters.warmup * 1e9)
        let windowEnd = windowStart + UInt64(parameters.duration * 1e9)
        let isSearch = name == "search"
        let http = target.http
        let limit = parameters.maxOutstanding
        Log.progress("\(name): \(parameters.rate) requests/s for \(parameters.warmup) s warm-up + \(parameters.duration) s")
        let ticker = OpenLoopTicker(rate: parameters.rate) { tick, due in
            var generator = SplitMix64(seed: tick &* 0x9E37_79B9 ^ (isSearch ? 0xABCD : 0))
            let (method, path, body) = request(&generator)
            let measured = due >= windowStart && due < windowEnd
            if measured { stats.issued.add() }
            guard stats.inFlight.value < limit else {
                if measured { stats.shed.add() }
                return
            }
            stats.inFlight.add()
            Task {
                defer { stats.inFlight.add(-1) }
                var headers = [("Authorization", "Bearer \(token())")]
                if body != nil { headers.append(("Content-Type", "application/json")) }
                do {
                    let result = try await http.request(method, path, body: body, headers: headers, timeout: .seconds(30))
                    let finished = Clock.now()
                    guard measured else { return }
                    if result.isSuccess {
                        stats.latency.record(nanoseconds: finished &- due)
                        stats.completedInWindow.add()
                        if isSearch, let total = totalResults(result.body) {
                            stats.resultTotal.add(total)
                            if total == 0 { stats.emptyResults.add() }
                        }
                    } else {
                        stats.errors.add()
                        stats.errorSamples.add("HTTP \(result.status) \(path): \(result.snippet)")
                    }
                } catch {
                    if measured {
                        stats.errors.add()
                        stats.errorSamples.add("\(path): \(error)")
                    }
                }
            }
        }
        ticker.start(until: windowEnd)
        await Clock.sleep(until: windowStart)
        let serverBefore = target.serverSample()
        await Clock.sleep(until: windowEnd)
        let serverAfter = target.serverSample()
        await ticker.stopAndWait()
        let drainStart = Clock.now()
        while stats.inFlight.value > 0, Clock.seconds(since: drainStart) < 35 { await Clock.sleep(0.02) }

        var report = Report()
        report.set("\(name)_requests", stats.issued.value)
        report.set("\(name)_completed", stats.completedInWindow.value)
        report.set("\(name)_achieved_rate_per_second", Double(stats.completedInWindow.value) / parameters.duration)
        report.set("\(name)_errors", stats.errors.value)
        report.set("\(name)_shed", stats.shed.value)
        report.set("\(name)_still_in_flight", stats.inFlight.value)
        report.merge(stats.latency.summary("\(name)_latency"))
        if isSearch, stats.completedInWindow.value > 0 {
            report.set("search_mean_total_results", Double(stats.resultTotal.value) / Double(stats.completedInWindow.value))
            report.set("search_empty_results", stats.emptyResults.value)
        }
        report.set("\(name)_server_cpu_percent", serverAfter.flatMap { after in serverBefore.flatMap { after.cpuPercent(since: $0) } })
        report.set("\(name)_error_samples", stats.errorSamples.all)
        return report
    }

    /// `total_results` of a search response, by scanning its bytes.
    private static func totalResults(_ body: ByteBuffer) -> Int? {
        let key = Array("\"total_results\":".utf8)
        return body.withUnsafeReadableBytes { raw -> Int? in
            guard raw.count >= key.count else { return nil }
            var index = 0
            while index + key.count <= raw.count {
                if raw[index] == key[0], raw[index..<(index + key.count)].elementsEqual(key) {
                    var value = 0
                    var position = index + key.count
                    while position < raw.count, raw[position] >= 48, raw[position] <= 57 {
                        value = value * 10 + Int(raw[position] - 48)
                        position += 1
                    }
                    return value
                }
                index += 1
            }
            return nil
        }
    }
}

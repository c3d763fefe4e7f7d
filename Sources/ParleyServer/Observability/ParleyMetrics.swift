import Prometheus

/// Parley's Prometheus metrics, one registry per server instance (tests run many servers in one process, so
/// nothing goes through the global metrics system).
public final class ParleyMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    static let latencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    let webSocketConnections: Gauge
    let messagesStored: Counter
    let eventsDelivered: Counter
    let slowConsumersClosed: Counter
    let deliveryLatency: DurationHistogram
    let webSocketRateLimited: Counter

    public init() {
        webSocketConnections = registry.makeGauge(descriptor: Self.name("websocket_connections", unit: "", "Open WebSocket connections"))
        messagesStored = registry.makeCounter(descriptor: Self.name("messages_stored", unit: "total", "Messages durably stored"))
        eventsDelivered = registry.makeCounter(descriptor: Self.name("events_delivered", unit: "total", "WebSocket events written to connections"))
        slowConsumersClosed = registry.makeCounter(
            descriptor: Self.name("websocket_slow_consumers_closed", unit: "total", "Connections closed because their outbound queue overflowed"))
        deliveryLatency = registry.makeDurationHistogram(
            descriptor: Self.name("message_delivery", unit: "seconds", "Time from a send being accepted to its event being queued for a subscriber"),
            buckets: Self.latencyBuckets)
        webSocketRateLimited = registry.makeCounter(descriptor: Self.rateLimitRefusals, labels: [("scope", "websocket")])
    }

    private static func name(_ metric: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "parley", metricName: metric, unitName: unit, helpText: help)
    }

    private static var httpRequests: MetricNameDescriptor { name("http_requests", unit: "total", "HTTP requests by route template and status") }
    private static var httpDuration: MetricNameDescriptor { name("http_request_duration", unit: "seconds", "HTTP request duration by route template") }
    private static var rateLimitRefusals: MetricNameDescriptor { name("rate_limit_refusals", unit: "total", "Requests refused by a rate limit") }
    private static var queryDuration: MetricNameDescriptor { name("db_query_duration", unit: "seconds", "Database work duration (reads and write transactions)") }

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Self.httpRequests, labels: [("method", method), ("route", route), ("status", String(status))])
            .increment()
        registry.makeDurationHistogram(descriptor: Self.httpDuration, labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets)
            .recordNanoseconds(duration.nanoseconds)
    }

    func recordRateLimitRefusal(scope: String) {
        registry.makeCounter(descriptor: Self.rateLimitRefusals, labels: [("scope", scope)]).increment()
    }

    func recordQuery(kind: String, duration: Duration) {
        registry.makeDurationHistogram(descriptor: Self.queryDuration, labels: [("kind", kind)], buckets: Self.latencyBuckets)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }
}

import Hummingbird
import NIOCore
import ParleyCore

/// `GET /health` and `GET /metrics`.
struct HealthRoutes {
    let probes: @Sendable () async -> [String: Bool]
    let metrics: ParleyMetrics

    struct HealthPayload: Encodable {
        let status: String
        let timestamp: Timestamp
        let version: String
        let services: [String: String]
    }

    func register(on routes: Routes) {
        routes.on(.get, "/health") { _, _ in
            let results = await probes()
            let healthy = results.values.allSatisfy { $0 }
            let payload = HealthPayload(
                status: healthy ? "healthy" : "unhealthy", timestamp: .now(), version: ParleyVersion.current,
                services: results.mapValues { $0 ? "healthy" : "unhealthy" })
            if healthy { return try .envelope(payload, message: "Healthy") }
            var details: [String: JSONValue] = ["status": "unhealthy", "version": .string(payload.version), "timestamp": .string(payload.timestamp.rfc3339)]
            details["services"] = .object(payload.services.mapValues { .string($0) })
            return .error(ParleyError(.serviceUnavailable, status: 503, "A service Parley depends on is unhealthy", details: details))
        }
        routes.on(.get, "/metrics") { _, _ in
            let body = ByteBuffer(bytes: metrics.exposition())
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: body))
        }
    }
}

/// The version Parley reports in `/health` and `parley --version`.
public enum ParleyVersion {
    public static let current = "0.1.0"
}

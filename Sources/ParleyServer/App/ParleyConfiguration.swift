import Foundation
import Logging
import ParleyStore

/// Every setting of a Parley server, validated (API.md §12 and docs/OPERATIONS.md).
public struct ParleyConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8000
    public var publicURL = "http://localhost:8000"
    public var dataDirectory = "./parley-data"
    /// nil: an SQLite file in the data directory.
    public var database: DatabaseLocation?
    public var jwtSecret: [UInt8]?
    public var masterKey: [UInt8]?
    public var accessTokenTTL: Int64 = 1800
    public var refreshTokenTTL: Int64 = 604_800
    /// On by default (a deviation from shared/API.md §2, see docs/API.md); off keeps one refresh token per session.
    public var rotateRefreshTokens = true
    public var rateLimitPerMinute = 60
    public var uploadsPerHour = 10
    public var wsConnectionsPerUser = 5
    public var wsSendsPerSecond = 10
    public var wsSendBurst = 30
    public var llmBaseURL: String?
    public var llmModel: String?
    public var llmAPIKey: String?
    public var llmTimeoutSeconds: Double = 20
    public var logLevel: Logger.Level = .info
    /// bcrypt cost; the product never goes below 10, tests may.
    public var bcryptCost: UInt8 = 10
    /// Largest JSON request body accepted.
    public var maxJSONBodyBytes = 1 << 20
    /// Seconds between WebSocket pings, and seconds of silence after which a connection is closed.
    public var wsPingInterval: Double = 30
    public var wsPingTimeout: Double = 60
    /// How long a user stays online after the last connection closes (reconnect grace).
    public var presenceGrace: Double = 10
    /// How long a typing indicator lasts without a new `typing_start`.
    public var typingExpiry: Double = 8
    /// Seconds between two automatic summaries of one room, at least.
    public var autoSummaryInterval: Double = 30
    /// Outbound frames a connection may have queued before it is closed as too slow.
    public var wsOutboundQueueLimit = 4096
    /// Outbound bytes a connection may have queued (beyond the socket's buffer) before it is closed as too slow.
    public var wsOutboundQueueBytes = 16 << 20
    /// Client frames of every kind per user: the budget all WebSocket events share.
    public var wsEventsPerSecond = 50
    public var wsEventBurst = 200
    /// Seconds a new HTTP connection has to send its first request head, and a request to send its whole
    /// head: what keeps a connection that trickles headers (slowloris) from holding a socket.
    public var httpHeaderTimeout: Double = 10
    /// Seconds a request body may pause between two reads before the connection is closed.
    public var httpBodyTimeout: Double = 30
    /// Seconds a kept-alive HTTP connection may wait idle for its next request: longer than the 60 s after
    /// which common client pools drop idle connections themselves, so a client rarely reuses one being closed.
    public var httpIdleTimeout: Double = 75
    /// Open connections (HTTP and WebSocket) from one address; 0 turns the cap off.
    public var connectionsPerAddress = 256
    /// Addresses the per-address cap does not apply to (a reverse proxy in front of Parley).
    public var connectionCapExemptAddresses: Set<String> = ["127.0.0.1", "::1"]
    /// Seconds an upload may wait to be attached to a message before it is deleted.
    public var unattachedFileTTL: Int64 = 86_400
    /// Seconds between two sweeps for expired uploads.
    public var fileExpiryInterval: Int64 = 600
    /// Manual summaries each user, and each room, may ask for per hour.
    public var summariesPerUserPerHour = 10
    public var summariesPerRoomPerHour = 30

    // Session and account hardening.
    /// Seconds after a rotation during which the rotated-away refresh token is only refused, not taken as stolen.
    public var refreshReuseGrace: Int64 = 10
    /// Per-account login backoff (docs/API.md): failures per (account, address), per account from everywhere,
    /// the window they are remembered, the first and the longest wait, and how recent a login from an
    /// address must be for that address to pass the per-account hold.
    public var loginFailuresPerAddress = 5
    public var loginFailuresPerAccount = 20
    public var loginFailureWindow: Int64 = 900
    public var loginBackoffInitial: Int64 = 1
    public var loginBackoffMaximum: Int64 = 900
    public var loginKnownAddressAge: Int64 = 30 * 86_400

    public init() {}

    /// The database location in effect: the configured one or `parley.sqlite` in the data directory.
    public var effectiveDatabase: DatabaseLocation {
        database ?? .sqlite(path: URL(fileURLWithPath: dataDirectory).appendingPathComponent("parley.sqlite").path)
    }

    /// Reads `PARLEY_*` variables over the defaults; throws a one-line message saying what to fix.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> ParleyConfiguration {
        var configuration = ParleyConfiguration()
        let reader = EnvironmentReader(environment: environment)
        if let host = reader.string("PARLEY_HOST") { configuration.host = host }
        if let port = try reader.integer("PARLEY_PORT", in: 0...65535) { configuration.port = port }
        if let url = reader.string("PARLEY_PUBLIC_URL") { configuration.publicURL = url }
        if let directory = reader.string("PARLEY_DATA_DIR") { configuration.dataDirectory = directory }
        if let url = reader.string("PARLEY_DATABASE_URL") {
            do {
                configuration.database = try DatabaseLocation.parse(url)
            } catch {
                throw ConfigurationError("PARLEY_DATABASE_URL: \(error.description)")
            }
        }
        if let secret = reader.string("PARLEY_JWT_SECRET") {
            guard secret.utf8.count >= 32 else {
                throw ConfigurationError("PARLEY_JWT_SECRET must be at least 32 characters; generate one with: openssl rand -base64 48")
            }
            configuration.jwtSecret = Array(secret.utf8)
        }
        if let key = reader.string("PARLEY_MASTER_KEY") {
            guard let bytes = Data(base64Encoded: key), bytes.count == 32 else {
                throw ConfigurationError("PARLEY_MASTER_KEY must be 32 bytes in base64; generate one with: openssl rand -base64 32")
            }
            configuration.masterKey = [UInt8](bytes)
        }
        if let ttl = try reader.integer("PARLEY_ACCESS_TOKEN_TTL", in: 1...86_400) { configuration.accessTokenTTL = Int64(ttl) }
        if let ttl = try reader.integer("PARLEY_REFRESH_TOKEN_TTL", in: 60...31_536_000) { configuration.refreshTokenTTL = Int64(ttl) }
        if let rotate = try reader.bool("PARLEY_ROTATE_REFRESH_TOKENS") { configuration.rotateRefreshTokens = rotate }
        if let limit = try reader.integer("PARLEY_RATE_LIMIT_PER_MINUTE", in: 1...1_000_000_000) { configuration.rateLimitPerMinute = limit }
        if let limit = try reader.integer("PARLEY_UPLOADS_PER_HOUR", in: 1...1_000_000) { configuration.uploadsPerHour = limit }
        if let limit = try reader.integer("PARLEY_WS_CONNECTIONS_PER_USER", in: 1...1_000_000) { configuration.wsConnectionsPerUser = limit }
        if let limit = try reader.integer("PARLEY_WS_SENDS_PER_SECOND", in: 1...1_000_000_000) { configuration.wsSendsPerSecond = limit }
        if let limit = try reader.integer("PARLEY_WS_SEND_BURST", in: 1...1_000_000_000) { configuration.wsSendBurst = limit }
        if let limit = try reader.integer("PARLEY_WS_EVENTS_PER_SECOND", in: 1...1_000_000_000) { configuration.wsEventsPerSecond = limit }
        if let limit = try reader.integer("PARLEY_WS_EVENT_BURST", in: 1...1_000_000_000) { configuration.wsEventBurst = limit }
        if let limit = try reader.integer("PARLEY_WS_OUTBOUND_QUEUE_BYTES", in: 65_536...1 << 30) { configuration.wsOutboundQueueBytes = limit }
        if let seconds = try reader.integer("PARLEY_HTTP_HEADER_TIMEOUT", in: 1...3600) { configuration.httpHeaderTimeout = Double(seconds) }
        if let seconds = try reader.integer("PARLEY_HTTP_BODY_TIMEOUT", in: 1...3600) { configuration.httpBodyTimeout = Double(seconds) }
        if let seconds = try reader.integer("PARLEY_HTTP_IDLE_TIMEOUT", in: 1...86_400) { configuration.httpIdleTimeout = Double(seconds) }
        if let limit = try reader.integer("PARLEY_CONNECTIONS_PER_ADDRESS", in: 0...10_000_000) { configuration.connectionsPerAddress = limit }
        if let list = reader.string("PARLEY_CONNECTION_CAP_EXEMPT") {
            // "none" exempts nobody (an empty variable reads as unset).
            configuration.connectionCapExemptAddresses = list.lowercased() == "none"
                ? [] : Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        configuration.llmBaseURL = reader.string("PARLEY_LLM_BASE_URL")
        configuration.llmModel = reader.string("PARLEY_LLM_MODEL")
        configuration.llmAPIKey = reader.string("PARLEY_LLM_API_KEY")
        if let timeout = try reader.integer("PARLEY_LLM_TIMEOUT", in: 1...600) { configuration.llmTimeoutSeconds = Double(timeout) }
        if let interval = try reader.integer("PARLEY_AUTO_SUMMARY_INTERVAL", in: 0...86_400) { configuration.autoSummaryInterval = Double(interval) }
        if let level = reader.string("PARLEY_LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError("PARLEY_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = parsed
        }
        if let ttl = try reader.integer("PARLEY_UNATTACHED_FILE_TTL", in: 60...31_536_000) { configuration.unattachedFileTTL = Int64(ttl) }
        if let interval = try reader.integer("PARLEY_FILE_EXPIRY_INTERVAL", in: 1...86_400) { configuration.fileExpiryInterval = Int64(interval) }
        if let limit = try reader.integer("PARLEY_SUMMARIES_PER_USER_PER_HOUR", in: 1...1_000_000) { configuration.summariesPerUserPerHour = limit }
        if let limit = try reader.integer("PARLEY_SUMMARIES_PER_ROOM_PER_HOUR", in: 1...1_000_000) { configuration.summariesPerRoomPerHour = limit }
        // Session and account hardening.
        if let grace = try reader.integer("PARLEY_REFRESH_REUSE_GRACE", in: 0...3600) { configuration.refreshReuseGrace = Int64(grace) }
        if let limit = try reader.integer("PARLEY_LOGIN_FAILURES_PER_ADDRESS", in: 1...1_000_000) { configuration.loginFailuresPerAddress = limit }
        if let limit = try reader.integer("PARLEY_LOGIN_FAILURES_PER_ACCOUNT", in: 1...1_000_000) { configuration.loginFailuresPerAccount = limit }
        if let window = try reader.integer("PARLEY_LOGIN_FAILURE_WINDOW", in: 1...604_800) { configuration.loginFailureWindow = Int64(window) }
        if let wait = try reader.integer("PARLEY_LOGIN_BACKOFF_INITIAL", in: 1...86_400) { configuration.loginBackoffInitial = Int64(wait) }
        if let wait = try reader.integer("PARLEY_LOGIN_BACKOFF_MAX", in: 1...86_400) { configuration.loginBackoffMaximum = Int64(wait) }
        if let age = try reader.integer("PARLEY_LOGIN_KNOWN_ADDRESS_AGE", in: 0...31_536_000) { configuration.loginKnownAddressAge = Int64(age) }
        try configuration.validate()
        return configuration
    }

    /// Checks values that flags may also have set.
    public func validate() throws(ConfigurationError) {
        guard (0...65535).contains(port) else { throw ConfigurationError("port must be between 0 and 65535 (got \(port))") }
        guard !host.isEmpty else { throw ConfigurationError("host must not be empty") }
        let lowerURL = publicURL.lowercased()
        guard lowerURL.hasPrefix("http://") || lowerURL.hasPrefix("https://"), URL(string: publicURL)?.host != nil else {
            throw ConfigurationError("PARLEY_PUBLIC_URL must be an absolute http(s) URL such as https://chat.example.com (got \(publicURL))")
        }
        if let llmBaseURL {
            guard URL(string: llmBaseURL)?.host != nil, llmBaseURL.lowercased().hasPrefix("http") else {
                throw ConfigurationError("PARLEY_LLM_BASE_URL must be an absolute http(s) URL such as http://localhost:11434/v1")
            }
            guard llmModel != nil else {
                throw ConfigurationError("PARLEY_LLM_MODEL is required with PARLEY_LLM_BASE_URL (for example llama3.1 or gpt-4o-mini)")
            }
        }
        guard bcryptCost >= 4, bcryptCost <= 31 else { throw ConfigurationError("bcrypt cost must be between 4 and 31") }
    }

    /// `publicURL` without a trailing slash, for building links.
    public var publicBaseURL: String {
        publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
    }
}

/// A configuration value that cannot be used, with a message that says what to fix.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

private struct EnvironmentReader {
    let environment: [String: String]

    func string(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError("\(name) must be a whole number between \(range.lowerBound) and \(range.upperBound) (got '\(text)')")
        }
        return value
    }

    func bool(_ name: String) throws(ConfigurationError) -> Bool? {
        guard let text = string(name)?.lowercased() else { return nil }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError("\(name) must be true or false (got '\(text)')")
        }
    }
}

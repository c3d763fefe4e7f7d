import AsyncHTTPClient
import Foundation
import ParleyStore
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("Configuration (API.md §12)")
struct ConfigurationTests {
    @Test("defaults work on a laptop")
    func defaults() throws {
        let configuration = try ParleyConfiguration.fromEnvironment([:])
        #expect(configuration.host == "127.0.0.1" && configuration.port == 8000)
        #expect(configuration.publicURL == "http://localhost:8000")
        #expect(configuration.rateLimitPerMinute == 60 && configuration.uploadsPerHour == 10)
        #expect(configuration.wsConnectionsPerUser == 5 && configuration.wsSendsPerSecond == 10 && configuration.wsSendBurst == 30)
        #expect(configuration.accessTokenTTL == 1800 && configuration.refreshTokenTTL == 604_800)
        #expect(configuration.bcryptCost >= 10)
        guard case .sqlite(let path) = configuration.effectiveDatabase else { Issue.record("expected SQLite"); return }
        #expect(path.hasSuffix("parley-data/parley.sqlite"))
    }

    @Test("every variable is read")
    func variables() throws {
        let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let configuration = try ParleyConfiguration.fromEnvironment([
            "PARLEY_HOST": "0.0.0.0", "PARLEY_PORT": "9000", "PARLEY_PUBLIC_URL": "https://chat.example.com/",
            "PARLEY_DATA_DIR": "/var/lib/parley", "PARLEY_DATABASE_URL": "postgres://u:p%40ss@db.internal:6543/chat?sslmode=require&pool=7",
            "PARLEY_JWT_SECRET": String(repeating: "s", count: 40), "PARLEY_MASTER_KEY": key,
            "PARLEY_ACCESS_TOKEN_TTL": "600", "PARLEY_REFRESH_TOKEN_TTL": "3600", "PARLEY_RATE_LIMIT_PER_MINUTE": "120",
            "PARLEY_UPLOADS_PER_HOUR": "20", "PARLEY_WS_CONNECTIONS_PER_USER": "3", "PARLEY_WS_SENDS_PER_SECOND": "5",
            "PARLEY_WS_SEND_BURST": "15", "PARLEY_LLM_BASE_URL": "http://localhost:11434/v1", "PARLEY_LLM_MODEL": "llama3",
            "PARLEY_LLM_API_KEY": "k", "PARLEY_LOG_LEVEL": "DEBUG",
        ])
        #expect(configuration.host == "0.0.0.0" && configuration.port == 9000)
        #expect(configuration.publicBaseURL == "https://chat.example.com")
        #expect(configuration.database == .postgres(PostgresSettings(host: "db.internal", port: 6543, username: "u", password: "p@ss", database: "chat", tls: .require, maximumConnections: 7)))
        #expect(configuration.masterKey?.count == 32 && configuration.jwtSecret?.count == 40)
        #expect(configuration.accessTokenTTL == 600 && configuration.refreshTokenTTL == 3600)
        #expect(configuration.rateLimitPerMinute == 120 && configuration.uploadsPerHour == 20)
        #expect(configuration.wsConnectionsPerUser == 3 && configuration.wsSendsPerSecond == 5 && configuration.wsSendBurst == 15)
        #expect(configuration.llmModel == "llama3" && configuration.logLevel == .debug)
    }

    @Test("upload expiry and summary quota settings are read, defaulted and range-checked")
    func hardeningSettings() throws {
        let defaults = try ParleyConfiguration.fromEnvironment([:])
        #expect(defaults.unattachedFileTTL == 86_400 && defaults.fileExpiryInterval == 600)
        #expect(defaults.summariesPerUserPerHour == 10 && defaults.summariesPerRoomPerHour == 30)
        let configuration = try ParleyConfiguration.fromEnvironment([
            "PARLEY_UNATTACHED_FILE_TTL": "3600", "PARLEY_FILE_EXPIRY_INTERVAL": "60",
            "PARLEY_SUMMARIES_PER_USER_PER_HOUR": "4", "PARLEY_SUMMARIES_PER_ROOM_PER_HOUR": "12",
        ])
        #expect(configuration.unattachedFileTTL == 3600 && configuration.fileExpiryInterval == 60)
        #expect(configuration.summariesPerUserPerHour == 4 && configuration.summariesPerRoomPerHour == 12)
        for (variable, value) in [
            ("PARLEY_UNATTACHED_FILE_TTL", "59"), ("PARLEY_FILE_EXPIRY_INTERVAL", "0"),
            ("PARLEY_SUMMARIES_PER_USER_PER_HOUR", "0"), ("PARLEY_SUMMARIES_PER_ROOM_PER_HOUR", "many"),
        ] {
            #expect(throws: ConfigurationError.self, "\(variable)=\(value)") { _ = try ParleyConfiguration.fromEnvironment([variable: value]) }
        }
    }

    @Test("session and login hardening settings have their defaults and are read from their variables")
    func hardeningVariables() throws {
        let defaults = try ParleyConfiguration.fromEnvironment([:])
        #expect(defaults.rotateRefreshTokens && defaults.refreshReuseGrace == 10)
        #expect(defaults.loginFailuresPerAddress == 5 && defaults.loginFailuresPerAccount == 20 && defaults.loginFailureWindow == 900)
        #expect(defaults.loginBackoffInitial == 1 && defaults.loginBackoffMaximum == 900 && defaults.loginKnownAddressAge == 2_592_000)
        let configuration = try ParleyConfiguration.fromEnvironment([
            "PARLEY_ROTATE_REFRESH_TOKENS": "false", "PARLEY_REFRESH_REUSE_GRACE": "0",
            "PARLEY_LOGIN_FAILURES_PER_ADDRESS": "3", "PARLEY_LOGIN_FAILURES_PER_ACCOUNT": "50", "PARLEY_LOGIN_FAILURE_WINDOW": "600",
            "PARLEY_LOGIN_BACKOFF_INITIAL": "2", "PARLEY_LOGIN_BACKOFF_MAX": "3600", "PARLEY_LOGIN_KNOWN_ADDRESS_AGE": "86400",
        ])
        #expect(!configuration.rotateRefreshTokens && configuration.refreshReuseGrace == 0)
        #expect(configuration.loginFailuresPerAddress == 3 && configuration.loginFailuresPerAccount == 50 && configuration.loginFailureWindow == 600)
        #expect(configuration.loginBackoffInitial == 2 && configuration.loginBackoffMaximum == 3600 && configuration.loginKnownAddressAge == 86_400)
    }

    @Test("bad values are refused with a message naming the variable", arguments: [
        ("PARLEY_PORT", "99999"), ("PARLEY_PORT", "eighty"), ("PARLEY_PUBLIC_URL", "chat.example.com"),
        ("PARLEY_DATABASE_URL", "mysql://x"), ("PARLEY_DATABASE_URL", "postgres://host-only"), ("PARLEY_DATABASE_URL", "postgres://u@h:5432/db?sslmode=maybe"),
        ("PARLEY_JWT_SECRET", "short"), ("PARLEY_MASTER_KEY", "bm90IDMyIGJ5dGVz"), ("PARLEY_LOG_LEVEL", "loud"),
        ("PARLEY_RATE_LIMIT_PER_MINUTE", "0"), ("PARLEY_ROTATE_REFRESH_TOKENS", "perhaps"),
        ("PARLEY_REFRESH_REUSE_GRACE", "-1"), ("PARLEY_LOGIN_FAILURES_PER_ADDRESS", "0"), ("PARLEY_LOGIN_BACKOFF_MAX", "lots"),
    ])
    func refused(variable: String, value: String) {
        do {
            _ = try ParleyConfiguration.fromEnvironment([variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.description.contains(variable), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("database URLs", arguments: [
        ("sqlite:///tmp/x.sqlite", DatabaseLocation.sqlite(path: "/tmp/x.sqlite")),
        ("sqlite://relative.sqlite", .sqlite(path: "relative.sqlite")),
        ("postgresql://me@localhost/parley", .postgres(PostgresSettings(host: "localhost", username: "me", password: nil, database: "parley"))),
    ])
    func databaseURLs(text: String, expected: DatabaseLocation) throws {
        #expect(try DatabaseLocation.parse(text) == expected)
    }
}

@Suite("The parley command")
struct CommandLineTests {
    /// The `parley` executable built next to the test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("parley")
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test("--help describes the command")
    func help() throws {
        let result = try run(["--help"])
        #expect(result.status == 0)
        #expect(result.output.contains("parley") && result.output.contains("serve"))
    }

    @Test("a bad setting exits non-zero with one line saying what to fix", arguments: [
        ["PARLEY_PORT": "70000"], ["PARLEY_DATABASE_URL": "ftp://nowhere"], ["PARLEY_DATA_DIR": "/proc/version"],
    ])
    func badSetting(environment: [String: String]) throws {
        let result = try run([], environment: environment)
        #expect(result.status == 78)
        let lines = result.error.split(separator: "\n")
        #expect(lines.count == 1, "\(result.error)")
        #expect(lines.first?.hasPrefix("parley: ") == true)
    }

    @Test("serves, then exits cleanly on SIGTERM")
    func gracefulShutdown() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["--port", "0", "--data-dir", directory]
        process.environment = ["PATH": "/usr/bin:/bin"]
        let err = Pipe()
        process.standardError = err
        try process.run()
        // Read the log until the server says where it listens.
        var log = ""
        var port: Int?
        let deadline = ContinuousClock.now + .seconds(30)
        while port == nil, ContinuousClock.now < deadline {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            log += String(decoding: chunk, as: UTF8.self)
            if let range = log.range(of: #"address=http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(log[range].split(separator: ":").last ?? "")
            }
        }
        let listening = try #require(port, "no address in: \(log)")
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(listening)/health"), timeout: .seconds(10))
        #expect(response.status == .ok)
        #expect(String(buffer: try await response.body.collect(upTo: 1 << 16)).contains("healthy"))
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }
}

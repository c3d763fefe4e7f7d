import Foundation
import Logging
import ParleyCore
import ParleyServer
import ParleyStore
import SQLKit

/// The databases a test runs against: SQLite always, PostgreSQL when `PARLEY_TEST_POSTGRES_URL` is set.
public enum TestEngine: String, CaseIterable, Sendable {
    case sqlite
    case postgres

    public static var available: [TestEngine] {
        ProcessInfo.processInfo.environment["PARLEY_TEST_POSTGRES_URL"].map { _ in [.sqlite, .postgres] } ?? [.sqlite]
    }

}

/// A logger that is silent unless `PARLEY_TEST_LOG` is set.
public func testLogger(_ label: String = "parley-test") -> Logger {
    if ProcessInfo.processInfo.environment["PARLEY_TEST_LOG"] != nil {
        var logger = Logger(label: label, factory: { LogfmtLogHandler(label: $0, level: .debug) })
        logger.logLevel = .debug
        return logger
    }
    return Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() })
}

/// A throwaway database: a file in a temporary directory, or a fresh PostgreSQL database on the test server.
public struct TestDatabase: Sendable {
    public let engine: TestEngine
    public let location: DatabaseLocation
    public let directory: String
    private let adminSettings: PostgresSettings?
    private let databaseName: String?

    public static func make(_ engine: TestEngine) async throws -> TestDatabase {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        switch engine {
        case .sqlite:
            return TestDatabase(engine: engine, location: .sqlite(path: directory + "/parley.sqlite"), directory: directory, adminSettings: nil, databaseName: nil)
        case .postgres:
            guard let url = ProcessInfo.processInfo.environment["PARLEY_TEST_POSTGRES_URL"],
                case .postgres(var settings) = try DatabaseLocation.parse(url)
            else { fatalError("PARLEY_TEST_POSTGRES_URL is not a postgres:// URL") }
            settings.maximumConnections = 8
            let name = "parley_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            let admin = PostgresBackend(settings: settings.with(database: settings.database), logger: testLogger())
            try await admin.read { database in try await database.raw("CREATE DATABASE \(unsafeRaw: String(name))").run() }
            await admin.shutdown()
            return TestDatabase(
                engine: engine, location: .postgres(settings.with(database: String(name))), directory: directory,
                adminSettings: settings, databaseName: String(name))
        }
    }

    /// Removes the database and its directory.
    public func destroy() async {
        if let adminSettings, let databaseName {
            let admin = PostgresBackend(settings: adminSettings, logger: testLogger())
            try? await admin.read { database in
                try await database.raw("DROP DATABASE IF EXISTS \(unsafeRaw: databaseName) WITH (FORCE)").run()
            }
            await admin.shutdown()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension JSONValue {
    public subscript(key: String) -> JSONValue {
        if case .object(let object) = self { return object[key] ?? .null }
        return .null
    }

    public subscript(index: Int) -> JSONValue {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return .null
    }

    public var arrayValue: [JSONValue] {
        if case .array(let array) = self { return array }
        return []
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var doubleValue: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        default: return nil
        }
    }

    public var isNull: Bool { self == .null }
}

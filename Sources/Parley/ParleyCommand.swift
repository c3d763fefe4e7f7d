import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import ParleyCore
import ParleyServer

/// `parley`: the Parley chat server. The default subcommand serves the API.
@main
struct ParleyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parley",
        abstract: "Parley: a real-time chat server with end-to-end encrypted rooms.",
        discussion: """
            Every option can also be set by its PARLEY_* environment variable (docs/OPERATIONS.md lists them all);
            a flag wins over the variable.
            """,
        version: ParleyVersion.current,
        subcommands: [Serve.self, Migrate.self, Users.self, Keys.self],
        defaultSubcommand: Serve.self
    )
}

/// Options shared by every subcommand that opens the database.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on (PARLEY_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (PARLEY_PORT, default 8000).")
    var port: Int?

    @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database, uploads and generated secrets (PARLEY_DATA_DIR, default ./parley-data).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"), help: "sqlite:///path or postgres://user:pass@host:5432/db (PARLEY_DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .customLong("public-url"), help: "Base URL clients reach Parley at, for invite and avatar links (PARLEY_PUBLIC_URL).")
    var publicURL: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (PARLEY_LOG_LEVEL).")
    var logLevel: String?

    /// The environment with flags laid over it, validated into a configuration.
    func resolve() throws -> ParleyConfiguration {
        var environment = ProcessInfo.processInfo.environment
        if let host { environment["PARLEY_HOST"] = host }
        if let port { environment["PARLEY_PORT"] = String(port) }
        if let dataDirectory { environment["PARLEY_DATA_DIR"] = dataDirectory }
        if let databaseURL { environment["PARLEY_DATABASE_URL"] = databaseURL }
        if let publicURL { environment["PARLEY_PUBLIC_URL"] = publicURL }
        if let logLevel { environment["PARLEY_LOG_LEVEL"] = logLevel }
        do {
            return try ParleyConfiguration.fromEnvironment(environment)
        } catch {
            throw ConfigurationExit(message: error.description)
        }
    }
}

/// Reports a configuration problem as one line on standard error and exits with status 78 (EX_CONFIG).
struct ConfigurationExit: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension AsyncParsableCommand {
    /// Resolves the configuration and sets up logging, or exits with status 78 on a configuration problem.
    func configure(_ options: ServerOptions) -> (ParleyConfiguration, Logger) {
        do {
            let configuration = try options.resolve()
            let level = configuration.logLevel
            LoggingSystem.bootstrap { label in LogfmtLogHandler(label: label, level: level) }
            var logger = Logger(label: "parley")
            logger.logLevel = level
            return (configuration, logger)
        } catch {
            Self.failToStart(error)
        }
    }

    /// Builds the server or turns a configuration problem into a one-line message and exit status 78.
    func makeServer(_ options: ServerOptions) async throws -> (ParleyServer, Logger) {
        let (configuration, logger) = configure(options)
        do {
            let server = try await ParleyServer.make(configuration: configuration, logger: logger)
            return (server, logger)
        } catch {
            Self.failToStart(error)
        }
    }

    /// Exits with status 78 and one line saying why the server could not start.
    static func failToStart(_ error: any Error) -> Never {
        switch error {
        case let error as ConfigurationExit: fail(error.message)
        case let error as ConfigurationError: fail(error.description)
        default: fail("cannot start: \(describe(error)); check PARLEY_DATABASE_URL and that the database is reachable")
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("parley: \(message)\n".utf8))
        Foundation.exit(78)
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the REST and WebSocket API (the default).")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let (configuration, logger) = configure(options)
        do {
            try await ParleyServer.serve(configuration: configuration, logger: logger)
        } catch let failure as ParleyServer.StartFailure {
            Self.failToStart(failure.underlying)
        } catch let error as ConfigurationError {
            Self.fail(error.description)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let (server, _) = try await makeServer(options)
        let applied = try await server.appliedMigrations()
        print("schema at version \(applied.last ?? 0) (\(applied.count) migrations applied)")
        await server.shutdown()
    }
}

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage accounts.", subcommands: [Deactivate.self, Activate.self])

    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deactivate an account: its sessions end and it can no longer log in.")
        @OptionGroup var options: ServerOptions
        @Argument(help: "Username or email of the account.") var login: String

        func run() async throws {
            let (server, _) = try await makeServer(options)
            do {
                let user = try await server.auth.setActive(username: login, isActive: false)
                print("deactivated \(user.username) (\(user.id))")
            } catch {
                Self.fail("no account named \(login)")
            }
            await server.shutdown()
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reactivate a deactivated account.")
        @OptionGroup var options: ServerOptions
        @Argument(help: "Username or email of the account.") var login: String

        func run() async throws {
            let (server, _) = try await makeServer(options)
            do {
                let user = try await server.auth.setActive(username: login, isActive: true)
                print("activated \(user.username) (\(user.id))")
            } catch {
                Self.fail("no account named \(login)")
            }
            await server.shutdown()
        }
    }
}

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage encryption keys (stop the server first).", subcommands: [RotateMaster.self, RotateRoom.self])

    struct RotateMaster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-master",
            abstract: "Rewrap every room key and file key under a new master key (the server must be stopped).",
            discussion: "Give the new key as base64 of 32 bytes (openssl rand -base64 32) with --new-key or in PARLEY_NEW_MASTER_KEY.")
        @OptionGroup var options: ServerOptions
        @Option(name: .customLong("new-key"), help: "The new master key, base64 of 32 bytes.") var newKey: String?

        func run() async throws {
            guard let text = newKey ?? ProcessInfo.processInfo.environment["PARLEY_NEW_MASTER_KEY"],
                let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32
            else { Self.fail("the new master key must be base64 of 32 bytes (openssl rand -base64 32), given with --new-key") }
            let (server, _) = try await makeServer(options)
            do {
                let result = try await server.rotateMasterKey(to: [UInt8](bytes))
                print("rewrapped \(result.rooms) room keys and \(result.files) file keys")
                print(result.storedInDataDirectory
                    ? "the new key replaced master-key in the data directory"
                    : "set PARLEY_MASTER_KEY to the new key before starting the server again")
            } catch {
                Self.fail("rotation failed, nothing was changed: \(Self.describe(error))")
            }
            await server.shutdown()
        }
    }

    struct RotateRoom: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-room", abstract: "Give a server-readable room a new data key; older content keeps opening with its version.")
        @OptionGroup var options: ServerOptions
        @Argument(help: "The chatroom id.") var room: String

        func run() async throws {
            let (server, _) = try await makeServer(options)
            do {
                let version = try await server.rotateRoomKey(roomID: room)
                print("room \(room) now seals new content with key version \(version)")
            } catch let error as ParleyError {
                Self.fail(error.message)
            }
            await server.shutdown()
        }
    }
}

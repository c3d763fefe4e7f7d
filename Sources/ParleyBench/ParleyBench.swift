import ArgumentParser

/// `parley-bench`: load generator for the Parley server. Each subcommand prints exactly one JSON line of
/// results on standard output; progress goes to standard error.
@main
struct ParleyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parley-bench",
        abstract: "Load generator for the Parley chat server (REST + WebSocket).",
        discussion: """
            Every subcommand starts a server from --server-binary (or the usual build paths) with a fresh data \
            directory and generous limits, or loads the one at --url. Results are one JSON line on stdout.
            """,
        subcommands: [IdleCommand.self, RoomCommand.self, RoomsCommand.self, HistoryCommand.self, InsertsCommand.self, SmokeCommand.self]
    )
}

/// Runs one scenario against the server the options describe and prints its report. Exits non-zero when
/// the scenario could not run, or recorded errors, loss or failed verification.
func runScenario(
    _ name: String, _ options: ServerOptions, connections: Int, _ body: @escaping @Sendable (BenchTarget, UserPool) async throws -> Report
) async throws {
    ServerRegistry.installSignalHandlers()
    var report = Report()
    report.set("scenario", name)
    let target: BenchTarget
    do {
        target = try await BenchTarget.make(options, connections: connections)
    } catch {
        report.set("error", String(describing: error))
        emit(report)
        throw ExitCode(2)
    }
    report.merge(target.description)
    do {
        report.merge(try await body(target, UserPool(api: target.api)))
    } catch {
        report.set("error", String(describing: error))
    }
    await target.shutdown()
    emit(report)
    if report.hasProblems { throw ExitCode(1) }
}

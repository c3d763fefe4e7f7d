import ArgumentParser

/// `smoke`: tiny versions of every scenario against one server, for CI. Fails (exit 1) on any error, loss
/// or failed verification; it measures but never asserts timings.
struct SmokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "smoke", abstract: "Tiny versions of all scenarios against one server (for CI).")

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let idle = IdleParameters(connections: 200, users: 2, hold: 1)
        let room = RoomParameters(members: 10, senders: 2, rate: 100, duration: 3, warmup: 1, messageBytes: 200, membersPerUser: 5)
        let rooms = RoomsParameters(rooms: 20, membersPerRoom: 3, ratePerMember: 0.5, churn: 5, duration: 3, warmup: 1)
        let history = HistoryParameters(messages: 2000, rate: 50, duration: 2, warmup: 0.5, fillConnections: 2, fillWindow: 128)
        let inserts = InsertsParameters(concurrency: [1, 8], count: 200, databaseURL: server.databaseURL)
        let scenarios: [(String, @Sendable (BenchTarget, UserPool) async throws -> Report)] = [
            ("idle", { try await IdleScenario.run(idle, on: $0, users: $1) }),
            ("room", { try await RoomScenario.run(room, on: $0, users: $1) }),
            ("rooms", { try await RoomsScenario.run(rooms, on: $0, users: $1) }),
            ("history", { try await HistoryScenario.run(history, on: $0, users: $1) }),
            ("inserts", { try await InsertsScenario.run(inserts, on: $0, users: $1) }),
        ]
        try await runScenario("smoke", server, connections: 400) { target, pool in
            var report = Report()
            var failed: [String] = []
            for (name, body) in scenarios {
                Log.progress("smoke: \(name)")
                let started = Clock.now()
                var result: Report
                do {
                    result = try await body(target, pool)
                } catch {
                    result = Report()
                    result.set("error", String(describing: error))
                }
                result.set("scenario_seconds", Clock.seconds(since: started))
                if result.hasProblems { failed.append(name) }
                report.set(name, result)
            }
            report.set("failed", failed)
            report.set("ok", failed.isEmpty)
            if !failed.isEmpty { report.set("failures", failed.count) }
            return report
        }
    }
}

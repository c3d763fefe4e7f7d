import ParleyCore
import ServiceLifecycle

/// Ends automatic summaries under the lifecycle: at graceful shutdown it drops rooms waiting for their
/// interval and waits for summaries in progress. Placed before the writers in the group, it is told after
/// them (the last batches can still start summaries) and before the database closes.
struct SummaryJobs: Service, CustomStringConvertible {
    let summaries: SummaryService
    var description: String { "SummaryJobs" }

    func run() async throws {
        try? await gracefulShutdown()
        await summaries.stop()
    }
}

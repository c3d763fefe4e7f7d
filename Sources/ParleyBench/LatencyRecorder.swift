import Histogram
import Synchronization

/// A thread-safe HdrHistogram of latencies in nanoseconds (1 ns to 10 minutes, three significant digits).
final class LatencyRecorder: Sendable {
    private let histogram = Mutex(Histogram<UInt64>(highestTrackableValue: 600_000_000_000, numberOfSignificantValueDigits: .three))

    func record(nanoseconds: UInt64) {
        // Values past the top are clamped so that an outlier still counts as a (huge) sample.
        let value = min(max(nanoseconds, 1), 600_000_000_000)
        histogram.withLock { _ = $0.record(value) }
    }

    var count: Int { Int(histogram.withLock { $0.totalCount }) }

    /// `<prefix>_p50_ms`, p90, p99, p999, max and mean in milliseconds, and `<prefix>_samples`.
    func summary(_ prefix: String) -> Report {
        let copy = histogram.withLock { $0 }
        var report = Report()
        report.set("\(prefix)_samples", Int(copy.totalCount))
        guard copy.totalCount > 0 else {
            for name in ["p50", "p90", "p99", "p999", "max", "mean"] { report.set("\(prefix)_\(name)_ms", JSON.null) }
            return report
        }
        func ms(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1e6 }
        report.set("\(prefix)_p50_ms", ms(copy.valueAtPercentile(50)))
        report.set("\(prefix)_p90_ms", ms(copy.valueAtPercentile(90)))
        report.set("\(prefix)_p99_ms", ms(copy.valueAtPercentile(99)))
        report.set("\(prefix)_p999_ms", ms(copy.valueAtPercentile(99.9)))
        report.set("\(prefix)_max_ms", ms(copy.max))
        report.set("\(prefix)_mean_ms", copy.mean / 1e6)
        return report
    }
}

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// CPU time and resident memory of a process, read from /proc (Linux only; nil elsewhere).
struct ProcessSample: Sendable {
    let cpuSeconds: Double?
    let rssBytes: Int?
    let taken: UInt64

    /// Reads `pid` now.
    static func take(pid: Int32) -> ProcessSample {
        ProcessSample(cpuSeconds: ProcessStats.cpuSeconds(pid: pid), rssBytes: ProcessStats.rssBytes(pid: pid), taken: Clock.now())
    }

    /// CPU seconds used between `earlier` and this sample.
    func cpuSeconds(since earlier: ProcessSample) -> Double? {
        guard let now = cpuSeconds, let before = earlier.cpuSeconds else { return nil }
        return now - before
    }

    /// CPU use between the samples in percent of one core (200 % is both cores of this machine).
    func cpuPercent(since earlier: ProcessSample) -> Double? {
        guard let used = cpuSeconds(since: earlier), taken > earlier.taken else { return nil }
        return used / (Double(taken - earlier.taken) / 1e9) * 100
    }
}

/// Readers for /proc/<pid>/stat and /proc/<pid>/status.
enum ProcessStats {
    static let clockTicksPerSecond: Double = {
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        return ticks > 0 ? Double(ticks) : 100
    }()

    /// utime + stime of `pid` in seconds.
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // The command name may contain spaces and parentheses; fields are counted after its closing ')'.
        // What follows is field 3 (state) onwards, so utime (14) and stime (15) are at offsets 11 and 12.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / clockTicksPerSecond
    }

    /// VmRSS of `pid` in bytes.
    static func rssBytes(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let number = line.dropFirst("VmRSS:".count).split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) }
            return number.map { $0 * 1024 }
        }
        return nil
    }

    static var selfPID: Int32 { getpid() }
}

/// The open-file limit, raised once at start so that thousands of sockets can be opened.
enum FileLimit {
    #if os(Linux)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif

    /// Raises the soft limit to the hard one, and both to `wanted` when the process may (root may).
    /// Returns the soft limit in force afterwards.
    @discardableResult
    static func raise(wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        if limit.rlim_max < rlim_t(wanted) {
            var higher = rlimit(rlim_cur: rlim_t(wanted), rlim_max: rlim_t(wanted))
            if setrlimit(resource, &higher) == 0 { return wanted }
        }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// The soft limit in force now.
    static var current: Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        return Int(clamping: limit.rlim_cur)
    }
}

/// The monotonic clock every timestamp of the bench uses (same process, so sender and receiver agree).
enum Clock {
    @inline(__always)
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Seconds since `start`.
    static func seconds(since start: UInt64) -> Double { Double(now() &- start) / 1e9 }

    /// Sleeps for `seconds` (fractional allowed) without blocking a thread.
    static func sleep(_ seconds: Double) async {
        guard seconds > 0 else { return }
        try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
    }

    /// Sleeps until the monotonic time `deadline`.
    static func sleep(until deadline: UInt64) async {
        let now = now()
        if deadline > now { try? await Task.sleep(nanoseconds: deadline - now) }
    }
}

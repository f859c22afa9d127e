#if canImport(Glibc)
import Glibc
#endif
import LocalCluster

/// Runs a tool (xmllint, psql, dmarc, parsedmarc) and measures it from outside: wall time, and the
/// child's own peak RSS, which no in-process counter can fake.
struct ChildProcess {
    struct Outcome {
        var status: Int32
        var seconds: Double
        /// User + system CPU of the child (not inherited, unlike ru_maxrss).
        var cpuSeconds: Double
        /// Peak resident set of the child in bytes: its VmHWM, polled every millisecond.
        var peakRSS: Int
        /// wait4's ru_maxrss, which includes this process's own peak (see `run`); shown, not judged.
        var inheritedMaxRSS: Int
        var output: String
    }

    /// `output` receives stdout and stderr; it is read back (its last lines) for error messages.
    static func run(_ argv: [String], output: String, environment: [String: String]? = nil) throws(BenchError) -> Outcome {
        let start = Stopwatch()
        let pid: pid_t
        do {
            pid = try Subprocess.spawn(argv, output: output, environment: environment)
        } catch {
            throw BenchError(.toolFailed, "\(error)")
        }
        // Peak memory: the child's VmHWM, polled while it runs. wait4's ru_maxrss is no use here:
        // posix_spawn starts the child with vfork, and exec records the parent's high-water mark
        // in the child's maxrss, so every child would seem at least as big as this process.
        var status: Int32 = 0
        var usage = rusage()
        var peak = 0
        while true {
            peak = max(peak, highWaterMark(of: pid))
            let reaped = wait4(pid, &status, WNOHANG, &usage)
            if reaped == pid { break }
            if reaped < 0 {
                guard errno == EINTR else { throw BenchError(.toolFailed, "wait4 failed for \(argv[0])") }
                continue
            }
            usleep(1_000)
        }
        let seconds = start.seconds
        let exit = Subprocess.exitStatus(status)
        let text = (try? FileOutput.read(output)).map { String(decoding: $0.suffix(4096), as: UTF8.self) } ?? ""
        return Outcome(
            status: exit, seconds: seconds, cpuSeconds: usage.ru_utime.seconds + usage.ru_stime.seconds, peakRSS: peak, inheritedMaxRSS: Int(usage.ru_maxrss) * 1024, output: text)
    }

    /// VmHWM of a running process in bytes (0 once it is gone).
    static func highWaterMark(of pid: pid_t) -> Int {
        guard let text = Machine.fileText("/proc/\(pid)/status") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kibibytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return kibibytes * 1024
        }
        return 0
    }

    /// Runs and insists on exit 0.
    static func check(_ argv: [String], output: String, environment: [String: String]? = nil) throws(BenchError)
        -> Outcome
    {
        let outcome = try run(argv, output: output, environment: environment)
        guard outcome.status == 0 else {
            let tail = outcome.output.split(separator: "\n").suffix(3).joined(separator: " | ")
            throw BenchError(.toolFailed, "\(argv[0]) exited \(outcome.status): \(tail)")
        }
        return outcome
    }

    /// The first executable called `name` on PATH.
    static func which(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}

/// Wall time and this process's CPU time of one measured run. The machines are shared (load 5–6 on
/// 2 cores is common), so CPU time is the steadier measure for single-threaded in-process phases.
struct Timing {
    var wall: Double
    var cpu: Double

    static let zero = Timing(wall: 0, cpu: 0)
    static func + (a: Timing, b: Timing) -> Timing { Timing(wall: a.wall + b.wall, cpu: a.cpu + b.cpu) }
    static func - (a: Timing, b: Timing) -> Timing { Timing(wall: a.wall - b.wall, cpu: a.cpu - b.cpu) }
}

extension [Timing] {
    /// Medians of wall and CPU time, each on its own.
    var median: Timing { Timing(wall: map(\.wall).median, cpu: map(\.cpu).median) }
}

extension timeval {
    var seconds: Double { Double(tv_sec) + Double(tv_usec) / 1e6 }
}

/// Monotonic wall time since creation.
struct Stopwatch {
    private let start = ContinuousClock.now
    var seconds: Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Runs `body` and returns its wall time.
    static func time(_ body: () throws -> Void) rethrows -> Double {
        let watch = Stopwatch()
        try body()
        return watch.seconds
    }

    /// Runs `body` and returns its wall and CPU time (this process, all threads).
    static func measure(_ body: () throws -> Void) rethrows -> Timing {
        let cpuBefore = processCPU()
        let watch = Stopwatch()
        try body()
        let wall = watch.seconds
        return Timing(wall: wall, cpu: processCPU() - cpuBefore)
    }

    static func processCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_utime.seconds + usage.ru_stime.seconds
    }
}

extension Array where Element == Double {
    var median: Double {
        guard !isEmpty else { return 0 }
        let sorted = sorted()
        return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2
    }

    /// Nearest-rank percentile, `p` in 0…100.
    func percentile(_ p: Double) -> Double {
        guard !isEmpty else { return 0 }
        let sorted = sorted()
        let rank = Int((p / 100 * Double(count)).rounded(.up))
        return sorted[Swift.max(0, Swift.min(count - 1, rank - 1))]
    }
}

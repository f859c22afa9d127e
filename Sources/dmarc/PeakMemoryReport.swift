import Foundation

/// For the memory tests: the process's own peak resident size, written at exit to the file that
/// `DMARC_TEST_PEAK_RSS_FILE` names. A parent cannot measure it: `wait4`'s `ru_maxrss` of a child
/// started with posix_spawn (vfork) includes the parent's own high-water mark, so the figure was
/// the test process's size, not the child's. The kernel starts `VmHWM` anew at exec. Debug builds
/// only; a release build never reads the variable.
enum PeakMemoryReport {
    static func installIfAsked() {
        #if DEBUG
            guard getenv("DMARC_TEST_PEAK_RSS_FILE") != nil else { return }
            atexit {
                guard let path = getenv("DMARC_TEST_PEAK_RSS_FILE"),
                    let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
                    let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
                else { return }
                try? String(line).write(toFile: String(cString: path), atomically: true, encoding: .utf8)
            }
        #endif
    }
}

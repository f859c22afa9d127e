import Foundation

/// Runs the built `dmarc` executable, found next to the test bundle (`.build/debug/dmarc`).
enum DMARCBinary {
    static var path: String {
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The bundle may be a directory (…/dmarcPackageTests.xctest/…) on some platforms.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("dmarc").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/dmarc").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Starts the binary; output goes to files so a killed process leaves no blocked pipe.
    /// `executable` defaults to `dmarc`; the benchmark smoke test starts `dmarc-bench` beside it.
    /// `environment` is added to this process's.
    static func spawn(
        _ arguments: [String], outputDirectory: String, executable: String? = nil, environment: [String: String] = [:]
    ) throws -> pid_t {
        let path = executable ?? Self.path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputDirectory + "/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, outputDirectory + "/stderr", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let inherited = ProcessInfo.processInfo.environment.filter { environment[$0.key] == nil }
        let variables = (inherited.merging(environment) { $1 }).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { variables.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, variables)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        return pid
    }

    /// Waits until the child stops itself (a `FaultPoint` with `stop`): true; false when it ended
    /// instead, with its exit status in `ended`.
    static func waitUntilStopped(_ pid: pid_t, ended: inout Int32) -> Bool {
        var status: Int32 = 0
        while waitpid(pid, &status, WUNTRACED) < 0 && errno == EINTR {}
        if status & 0xff == 0x7f { return true }
        ended = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return false
    }

    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let directory = try makeTemporaryDirectory(prefix: "dmarc-run-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let status = wait(try spawn(arguments, outputDirectory: directory, environment: environment))
        let out = (try? String(contentsOfFile: directory + "/stdout", encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: directory + "/stderr", encoding: .utf8)) ?? ""
        return Result(status: status, stdout: out, stderr: err)
    }
}

import Foundation
import POSIXCalls

/// Runs a program and waits for it with posix_spawn and waitpid. Foundation's `Process` is avoided:
/// inside an async command its `waitUntilExit` can miss the child's exit and hang forever.
public enum Subprocess {
    /// Runs `argv` with stdin from /dev/null and stdout+stderr to `output` (a file path, never a pipe:
    /// a server started by pg_ctl would inherit a pipe and keep it open). Returns the exit status.
    static func run(_ argv: [String], output: String = "/dev/null") throws -> Int32 {
        let pid = try spawn(argv, output: output)
        var status: Int32 = 0
        guard SystemCall.retrying({ waitpid(pid, &status, 0) }) >= 0 else {
            throw ClusterError(.clusterFailed, "waitpid failed for \(argv[0]): \(SystemCall.lastError)")
        }
        return exitStatus(status)
    }

    /// Starts `argv` (searched on PATH) with stdin from /dev/null and stdout+stderr to the file
    /// `output`, in this process's environment or in `environment` alone. The caller waits for it.
    public static func spawn(_ argv: [String], output: String, environment: [String: String]? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        let variables: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { variables?.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned =
            if let variables {
                posix_spawnp(&pid, argv[0], &actions, nil, arguments, variables)
            } else {
                posix_spawnp(&pid, argv[0], &actions, nil, arguments, environ)
            }
        guard spawned == 0 else {
            throw ClusterError(.clusterFailed, "cannot run \(argv[0]): \(SystemCall.describe(spawned))")
        }
        return pid
    }

    /// The exit code of a wait status, or 128 + the signal that ended the process (as shells say).
    /// WIFEXITED / WEXITSTATUS are macros Swift cannot call: the status word is decoded by hand.
    public static func exitStatus(_ status: Int32) -> Int32 {
        status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}

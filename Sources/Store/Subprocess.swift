import Foundation

/// Runs a program and waits for it with posix_spawn and waitpid. Foundation's `Process` is avoided:
/// inside an async command its `waitUntilExit` can miss the child's exit and hang forever.
enum Subprocess {
    /// Runs `argv` with stdin from /dev/null and stdout+stderr to `output` (a file path, never a pipe:
    /// a server started by pg_ctl would inherit a pipe and keep it open). Returns the exit status.
    static func run(_ argv: [String], output: String = "/dev/null") throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let arguments = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, argv[0], &actions, nil, arguments, environ)
        guard spawned == 0 else {
            throw StoreError(.clusterFailed, "cannot run \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw StoreError(.clusterFailed, "waitpid failed for \(argv[0])") }
        }
        // WIFEXITED / WEXITSTATUS are macros: decode the status word by hand.
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }
}

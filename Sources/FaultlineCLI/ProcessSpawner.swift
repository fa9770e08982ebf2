import Foundation

/// Runs a program with posix_spawn and waits for it, output discarded: the cheapest way to start
/// a process, so a comparison against the docker CLI or curl charges them nothing extra.
enum ProcessSpawner {
    /// Runs `argv` (with `adding` set in its environment) and returns its exit status (or -1 when it
    /// could not be started).
    static func run(_ argv: [String], adding environment: [String: String] = [:]) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned: Int32
        if environment.isEmpty {
            spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        } else {
            let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            var cEnvironment = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { cEnvironment.forEach { free($0) } }
            spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, &cEnvironment)
        }
        guard spawned == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}

import Foundation

/// Starts `faultline warden` for a state directory as a process of its own session, so it outlives
/// the daemon or run that started it (a SIGKILL of that process, or of its process group, leaves
/// the warden watching). A warden already watching the directory makes the new one exit at once.
enum WardenLauncher {
    /// Starts it; returns its pid, or nil when it could not be started (reported, not fatal).
    @discardableResult
    static func start(stateDirectory: String, logLevel: String = "notice") -> Int32? {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let argv = [executable, "warden", "--state-dir", stateDirectory, "--log-level", logLevel]
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc ≥ 2.26; the macro is not imported into Swift).
        posix_spawnattr_setflags(&attributes, 0x80)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let log = stateDirectory + "/warden.log"
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, &attributes, &cArguments, environ) == 0 else {
            Output.note("could not start the warden (\(String(cString: strerror(errno)))); a crash would leave faults until `faultline recover`")
            return nil
        }
        // Reap it whenever it exits, so it never lingers as a zombie of this process.
        let child = pid
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        }
        return child
    }
}

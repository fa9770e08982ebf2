import CSpawn
import Foundation

/// The one way faultline starts a program: `posix_spawn` with the child's standard streams set
/// explicitly and **every other descriptor closed** (`closefrom(3)`), whether or not its owner
/// marked it close-on-exec. A warden or a command probe must never hold the daemon's listeners,
/// an engine connection or the ledger (a restarted daemon then failed with "Address already in use").
public enum ChildProcess {
    /// What one of the child's standard streams is.
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// The parent's own.
        case inherit
        /// A descriptor of the parent's, duplicated onto the stream.
        case descriptor(Int32)
        /// A file opened for appending (created 0600), never through a symlink.
        case appendFile(String)
    }

    /// Which process group or session the child starts in.
    public enum Grouping: Sendable {
        case parents
        /// A process group of its own, so a deadline can kill it with everything it started.
        case ownGroup
        /// A session of its own, so it outlives a kill of the parent's group.
        case ownSession
    }

    /// Starts `argv` and returns its pid, or the `errno` that stopped it. `environment` nil passes
    /// the parent's; `searchPath` looks `argv[0]` up on that environment's PATH.
    public static func spawn(_ argv: [String], stdin: Stream = .null, stdout: Stream = .null, stderr: Stream = .null,
                             grouping: Grouping = .parents, environment: [String]? = nil, searchPath: Bool = false) -> Result<pid_t, SpawnError> {
        guard let program = argv.first else { return .failure(SpawnError(program: "", code: EINVAL)) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (number, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            switch stream {
            case .null: posix_spawn_file_actions_addopen(&actions, number, "/dev/null", number == 0 ? O_RDONLY : O_WRONLY, 0)
            case .inherit: break
            case .descriptor(let descriptor): posix_spawn_file_actions_adddup2(&actions, descriptor, number)
            case .appendFile(let path):
                posix_spawn_file_actions_addopen(&actions, number, path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0o600)
            }
        }
        fl_spawn_add_closefrom(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        Self.startSignalsClean(&attributes)
        switch grouping {
        case .parents: break
        case .ownGroup:
            flags |= Int16(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        case .ownSession:
            flags |= 0x80  // POSIX_SPAWN_SETSID (glibc ≥ 2.26; not imported into Swift)
        }
        posix_spawnattr_setflags(&attributes, flags)
        var arguments = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let code: Int32
        if let environment {
            var variables = environment.map { strdup($0) } + [nil]
            defer { variables.forEach { free($0) } }
            code = searchPath ? posix_spawnp(&pid, program, &actions, &attributes, &arguments, &variables)
                : posix_spawn(&pid, program, &actions, &attributes, &arguments, &variables)
        } else {
            code = searchPath ? posix_spawnp(&pid, program, &actions, &attributes, &arguments, environ)
                : posix_spawn(&pid, program, &actions, &attributes, &arguments, environ)
        }
        return code == 0 ? .success(pid) : .failure(SpawnError(program: program, code: code))
    }

    /// The child starts with no signal blocked and every signal at its default action. Without
    /// this it inherits the spawning thread's mask: a Swift task's pool thread blocks nearly every
    /// signal, so a helper started from a task ignored the SIGTERM its revert sends (and SIGINT),
    /// and SignalTrap's SIG_IGN for SIGINT/SIGTERM and the runtime's for SIGPIPE carried over too.
    private static func startSignalsClean(_ attributes: inout posix_spawnattr_t) {
        var none = sigset_t(), every = sigset_t()
        sigemptyset(&none)
        sigfillset(&every)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &every)
    }

    /// Waits for `pid` (retrying on EINTR) and returns its raw wait status.
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    /// A wait status as a shell reports it: the exit code, or 128 + the signal.
    public static func exitCode(of status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}

/// A program that could not be started.
public struct SpawnError: Error, CustomStringConvertible {
    public let program: String
    public let code: Int32
    public var description: String { "cannot start \(program): \(String(cString: strerror(code)))" }
}

import FaultlineSupport
import Foundation
import Synchronization

/// Enters a container's network namespace from the host with `nsenter --net` and runs the host's
/// `iptables`/`tc`/`ip` there (faultline runs on the engine's host, as root). Output (stdout and
/// stderr together) is captured; a command that does not end within its time-out is killed.
public final class HostNetworkNamespaces: NetworkNamespaceAccess {
    private let timeout: Duration
    private let netem = Mutex<Bool?>(nil)

    public init(timeout: Duration = .seconds(10)) { self.timeout = timeout }

    public func run(_ argv: [String], inNetworkNamespaceOf pid: Int) throws -> CommandResult {
        guard pid > 0 else { throw NetworkNamespaceError.noProcess }
        return try Self.spawn(["/usr/bin/nsenter", "--target", String(pid), "--net", "--"] + argv, timeout: timeout)
    }

    public func kernelHasNetem() -> Bool {
        if let known = netem.withLock({ $0 }) { return known }
        // A fresh namespace of its own: nothing of any container is touched by the check.
        let result = try? Self.spawn(["/usr/bin/unshare", "--net", "--", "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"],
                                     timeout: timeout)
        let has = result?.succeeded ?? false
        netem.withLock { $0 = has }
        return has
    }

    /// posix_spawn with one pipe for stdout+stderr; the child's process group is killed at the deadline.
    static func spawn(_ argv: [String], timeout: Duration) throws -> CommandResult {
        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { throw NetworkNamespaceError.spawn(argv[0], String(cString: strerror(errno))) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let variables: [String] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]
        var environment: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) }
        environment.append(nil)
        defer { environment.forEach { free($0) } }
        var arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        arguments.append(nil)
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, argv[0], &actions, &attributes, &arguments, &environment)
        close(pipe[1])
        guard spawned == 0 else {
            close(pipe[0])
            throw NetworkNamespaceError.spawn(argv[0], String(cString: strerror(spawned)))
        }
        let deadline = ContinuousClock.now + timeout
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var descriptor = pollfd(fd: pipe[0], events: Int16(POLLIN), revents: 0)
        var timedOut = false
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { timedOut = true; break }
            let ready = poll(&descriptor, 1, Int32(max(1, remaining.milliseconds)))
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { timedOut = true; break }
            let count = read(pipe[0], &buffer, buffer.count)
            if count <= 0 { break }
            if output.count < 1 << 20 { output.append(contentsOf: buffer[0..<count]) }
        }
        close(pipe[0])
        if timedOut { kill(-pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if timedOut { throw NetworkNamespaceError.timedOut(argv.joined(separator: " "), timeout) }
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return CommandResult(status: exit, output: String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Why a command could not run in a namespace.
public enum NetworkNamespaceError: Error, CustomStringConvertible, Equatable {
    case noProcess
    case spawn(String, String)
    case timedOut(String, Duration)

    public var description: String {
        switch self {
        case .noProcess: return "the container has no process (not running)"
        case .spawn(let program, let reason): return "cannot start \(program): \(reason)"
        case .timedOut(let command, let limit): return "'\(command)' did not end within \(DurationText.format(limit))"
        }
    }
}

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
        let spawned = ChildProcess.spawn(argv, stdout: .descriptor(pipe[1]), stderr: .descriptor(pipe[1]), grouping: .ownGroup,
                                         environment: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"], searchPath: true)
        close(pipe[1])
        let pid: pid_t
        switch spawned {
        case .success(let started): pid = started
        case .failure(let failure):
            close(pipe[0])
            throw NetworkNamespaceError.spawn(argv[0], String(cString: strerror(failure.code)))
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
        let status = ChildProcess.wait(pid)
        if timedOut { throw NetworkNamespaceError.timedOut(argv.joined(separator: " "), timeout) }
        let exit = ChildProcess.exitCode(of: status)
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

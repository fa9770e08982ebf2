import FaultlineSupport
import Foundation

/// What a command probe runs and expects.
public struct CommandProbeConfig: Codable, Sendable, Equatable {
    /// The program and its arguments; no shell unless `shell` is set.
    public var argv: [String]
    /// Run `argv` joined by spaces through `/bin/sh -c`.
    public var shell: Bool = false
    public var expectExit: Int = 0
    public var stdoutContains: String?
    public var stdoutRegex: String?

    public init(argv: [String]) { self.argv = argv }

    public func validate() throws(ProbeConfigError) {
        guard let program = argv.first, !program.isEmpty else { throw ProbeConfigError("argv", "empty; give the program and its arguments") }
        if !shell && !program.hasPrefix("/") && ExecutablePath.find(program) == nil {
            throw ProbeConfigError("argv", "'\(program)' is not on PATH; give an absolute path")
        }
        if let stdoutRegex {
            do { _ = try Regex(stdoutRegex) } catch { throw ProbeConfigError("stdout_regex", "invalid regular expression: \(error)") }
        }
    }

    var resolvedArgv: [String] {
        if shell { return ["/bin/sh", "-c", argv.joined(separator: " ")] }
        if let program = argv.first, !program.hasPrefix("/"), let path = ExecutablePath.find(program) { return [path] + argv.dropFirst() }
        return argv
    }
}

/// Runs a command with a deadline (its whole process group is killed at the deadline) and checks
/// its exit code and output.
public final class CommandProbe: LaneProbe<CommandProbeConfig>, @unchecked Sendable {
    public init(name: String, config: CommandProbeConfig, timeout: Duration) throws(ProbeConfigError) {
        try super.init(name: name, config: config, timeout: timeout, label: "faultline.probe.command", check: CommandProbe.run)
    }

    static func run(_ config: CommandProbeConfig, timeout: Duration) -> ProbeCheck {
        let argv = config.resolvedArgv
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        guard pipe(&out) == 0, pipe(&err) == 0 else { return ProbeCheck(.error, "pipe: \(String(cString: strerror(errno)))") }
        for descriptor in out + err { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }  // the child gets only its dup2'ed copies
        let spawned = ChildProcess.spawn(argv, stdout: .descriptor(out[1]), stderr: .descriptor(err[1]), grouping: .ownGroup)
        Glibc.close(out[1])
        Glibc.close(err[1])
        defer { Glibc.close(out[0]); Glibc.close(err[0]) }
        let pid: pid_t
        switch spawned {
        case .success(let started): pid = started
        case .failure(let failure): return ProbeCheck(.error, failure.description)
        }

        let deadline = PollDeadline(after: timeout)
        var stdout: [UInt8] = [], stderr: [UInt8] = []
        var open = [out[0]: true, err[0]: true]
        var buffer = [UInt8](repeating: 0, count: 4096)
        while open.values.contains(true) {
            var entries = open.filter(\.value).map { pollfd(fd: $0.key, events: Int16(POLLIN), revents: 0) }
            let remaining = deadline.remainingMilliseconds
            if remaining == 0 { break }
            let ready = poll(&entries, nfds_t(entries.count), remaining)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { break }
            for entry in entries where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count <= 0 { open[entry.fd] = false; continue }
                if entry.fd == out[0] { if stdout.count < 65_536 { stdout += buffer[..<count] } } else if stderr.count < 65_536 { stderr += buffer[..<count] }
            }
        }
        var status: Int32 = 0
        if open.values.contains(true) {
            kill(-pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return ProbeCheck(.timeout, "\(argv[0]) did not finish within \(Int(timeout.milliseconds)) ms (killed)")
        }
        // Output closed: the process is exiting; wait for it, but not past the deadline.
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            if waited < 0 && errno != EINTR { break }
            if deadline.passed {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return ProbeCheck(.timeout, "\(argv[0]) did not exit within \(Int(timeout.milliseconds)) ms (killed)")
            }
            usleep(1_000)
        }
        let signaled = (status & 0x7f) != 0
        let exitCode = signaled ? 128 + Int(status & 0x7f) : Int((status >> 8) & 0xff)
        let text = String(decoding: stdout, as: UTF8.self)
        let firstLine = { (bytes: [UInt8]) in String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map { String($0.prefix(100)) } ?? "" }
        guard exitCode == config.expectExit else {
            let detail = firstLine(stderr).isEmpty ? firstLine(stdout) : firstLine(stderr)
            return ProbeCheck(.failed, "exit \(exitCode) (expected \(config.expectExit))\(detail.isEmpty ? "" : ": \(detail)")")
        }
        if let needle = config.stdoutContains, !text.contains(needle) {
            return ProbeCheck(.failed, "exit \(exitCode), stdout lacks '\(needle)'")
        }
        if let pattern = config.stdoutRegex, !SendableRegex(pattern: pattern).matches(text) {
            return ProbeCheck(.failed, "exit \(exitCode), stdout does not match /\(pattern)/")
        }
        return .ok("exit \(exitCode)\(firstLine(stdout).isEmpty ? "" : ": \(firstLine(stdout))")")
    }
}

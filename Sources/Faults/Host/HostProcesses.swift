import FaultlineSupport
import Foundation
import Synchronization

/// `ContainerProcessAccess` on this host: a container's processes are those in its cgroup
/// (`cgroup.procs` of its main process's memory cgroup, v1 or v2), each read from `/proc`. A signal
/// goes to a process only while `/proc` still shows the start time it was listed with, so a PID
/// reused by another process meanwhile is never signalled.
public struct HostProcesses: ContainerProcessAccess {
    let procRoot: String

    public init(procRoot: String = "/proc") { self.procRoot = procRoot }

    public func processes(ofContainerWithMainProcess mainPID: Int) throws -> [ContainerProcess] {
        let cgroups = HostCgroups(procRoot: procRoot)
        let directory = try cgroups.directory(controller: .memory, pid: mainPID)
        let listed = try cgroups.read(directory.file("cgroup.procs"))
        return listed.split(separator: "\n").compactMap { Int($0) }.compactMap { pid in
            // A process that ended between the listing and this read is not one of them any more.
            guard let startTime = startTime(of: pid) else { return nil }
            return ContainerProcess(pid: pid, startTime: startTime, commandLine: commandLine(of: pid), isMain: pid == mainPID)
        }
    }

    public func signal(_ process: ContainerProcess, _ signal: Int32) throws -> Bool {
        guard startTime(of: process.pid) == process.startTime else { return false }
        guard kill(pid_t(process.pid), signal) == 0 else {
            if errno == ESRCH { return false }
            throw FaultProcessError(message: "kill(\(process.pid), \(signal)) for \(process.described): \(String(cString: strerror(errno)))")
        }
        return true
    }

    /// Field 22 of `/proc/PID/stat`; nil when the process is gone.
    func startTime(of pid: Int) -> UInt64? { statField(22, of: pid).flatMap { UInt64($0) } }

    /// Field 6 of `/proc/PID/stat`.
    func session(of pid: Int) -> Int? { statField(6, of: pid).flatMap { Int($0) } }

    private func statField(_ number: Int, of pid: Int) -> Substring? {
        guard let stat = try? String(contentsOfFile: "\(procRoot)/\(pid)/stat", encoding: .utf8) else { return nil }
        return Self.field(number, stat: stat)
    }

    /// Field `number` (from 3 on) of a `/proc/PID/stat` text: the name in parentheses (field 2)
    /// may hold spaces and parentheses, so the fields are counted after its last `)`.
    static func field(_ number: Int, stat: String) -> Substring? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > number - 3 ? fields[number - 3] : nil
    }

    static func startTime(stat: String) -> UInt64? { field(22, stat: stat).flatMap { UInt64($0) } }

    func commandLine(of pid: Int) -> String {
        if let data = FileManager.default.contents(atPath: "\(procRoot)/\(pid)/cmdline"), !data.isEmpty {
            let arguments = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            return arguments.joined(separator: " ").trimmingCharacters(in: .whitespaces)
        }
        let name = (try? String(contentsOfFile: "\(procRoot)/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        return "[\(name)]"
    }
}

/// Reading or signalling a container's processes failed.
public struct FaultProcessError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

extension HostProcesses {
    public func cgroups(ofContainerWithMainProcess mainPID: Int) throws -> [String] {
        try HostCgroups(procRoot: procRoot).memberships(pid: mainPID)
    }

    /// `sh` writes its own PID into every cgroup, then execs `timeout`, which runs `nsenter` into
    /// the container's PID namespace (a resource hog: it ends with the container's main process) or
    /// its network namespace only (`network`: the dns resolver, the intercept proxy), which starts
    /// `command` there: every process of the hog is in the container's cgroups from its first
    /// instruction (its limits and accounting apply), and is SIGKILLed with its whole process group
    /// by `timeout` at `deadline` whatever becomes of faultline. Its own session: a kill of
    /// faultline's group leaves it to its revert. The network helpers stay out of the PID
    /// namespace: faultline's Swift program there (its /proc the host's, its PID the container's)
    /// crashed now and then at start (3 of 5 campaign runs; 0 of 4 outside it).
    public func startHog(_ command: [String], token: String, cgroups: [String], mainPID: Int, network: Bool, deadline: Duration) async throws {
        let join = "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1/cgroup.procs\" || exit 97; shift; n=$((n-1)); done; exec \"$@\""
        let argv = ["/bin/sh", "-c", join, "faultline-hog", String(cgroups.count)] + cgroups
            + ["timeout", "--signal=KILL", "\(Int(deadline.seconds.rounded(.up)))s", "nsenter", "--target", String(mainPID)] + (network ? ["--net"] : ["--pid"]) + ["--"] + command
        let environment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "\(Self.tokenVariable)=\(token)"]
        let child: pid_t
        switch ChildProcess.spawn(argv, stderr: .null, grouping: .ownSession, environment: environment, searchPath: false) {
        case .success(let pid): child = pid
        case .failure(let failure): throw FaultProcessError(message: "could not start \(command.joined(separator: " ")): \(failure)")
        }
        let exit = Mutex<Int32?>(nil)
        Thread.detachNewThread { let status = ChildProcess.wait(child); exit.withLock { $0 = ChildProcess.exitCode(of: status) } }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if try !marked(token, in: cgroups, running: command[0]).isEmpty { return }
            if let code = exit.withLock({ $0 }) {
                switch code {
                case 97: throw FaultProcessError(message: "could not place \(command[0]) in the container's cgroups (\(cgroups.joined(separator: ", ")))")
                case 125, 126, 127: throw FaultProcessError(message: "\(command[0]), nsenter or timeout could not run on the engine's host (status \(code))")
                default: throw FaultProcessError(message: "\(command.joined(separator: " ")) exited at once with status \(code)")
                }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        _ = try await stopHog(token: token, in: cgroups)
        throw FaultProcessError(message: "\(command[0]) did not start in the container within 5 s")
    }

    public func stopHog(token: String, in cgroups: [String]) async throws -> Int {
        // SIGTERM first, for up to half a second: a helper holding something (the packet engine's
        // held packets) lets it go; then SIGKILL whatever is left.
        var killed = 0
        let gentle = ContinuousClock.now + .milliseconds(500)
        for pid in try marked(token, in: cgroups, running: nil) where kill(pid_t(pid), SIGTERM) == 0 { killed += 1 }
        while killed > 0, ContinuousClock.now < gentle {
            if try marked(token, in: cgroups, running: nil).isEmpty { return killed }
            try await Task.sleep(for: .milliseconds(10))
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let left = try marked(token, in: cgroups, running: nil)
            if left.isEmpty { return killed }
            for pid in left where kill(pid_t(pid), SIGKILL) == 0 { killed += 1 }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw FaultProcessError(message: "processes marked \(Self.tokenVariable)=\(token) still run in \(cgroups.first ?? "the container's cgroup") 5 s after SIGKILL")
    }

    static let tokenVariable = "FAULTLINE_HOG"

    /// The processes in `cgroups` whose environment holds the token, and those in the session of
    /// one that does (the hog starts in a session of its own; a process that rewrote its
    /// environment area is still found by its session). Given `running`, only that program's.
    func marked(_ token: String, in cgroups: [String], running program: String?) throws -> [Int] {
        let marker = Array("\(Self.tokenVariable)=\(token)".utf8)
        var pids = Set<Int>()
        for directory in cgroups {
            guard let listed = try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8) else { continue }
            pids.formUnion(listed.split(separator: "\n").compactMap { Int($0) })
        }
        let carrying = pids.filter { pid in
            FileManager.default.contents(atPath: "\(procRoot)/\(pid)/environ")?.split(separator: 0).contains { Array($0) == marker } ?? false
        }
        let sessions = Set(carrying.compactMap(session(of:)))
        let hog = pids.filter { carrying.contains($0) || session(of: $0).map(sessions.contains) == true }
        return hog.sorted().filter { pid in program.map { commandLine(of: pid).hasPrefix($0) } ?? true }
    }

}

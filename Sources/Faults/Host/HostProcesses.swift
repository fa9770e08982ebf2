import Foundation

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
    func startTime(of pid: Int) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "\(procRoot)/\(pid)/stat", encoding: .utf8) else { return nil }
        return Self.startTime(stat: stat)
    }

    /// Pure part of `startTime(of:)`: the name in parentheses may hold spaces and parentheses, so
    /// the fields are counted after its last `)`.
    static func startTime(stat: String) -> UInt64? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); starttime is field 22.
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    private func commandLine(of pid: Int) -> String {
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

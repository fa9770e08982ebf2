import DockerEngine
import FaultlineSupport
import Foundation

/// Starts a load generator (stress-ng, from the engine's host) inside a running container's
/// cgroups and PID namespace for the window: the container's own limits and accounting apply to
/// it, as to its own processes, and nothing is installed in or copied into its image. The revert
/// kills every process carrying the fault's token; the generator's own time-out (the window plus
/// `HelperLifetime.grace`) ends it even if every faultline process is gone.
public struct ResourceHogFault: FaultAction {
    public let kind: FaultKind
    public let summary: String
    /// The stressor's arguments after `stress-ng` (without the time-out).
    public let stressArguments: [String]
    /// The memory hog's share of the container's limit, turned into bytes when prepared.
    public let limitShare: Double?
    /// The memory hog allocates past the container's limit, so the OOM killer acts; the revert
    /// reports what it did.
    public let seeksOOM: Bool

    static let program = "stress-ng"

    public init(kind: FaultKind, summary: String, stressArguments: [String], limitShare: Double? = nil, seeksOOM: Bool = false) {
        self.kind = kind
        self.summary = summary
        self.stressArguments = stressArguments
        self.limitShare = limitShare
        self.seeksOOM = seeksOOM
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try await prepare(target, in: environment, window: nil)
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment, window: Duration?) async throws -> PreparedFault {
        try TargetState.requireRunning(target, for: kind)
        guard Self.installed(Self.program) else {
            throw FaultError.unsupported(kind: kind, reason: "\(kind.rawValue) runs \(Self.program) from the engine's host, and it is not installed there (apt-get install stress-ng); the cpu and memory kinds limit instead of pressing")
        }
        let cgroups = try HelperCgroups.of(target, pid: target.state.pid, for: kind, in: environment)
        var arguments = stressArguments
        var oomWatch: OOMWatch?
        if let limitShare {
            arguments += ["--vm-bytes", String(try Self.bytes(share: limitShare, of: target, in: environment))]
        } else if seeksOOM {
            let memory = try Self.memory(of: target, in: environment)
            // Past the limit by a tenth of it (at least 16 MiB): the allocation cannot fit.
            arguments += ["--vm-bytes", String(memory.limit - memory.usage + max(16 << 20, memory.limit / 10))]
            let countFile = memory.directory.file(memory.directory.version == .v1 ? "memory.oom_control" : "memory.events")
            let before = (try? environment.cgroups.read(countFile)).flatMap(OOMWatch.kills(in:)) ?? 0
            oomWatch = OOMWatch(containerID: target.id, countFile: countFile, killsBefore: before)
        }
        let lifetime = HelperLifetime(window: window)
        // stress-ng's own time-out ends it cleanly; `timeout` kills what is left of it later.
        // --keep-name: workers keep their command line and environment area (renamed ones overwrite
        // it, and the revert finds the hog by the token there).
        let command = [Self.program] + arguments + ["--timeout", "\(lifetime.ownSeconds)s", "--quiet", "--keep-name"]
        let token = UUID().uuidString.lowercased()
        let pid = target.state.pid
        return PreparedFault(revert: .hog(HogStep(token: token, cgroups: cgroups, what: summary, oomWatch: oomWatch))) { environment in
            try await environment.processes.startHog(command, token: token, cgroups: cgroups, mainPID: pid, network: false, deadline: lifetime.killedAfter)
        }
    }

    /// The memory hog's size for a share of the container's limit: what takes the container's
    /// usage to `share` of its limit. Already past it is refused.
    static func bytes(share: Double, of target: ContainerDetails, in environment: FaultEnvironment) throws -> Int64 {
        let memory = try Self.memory(of: target, in: environment)
        let bytes = Int64(Double(memory.limit) * share) - memory.usage
        guard bytes >= 1 << 20 else {
            throw FaultError.notApplicable(kind: .memoryHog, target: target.name,
                                           reason: "it already uses \(ByteSize.format(memory.usage)) of its \(ByteSize.format(memory.limit)) limit, at or past \(Int(share * 100))%")
        }
        return bytes
    }

    /// The container's memory cgroup, its limit and its usage; a container without a limit is
    /// refused (a share of it, or going past it, means nothing).
    static func memory(of target: ContainerDetails, in environment: FaultEnvironment) throws -> (directory: CgroupDirectory, limit: Int64, usage: Int64) {
        let directory: CgroupDirectory
        do { directory = try environment.cgroups.directory(controller: .memory, pid: target.state.pid) } catch {
            throw FaultError.unsupported(kind: .memoryHog, reason: "cannot find the memory cgroup of \(target.name): \(error)")
        }
        let (limitFile, usageFile) = directory.version == .v1 ? ("memory.limit_in_bytes", "memory.usage_in_bytes") : ("memory.max", "memory.current")
        let limitText = try environment.cgroups.read(directory.file(limitFile)), usageText = try environment.cgroups.read(directory.file(usageFile))
        // v1 shows "no limit" as a page-rounded Int64.max.
        guard let limit = Int64(limitText), limit < Int64.max / 2, let usage = Int64(usageText) else {
            throw FaultError.notApplicable(kind: .memoryHog, target: target.name, reason: "it has no memory limit to take a share of or go past; give size instead")
        }
        return (directory, limit, usage)
    }

    static func installed(_ program: String) -> Bool {
        ["/usr/bin/", "/usr/local/bin/", "/bin/"].contains { FileManager.default.isExecutableFile(atPath: $0 + program) }
    }
}

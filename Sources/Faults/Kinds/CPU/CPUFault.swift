import Foundation
import DockerEngine
import FaultlineSupport

/// Limits the container to a fraction of a core by writing its live CPU cgroup (CFS quota).
/// The revert writes the original quota back; the container's HostConfig is never touched, so
/// nothing persists (the engine's `update` would persist, and cannot clear `NanoCpus` again).
public struct CPUFault: FaultAction {
    public let kind = FaultKind.cpu
    /// Cores the container may use during the window, e.g. 0.2.
    public let cpus: Double
    public var summary: String { "cpu \(Self.format(cpus)) cores" }

    public init(cpus: Double) { self.cpus = cpus }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try TargetState.requireRunning(target, for: kind)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard cpus <= Double(cores) else {
            throw FaultError.notApplicable(kind: kind, target: target.name,
                                           reason: "\(Self.format(cpus)) cores is more than this host's \(cores) CPUs: the limit would change nothing")
        }
        let directory: CgroupDirectory
        do {
            directory = try environment.cgroups.directory(controller: .cpu, pid: target.state.pid)
        } catch {
            throw FaultError.unsupported(kind: kind, reason: "\(error)")
        }
        let quotaFile: String, quotaValue: String, original: String
        switch directory.version {
        case .v1:
            quotaFile = directory.file("cpu.cfs_quota_us")
            original = try environment.cgroups.read(quotaFile)
            let period = Int64(try environment.cgroups.read(directory.file("cpu.cfs_period_us"))) ?? 100_000
            let quota = Self.quota(cpus: cpus, period: period)
            try requireStricter(currentQuota: Int64(original) ?? -1, period: period, quota: quota, target: target)
            quotaValue = String(quota)
        case .v2:
            quotaFile = directory.file("cpu.max")
            original = try environment.cgroups.read(quotaFile)
            let parts = original.split(separator: " ")
            let period = parts.count == 2 ? Int64(parts[1]) ?? 100_000 : 100_000
            let quota = Self.quota(cpus: cpus, period: period)
            try requireStricter(currentQuota: parts.first.flatMap { Int64($0) } ?? -1, period: period, quota: quota, target: target)
            quotaValue = "\(quota) \(period)"
        }
        let revert = CgroupRestoreStep(containerID: target.id, startedAt: target.state.startedAt,
                                       writes: [.init(path: quotaFile, value: original)])
        return PreparedFault(revert: .cgroup(revert)) { environment in
            let cgroups = environment.cgroups
            try await BlockingIO.run { try cgroups.write(quotaFile, value: quotaValue) }
        }
    }

    /// The CFS quota for `cpus` cores (the kernel's minimum is 1 ms).
    static func quota(cpus: Double, period: Int64) -> Int64 {
        max(1_000, Int64((cpus * Double(period)).rounded()))
    }

    private func requireStricter(currentQuota: Int64, period: Int64, quota: Int64, target: ContainerDetails) throws {
        if currentQuota > 0 && currentQuota <= quota {
            let current = Double(currentQuota) / Double(period)
            throw FaultError.notApplicable(
                kind: kind, target: target.name,
                reason: "it is already limited to \(Self.format(current)) cores; a cpu fault must be stricter than \(Self.format(cpus))")
        }
    }

    static func format(_ cpus: Double) -> String {
        let rounded = (cpus * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

import DockerEngine
import FaultlineSupport

/// Throttles a running container's IO on the disk under one of its directories by writing its live
/// blkio cgroup (v1: `blkio.throttle.*_device`; v2: `io.max`), one line for that disk. The revert
/// writes the disk's original line back (or clears it); the container's HostConfig is never
/// touched, so nothing outlives the fault, and a restart of the container ends it too.
public struct IOLimitFault: FaultAction {
    public let kind = FaultKind.ioLimit
    public let path: String
    public let limits: IOLimits
    public var summary: String { IOLimitParameters(path: path, limits: limits).summary }

    public init(path: String = "/", limits: IOLimits) {
        self.path = path
        self.limits = limits
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try TargetState.requireRunning(target, for: kind)
        let device: String
        do {
            let reached = try environment.files.reach(path, mainPID: target.state.pid)
            // The writable layer's mount is an overlay without a disk of its own: its upper directory has one.
            guard let disk = try environment.files.blockDevice(of: target.hostPath(of: path) ?? reached) else {
                throw FaultError.notApplicable(kind: kind, target: target.name,
                                               reason: "\(path) is on a filesystem without a disk (a tmpfs or the like); io-limit throttles a block device, cpu-hog or memory-hog press on memory-backed files")
            }
            device = disk
        } catch let error as FaultProcessError {
            throw FaultError.notApplicable(kind: kind, target: target.name, reason: error.message)
        }
        let directory: CgroupDirectory
        do { directory = try environment.cgroups.directory(controller: .blkio, pid: target.state.pid) } catch {
            throw FaultError.unsupported(kind: kind, reason: "\(error)")
        }
        let writes = try Self.writes(limits, device: device, in: directory, cgroups: environment.cgroups, target: target.name)
        let revert = CgroupRestoreStep(containerID: target.id, startedAt: target.state.startedAt, writes: writes.revert)
        let inject = writes.inject
        return PreparedFault(revert: .cgroup(revert)) { environment in
            let cgroups = environment.cgroups
            try await BlockingIO.run { for write in inject { try cgroups.write(write.path, value: write.value) } }
        }
    }

    /// The lines to write for `limits` on `device`, and the original lines the revert writes back.
    /// A limit looser than one already on the disk is refused (it would lift a throttle, not add one).
    static func writes(_ limits: IOLimits, device: String, in directory: CgroupDirectory, cgroups: any CgroupAccess,
                       target: String) throws -> (inject: [CgroupRestoreStep.FileValue], revert: [CgroupRestoreStep.FileValue]) {
        let given: [(v1File: String, v2Key: String, value: Int64?, unit: String)] = [
            ("blkio.throttle.read_bps_device", "rbps", limits.readBytes, "bytes/s"),
            ("blkio.throttle.write_bps_device", "wbps", limits.writeBytes, "bytes/s"),
            ("blkio.throttle.read_iops_device", "riops", limits.readOperations, "IO/s"),
            ("blkio.throttle.write_iops_device", "wiops", limits.writeOperations, "IO/s"),
        ]
        func refuseLooser(_ current: Int64, _ value: Int64, _ unit: String) throws {
            guard current != 0, value >= current else { return }
            throw FaultError.notApplicable(kind: .ioLimit, target: target,
                                           reason: "disk \(device) is already throttled to \(current) \(unit) for it; an io-limit must be stricter than \(value)")
        }
        switch directory.version {
        case .v1:
            var inject: [CgroupRestoreStep.FileValue] = [], revert: [CgroupRestoreStep.FileValue] = []
            for entry in given {
                guard let value = entry.value else { continue }
                let file = directory.file(entry.v1File), absent = "\(device) 0"
                let original = CgroupRestoreStep.line(of: device, in: try cgroups.read(file)) ?? absent
                try refuseLooser(Int64(original.split(separator: " ").last ?? "") ?? 0, value, entry.unit)
                inject.append(.init(path: file, value: "\(device) \(value)", absent: absent))
                revert.append(.init(path: file, value: original, absent: absent))
            }
            return (inject, revert)
        case .v2:
            let file = directory.file("io.max"), absent = "\(device) rbps=max wbps=max riops=max wiops=max"
            let original = CgroupRestoreStep.line(of: device, in: try cgroups.read(file)) ?? absent
            var settings = Dictionary(uniqueKeysWithValues: original.split(separator: " ").dropFirst().compactMap { pair -> (String, String)? in
                let parts = pair.split(separator: "=", maxSplits: 1)
                return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
            })
            for entry in given {
                guard let value = entry.value else { continue }
                try refuseLooser(Int64(settings[entry.v2Key] ?? "max") ?? 0, value, entry.unit)
                settings[entry.v2Key] = String(value)
            }
            let line = ([device] + ["rbps", "wbps", "riops", "wiops"].map { "\($0)=\(settings[$0] ?? "max")" }).joined(separator: " ")
            return ([.init(path: file, value: line, absent: absent)], [.init(path: file, value: original, absent: absent)])
        }
    }
}

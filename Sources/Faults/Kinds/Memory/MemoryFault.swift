import DockerEngine
import FaultlineSupport

/// Limits the container's memory (and swap, so the limit cannot be dodged by swapping) by writing
/// its live memory cgroup. Processes over the limit are reclaimed or OOM-killed: that is the fault.
/// The revert writes the original limits back; the container's HostConfig is never touched
/// (the engine cannot remove a memory limit that `update` set).
public struct MemoryFault: FaultAction {
    public let kind = FaultKind.memory
    public let bytes: Int64
    /// The smallest limit the engine itself allows.
    public static let minimumBytes: Int64 = 6 * 1024 * 1024
    public var summary: String { "memory \(ByteSize.format(bytes))" }

    public init(bytes: Int64) { self.bytes = bytes }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try TargetState.requireRunning(target, for: kind)
        guard bytes >= Self.minimumBytes else {
            throw FaultError.notApplicable(kind: kind, target: target.name, reason: "the limit must be at least \(ByteSize.format(Self.minimumBytes))")
        }
        let directory: CgroupDirectory
        do {
            directory = try environment.cgroups.directory(controller: .memory, pid: target.state.pid)
        } catch {
            throw FaultError.unsupported(kind: kind, reason: "\(error)")
        }
        let cgroups = environment.cgroups
        let limitFile: String, swapFile: String, swapValue: String
        switch directory.version {
        case .v1:
            limitFile = directory.file("memory.limit_in_bytes")
            swapFile = directory.file("memory.memsw.limit_in_bytes")  // memory + swap; must stay ≥ the limit
            swapValue = String(bytes)
        case .v2:
            limitFile = directory.file("memory.max")
            swapFile = directory.file("memory.swap.max")  // swap alone
            swapValue = "0"
        }
        let originalLimit = try cgroups.read(limitFile)
        if let current = Int64(originalLimit), current <= bytes {
            throw FaultError.notApplicable(
                kind: kind, target: target.name,
                reason: "it is already limited to \(ByteSize.format(current)); a memory fault must be stricter than \(ByteSize.format(bytes))")
        }
        var injectWrites = [CgroupRestoreStep.FileValue(path: limitFile, value: String(bytes))]
        var revertWrites = [CgroupRestoreStep.FileValue(path: limitFile, value: originalLimit)]
        if cgroups.exists(swapFile) {
            let originalSwap = try cgroups.read(swapFile)
            injectWrites.append(.init(path: swapFile, value: swapValue))
            // v1: raise memory+swap first, then the memory limit, so memsw ≥ limit at every step.
            if directory.version == .v1 {
                revertWrites.insert(.init(path: swapFile, value: originalSwap), at: 0)
            } else {
                revertWrites.append(.init(path: swapFile, value: originalSwap))
            }
        }
        let revert = CgroupRestoreStep(containerID: target.id, startedAt: target.state.startedAt, writes: revertWrites)
        let writes = injectWrites
        return PreparedFault(revert: .cgroup(revert)) { environment in
            // Lowering a memory limit makes the kernel reclaim, which can take a while: off the pool.
            let cgroups = environment.cgroups
            try await BlockingIO.run { for write in writes { try cgroups.write(write.path, value: write.value) } }
        }
    }
}

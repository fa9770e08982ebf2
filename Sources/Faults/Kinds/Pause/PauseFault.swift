import DockerEngine

/// Freezes every process of the container (cgroup freezer); the revert unpauses it.
/// TCP connects to a paused container still succeed; requests hang until unpause.
public struct PauseFault: FaultAction {
    public let kind = FaultKind.pause
    public var summary: String { "pause" }

    public init() {}

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try TargetState.requireRunning(target, for: kind)
        let id = target.id
        return PreparedFault(revert: .unpause(UnpauseStep(containerID: id))) { environment in
            try await environment.lifecycle.pauseContainer(id)
        }
    }
}

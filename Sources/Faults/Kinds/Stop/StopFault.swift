import DockerEngine

/// Stops the container (SIGTERM or its stop signal, then SIGKILL after the grace period); the
/// revert starts it again.
public struct StopFault: FaultAction {
    public let kind = FaultKind.stop
    /// Seconds the engine waits before SIGKILL; nil uses the container's own setting.
    public let graceSeconds: Int?
    public var summary: String { graceSeconds.map { "stop (grace \($0)s)" } ?? "stop" }

    public init(graceSeconds: Int? = nil) { self.graceSeconds = graceSeconds }

    /// The longest grace faultline asks the engine for (stop and restart): an hour. A longer one
    /// would hold an engine call (and the command) for longer than anyone means.
    public static let maximumGraceSeconds = 3600

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try TargetState.requireRunning(target, for: kind)
        let id = target.id, grace = graceSeconds
        return PreparedFault(revert: .startAgain(StartAgainStep(containerID: id, swarmService: TargetState.swarmService(of: target)))) { environment in
            try await environment.lifecycle.stopContainer(id, timeout: grace)
        }
    }
}

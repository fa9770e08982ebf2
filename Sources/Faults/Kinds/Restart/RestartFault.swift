import DockerEngine

/// Restarts the container. One-shot: the ledger's revert only makes sure the container runs
/// again, for a faultline that died in the middle of the restart.
public struct RestartFault: FaultAction {
    public let kind = FaultKind.restart
    public let graceSeconds: Int?
    public var summary: String { graceSeconds.map { "restart (grace \($0)s)" } ?? "restart" }

    public init(graceSeconds: Int? = nil) { self.graceSeconds = graceSeconds }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try TargetState.requireRunning(target, for: kind)
        if let service = TargetState.swarmService(of: target) {
            throw FaultError.notApplicable(kind: kind, target: target.name, reason:
                "it is a task of Swarm service \(service): Swarm replaces a task whose container stops, so a restart in place would leave two; kill it instead (Swarm reschedules it)")
        }
        let id = target.id, grace = graceSeconds
        return PreparedFault(revert: .startAgain(StartAgainStep(containerID: id))) { environment in
            try await environment.lifecycle.restartContainer(id, timeout: grace)
        }
    }
}

import DockerEngine

/// Sends a signal to the container's main process. Without a window it is one-shot: the container
/// stays as the signal left it (its restart policy may bring it back, which is what is under test).
/// With a window, the revert starts the container again if it is still down when the window ends.
public struct KillFault: FaultAction {
    public let kind = FaultKind.kill
    public let signal: String
    public let startAgainAfterWindow: Bool
    public var summary: String { "kill \(signal)" }

    public init(signal: String = "SIGKILL", startAgainAfterWindow: Bool) {
        self.signal = signal
        self.startAgainAfterWindow = startAgainAfterWindow
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try TargetState.requireRunning(target, for: kind)
        let id = target.id, signal = signal
        let revert: RevertPlan = startAgainAfterWindow ? .startAgain(StartAgainStep(containerID: id, swarmService: TargetState.swarmService(of: target))) : .nothing
        return PreparedFault(revert: revert) { environment in
            try await environment.lifecycle.killContainer(id, signal: signal)
        }
    }
}

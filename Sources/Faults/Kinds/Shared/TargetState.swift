import DockerEngine

/// Checks of a target's run state shared by the fault kinds.
enum TargetState {
    /// The fault needs a running, unpaused container.
    static func requireRunning(_ target: ContainerDetails, for kind: FaultKind) throws {
        if target.state.paused {
            throw FaultError.notApplicable(kind: kind, target: target.name, reason: "it is paused")
        }
        guard target.state.running else {
            throw FaultError.notApplicable(kind: kind, target: target.name, reason: "it is not running (state \(target.state.status))")
        }
    }

    /// The Swarm service whose task the container is (the label the engine sets), or nil.
    static func swarmService(of target: ContainerDetails) -> String? {
        SwarmTaskLabels(target.labels)?.service
    }
}

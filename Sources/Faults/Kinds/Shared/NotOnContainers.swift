import DockerEngine

/// What a kind that does not act on a container (toxic, drain) gives where a container fault is
/// asked for: a refusal, never a silent no-op.
struct NotOnContainers: FaultAction {
    let kind: FaultKind
    let summary: String

    func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        throw FaultError.notApplicable(kind: kind, target: target.name, reason: "\(kind.rawValue) acts on \(kind.subjectDescription), not on a container")
    }
}

/// Reverts a stop (or a kill with a window): start the container again if it is not running.
/// A Swarm task's container is never started again: Swarm replaces a task whose container
/// stopped, and the old one started beside the replacement would run outside the service.
public struct StartAgainStep: Sendable, Equatable, Codable {
    public let containerID: String
    /// The service, when the container is a Swarm task's (its replacement is Swarm's to start).
    public let swarmService: String?

    public init(containerID: String, swarmService: String? = nil) {
        self.containerID = containerID
        self.swarmService = swarmService
    }

    func apply(in environment: FaultEnvironment) async throws -> RevertOutcome {
        if let swarmService { return .replacedBySwarm(service: swarmService) }
        do {
            let started = try await environment.lifecycle.startContainer(containerID)
            return started ? .restored : .alreadyClear("already running")
        } catch where EngineErrorMatching.isGone(error) {
            return .targetGone
        }
    }
}

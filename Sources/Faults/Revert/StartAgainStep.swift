/// Reverts a stop (or a kill with a window): start the container again if it is not running.
public struct StartAgainStep: Sendable, Equatable, Codable {
    public let containerID: String

    public init(containerID: String) { self.containerID = containerID }

    func apply(in environment: FaultEnvironment) async throws -> RevertOutcome {
        do {
            let started = try await environment.lifecycle.startContainer(containerID)
            return started ? .restored : .alreadyClear("already running")
        } catch where EngineErrorMatching.isGone(error) {
            return .targetGone
        }
    }
}

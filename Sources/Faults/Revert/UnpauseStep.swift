/// Reverts a pause: unpause, unless the container is no longer paused or gone.
public struct UnpauseStep: Sendable, Equatable, Codable {
    public let containerID: String

    public init(containerID: String) { self.containerID = containerID }

    func apply(in environment: FaultEnvironment) async throws -> RevertOutcome {
        do {
            try await environment.lifecycle.unpauseContainer(containerID)
            return .restored
        } catch where EngineErrorMatching.isGone(error) {
            return .targetGone
        } catch where EngineErrorMatching.isRefusal(error, saying: "not paused")
            || EngineErrorMatching.isRefusal(error, saying: "not running") {
            return .alreadyClear("not paused")
        }
    }
}

import DockerEngine

/// Whether a container is still the same run a fault was injected into (same `State.StartedAt`).
/// Faults that live in a run's kernel objects (its cgroup, its network namespace) are gone when the
/// container stopped or restarted; their reverts then have nothing to undo.
enum RunIdentity {
    /// Still running, the same run: revert against this state.
    case same(ContainerState)
    /// Nothing to revert, and why.
    case over(RevertOutcome)

    static func check(_ containerID: String, startedAt: String, in environment: FaultEnvironment,
                      notRunning: String, restarted: String) async throws -> RunIdentity {
        let current: ContainerState
        do {
            current = try await environment.containers.inspectContainer(containerID).state
        } catch where EngineErrorMatching.isGone(error) {
            return .over(.targetGone)
        }
        guard current.running else { return .over(.alreadyClear(notRunning)) }
        guard current.startedAt == startedAt else { return .over(.alreadyClear(restarted)) }
        return .same(current)
    }
}

import DockerEngine

/// Changes a container's run state: what stop, restart, kill and pause faults use.
public protocol ContainerLifecycle: Sendable {
    /// Returns false when it was already running.
    @discardableResult func startContainer(_ id: String) async throws -> Bool
    /// Returns false when it was already stopped.
    @discardableResult func stopContainer(_ id: String, timeout: Int?) async throws -> Bool
    func restartContainer(_ id: String, timeout: Int?) async throws
    func killContainer(_ id: String, signal: String) async throws
    func pauseContainer(_ id: String) async throws
    func unpauseContainer(_ id: String) async throws
}
